"""The shared kernels: per-group sorts and exact quantiles, distinct members, the kept arrays.

Each checked against an independent computation (numpy.percentile, pandas groupby,
pandas.factorize) on random data, including the edge cases: empty groups, one row,
negative or wide values, nulls, several Arrow chunks.
"""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from procmine.log._groups import (
    distinct_per_group,
    group_median,
    group_quantile,
    group_starts,
    sort_within,
)
from procmine.log.actors import actor_codes, log_arrays, value_codes


def _random_groups(seed: int, n: int = 2000, groups: int = 37, high: int = 10**7):
    rng = np.random.default_rng(seed)
    return rng.integers(0, groups, n), rng.integers(0, high, n).astype(np.int64), groups


@pytest.mark.parametrize("seed", range(5))
def test_sort_within_orders_by_group_then_value(seed):
    group, values, n_groups = _random_groups(seed)
    expected = values[np.lexsort((values, group))]
    assert np.array_equal(sort_within(group, values, n_groups), expected)


def test_sort_within_falls_back_for_negative_and_wide_values():
    group = np.array([1, 0, 1, 0])
    for values in (np.array([-5, 3, 2, -7]), np.array([2**61, 1, 2**60, 0])):
        assert np.array_equal(sort_within(group, values, 2), values[np.lexsort((values, group))])
    assert sort_within(np.zeros(0, int), np.zeros(0, np.int64), 1).size == 0


@pytest.mark.parametrize("q", [0.0, 0.1, 0.5, 0.9, 1.0])
def test_group_quantile_equals_numpy_percentile_per_group(q):
    group, values, n_groups = _random_groups(3, groups=50)
    sizes = np.bincount(group, minlength=n_groups + 3)  # three empty groups at the end
    got = group_quantile(sort_within(group, values, n_groups) / 1e6, group_starts(sizes),
                         sizes, q)
    for g in range(n_groups + 3):
        if sizes[g]:
            assert got[g] == pytest.approx(np.percentile(values[group == g] / 1e6, q * 100),
                                           rel=1e-12)
        else:
            assert np.isnan(got[g])


def test_group_median_equals_pandas_groupby_median_exactly():
    group, values, n_groups = _random_groups(4, n=3001, groups=41)
    seconds = sort_within(group, values, n_groups) / 1e6
    sizes = np.bincount(group, minlength=n_groups)
    got = group_median(seconds, group_starts(sizes), sizes)
    expected = pd.Series(values / 1e6).groupby(group).median().to_numpy()
    assert np.array_equal(got, expected)  # the same (a + b) / 2, bit for bit


@pytest.mark.parametrize("groups", [3, 300, 70_000])  # bitmap and sort paths, radix and not
def test_distinct_per_group_equals_pandas_nunique(groups):
    rng = np.random.default_rng(groups)
    n = 5000
    member = np.sort(rng.integers(0, 400, n))  # non-decreasing: case codes in log order
    group = rng.integers(0, groups, n)
    expected = pd.Series(member).groupby(group).nunique().reindex(range(groups), fill_value=0)
    assert np.array_equal(distinct_per_group(group, member, groups), expected.to_numpy())


def test_distinct_per_group_of_nothing_and_of_one_row():
    assert distinct_per_group(np.zeros(0, int), np.zeros(0, int), 2).tolist() == [0, 0]
    assert distinct_per_group(np.array([1]), np.array([7]), 2).tolist() == [0, 1]


def test_value_codes_equal_pandas_factorize_on_arrow_object_and_categorical_columns():
    values = ["b", None, "a", "b", "c", None, "a"]
    chunked = pa.chunked_array([pa.array(values[:3]), pa.array(values[3:])])
    columns = [
        pd.Series(values, dtype="str"),
        pd.Series(pd.arrays.ArrowStringArray(chunked)),  # two chunks
        pd.Series(values, dtype=object),
        pd.Series(values, dtype="category"),
    ]
    for column in columns:
        codes, names = value_codes(column)
        expected_codes, expected_names = pd.factorize(column, use_na_sentinel=True)
        assert codes.tolist() == list(expected_codes)
        assert names.tolist() == list(expected_names)
    empty_codes, empty_names = value_codes(pd.Series([], dtype="str"))
    assert empty_codes.size == 0 and empty_names.size == 0


def test_log_arrays_are_kept_per_frame_read_only_and_dropped_with_it():
    frame = pd.DataFrame({
        "case_id": ["o2", "o2", "o1"], "activity": ["a", "b", "a"],
        "timestamp": pd.to_datetime([1, 2, 3], unit="s", utc=True),
        "department": ["Sales", None, None],
        "party": pd.Categorical(["internal", "customer", "internal"]),
    })
    arrays = log_arrays(frame)
    assert log_arrays(frame) is arrays
    assert arrays.case.tolist() == [0, 0, 1]
    assert arrays.case_starts.tolist() == [0, 2]
    assert arrays.micros.tolist() == [1_000_000, 2_000_000, 3_000_000]
    codes, names = arrays.actors("department")
    expected_codes, expected_names = actor_codes(frame, "department")
    assert codes.tolist() == expected_codes.tolist() == [0, 1, -1]
    assert names.tolist() == expected_names.tolist() == ["Sales", "customer"]
    with pytest.raises(ValueError):
        arrays.case[0] = 5  # shared between kernels: nobody changes them
    assert arrays.memo(("x",), lambda events: len(events)) == 3
    assert arrays.memo(("x",), lambda events: -1) == 3  # computed once
    other = frame.copy()
    assert log_arrays(other) is not arrays
    from procmine.log import actors

    key = id(other)
    del other
    gc.collect()
    assert key not in actors._ARRAYS


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.uint16])
def test_distinct_per_group_takes_groups_of_any_integer_dtype(dtype):
    rng = np.random.default_rng(5)
    member = np.sort(rng.integers(0, 300, 4000)) + 1000  # not starting at 0
    group = rng.integers(0, 100, 4000).astype(dtype)
    expected = [len(set(member[group == g].tolist())) for g in range(100)]
    assert distinct_per_group(group, member, 100).tolist() == expected


def test_quantiles_with_a_divisor_equal_the_quantiles_of_the_divided_values():
    group, values, n_groups = _random_groups(6, n=3001, groups=41)
    sorted_us = sort_within(group, values, n_groups)
    sizes = np.bincount(group, minlength=n_groups + 2)  # two empty groups
    starts = group_starts(sizes)
    seconds = sorted_us / 1e6
    assert np.array_equal(group_median(sorted_us, starts, sizes, divisor=1e6),
                          group_median(seconds, starts, sizes), equal_nan=True)
    for q in (0.1, 0.5, 0.9):
        assert np.array_equal(group_quantile(sorted_us, starts, sizes, q, divisor=1e6),
                              group_quantile(seconds, starts, sizes, q), equal_nan=True)


@pytest.mark.parametrize("ids", [
    ["o2", "o2", "o1", "o3", "o3", "o3"], ["a"], [], ["x", "x"]])
@pytest.mark.parametrize("dtype", ["str", object, "category"])
def test_case_codes_count_changes_of_neighbours(ids, dtype):
    frame = pd.DataFrame({"case_id": pd.Series(ids, dtype=dtype)})
    expected = pd.factorize(pd.Series(ids, dtype=object))[0]  # the log is ordered by case
    arrays = log_arrays(frame)
    assert arrays.case.tolist() == list(expected)
    assert arrays.case.dtype == np.int64
    assert arrays.same_case.tolist() == [a == b for a, b in zip(ids[1:], ids[:-1], strict=True)]
    assert arrays.case_starts.tolist() == [i for i in range(len(ids))
                                           if i == 0 or ids[i] != ids[i - 1]]


@pytest.mark.parametrize(("groups", "member_high"), [
    (70_000, 10**6),       # too many cells for the bitmap: (group, member) packed and sorted
    ((1 << 22) + 1, 2**40),  # 23 + 40 bits do not fit in one int64: the stable sort by group
])
def test_distinct_per_group_without_the_bitmap_equals_python_sets(groups, member_high):
    rng = np.random.default_rng(groups)
    member = np.sort(rng.integers(0, member_high, 3000)) + 7
    group = rng.integers(0, 50, 3000) * (groups // 50)  # spread over the whole range
    expected: dict[int, set[int]] = {}
    for g, m in zip(group.tolist(), member.tolist(), strict=True):
        expected.setdefault(g, set()).add(m)
    got = distinct_per_group(group, member, groups)
    assert {g: int(got[g]) for g in np.flatnonzero(got).tolist()} == {
        g: len(ms) for g, ms in expected.items()}
    assert int(got.sum()) == sum(len(ms) for ms in expected.values())
