"""Automation declared from the data: a user-type column's values, or system accounts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import procmine as pm
from procmine.cli import main
from procmine.errors import InputError, UsageError

USER_TYPES = ["Human", "Robot", "robot ", "System", "", "Human", "N/A", "ROBOT"]
USERS = ["ann", "rpa1", "rpa2", "batch", "bob", "cy", "dan", "rpa1"]
MAP = ["--case-id", "Order", "--activity", "Act", "--timestamp", "At", "--resource", "User"]


def _csv(path: Path) -> Path:
    lines = ["Order,Act,At,User,UserType"]
    for i, (user, kind) in enumerate(zip(USERS, USER_TYPES, strict=True)):
        lines.append(f"SO-{i // 4},step {i},2024-01-01T{i:02d}:00,{user},{kind}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _in_row_order(log: pm.EventLog) -> pd.DataFrame:
    row = log.events["event_id"].str.split(":").str[1].astype(int)
    return log.events.assign(_row=row.to_numpy()).sort_values("_row")


def _expected(values: list[str], automated: set[str]) -> list[object]:
    """Independent rule: listed value -> True, other value -> False, blank/placeholder -> NA."""
    out: list[object] = []
    for v in values:
        v = v.strip()
        if v in ("", "N/A"):
            out.append(None)
        else:
            out.append(v.lower() in {a.lower() for a in automated})
    return out


def _flags(log: pm.EventLog) -> list[object]:
    return [None if pd.isna(v) else bool(v) for v in _in_row_order(log)["automated"]]


def test_automated_values_mark_robot_rows(tmp_path):
    log = pm.load(_csv(tmp_path / "o.csv"), case_id="Order", activity="Act", timestamp="At",
                  resource="User", automated_column="UserType", automated_values=["Robot"])
    assert _flags(log) == _expected(USER_TYPES, {"Robot"})
    assert _flags(log) == [False, True, True, False, None, False, None, True]


def test_several_automated_values(tmp_path):
    log = pm.load(_csv(tmp_path / "o.csv"), case_id="Order", activity="Act", timestamp="At",
                  automated_column="UserType", automated_values=["robot", "SYSTEM"])
    assert _flags(log) == _expected(USER_TYPES, {"Robot", "System"})


def test_without_values_a_user_type_column_is_an_error_that_says_what_to_do(tmp_path):
    with pytest.raises(InputError, match=r"'Human' at row 2.*automated_values.*"
                                         r"--automated-values"):
        pm.load(_csv(tmp_path / "o.csv"), case_id="Order", activity="Act", timestamp="At",
                automated_column="UserType")


def test_true_false_columns_keep_working(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("case_id,activity,timestamp,automated\n1,a,2024-01-01,yes\n"
                    "1,b,2024-01-02,0\n1,c,2024-01-03,\n")
    assert _flags(pm.load(path)) == [True, False, None]


def test_automated_values_need_a_column(tmp_path):
    with pytest.raises(UsageError, match="automated_column"):
        pm.load(_csv(tmp_path / "o.csv"), case_id="Order", activity="Act", timestamp="At",
                automated_values=["Robot"])


def test_automated_resources(tmp_path):
    log = pm.load(_csv(tmp_path / "o.csv"), case_id="Order", activity="Act", timestamp="At",
                  resource="User", automated_resources=["rpa1", "batch"])
    assert _flags(log) == [u in {"rpa1", "batch"} for u in USERS]


def test_sources_file_automated_values(tmp_path):
    _csv(tmp_path / "o.csv")
    (tmp_path / "s.toml").write_text(
        '[sources.erp]\nfile = "o.csv"\nautomated_column = "UserType"\n'
        'automated_values = ["Robot", "System"]\n'
        'columns = { case_id = "Order", activity = "Act", timestamp = "At", resource = "User" }\n')
    log = pm.load(tmp_path / "s.toml")
    assert _flags(log) == _expected(USER_TYPES, {"Robot", "System"})


def test_sources_file_automated_values_without_column(tmp_path):
    _csv(tmp_path / "o.csv")
    (tmp_path / "s.toml").write_text(
        '[sources.erp]\nfile = "o.csv"\nautomated_values = ["Robot"]\n'
        'columns = { case_id = "Order", activity = "Act", timestamp = "At" }\n')
    with pytest.raises(InputError, match=r"s.toml: \[sources.erp\]: automated_values .*"
                                         r"automated_column"):
        pm.load(tmp_path / "s.toml")



def test_cli_automated_column_and_values(tmp_path, capsys, loaded):
    path = _csv(tmp_path / "o.csv")
    out = tmp_path / "h.csv"
    code = main(["handoffs", str(path), *MAP, "--level", "resource", "--out", str(out),
                 "--automated-column", "UserType", "--automated-values", "Robot"])
    assert code == 0, capsys.readouterr().err
    assert _flags(loaded[0]) == _expected(USER_TYPES, {"Robot"})
    code = main(["validate", str(path), *MAP, "--automated-column", "UserType",
                 "--automated-values", "Robot, System"])
    assert code == 0
    assert _flags(loaded[1]) == _expected(USER_TYPES, {"Robot", "System"})


def test_cli_automated_resources(tmp_path, loaded):
    path = _csv(tmp_path / "o.csv")
    assert main(["validate", str(path), *MAP, "--automated-resources", "rpa1,batch"]) == 0
    assert _flags(loaded[0]) == [u in {"rpa1", "batch"} for u in USERS]


def test_cli_validate_accepts_the_automation_options(tmp_path, capsys):
    path = _csv(tmp_path / "o.csv")
    assert main(["validate", str(path), *MAP, "--automated-values", "Robot"]) == 2
    assert "automated_column" in capsys.readouterr().err


def test_cli_party_column(tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_text("Order,Act,At,Who\n1,a,2024-01-01,customer\n1,b,2024-01-02,N/A\n"
                    "1,c,2024-01-03,carrier\n")
    out = tmp_path / "h.csv"
    code = main(["handoffs", str(path), "--case-id", "Order", "--activity", "Act",
                 "--timestamp", "At", "--party-column", "Who", "--level", "party",
                 "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    edges = pd.read_csv(out)
    assert sorted(zip(edges["source"], edges["target"], strict=True)) == [
        ("customer", "internal"), ("internal", "carrier")]


def test_xes_automated_resources_and_missing_values(tmp_path):
    events = [("ann", "Sales"), ("EDI-GW", "N/A"), ("bob", "Empty")]
    body = "".join(
        f'<event><string key="concept:name" value="step {i}"/>'
        f'<date key="time:timestamp" value="2024-01-01T0{i}:00:00+00:00"/>'
        f'<string key="org:resource" value="{r}"/><string key="org:group" value="{g}"/></event>'
        for i, (r, g) in enumerate(events))
    path = tmp_path / "t.xes"
    path.write_text(f'<log xes.version="1.0"><trace><string key="concept:name" value="o1"/>'
                    f'{body}</trace></log>')
    log = pm.load(path, automated_resources=["EDI-GW"], missing_values=["N/A"])
    assert _flags(log) == [r == "EDI-GW" for r, _ in events]
    assert log.departments == ["Empty", "Sales"]
    assert dict(log.sources[0].missing_values) == {"department": 1}
    with pytest.raises(UsageError, match="automated_column"):
        pm.load(path, automated_column="UserType")
