"""Variants: hand-computed sequences, counts, shares and durations."""

from __future__ import annotations

import pandas as pd
import pytest
from _pm4py_logs import canonical, pm4py, read_xes
from conftest import make_frame

from procmine import EventLog, UsageError
from procmine.discovery.variants import VARIANT_COLUMNS, variants

ROWS = [
    ("a", "Enter", "2024-01-01 09:00"), ("a", "Ship", "2024-01-01 11:00"),
    ("b", "Enter", "2024-01-02 09:00"), ("b", "Ship", "2024-01-02 10:00"),
    ("c", "Enter", "2024-01-03 09:00"), ("c", "Check", "2024-01-03 09:00"),
    ("c", "Ship", "2024-01-03 12:00"),
    ("d", "Enter", "2024-01-04 09:00"), ("d", "Ship", "2024-01-04 13:00"),
    ("e", "Cancel", "2024-01-05 09:00"),
]


def _log(rows=ROWS):
    return EventLog.from_frame(make_frame(rows), name="t")


def test_table_hand_computed():
    result = variants(_log())
    table = result.table
    assert list(table.columns) == list(VARIANT_COLUMNS)
    assert table["activities"].tolist() == ["Enter → Ship", "Cancel", "Enter → Check → Ship"]
    assert table["cases"].tolist() == [3, 1, 1]
    assert table["length"].tolist() == [2, 1, 3]
    assert table["share"].tolist() == pytest.approx([0.6, 0.2, 0.2])
    assert table["cumulative_share"].tolist() == pytest.approx([0.6, 0.8, 1.0])
    # a: 2 h, b: 1 h, d: 4 h -> median 2 h; c: 3 h; e: 0
    assert table["median_duration_s"].tolist() == [7200.0, 0.0, 10800.0]
    assert result.case_variant.to_dict() == {"a": 1, "b": 1, "c": 3, "d": 1, "e": 2}
    assert result.n_cases == 5 and result.n_variants == 3


def test_top_and_coverage():
    assert variants(_log(), top=1).table["cases"].tolist() == [3]
    assert len(variants(_log(), coverage=0.6).table) == 1
    assert len(variants(_log(), coverage=0.61).table) == 2
    assert len(variants(_log(), coverage=1.0).table) == 3
    assert len(variants(_log(), top=2, coverage=1.0).table) == 2
    for bad in ({"top": 0}, {"top": 1.5}, {"coverage": 1.2}):
        with pytest.raises(UsageError):
            variants(_log(), **bad)


def test_ties_keep_input_order_in_the_sequence():
    rows = [("a", "B", "2024-01-01 09:00"), ("a", "A", "2024-01-01 09:00")]
    assert variants(_log(rows)).table["activities"].tolist() == ["B → A"]


def test_empty_log():
    frame = pd.DataFrame({"case_id": pd.Series([], dtype="str"),
                          "activity": pd.Series([], dtype="str"),
                          "timestamp": pd.Series([], dtype="datetime64[us, UTC]")})
    result = variants(EventLog.from_frame(frame))
    assert result.table.empty and result.n_cases == 0


@pytest.mark.real_logs
def test_agrees_with_pm4py_on_running_example(real_logs_dir):
    frame = read_xes(real_logs_dir / "running-example.xes")
    expected = pm4py().get_variants(frame)
    table = variants(canonical(frame, name="running")).table
    mine = {tuple(a.split(" → ")): n for a, n in zip(table["activities"], table["cases"],
                                                    strict=True)}
    assert mine == {tuple(k): int(v) for k, v in expected.items()}


def test_very_long_cases_fall_back_to_the_same_result(monkeypatch):
    import importlib

    module = importlib.import_module("procmine.discovery.variants")

    expected = variants(_log()).table
    monkeypatch.setattr(module, "_MAX_MATRIX_CELLS", 0)
    pd.testing.assert_frame_equal(variants(_log()).table, expected)
