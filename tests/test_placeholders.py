"""Placeholder values (Empty, N/A, NULL, -, ...) in actor columns are missing values."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pandas as pd
import pytest

import procmine as pm
from procmine.cli import main
from procmine.errors import InputError, UsageError
from procmine.io.mapping import DEFAULT_MISSING_VALUES

# Written out here, not taken from the code under test.
PLACEHOLDERS = {"", "Empty", "EMPTY", "N/A", "NA", "n/a", "NULL", "null", "None", "none", "-",
                "?", "#"}
# three events per order: SO-0 Sales -> (Empty) -> Warehouse, SO-1 (N/A) -> Sales -> Billing, ...
DEPTS = ["Sales", "Empty", "Warehouse", " N/A ", "Sales", "Billing", "-", "NULL", "Sales",
         "Empty", ""]
MAP = ["--case-id", "Order", "--activity", "Act", "--timestamp", "At", "--department", "Dept"]


def _csv(path: Path, depts: list[str] = DEPTS, *, party: list[str] | None = None) -> Path:
    lines = ["Order,Act,At,Dept" + (",Party" if party else "")]
    for i, dept in enumerate(depts):
        row = f"SO-{i // 3},step {i % 3},2024-01-01T{i:02d}:00,{dept}"
        lines.append(row + (f",{party[i]}" if party else ""))
    path.write_text("\n".join(lines) + "\n")
    return path


def _expected_placeholders(values: list[str]) -> int:
    """Non-empty cells whose stripped text is a placeholder (independent count)."""
    return sum(1 for v in values if v.strip() and v.strip() in PLACEHOLDERS)


def test_default_list_is_public_and_complete():
    assert set(DEFAULT_MISSING_VALUES) == PLACEHOLDERS


def test_placeholder_departments_are_missing(tmp_path):
    log = pm.load(_csv(tmp_path / "o.csv"), case_id="Order", activity="Act", timestamp="At",
                  department="Dept")
    real = sorted({d.strip() for d in DEPTS if d.strip() not in PLACEHOLDERS})
    assert log.departments == real == ["Billing", "Sales", "Warehouse"]
    assert int(log.events["department"].isna().sum()) == sum(
        1 for d in DEPTS if d.strip() in PLACEHOLDERS)
    stats = log.sources[0]
    assert dict(stats.missing_values) == {"department": _expected_placeholders(DEPTS)} == {
        "department": 5}
    assert stats.placeholders["department"] == ("-", "Empty", "N/A", "NULL")
    assert stats.rows_read == stats.rows_loaded + stats.rows_rejected == len(DEPTS)


def test_missing_values_replaces_the_default_list(tmp_path):
    path = _csv(tmp_path / "o.csv")
    log = pm.load(path, case_id="Order", activity="Act", timestamp="At", department="Dept",
                  missing_values=["-"])
    assert "Empty" in log.departments and "N/A" in log.departments
    assert dict(log.sources[0].missing_values) == {"department": DEPTS.count("-")}
    keep_all = pm.load(path, case_id="Order", activity="Act", timestamp="At",
                       department="Dept", missing_values=[])
    assert keep_all.sources[0].missing_values == {}
    assert set(keep_all.departments) == {d.strip() for d in DEPTS if d.strip()}


def test_missing_values_must_be_a_list(tmp_path):
    with pytest.raises(UsageError, match="missing_values must be a list"):
        pm.load(_csv(tmp_path / "o.csv"), case_id="Order", activity="Act", timestamp="At",
                missing_values="N/A")


def test_placeholder_resource_and_party(tmp_path):
    party = ["customer", "N/A", "internal", "-", "carrier", "", "customer", "?", "none",
             "supplier"]
    path = _csv(tmp_path / "p.csv", ["Sales"] * len(party), party=party)
    log = pm.load(path, case_id="Order", activity="Act", timestamp="At", department="Dept",
                  party_column="Party")
    expected = [p if p.strip() not in PLACEHOLDERS else "internal" for p in party]
    ordered = log.events.sort_values("event_id", key=lambda s: s.str.split(":").str[1]
                                     .astype(int))
    assert ordered["party"].astype(str).tolist() == expected
    assert dict(log.sources[0].missing_values) == {"party": _expected_placeholders(party)}


def test_unknown_real_party_is_still_an_error(tmp_path):
    path = _csv(tmp_path / "p.csv", ["Sales"] * 2, party=["customer", "vendor"])
    with pytest.raises(InputError, match=r"unknown value 'vendor' at row 3"):
        pm.load(path, case_id="Order", activity="Act", timestamp="At", party_column="Party")


def test_sources_file_log_and_per_source_lists(tmp_path):
    _csv(tmp_path / "a.csv")
    _csv(tmp_path / "b.csv")
    cols = 'columns = { case_id = "Order", activity = "Act", timestamp = "At" }\n'
    (tmp_path / "s.toml").write_text(
        '[log]\nmissing_values = ["Empty"]\n'
        '[sources.a]\nfile = "a.csv"\ndepartment_column = "Dept"\n' + cols +
        '[sources.b]\nfile = "b.csv"\ndepartment_column = "Dept"\nmissing_values = ["-", "NULL"]\n'
        + cols)
    log = pm.load(tmp_path / "s.toml")
    a, b = log.sources
    assert dict(a.missing_values) == {"department": DEPTS.count("Empty")}
    assert dict(b.missing_values) == {"department": DEPTS.count("-") + DEPTS.count("NULL")}
    by_source = log.events.groupby("source")["department"].apply(lambda s: set(s.dropna()))
    assert "N/A" in by_source["a"] and "Empty" not in by_source["a"]
    assert "Empty" in by_source["b"] and "-" not in by_source["b"]


def test_sources_file_missing_values_must_be_strings(tmp_path):
    _csv(tmp_path / "a.csv")
    (tmp_path / "s.toml").write_text(
        '[log]\nmissing_values = "Empty"\n[sources.a]\nfile = "a.csv"\n'
        'columns = { case_id = "Order", activity = "Act", timestamp = "At" }\n')
    with pytest.raises(InputError, match=r"s.toml: \[log\]: missing_values must be a list"):
        pm.load(tmp_path / "s.toml")


def test_dataframe_placeholders():
    frame = pd.DataFrame({"case_id": ["1", "1", "2"], "activity": ["a", "b", "a"],
                          "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02",
                                                       "2024-01-03"], utc=True),
                          "resource": ["ann", "NULL", "bob"], "department": ["S", "S", "#"]})
    log = pm.load(frame)
    assert log.resources == ["ann", "bob"] and log.departments == ["S"]
    assert dict(log.sources[0].missing_values) == {"resource": 1, "department": 1}
    assert frame["resource"].tolist() == ["ann", "NULL", "bob"]  # caller's frame untouched


def _tiny_ocel(path: Path) -> Path:
    employees = [("ann", "Sales"), ("bob", "N/A"), ("cy", "Empty")]
    doc = {
        "objectTypes": [{"name": "orders", "attributes": []},
                        {"name": "employees", "attributes": [{"name": "role",
                                                              "type": "string"}]}],
        "eventTypes": [{"name": "place order", "attributes": []}],
        "objects": [{"id": "o1", "type": "orders"}] + [
            {"id": e, "type": "employees",
             "attributes": [{"name": "role", "value": r, "time": "1970-01-01T00:00:00Z"}]}
            for e, r in employees],
        "events": [{"id": f"e{i}", "type": "place order", "time": f"2024-01-0{i + 1}T10:00:00Z",
                    "relationships": [{"objectId": "o1", "qualifier": "order"},
                                      {"objectId": e, "qualifier": "sales person"}]}
                   for i, (e, _) in enumerate(employees)],
    }
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_ocel_placeholder_roles(tmp_path):
    log = pm.load(_tiny_ocel(tmp_path / "t.jsonocel"))
    assert log.events["department"].isna().tolist() == [False, True, True]
    assert log.departments == ["Sales"]
    assert dict(log.sources[0].missing_values) == {"department": 2}
    kept = pm.load(tmp_path / "t.jsonocel", missing_values=["Empty"])
    assert kept.departments == ["N/A", "Sales"]


@pytest.mark.real_logs
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_receipt_empty_groups_are_missing(real_logs_dir):
    path = real_logs_dir / "receipt.xes.gz"
    raw = gzip.decompress(path.read_bytes()).decode("utf-8")
    # independent count: org:group attributes whose value is EMPTY, straight from the XML
    groups = re.findall(r'<string\s+key="org:group"\s+value="([^"]*)"', raw)
    empty = sum(1 for g in groups if g == "EMPTY")
    assert empty == 1936
    log = pm.load(path)
    assert "EMPTY" not in log.departments
    assert dict(log.sources[0].missing_values) == {"department": empty}
    assert int(log.events["department"].isna().sum()) == empty + sum(
        1 for g in groups if g.strip() == "")


def test_validate_prints_placeholder_counts(tmp_path, capsys):
    code = main(["validate", str(_csv(tmp_path / "o.csv")), *MAP])
    out = capsys.readouterr().out
    assert code == 0
    assert ("    department: 5 placeholder values read as missing (-, Empty, N/A, NULL)"
            in out.splitlines())


def test_cli_missing_values_replaces_the_list(tmp_path, capsys):
    code = main(["validate", str(_csv(tmp_path / "o.csv")), *MAP, "--missing-values", "-,NULL"])
    out = capsys.readouterr().out
    assert code == 0
    n = DEPTS.count("-") + DEPTS.count("NULL")
    assert f"    department: {n} placeholder values read as missing (-, NULL)" in out


def test_cli_handoffs_list_no_placeholder_department(tmp_path):
    path = _csv(tmp_path / "o.csv")
    out = tmp_path / "h.csv"
    assert main(["handoffs", str(path), *MAP, "--level", "department", "--out", str(out)]) == 0
    table = pd.read_csv(out)
    actors = set(table["source"]) | set(table["target"])
    assert actors and not actors & {"Empty", "N/A", "-", "NULL"}
    assert actors <= {"Sales", "Warehouse", "Billing"}
    edges = set(zip(table["source"], table["target"], strict=True))
    assert ("Sales", "Warehouse") in edges  # SO-0: Sales -> Empty -> Warehouse
    # with an empty list, the placeholders come back as departments
    out2 = tmp_path / "h2.csv"
    assert main(["handoffs", str(path), *MAP, "--level", "department", "--out", str(out2),
                 "--missing-values", ""]) == 0
    table2 = pd.read_csv(out2, keep_default_na=False)
    assert "Empty" in set(table2["source"]) | set(table2["target"])
