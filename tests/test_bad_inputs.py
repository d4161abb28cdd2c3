"""Hostile and malformed tabular inputs: each gives a clear message or exact rejects accounting.

Expectations are worked out by hand from the small files in tests/data/bad_inputs/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import procmine
from procmine.errors import InputError
from procmine.io.export import write_csv_safe

BAD = Path(__file__).parent / "data" / "bad_inputs"
M = {"case_id": "Order", "activity": "Action", "timestamp": "ChangedAt", "resource": "User"}


def _accounting(log: procmine.EventLog) -> None:
    for s in log.sources:
        assert s.rows_read == s.rows_loaded + s.rows_rejected
        assert sum(s.reasons.values()) == s.rows_rejected
    assert len(log.rejects) == sum(s.rows_rejected for s in log.sources)


def _reasons(log: procmine.EventLog) -> list[tuple[int, str]]:
    return [(int(r), str(w)) for r, w in zip(log.rejects["row"], log.rejects["reason"],
                                              strict=True)]


# -- file-level problems: one message naming file, row or column ----------------------------------
@pytest.mark.parametrize(
    ("name", "options", "pattern"),
    [
        ("empty.csv", M, r"empty\.csv: file is empty"),
        ("binary.csv", M, r"binary\.csv: this is a PNG image, not a CSV"),
        ("latin1.csv", M, r"latin1\.csv: line 3: byte 0xe9 is not valid utf-8.*encoding"),
        ("wrong_delimiter.csv", M,
         r"wrong_delimiter\.csv: only one column found with delimiter ','.*delimiter = ';'"),
        ("unbalanced_quote.csv", M,
         r"unbalanced_quote\.csv: row 3: a quoted field is never closed"),
        ("missing_columns.csv", M,
         r"missing_columns\.csv: column 'ChangedAt' \(→ timestamp\) not found; "
         r"columns present: 'Order', 'Action', 'User'"),
        ("bad_timestamps_column.csv", {**M, "timestamp": "OrderDate", "resource": None},
         r"bad_timestamps_column\.csv: column 'OrderDate' \(→ timestamp\) has 4 unparseable "
         r"values, first at row 2 \('13/03/2024 09:00'\); .*set timestamp_format"),
        ("dayfirst_ambiguous.csv", {**M, "timestamp": "Date", "resource": None},
         r"column 'Date' \(→ timestamp\) has 3 unparseable values, first at row 2 "
         r"\('01/02/2024 09:00'\)"),
    ],
)
def test_file_level_errors_name_file_row_column(name, options, pattern):
    with pytest.raises(InputError, match=pattern):
        procmine.load(BAD / name, **{k: v for k, v in options.items() if v is not None})


def test_bad_party_value(tmp_path):
    (tmp_path / "s.toml").write_text(
        '[log]\nallow_outside = true\n'
        f'[sources.s]\nfile = "{(BAD / "bad_party.csv").as_posix()}"\nparty_column = "Party"\n'
        'columns = { case_id = "Order", activity = "Action", timestamp = "ChangedAt" }\n')
    with pytest.raises(InputError, match=r"bad_party\.csv: column 'Party' \(→ party\) has "
                       r"unknown value 'warehouse' at row 3; expected one of internal, customer"):
        procmine.load_sources(tmp_path / "s.toml")


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("unknown_key.toml", r"unknown_key\.toml: \[sources\.sales\]: unknown key 'delimeter' "
                             r"\(did you mean 'delimiter'\?\); allowed keys: file, format, "),
        ("unknown_column_role.toml", r"unknown_column_role\.toml: \[sources\.sales\.columns\]: "
                                     r"unknown key 'user'; allowed keys: case_id, activity, "
                                     r"timestamp, resource, event_id"),
        ("missing_file.toml", r"missing_file\.toml: \[sources\.sales\]: file "
                              r"'no_such_extract\.csv' not found \(looked for .*bad_inputs/"
                              r"no_such_extract\.csv\)"),
        ("lookup_missing_key.toml", r"corr_picklists\.csv: key column 'PickListNumber' of lookup "
                                    r"'picklist_order' not found; columns present: 'PickListNo', "
                                    r"'OrderRef'; set key/value .* \[lookups\.picklist_order\]"),
        ("unreachable_all.toml", r"corr_wms\.csv: none of the 4 values of column 'PickList' "
                                 r"correlates to an order \(first at row 2: 'PL-1'\)"),
        ("unknown_lookup.toml", r"\[sources\.wms\.case\]: via names lookup 'picklist_order', "
                                r"which is not declared"),
        ("lookup_cycle.toml", r"\[sources\.wms\.case\]: via uses lookup 'a' twice"),
        ("not_toml.toml", r"not_toml\.toml: not valid TOML"),
    ],
)
def test_sources_file_errors(name, pattern):
    with pytest.raises(InputError, match=pattern):
        procmine.load_sources(BAD / name)


# -- row-level problems: rejects with reasons, rows read = loaded + rejected ---------------------
def test_ragged_rows_are_rejected_not_lost():
    log = procmine.load(BAD / "ragged_rows.csv", **M)
    _accounting(log)
    assert _reasons(log) == [(3, "too many fields"), (5, "too many fields")]
    assert log.rejects["value"].tolist() == ["SO-1,Check credit,2024-03-01 10:00,bob,EXTRA",
                                             "SO-2,Pick,2024-03-01 12:00,cy,x,y"]
    assert sorted(log.events["event_id"]) == ["ragged_rows:2", "ragged_rows:4", "ragged_rows:6"]
    (s,) = log.sources
    assert (s.rows_read, s.rows_loaded, s.rows_rejected) == (5, 3, 2)


def test_a_few_bad_timestamps_are_rejected_rows():
    log = procmine.load(BAD / "bad_timestamps_few.csv", **{**M, "timestamp": "OrderDate"})
    _accounting(log)
    assert _reasons(log) == [(3, "unparseable timestamp"), (6, "unparseable timestamp")]
    assert log.rejects["value"].tolist() == ["31/02/2024", "yesterday"]
    assert log.rejects["column"].unique().tolist() == ["OrderDate"]
    assert log.n_events == 6


def test_explicit_format_fixes_the_column_and_rejects_the_impossible_date():
    log = procmine.load(BAD / "bad_timestamps_column.csv", case_id="Order", activity="Action",
                        timestamp="OrderDate", timestamp_format="%d/%m/%Y %H:%M")
    _accounting(log)
    assert _reasons(log) == [(4, "unparseable timestamp")]  # 31 February
    assert log.events["timestamp"].tolist() == [
        pd.Timestamp("2024-03-13 09:00", tz="UTC"), pd.Timestamp("2024-03-14 10:30", tz="UTC"),
        pd.Timestamp("2024-03-15 08:15", tz="UTC")]


def test_mixed_offsets_each_converted_to_utc():
    log = procmine.load(BAD / "mixed_offsets.csv", case_id="Order", activity="Action",
                        timestamp="ChangedAt", timezone="Europe/Amsterdam")
    got = dict(zip(log.events["event_id"], log.events["timestamp"].astype(str), strict=True))
    assert got == {
        "mixed_offsets:2": "2024-03-01 08:00:00+00:00",  # 09:00+01:00
        "mixed_offsets:3": "2024-03-01 08:30:00+00:00",  # Z
        "mixed_offsets:4": "2024-03-01 09:00:00+00:00",  # 04:00-05:00
        "mixed_offsets:5": "2024-07-01 10:00:00+00:00",  # no offset: Amsterdam summer, +02:00
        "mixed_offsets:6": "2024-07-01 06:30:00+00:00",  # 12:00+05:30
    }
    # within SO-2 the +05:30 event comes first once both are in UTC
    assert log.case("SO-2")["activity"].tolist() == ["Pick", "Enter order"]


@pytest.mark.parametrize(("fmt", "expected"), [
    ("%d/%m/%Y %H:%M", ["2024-02-01 09:00", "2024-03-02 10:00", "2024-11-12 11:00"]),
    ("%m/%d/%Y %H:%M", ["2024-01-02 09:00", "2024-02-03 10:00", "2024-12-11 11:00"]),
])
def test_day_first_ambiguity_is_settled_by_the_format(fmt, expected):
    log = procmine.load(BAD / "dayfirst_ambiguous.csv", case_id="Order", activity="Action",
                        timestamp="Date", timestamp_format=fmt)
    assert log.events["timestamp"].tolist() == [pd.Timestamp(e, tz="UTC") for e in expected]


def test_dst_gap_and_fold_are_rejected_not_guessed():
    log = procmine.load(BAD / "dst_gap_fold.csv", case_id="Order", activity="Action",
                        timestamp="LocalTime", timezone="Europe/Amsterdam")
    _accounting(log)
    assert _reasons(log) == [(3, "nonexistent or ambiguous local time"),
                             (6, "nonexistent or ambiguous local time")]
    assert log.events["timestamp"].astype(str).tolist() == [
        "2024-03-31 00:30:00+00:00", "2024-03-31 01:30:00+00:00",  # CET, then CEST
        "2024-10-26 23:30:00+00:00", "2024-10-27 02:30:00+00:00",  # CEST, then CET
    ]


def test_duplicate_events_keep_the_first():
    log = procmine.load(BAD / "duplicate_events.csv", **M)
    _accounting(log)
    assert _reasons(log) == [(3, "duplicate event"), (6, "duplicate event")]
    assert log.rejects["value"].tolist() == ["same as row 2", "same as row 2"]
    assert sorted(log.events["event_id"]) == ["duplicate_events:2", "duplicate_events:4",
                                              "duplicate_events:5"]


def test_missing_required_values():
    log = procmine.load(BAD / "missing_values.csv", **M)
    _accounting(log)
    assert _reasons(log) == [(3, "missing case id"), (4, "missing activity"),
                             (5, "missing timestamp")]
    assert log.rejects["column"].tolist() == ["Order", "Action", "ChangedAt"]
    assert log.events["resource"].isna().tolist() == [False, True]  # row 6: no user, kept


def test_header_only_file_is_an_empty_log():
    log = procmine.load(BAD / "header_only.csv", **M)
    _accounting(log)
    assert log.n_events == 0
    assert log.sources[0].rows_read == 0


def test_blank_lines_are_not_rows():
    log = procmine.load(BAD / "blank_lines.csv", case_id="Order", activity="Action",
                        timestamp="ChangedAt")
    _accounting(log)
    # the empty line (row 3) is no row; the row of empty fields (",,", row 5) is a row read,
    # rejected as empty (issue 14: nothing skipped uncounted)
    assert log.sources[0].rows_read == 4
    assert _reasons(log) == [(5, "empty row")]
    assert log.events["event_id"].tolist() == ["blank_lines:2", "blank_lines:4", "blank_lines:6"]


def test_utf16_with_bom_is_read():
    log = procmine.load(BAD / "utf16.csv", **M)
    assert log.events[["activity", "resource"]].values.tolist() == [["Adresse prüfen", "Zoë"]]


def test_latin1_loads_with_the_encoding_set(tmp_path):
    (tmp_path / "s.toml").write_text(
        '[log]\nallow_outside = true\n'
        f'[sources.erp]\nfile = "{(BAD / "latin1.csv").as_posix()}"\nencoding = "latin-1"\n'
        'columns = { case_id = "Order", activity = "Action", timestamp = "ChangedAt", '
        'resource = "User" }\n')
    log = procmine.load_sources(tmp_path / "s.toml")
    assert log.case("SO-2")[["activity", "resource"]].values.tolist() == [
        ["Vérifier crédit", "Zoé"]]


def test_unreachable_orders_are_rejected_with_reason():
    log = procmine.load_sources(BAD / "unreachable_orders.toml")
    _accounting(log)
    assert [(s.name, s.rows_read, s.rows_loaded, s.rows_rejected) for s in log.sources] == [
        ("sales", 3, 3, 0), ("wms", 4, 3, 1)]
    assert log.rejects[["source", "row", "reason", "value"]].values.tolist() == [
        ["wms", 4, "no correlation to an order", "PL-9"]]
    assert log.case("SO-1")["event_id"].tolist() == ["sales:2", "wms:2", "wms:5"]


@pytest.mark.parametrize("ragged", [False, True])
def test_huge_field_does_not_crash(tmp_path, ragged):
    big = "x" * 3_000_000  # far above the csv module's default 131,072-character limit
    lines = ["Order,Action,ChangedAt,Note", f"SO-1,Enter order,2024-03-01 09:00,{big}"]
    if ragged:  # forces the row-by-row path
        lines.append("SO-1,Pick,2024-03-01 10:00,a,b")
    (tmp_path / "huge.csv").write_text("\n".join(lines) + "\n")
    log = procmine.load(tmp_path / "huge.csv", case_id="Order", activity="Action",
                        timestamp="ChangedAt")
    _accounting(log)
    assert len(log.events["Note"].iloc[0]) == 3_000_000
    assert len(log.rejects) == int(ragged)
    if ragged:
        assert len(log.rejects["value"].iloc[0]) <= 200


def test_formula_injection_values_are_neutralised_in_csv(tmp_path):
    log = procmine.load(BAD / "formula_injection.csv", **M)
    _accounting(log)
    assert _reasons(log) == [(3, "unparseable timestamp"), (4, "unparseable timestamp")]
    write_csv_safe(log.rejects, tmp_path / "rejects.csv")
    text = (tmp_path / "rejects.csv").read_text()
    assert "\n" + "formula_injection,3,unparseable timestamp,ChangedAt,'=1+2" in text
    assert "formula_injection,4,unparseable timestamp,ChangedAt,'+31-555" in text
    write_csv_safe(log.events[["activity", "resource"]], tmp_path / "events.csv")
    back = pd.read_csv(tmp_path / "events.csv", dtype=str, keep_default_na=False)
    risky = re.compile(r"^[=+\-@\t\r]")
    assert not any(risky.match(v) for v in back.to_numpy().ravel())
    assert "'=HYPERLINK(\"http://evil.example\")" in back["activity"].tolist()
    # resources are stripped on load ('\tcmd' -> 'cmd'); the rest keep their quote
    assert {"'@SUM(A1)", "cmd", "'-x", "'+y"} <= set(back["resource"])
