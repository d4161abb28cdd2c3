"""Variants (procmine.log.variants, the one engine): hand-computed and independent checks."""

from __future__ import annotations

import pandas as pd
import pytest
from _pm4py_logs import canonical, pm4py, read_xes
from conftest import make_frame

import procmine
from procmine import EventLog, UsageError
from procmine._display import MAX_ROWS
from procmine.log.variants import VARIANT_COLUMNS, Variants, variants

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


def test_discovery_and_the_package_re_export_the_one_engine():
    import importlib

    discovery_module = importlib.import_module("procmine.discovery.variants")

    assert discovery_module.variants is variants and discovery_module.Variants is Variants
    assert procmine.variants is variants and procmine.Variants is Variants


def _plain_pandas_variants(log):
    """Independent computation: join each case's activities, count, take durations."""
    events = log.events
    grouped = events.groupby("case_id", sort=True)
    per_case = pd.DataFrame({
        "activities": grouped["activity"].agg(lambda a: " → ".join(a)),
        "duration": (grouped["timestamp"].max() - grouped["timestamp"].min()).dt.total_seconds(),
    })
    table = per_case.groupby("activities").agg(cases=("duration", "size"),
                                               median_duration_s=("duration", "median"))
    return per_case, table.reset_index().sort_values(
        ["cases", "activities"], ascending=[False, True], kind="stable").reset_index(drop=True)


def test_agrees_with_a_plain_pandas_join_on_the_sample(sample_logs_dir):
    log = procmine.load(sample_logs_dir / "sources.toml")
    result = variants(log)
    per_case, expected = _plain_pandas_variants(log)
    table = result.table
    assert table["activities"].tolist() == expected["activities"].tolist()
    assert table["cases"].tolist() == expected["cases"].tolist()
    assert table["median_duration_s"].tolist() == pytest.approx(
        expected["median_duration_s"].tolist())
    assert (table["length"] == table["activities"].str.count(" → ") + 1).all()
    assert result.n_cases == log.n_cases == int(table["cases"].sum())
    assert table["variant"].tolist() == list(range(1, len(table) + 1))
    number = dict(zip(table["activities"], table["variant"], strict=True))
    assert result.case_variant.to_dict() == per_case["activities"].map(number).to_dict()
    assert (result.tables["cases"]["variant"].to_numpy() == result.case_variant.to_numpy()).all()


def test_top_20_has_what_a_report_needs(sample_logs_dir):
    log = procmine.load(sample_logs_dir / "sources.toml")
    whole = variants(log)
    top = variants(log, top=20)
    assert len(top.table) == min(20, whole.n_variants)
    pd.testing.assert_frame_equal(top.table, whole.table.head(20))
    assert top.n_variants == whole.n_variants and top.n_cases == log.n_cases
    assert top.covered == pytest.approx(whole.table["share"].head(20).sum())
    # every case still has its number, so a report can link cases to variants
    assert len(top.case_variant) == log.n_cases


def test_cases_of_equal_length_but_different_order_are_different_variants():
    rows = [("a", "X", "2024-01-01 09:00"), ("a", "Y", "2024-01-01 10:00"),
            ("b", "Y", "2024-01-01 09:00"), ("b", "X", "2024-01-01 10:00"),
            ("c", "X", "2024-01-01 09:00"), ("c", "Y", "2024-01-01 10:00"),
            ("c", "X", "2024-01-01 11:00")]
    table = variants(_log(rows)).table
    assert table[["activities", "cases", "length"]].values.tolist() == [
        ["X → Y", 1, 2], ["X → Y → X", 1, 3], ["Y → X", 1, 2]]


def test_html_is_truncated_with_a_count_of_the_rest():
    rows = [(f"c{i:03d}", f"A{i:03d}", "2024-01-01 09:00") for i in range(MAX_ROWS + 7)]
    result = variants(_log(rows))
    from procmine.render.tables import register

    register()  # the notebook displays (procmine.render.tables): _repr_html_ shows them
    shown = result._repr_html_()
    assert shown.count("<tr") == MAX_ROWS + 1  # header + rows
    assert "… 7 more variants" in shown
    small = variants(_log())._repr_html_()
    assert "more variant" not in small and "Enter → Ship" in small
    assert "&lt;b&gt;" in variants(_log([("a", "<b>", "2024-01-01")]))._repr_html_()
