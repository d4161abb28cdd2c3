"""procmine.log.filters: verbs that return a new EventLog, chain, and keep provenance."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import make_frame

from procmine.errors import UsageError
from procmine.log import EventLog
from procmine.log.filters import (
    filter_activities,
    filter_case_size,
    filter_cases,
    filter_departments,
    filter_resources,
    filter_time,
    filter_variants,
    filter_where,
    variants,
)
from procmine.log.variants import Variants
from procmine.log.variants import variants as engine_variants

# o1: Enter(Sales) Pick(Warehouse) Ship(Shipping)       2024-01-01 .. 2024-01-03
# o2: Enter(Sales) Pick(Warehouse) Ship(Shipping)       2024-01-05 .. 2024-01-06
# o3: Enter(Sales) Pick(-, no department)               2024-01-02 .. 2024-01-10
# o4: Enter(Sales)                                      2024-01-20
ROWS = [
    ("o1", "Enter", "2024-01-01 09:00", "ann", "Sales"),
    ("o1", "Pick", "2024-01-02 09:00", "bob", "Warehouse"),
    ("o1", "Ship", "2024-01-03 09:00", "cat", "Shipping"),
    ("o2", "Enter", "2024-01-05 09:00", "ann", "Sales"),
    ("o2", "Pick", "2024-01-05 09:00", "bob", "Warehouse"),
    ("o2", "Ship", "2024-01-06 09:00", "cat", "Shipping"),
    ("o3", "Enter", "2024-01-02 12:00", "dan", "Sales"),
    ("o3", "Pick", "2024-01-10 12:00", None, None),
    ("o4", "Enter", "2024-01-20 12:00", "ann", "Sales"),
]


@pytest.fixture
def log():
    return EventLog.from_frame(make_frame(ROWS), name="shop")


def cases(result):
    return sorted(result.events["case_id"].unique().tolist())


def acts(result):
    return result.events["activity"].tolist()


def test_filters_return_new_logs_with_provenance_and_leave_input_alone(log):
    before = log.events.copy()
    out = filter_activities(log, ["Pick"])
    assert isinstance(out, EventLog) and out is not log
    assert out.sources == log.sources and out.name == log.name
    assert out.rejects is log.rejects
    pd.testing.assert_frame_equal(log.events, before)
    assert out.events.index.tolist() == list(range(out.n_events))


def test_filter_activities(log):
    assert acts(filter_activities(log, "Ship")) == ["Ship", "Ship"]
    assert acts(filter_activities(log, ["Enter", "Ship"], keep=False)) == ["Pick", "Pick", "Pick"]
    assert cases(filter_activities(log, "Ship", scope="cases")) == ["o1", "o2"]
    assert cases(filter_activities(log, "Ship", keep=False, scope="cases")) == ["o3", "o4"]

def test_names_that_match_nothing_raise_with_close_matches(log):
    with pytest.raises(UsageError, match=r"filter_activities: the log has no activity 'Pikc' "
                                         r"\(did you mean 'Pick'\?\)"):
        filter_activities(log, ["Pikc"])
    # one misspelt name among good ones is not silently ignored either
    with pytest.raises(UsageError, match=r"no department 'Salse' \(did you mean 'Sales'\?\)"):
        filter_departments(log, ["Warehouse", "Salse"], keep=False)
    with pytest.raises(UsageError, match=r"filter_resources: the log has no resource 'Ann' "
                                         r"\(did you mean 'ann' or 'dan'\?\)"):
        log.filter_resources("Ann")
    with pytest.raises(UsageError, match="no activity 'x', 'y'"):
        filter_activities(log, ["x", "y"], scope="cases")


@pytest.mark.parametrize("call", [
    lambda f: filter_activities(f, "Pick"), lambda f: filter_departments(f, "Sales"),
    lambda f: filter_resources(f, "ann"), lambda f: filter_cases(f, "o1"),
    lambda f: filter_time(f, start="2024-01-01"), lambda f: filter_case_size(f, min_events=1),
    lambda f: filter_variants(f, top=1), lambda f: filter_where(f, lambda e: e["case_id"] == "o1"),
    lambda f: variants(f),
])
def test_a_dataframe_instead_of_a_log_says_how_to_make_one(call):
    frame = make_frame(ROWS)
    with pytest.raises(UsageError, match=r"expected an EventLog, got a pandas DataFrame; make "
                                         r"one with pm\.load\(df, case_id=\.\.\."):
        call(frame)


def test_filter_departments_and_missing_values(log):
    assert acts(filter_departments(log, "Warehouse")) == ["Pick", "Pick"]
    # events without a department are kept when excluding
    dropped = filter_departments(log, ["Sales", "Warehouse", "Shipping"], keep=False)
    assert dropped.events[["case_id", "activity"]].values.tolist() == [["o3", "Pick"]]
    assert cases(filter_departments(log, "Shipping", scope="cases")) == ["o1", "o2"]


def test_filter_resources(log):
    assert cases(filter_resources(log, ["dan"])) == ["o3"]
    assert cases(filter_resources(log, "cat", scope="cases", keep=False)) == ["o3", "o4"]


def test_filter_cases(log):
    assert cases(filter_cases(log, ["o2", "o4"])) == ["o2", "o4"]
    assert cases(filter_cases(log, "o1", keep=False)) == ["o2", "o3", "o4"]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        # window [2024-01-02, 2024-01-06): spans o1 01..03, o2 05..06, o3 02..10, o4 20..20
        ("intersecting", ["o1", "o2", "o3"]),
        ("contained", []),
        ("started", ["o2", "o3"]),
        ("completed", ["o1"]),
    ],
)
def test_filter_time_case_modes(log, mode, expected):
    out = filter_time(log, start="2024-01-02", end="2024-01-06", mode=mode)
    assert cases(out) == expected
    # whole cases are kept
    for case in expected:
        assert len(out.case(case)) == len(log.case(case))


def test_filter_time_events_mode_is_half_open(log):
    out = filter_time(log, start="2024-01-05 09:00", end="2024-01-06 09:00", mode="events")
    assert out.events[["case_id", "activity"]].values.tolist() == [["o2", "Enter"], ["o2", "Pick"]]


def test_filter_time_open_ends_and_timezones(log):
    assert cases(filter_time(log, start="2024-01-10")) == ["o3", "o4"]
    assert cases(filter_time(log, end="2024-01-02", mode="contained")) == []
    # 2024-01-20 13:00 at +02:00 is 11:00 UTC, before o4's event at 12:00 UTC
    later = filter_time(log, start=pd.Timestamp("2024-01-20 13:00", tz="Europe/Athens"))
    assert cases(later) == ["o4"]
    assert cases(filter_time(log, start="2024-01-20 14:01+02:00")) == []


def test_filter_time_checks_its_arguments(log):
    with pytest.raises(UsageError, match="mode: unknown value 'trim'; expected one of "
                                         "intersecting, contained"):
        filter_time(log, start="2024-01-01", mode="trim")
    with pytest.raises(UsageError, match=r"start .* must be before end"):
        filter_time(log, start="2024-02-01", end="2024-01-01")
    with pytest.raises(UsageError, match="start must be a date or time"):
        filter_time(log, start="next tuesday-ish")


def test_filter_case_size(log):
    assert cases(filter_case_size(log, min_events=3)) == ["o1", "o2"]
    assert cases(filter_case_size(log, max_events=2)) == ["o3", "o4"]
    assert cases(filter_case_size(log, min_events=2, max_events=2)) == ["o3"]
    with pytest.raises(UsageError, match="min_events must be a non-negative integer"):
        filter_case_size(log, min_events=-1)


def test_variants_and_ties(log):
    result = variants(log)
    assert isinstance(result, Variants)
    table = result.table
    # o2's Enter and Pick tie in time: file order is kept (Enter, Pick)
    assert table[["variant", "activities", "cases"]].values.tolist() == [
        [1, "Enter → Pick → Ship", 2], [2, "Enter", 1], [3, "Enter → Pick", 1]]
    assert table["share"].tolist() == [0.5, 0.25, 0.25]
    assert table["length"].tolist() == [3, 1, 2]
    assert result.case_variant.to_dict() == {"o1": 1, "o2": 1, "o3": 3, "o4": 2}
    # the filters' variants are the one engine's, and so are EventLog.variants()
    pd.testing.assert_frame_equal(table, engine_variants(log).table)
    pd.testing.assert_frame_equal(log.variants().table, table)


def test_filter_variants(log):
    assert cases(filter_variants(log, top=1)) == ["o1", "o2"]
    # ties in frequency go by variant text: "Enter" before "Enter → Pick"
    assert cases(filter_variants(log, top=2)) == ["o1", "o2", "o4"]
    assert cases(filter_variants(log, coverage=0.5)) == ["o1", "o2"]
    assert cases(filter_variants(log, coverage=0.51)) == ["o1", "o2", "o4"]
    assert cases(filter_variants(log, coverage=1.0)) == ["o1", "o2", "o3", "o4"]
    with pytest.raises(UsageError, match="exactly one of top= or coverage="):
        filter_variants(log)
    with pytest.raises(UsageError, match="exactly one"):
        filter_variants(log, top=1, coverage=0.5)
    with pytest.raises(UsageError, match=r"coverage must be in \(0, 1\]"):
        filter_variants(log, coverage=1.5)


def test_filter_where(log):
    out = filter_where(log, lambda e: e["resource"].eq("ann").fillna(False))
    assert cases(out) == ["o1", "o2", "o4"]
    with pytest.raises(UsageError, match="one boolean per event"):
        filter_where(log, lambda e: [True])


def test_methods_chain(log):
    out = (log.filter_time(start="2024-01-01", end="2024-01-11")
              .filter_departments(["Sales", "Warehouse"])
              .filter_case_size(min_events=2)
              .filter_variants(top=1))
    assert out.events[["case_id", "activity"]].values.tolist() == [
        ["o1", "Enter"], ["o1", "Pick"], ["o2", "Enter"], ["o2", "Pick"]]
    assert out.sources == log.sources
    assert log.filter_activities("Ship").n_events == 2
    assert log.filter_cases("o4").n_cases == 1
    assert log.filter_resources("dan").n_events == 1
    assert log.filter_where(lambda e: e["activity"] == "Ship").n_events == 2
    assert log.variants().table["cases"].sum() == 4


def test_empty_log_and_single_event():
    empty = EventLog.from_frame(make_frame([], ("case_id", "activity", "timestamp")).astype(
        {"case_id": "str", "activity": "str"}).assign(
            timestamp=pd.Series([], dtype="datetime64[us, UTC]")))
    assert filter_activities(empty, "x").n_events == 0
    assert filter_time(empty, start="2024-01-01").n_events == 0
    assert filter_case_size(empty, min_events=1).n_events == 0
    assert filter_variants(empty, top=1).n_events == 0
    assert variants(empty).table.empty and variants(empty).n_cases == 0
    assert filter_activities(empty, "x").n_events == 0
    one = EventLog.from_frame(make_frame([("o1", "A", "2024-01-01", None, None)]))
    assert filter_variants(one, coverage=0.1).n_events == 1
    assert filter_time(one, start="2024-01-01", end="2024-01-02", mode="contained").n_events == 1


def test_scope_is_checked(log):
    with pytest.raises(UsageError, match="scope: unknown value 'traces'; expected one of "
                                         "events, cases"):
        filter_activities(log, "Pick", scope="traces")
