"""``procmine map --engine duckdb``: the same drawing as in memory, from the engine's tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from procmine.cli import cli

SAMPLE = Path(__file__).resolve().parents[1] / "sample_logs" / "sources.toml"

HEADER = "Order,Step,When,User,Dept\n"
ROWS = (
    "o1,Enter order,2024-01-01 09:00,ann,Sales\n"
    "o1,Check credit,2024-01-01 10:00,bob,Credit\n"
    "o1,Pick,2024-01-02 09:00,cid,Warehouse\n"
    "o2,Enter order,2024-01-01 09:30,dan,Sales\n"
    "o2,Pick,2024-01-01 11:30,cid,Warehouse\n"
    "o3,Enter order,2024-01-01 09:30,dan,Sales\n"
    "o3,Pick,2024-01-01 09:30,cid,Warehouse\n"
)
MAPPING = ["--case-id", "Order", "--activity", "Step", "--timestamp", "When",
           "--resource", "User", "--department", "Dept"]


def _run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_sample_map_is_byte_identical_on_duckdb(tmp_path):
    """The fitted print map of the sample (the fit search measures the drawings)."""
    mem, eng = tmp_path / "mem.svg", tmp_path / "eng.svg"
    mem_table, eng_table = tmp_path / "mem.csv", tmp_path / "eng.csv"
    for out, table, extra in ((mem, mem_table, []), (eng, eng_table, ["--engine", "duckdb"])):
        result = _run("map", SAMPLE, "--out", out, "--fit", "print", "--table", table, *extra)
        assert result.exit_code == 0, result.output
    assert eng.read_bytes() == mem.read_bytes()
    assert eng_table.read_bytes() == mem_table.read_bytes()
    assert mem_table.read_text().count("\n") > 5  # a real map, not an empty one


@pytest.mark.parametrize("options", [["--activities", "0.9", "--paths", "0.8"],
                                     ["--level", "department"],
                                     ["--level", "department", "--measure", "performance"]])
def test_csv_read_by_duckdb_draws_the_in_memory_map(tmp_path, options):
    """A CSV the engine reads itself (ties in time, a department per step)."""
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    svgs, tables = [], []
    for n, extra in enumerate(([], ["--engine", "duckdb"])):
        out, table = tmp_path / f"m{n}.svg", tmp_path / f"m{n}.csv"
        result = _run("map", path, "--out", out, "--table", table, *MAPPING, *options, *extra)
        assert result.exit_code == 0, result.output
        svgs.append(out.read_bytes())
        tables.append(table.read_text())
    assert svgs[0] == svgs[1]
    assert tables[0] == tables[1]
    if "department" in options:  # Sales -> Credit, Credit -> Warehouse, Sales -> Warehouse
        assert tables[0].splitlines()[0] == "source,target,count,median_wait_s"
        assert len(tables[0].splitlines()) == 4


def test_spark_master_without_spark_is_a_usage_error(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    result = _run("map", path, "--out", tmp_path / "m.svg", *MAPPING, "--engine", "duckdb",
                  "--spark-master", "local[1]")
    assert result.exit_code == 2
    assert "--spark-master" in result.output or "spark_master" in result.output
