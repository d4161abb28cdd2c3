"""``procmine map``: run through click's test runner on tiny files."""

from __future__ import annotations

import csv

import defusedxml.ElementTree as DET
import pytest
from click.testing import CliRunner

from procmine.cli import cli

HEADER = "Order,Step,When,User,Dept\n"
ROWS = (
    "o1,Enter order,2024-01-01 09:00,ann,Sales\n"
    "o1,Check credit,2024-01-01 10:00,bob,Credit\n"
    "o1,=cmd|' /C calc'!A0,2024-01-01 12:00,ann,Sales\n"
    "o1,Pick,2024-01-02 09:00,cid,Warehouse\n"
    "o2,Enter order,2024-01-01 09:30,dan,Sales\n"
    "o2,Pick,2024-01-01 11:30,cid,Warehouse\n"
    "o3,Enter order,2024-01-01 09:30,dan,Sales\n"
    "o3,Pick,2024-01-01 10:30,cid,Warehouse\n"
)
MAPPING = ["--case-id", "Order", "--activity", "Step", "--timestamp", "When",
           "--resource", "User", "--department", "Dept"]


@pytest.fixture
def log_csv(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return path


def _run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_svg_map_and_edge_table(log_csv, tmp_path):
    out, table = tmp_path / "map.svg", tmp_path / "edges.csv"
    result = _run("map", log_csv, "--out", out, "--table", table, *MAPPING)
    assert result.exit_code == 0, result.output
    text = " ".join(DET.fromstring(out.read_bytes()).itertext())
    for activity in ("Enter order", "Check credit", "Pick"):
        assert activity in text
    with table.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["source", "target", "count", "median_wait_s"]
    by_edge = {(r["source"], r["target"]): r for r in rows}
    # Enter order -> Pick: o2 (2 h) and o3 (1 h)
    assert by_edge[("Enter order", "Pick")]["count"] == "2"
    assert float(by_edge[("Enter order", "Pick")]["median_wait_s"]) == 5400.0
    # the formula-like activity is neutralised for spreadsheets
    assert all(not r["source"].startswith("=") and not r["target"].startswith("=") for r in rows)
    assert ("'=cmd|' /C calc'!A0", "Pick") in by_edge


@pytest.mark.parametrize(("name", "magic"), [("m.png", b"\x89PNG"), ("m.pdf", b"%PDF"),
                                             ("m.html", b"<!DOCTYPE html>")])
def test_format_from_suffix(log_csv, tmp_path, name, magic):
    out = tmp_path / name
    result = _run("map", log_csv, "--out", out, *MAPPING)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)


def test_explicit_format_wins_over_suffix(log_csv, tmp_path):
    out = tmp_path / "map.png"
    result = _run("map", log_csv, "--out", out, "--format", "svg", *MAPPING)
    assert result.exit_code == 0, result.output
    assert DET.fromstring(out.read_bytes()).tag.endswith("svg")


def test_unknown_suffix_is_a_usage_error(log_csv, tmp_path):
    result = _run("map", log_csv, "--out", tmp_path / "map.jpeg", *MAPPING)
    assert result.exit_code == 2
    assert "suffix" in result.output and "--format" in result.output


def test_coverage_options(log_csv, tmp_path):
    out, table = tmp_path / "map.svg", tmp_path / "edges.csv"
    result = _run("map", log_csv, "--out", out, "--table", table, "--activities", "0.5",
                  "--paths", "0", *MAPPING)
    assert result.exit_code == 0, result.output
    text = " ".join(DET.fromstring(out.read_bytes()).itertext())
    # ranked Enter order (3), Pick (3), then the 1-event ones; half of 8 events needs the first
    # two (Enter order alone covers 3 < 4)
    assert "Enter order" in text and "Pick" in text and "Check credit" not in text
    assert _run("map", log_csv, "--out", out, "--paths", "1.5", *MAPPING).exit_code == 2


def test_department_level(log_csv, tmp_path):
    out, table = tmp_path / "dept.svg", tmp_path / "dept.csv"
    result = _run("map", log_csv, "--out", out, "--level", "department", "--table", table,
                  *MAPPING)
    assert result.exit_code == 0, result.output
    text = " ".join(DET.fromstring(out.read_bytes()).itertext())
    for department in ("Sales", "Credit", "Warehouse"):
        assert department in text
    with table.open(newline="", encoding="utf-8") as fh:
        rows = {(r["source"], r["target"]): int(r["count"]) for r in csv.DictReader(fh)}
    # o1: Sales->Credit, Credit->Sales, Sales->Warehouse; o2, o3: Sales->Warehouse
    assert rows == {("Sales", "Credit"): 1, ("Credit", "Sales"): 1, ("Sales", "Warehouse"): 3}
    # --paths works at department level too: 0.5 of 5 handoffs keeps Sales->Warehouse (3);
    # Credit, on no kept route, gets back its busiest route out and in: all three stay
    fewer = _run("map", log_csv, "--out", out, "--level", "department", "--paths", "0.5",
                 "--table", table, *MAPPING)
    assert fewer.exit_code == 0, fewer.output
    with table.open(newline="", encoding="utf-8") as fh:
        rows = {(r["source"], r["target"]): int(r["count"]) for r in csv.DictReader(fh)}
    assert rows == {("Sales", "Credit"): 1, ("Credit", "Sales"): 1, ("Sales", "Warehouse"): 3}
    bad = _run("map", log_csv, "--out", out, "--level", "department", "--activities", "0.5",
               *MAPPING)
    assert bad.exit_code == 2


def test_missing_input_is_exit_1(tmp_path):
    result = _run("map", tmp_path / "nope.csv", "--out", tmp_path / "m.svg")
    assert result.exit_code == 1


def test_help():
    result = _run("map", "--help")
    assert result.exit_code == 0 and "--activities" in result.output and "--table" in result.output


def _svg_size(path):
    root = DET.fromstring(path.read_bytes())
    width, height = (float(root.get(k).removesuffix("pt")) for k in ("width", "height"))
    return width, height


def test_direction_tb_draws_taller_than_lr(log_csv, tmp_path):
    lr, tb = tmp_path / "lr.svg", tmp_path / "tb.svg"
    assert _run("map", log_csv, "--out", lr, "--fit", "none", *MAPPING).exit_code == 0
    result = _run("map", log_csv, "--out", tb, "--direction", "TB", "--fit", "none", *MAPPING)
    assert result.exit_code == 0, result.output
    (lw, lh), (tw, th) = _svg_size(lr), _svg_size(tb)
    assert lw / lh > tw / th


def test_direction_and_fit_are_for_the_activity_map(log_csv, tmp_path):
    result = _run("map", log_csv, "--out", tmp_path / "d.svg", "--level", "department",
                  "--direction", "TB", *MAPPING)
    assert result.exit_code == 2
    assert "--direction" in result.output
    assert _run("map", log_csv, "--out", tmp_path / "x.svg", "--fit", "wall",
                *MAPPING).exit_code == 2


def _smallest_text_px(path, box_w, box_h=None):
    """Smallest font size x (shown width / viewBox width), read from the SVG file alone."""
    root = DET.fromstring(path.read_bytes())
    view = [float(v) for v in root.get("viewBox").split()]
    natural = float(root.get("width").removesuffix("pt")) * 96 / 72
    shown = min(box_w, view[2] * box_h / view[3]) if box_h else min(box_w, natural)
    sizes = [float(t.get("font-size")) for t in root.iter("{http://www.w3.org/2000/svg}text")
             if t.get("font-size")]
    return min(sizes) * shown / view[2]


@pytest.mark.parametrize(("fit", "box", "smallest"), [
    ("slide", (1920, 1080), 32.0), ("notebook", (900, None), 12.0),
    ("print", (180 / 25.4 * 96, None), 12.0)])
def test_fit_draws_for_the_medium(log_csv, tmp_path, fit, box, smallest):
    out = tmp_path / f"{fit}.svg"
    result = _run("map", log_csv, "--out", out, "--fit", fit, *MAPPING)
    assert result.exit_code == 0, result.output
    assert _smallest_text_px(out, *box) >= smallest
    dept = tmp_path / f"{fit}-dept.svg"
    result = _run("map", log_csv, "--out", dept, "--fit", fit, "--level", "department",
                  *MAPPING)
    assert result.exit_code == 0, result.output
    assert _smallest_text_px(dept, *box) >= smallest


def test_fit_slide_on_the_sample_log_shows_at_most_15_activities(tmp_path):
    from conftest import SAMPLE_LOGS

    sources = SAMPLE_LOGS / "sources.toml"
    if not sources.exists():
        pytest.skip("sample_logs/ is absent")
    out, table = tmp_path / "slide.svg", tmp_path / "edges.csv"
    result = _run("map", sources, "--out", out, "--fit", "slide", "--table", table)
    assert result.exit_code == 0, result.output
    assert _smallest_text_px(out, 1920, 1080) >= 32.0
    with table.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    activities = {r["source"] for r in rows} | {r["target"] for r in rows}
    assert 1 < len(activities) <= 15
    text = " ".join(" ".join(DET.fromstring(out.read_bytes()).itertext()).split())
    assert f"showing {len(activities)} activities" in text
