"""Hostile tables and sources files: accounting never slips, work stays bounded, reads stay inside.

Issue 14, items 1-4 (tables, lookups, normalize rules, sources files). Each case asserts the
message and exit code, or rows read = loaded + rejected against a count made here from the input.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import procmine
from procmine.cli import main
from procmine.errors import InputError, ProcmineWarning
from procmine.io.mapping import EMPTY_AFTER_NORMALIZE, EMPTY_ROW, TOO_MANY_ORDERS

DATA = Path(__file__).parent / "data" / "hostile" / "tables"
COLUMNS = 'columns = { case_id = "Order", activity = "Act", timestamp = "At" }\n'


def _accounting(log: procmine.EventLog, expected_rows: int) -> None:
    """Rows read = loaded + rejected, and rows read = the count made from the input."""
    assert sum(s.rows_read for s in log.sources) == expected_rows
    for s in log.sources:
        assert s.rows_read == s.rows_loaded + s.rows_rejected
        assert sum(s.reasons.values()) == s.rows_rejected
    assert len(log.rejects) == sum(s.rows_rejected for s in log.sources)


def _copy(tmp_path: Path, *names: str) -> None:
    for name in names:
        shutil.copy(DATA / name, tmp_path / name)


def _one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 1, err
    assert err.startswith("procmine: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


# -- 1. accounting: empty rows, canonical names, integer ids ----------------------------------
def test_all_empty_parquet_rows_are_rejected_not_lost(tmp_path):
    frame = pd.DataFrame({"Order": [1.0, np.nan, np.nan, 2.0],
                          "Act": ["a", None, None, "b"],
                          "At": ["2024-01-01", None, None, "2024-01-02"]})
    frame.to_parquet(tmp_path / "t.parquet")
    log = procmine.load(tmp_path / "t.parquet", case_id="Order", activity="Act", timestamp="At")
    _accounting(log, expected_rows=len(pd.read_parquet(tmp_path / "t.parquet")))
    assert log.rejects[["row", "reason"]].values.tolist() == [[3, EMPTY_ROW], [4, EMPTY_ROW]]
    assert sorted(log.events["case_id"]) == ["1", "2"]  # never '1.0'


def test_blank_text_rows_of_a_dataframe_are_empty_rows():
    frame = pd.DataFrame({"Order": ["1", "", "  ", "2"], "Act": ["a", "", " ", "b"],
                          "At": ["2024-01-01", "", "", "2024-01-02"], "Note": ["x", "", None, ""]})
    log = procmine.load(frame, case_id="Order", activity="Act", timestamp="At")
    _accounting(log, expected_rows=4)
    assert log.rejects["reason"].tolist() == [EMPTY_ROW, EMPTY_ROW]


def test_a_row_with_only_an_attribute_is_missing_a_case_id_not_empty():
    frame = pd.DataFrame({"Order": [None], "Act": [None], "At": [None], "Note": ["kept"]})
    log = procmine.load(frame, case_id="Order", activity="Act", timestamp="At")
    assert log.rejects["reason"].tolist() == ["missing case id"]


def test_canonical_column_names_are_kept_with_a_note(tmp_path):
    with pytest.warns(ProcmineWarning, match=r"'source' as 'source_column'.*'case_id' as "
                                             r"'case_id_column'"):
        log = procmine.load(DATA / "canonical_names.csv", case_id="Order", activity="Act",
                            timestamp="At")
    events = log.events.sort_values("event_id")
    assert events["source_column"].tolist() == ["web", "web"]
    assert events["case_id_column"].tolist() == ["x", "z"]
    assert events["seq_column"].tolist() == [1.0, 3.0]
    assert events["case_id"].tolist() == ["7", "8"]
    lines = (DATA / "canonical_names.csv").read_text().splitlines()
    _accounting(log, expected_rows=len(lines) - 1)


@pytest.mark.parametrize("suffix", ["parquet", "xlsx", "frame"])
def test_integer_case_ids_stay_integers_when_some_are_missing(tmp_path, suffix):
    frame = pd.DataFrame({"Order": [7, None, 8], "Act": ["a", "b", "c"],
                          "At": ["2024-01-01", "2024-01-02", "2024-01-03"]})
    if suffix == "parquet":
        frame.to_parquet(tmp_path / "t.parquet")
        source: Path | pd.DataFrame = tmp_path / "t.parquet"
    elif suffix == "xlsx":
        frame.to_excel(tmp_path / "t.xlsx", index=False)
        source = tmp_path / "t.xlsx"
    else:
        source = frame
    log = procmine.load(source, case_id="Order", activity="Act", timestamp="At")
    assert sorted(log.events["case_id"]) == ["7", "8"]
    _accounting(log, expected_rows=3)


# -- 2. bounded work: lookup fanout, linear-time normalize ------------------------------------
def _fanout_folder(tmp_path: Path, orders: int, log_table: str = "") -> Path:
    (tmp_path / "pl.csv").write_text(
        "PL,Order\nP1," + ";".join(f"SO-{i}" for i in range(orders)) + "\nP2,SO-1\n")
    (tmp_path / "wms.csv").write_text(
        "PL,Act,At\nP1,Pick,2024-01-01 09:00\nP2,Pick,2024-01-01 10:00\n"
        "P2,Pack,2024-01-01 11:00\n")
    (tmp_path / "s.toml").write_text(
        log_table + '[lookups.pl]\nfile = "pl.csv"\nkey = "PL"\nvalue = "Order"\n'
        'separator = ";"\n[sources.wms]\nfile = "wms.csv"\n'
        'columns = { activity = "Act", timestamp = "At" }\n'
        'case = { column = "PL", via = ["pl"] }\n')
    return tmp_path / "s.toml"


def test_a_key_fanning_out_past_the_default_is_rejected_and_named(tmp_path):
    log = procmine.load(_fanout_folder(tmp_path, 5000))
    _accounting(log, expected_rows=3)
    assert len(log.events) == 2
    (reject,) = log.rejects.itertuples()
    assert (reject.row, reject.reason) == (2, TOO_MANY_ORDERS)
    assert reject.value.startswith("P1 gives 5000 values via lookup 'pl'")
    assert "max_orders_per_key = 1000" in reject.value


def test_max_orders_per_key_raises_the_limit(tmp_path):
    log = procmine.load(_fanout_folder(tmp_path, 1500, "[log]\nmax_orders_per_key = 2000\n"))
    _accounting(log, expected_rows=3)
    assert len(log.events) == 1502 and log.rejects.empty


def test_fanout_through_a_chain_is_bounded_before_the_join(tmp_path):
    (tmp_path / "a.csv").write_text("R,I\n" + "".join(f"R1,I{i}\n" for i in range(40)))
    (tmp_path / "b.csv").write_text("I,Order\n" + "".join(
        f"I{i},SO-{i}-{j}\n" for i in range(40) for j in range(40)))
    (tmp_path / "r.csv").write_text("R,Act,At\nR1,Return,2024-01-01 09:00\n")
    (tmp_path / "s.toml").write_text(
        '[lookups.a]\nfile = "a.csv"\nkey = "R"\nvalue = "I"\n'
        '[lookups.b]\nfile = "b.csv"\nkey = "I"\nvalue = "Order"\n'
        '[sources.r]\nfile = "r.csv"\ncolumns = { activity = "Act", timestamp = "At" }\n'
        'case = { column = "R", via = ["a", "b"] }\n')
    log = procmine.load(tmp_path / "s.toml")
    _accounting(log, expected_rows=1)
    assert log.rejects["value"].iloc[0].startswith("I")  # 40 x 40 = 1600 > 1000, via 'b'
    assert "via lookup 'b'" in log.rejects["value"].iloc[0]


@pytest.mark.parametrize("value", ["0", "-3", '"many"', "true", "1.5"])
def test_max_orders_per_key_must_be_a_positive_whole_number(tmp_path, value):
    path = _fanout_folder(tmp_path, 2, f"[log]\nmax_orders_per_key = {value}\n")
    with pytest.raises(InputError, match=r"s\.toml: \[log\]: max_orders_per_key must be a whole "
                                         r"number of at least 1"):
        procmine.load(path)


def _normalize_folder(tmp_path: Path, pattern: str, replace: str, rows: list[str]) -> Path:
    (tmp_path / "t.csv").write_text(
        "Order,Act,At\n" + "".join(f"{r},Enter,2024-01-01 09:{i:02}\n"
                                   for i, r in enumerate(rows)))
    (tmp_path / "s.toml").write_text(
        f'[sources.t]\nfile = "t.csv"\n{COLUMNS}'
        f"[sources.t.case]\nnormalize = {{ pattern = '{pattern}', replace = '{replace}' }}\n")
    return tmp_path / "s.toml"


def test_a_catastrophic_pattern_runs_in_linear_time(tmp_path):
    rows = ["a" * 5000 + "!"] * 3 + ["aaa"]  # Python's re would take 2**5000 steps
    start = time.monotonic()
    log = procmine.load(_normalize_folder(tmp_path, "^(a+)+$", "X", rows))
    assert time.monotonic() - start < 10
    assert log.events["case_id"].value_counts().to_dict() == {"a" * 5000 + "!": 3, "X": 1}


@pytest.mark.parametrize(("replace", "group"), [(r"SO-\2", "'2'"), (r"SO-\g<num>", "'num'"),
                                                (r"SO-\g<5>", "'5'")])
def test_a_replacement_naming_a_missing_group_is_one_line(tmp_path, capsys, replace, group):
    path = _normalize_folder(tmp_path, r"^0*(\d+)$", replace, ["1"])
    err = _one_line_error(capsys, ["validate", str(path)])
    assert "s.toml: [sources.t.case]: normalize replace" in err
    assert f"refers to group {group}, which pattern" in err


def test_named_and_numbered_groups_work(tmp_path):
    path = _normalize_folder(tmp_path, r"^(?:SO-)?0*(?P<num>\d+)$", r"SO-\g<num>/\1", ["007"])
    assert procmine.load(path).events["case_id"].tolist() == ["SO-7/7"]


def test_lookaround_is_refused_up_front(tmp_path, capsys):
    err = _one_line_error(capsys, ["validate", str(_normalize_folder(tmp_path, r"^(?!X)(\d+)$",
                                                                      r"\1", ["1"]))])
    assert "normalize pattern '^(?!X)(\\\\d+)$' uses a construct that linear-time" in err


def test_a_rule_yielding_empty_ids_rejects_those_rows(tmp_path):
    rows = ["SO-1", "TMP-9", "SO-2", "TMP-10"]
    log = procmine.load(_normalize_folder(tmp_path, r"^TMP-.*$", "", rows))
    _accounting(log, expected_rows=len(rows))
    assert log.rejects[["row", "reason"]].values.tolist() == [[3, EMPTY_AFTER_NORMALIZE],
                                                             [5, EMPTY_AFTER_NORMALIZE]]
    assert sorted(log.events["case_id"]) == ["SO-1", "SO-2"]


# -- 3. sources files nested thousands of levels deep -----------------------------------------
@pytest.mark.parametrize("kind", ["inline", "dotted", "array"])
def test_deep_nesting_is_one_line(tmp_path, capsys, kind):
    depth = 10_000
    text = {"inline": "x = " + "{a = " * depth + "1" + "}" * depth + "\n",
            "dotted": "[" + ".".join(["a"] * depth) + "]\nb = 1\n",
            "array": "x = " + "[" * depth + "]" * depth + "\n"}[kind]
    (tmp_path / "deep.toml").write_text("[log]\n" + text)
    err = _one_line_error(capsys, ["validate", str(tmp_path / "deep.toml")])
    assert "deep.toml: tables or arrays are nested" in err


# -- 4. confined reads ----------------------------------------------------------------------------
def _sources(folder: Path, file: str, log_table: str = "", lookup: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if lookup:
        text = (f'{log_table}[lookups.pl]\nfile = "{file}"\nkey = "PL"\nvalue = "Order"\n'
                '[sources.wms]\nfile = "wms.csv"\n'
                'columns = { activity = "Act", timestamp = "At" }\n'
                'case = { column = "PL", via = ["pl"] }\n')
    else:
        text = f'{log_table}[sources.sales]\nfile = "{file}"\n{COLUMNS}'
    (folder / "s.toml").write_text(text)
    return folder / "s.toml"


@pytest.mark.parametrize("file", ["../../../../../../etc/passwd", "/etc/passwd", "../t.csv"])
def test_a_path_leaving_the_folder_is_refused(tmp_path, capsys, file):
    (tmp_path / "t.csv").write_text("Order,Act,At\n1,a,2024-01-01\n")
    path = _sources(tmp_path / "in", file)
    err = _one_line_error(capsys, ["validate", str(path)])
    assert f"s.toml: [sources.sales]: file '{file}' is outside the folder of s.toml" in err
    assert "allow_outside = true in [log]" in err
    assert "root:" not in err


def test_a_symlink_pointing_out_is_refused(tmp_path, capsys):
    (tmp_path / "t.csv").write_text("Order,Act,At\n1,a,2024-01-01\n")
    (tmp_path / "in").mkdir()
    os.symlink(tmp_path / "t.csv", tmp_path / "in" / "link.csv")
    err = _one_line_error(capsys, ["validate", str(_sources(tmp_path / "in", "link.csv"))])
    assert "file 'link.csv' is outside the folder" in err


def test_a_lookup_file_outside_is_refused(tmp_path, capsys):
    _copy(tmp_path, "picklists.csv")
    folder = tmp_path / "in"
    folder.mkdir()
    _copy(folder, "wms.csv")
    err = _one_line_error(capsys, ["validate", str(_sources(folder, "../picklists.csv",
                                                            lookup=True))])
    assert "s.toml: [lookups.pl]: file '../picklists.csv' is outside the folder" in err


def test_allow_outside_opts_in(tmp_path):
    _copy(tmp_path, "picklists.csv")
    folder = tmp_path / "in"
    folder.mkdir()
    _copy(folder, "wms.csv")
    log = procmine.load(_sources(folder, str(tmp_path / "picklists.csv"),
                                 "[log]\nallow_outside = true\n", lookup=True))
    _accounting(log, expected_rows=2)
    assert log.events["case_id"].tolist() == ["SO-1"]


def test_a_symlink_inside_the_folder_is_fine(tmp_path):
    _copy(tmp_path, "wms.csv", "picklists.csv")
    os.symlink(tmp_path / "picklists.csv", tmp_path / "pl-link.csv")
    log = procmine.load(_sources(tmp_path, "pl-link.csv", lookup=True))
    assert len(log.events) == 1


def test_allow_outside_must_be_a_boolean(tmp_path):
    path = _sources(tmp_path, "t.csv", '[log]\nallow_outside = "yes"\n')
    with pytest.raises(InputError, match=r"\[log\]: allow_outside must be true or false"):
        procmine.load(path)


def test_a_lookaround_given_to_the_api_is_an_input_error():
    from procmine.io.mapping import ColumnMapping, map_table
    from procmine.io.tables import RawTable

    raw = pd.DataFrame({"Order": ["1"], "Act": ["a"], "At": ["2024-01-01"]})
    table = RawTable(raw, np.array([2]), path="x.csv")
    with pytest.raises(InputError, match=r"normalize pattern '\(\?=1\)1' cannot be used"):
        map_table(table, ColumnMapping(case_id="Order", activity="Act", timestamp="At",
                                       normalize=("(?=1)1", "")), source="x")


def test_rows_of_empty_fields_are_rows_read_and_rejected(tmp_path):
    import csv

    from procmine import load

    text = ("case_id,activity,timestamp\n"
            "o1,A,2024-01-01T09:00:00Z\n"
            ",,\n"
            "\n"
            '"","",""\n'
            "o2,B,2024-01-01T10:00:00Z\n")
    path = tmp_path / "commas.csv"
    path.write_text(text, encoding="utf-8")
    # independent count: records with at least one field, less the header
    with path.open(newline="", encoding="utf-8") as handle:
        records = [r for r in csv.reader(handle) if r]
    log = load(path)
    (stats,) = log.sources
    assert stats.rows_read == len(records) - 1 == 4
    assert (stats.rows_loaded, stats.rows_rejected) == (2, 2)
    assert dict(stats.reasons) == {"empty row": 2}
    assert sorted(log.rejects["row"].tolist()) == [3, 5]
