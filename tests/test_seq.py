"""The input order ``seq``: sources in sources-file order, then rows; the last sort key."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

import procmine as pm
from procmine.errors import InputError
from procmine.schema import CORE_COLUMNS, SEQ, canonical_order, validate_events


def _write(path, text):
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def test_seq_is_the_row_order_of_one_file_and_breaks_timestamp_ties(tmp_path):
    # o1's three events share one time: the file's row order decides, not the activity
    csv = _write(tmp_path / "x.csv", """
        case_id,activity,timestamp
        o2,Zeta,2024-01-01 09:00
        o1,Pick,2024-01-01 10:00
        o1,Enter,2024-01-01 10:00
        o1,Approve,2024-01-01 10:00
        """)
    log = pm.load(csv)
    ev = log.events
    assert ev[SEQ].dtype == "int64"
    # the file's data rows are 2..5; seq counts them from 0 in that order
    assert ev[["activity", SEQ]].values.tolist() == [
        ["Pick", 1], ["Enter", 2], ["Approve", 3], ["Zeta", 0]]
    assert list(ev.columns[: len(CORE_COLUMNS)]) == list(CORE_COLUMNS)


def test_seq_follows_the_sources_file_order_then_rows(tmp_path):
    _write(tmp_path / "b.csv", """
        Order,Act,At
        o1,Bill,2024-01-01 10:00
        o1,Bill again,2024-01-01 10:00
        """)
    _write(tmp_path / "a.csv", """
        Order,Act,At
        o1,Enter,2024-01-01 10:00
        """)
    # b is declared first, so its rows come first in the input order
    toml = _write(tmp_path / "s.toml", """
        [sources.b]
        file = "b.csv"
        columns = { case_id = "Order", activity = "Act", timestamp = "At" }
        [sources.a]
        file = "a.csv"
        columns = { case_id = "Order", activity = "Act", timestamp = "At" }
        """)
    ev = pm.load(toml).events
    assert ev[["activity", "source", SEQ]].values.tolist() == [
        ["Bill", "b", 0], ["Bill again", "b", 1], ["Enter", "a", 2]]


def test_a_given_seq_orders_ties_whatever_the_frame_order():
    frame = pd.DataFrame({
        "case_id": ["o1", "o1", "o1"],
        "activity": ["c", "a", "b"],
        "timestamp": pd.to_datetime(["2024-01-01"] * 3, utc=True),
        "seq": [30, 10, 20],
    })
    ev = pm.EventLog.from_frame(frame).events
    assert ev["activity"].tolist() == ["a", "b", "c"]
    assert ev[SEQ].tolist() == [10, 20, 30]


def test_filters_keep_seq():
    frame = pd.DataFrame({
        "case_id": ["o1", "o1", "o2", "o2"],
        "activity": ["a", "b", "a", "c"],
        "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-03"],
                                    utc=True),
    })
    log = pm.EventLog.from_frame(frame)
    kept = log.filter_activities(["a", "c"]).events
    assert kept[["case_id", "activity", SEQ]].values.tolist() == [
        ["o1", "a", 0], ["o2", "a", 2], ["o2", "c", 3]]
    assert log.filter_cases("o2").events[SEQ].tolist() == [2, 3]


@pytest.mark.parametrize("seq, fragment", [
    ([1.5, 2.0], "must hold integers"),
    ([1, 1], "must be unique"),
])
def test_a_bad_seq_is_refused(seq, fragment):
    frame = pd.DataFrame({"case_id": ["o", "o"], "activity": ["a", "b"],
                          "timestamp": pd.to_datetime(["2024-01-01"] * 2, utc=True),
                          "seq": seq})
    with pytest.raises(InputError, match=fragment):
        validate_events(frame)


def test_canonical_order_matches_a_reference_sort():
    rng = np.random.default_rng(3)
    n = 2000
    cases = rng.integers(0, 50, n)
    ts = rng.integers(0, 5, n)  # many ties
    seq = rng.permutation(n)
    order = canonical_order(cases, ts, seq)
    # independent reference: Python's sort of (case, time, seq) triples
    expected = sorted(range(n), key=lambda i: (cases[i], ts[i], seq[i]))
    assert order is not None and order.tolist() == expected
    assert canonical_order(cases[order], ts[order], seq[order]) is None


def test_seq_is_not_exported_as_a_data_attribute(tmp_path):
    frame = pd.DataFrame({"case_id": ["o", "o"], "activity": ["a", "b"],
                          "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"], utc=True),
                          "note": ["first", "second"]})
    log = pm.EventLog.from_frame(frame)
    out = tmp_path / "x.xes"
    pm.write_xes(log, out)
    text = out.read_text()
    assert "note" in text  # a data attribute is written ...
    assert '"seq"' not in text  # ... the input order is not


def test_validate_events_orders_frames_that_are_nearly_in_order():
    # frames in the canonical order but for one pair (of ids, of times or of seq), with
    # ids that sort by code point ('Z' < 'a' < 'é'): the output is the Python sort of
    # (case, time, seq), whether or not the frame was in order already
    rng = np.random.default_rng(9)
    names = np.array(["A-1", "Z", "a", "é", "é2", "€"])
    for trial in range(60):
        n = int(rng.integers(2, 40))
        cases = names[rng.integers(0, len(names), n)]
        ts = rng.integers(0, 3, n)
        seq = rng.permutation(n)
        first = sorted(range(n), key=lambda i: (cases[i], ts[i], seq[i]))
        cases, ts, seq = cases[first], ts[first], seq[first]
        if trial % 3:  # swap one neighbouring pair
            i = int(rng.integers(0, n - 1))
            for column in (cases, ts, seq):
                column[[i, i + 1]] = column[[i + 1, i]]
        frame = pd.DataFrame({"case_id": pd.Series(cases, dtype="str"), "activity": "x",
                              "timestamp": pd.to_datetime(ts, unit="s", utc=True), "seq": seq})
        out = validate_events(frame)
        expected = sorted(range(n), key=lambda i: (cases[i], ts[i], seq[i]))
        assert out["seq"].tolist() == seq[expected].tolist()
