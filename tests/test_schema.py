"""Tests for procmine.schema: the canonical schema and its one validation entry point."""

import pandas as pd
import pytest

from procmine.errors import InputError
from procmine.schema import CORE_COLUMNS, PARTIES, empty_events, validate_events
from tests.conftest import make_frame


def test_returns_copy_sorted_by_case_then_time_without_mutating_input():
    raw = make_frame([
        ("o2", "B", "2024-01-02 10:00"),
        ("o1", "B", "2024-01-01 11:00"),
        ("o1", "A", "2024-01-01 10:00"),
    ])
    before = raw.copy()
    log = validate_events(raw, source="t")
    pd.testing.assert_frame_equal(raw, before)
    assert log[["case_id", "activity"]].values.tolist() == [["o1", "A"], ["o1", "B"], ["o2", "B"]]
    assert list(log.columns[: len(CORE_COLUMNS)]) == list(CORE_COLUMNS)


def test_ties_keep_input_order():
    raw = make_frame([("c", x, "2024-01-01 10:00") for x in ["z", "a", "m", "b"]])
    assert validate_events(raw)["activity"].tolist() == ["z", "a", "m", "b"]


def test_timestamps_converted_to_utc():
    raw = pd.DataFrame({"case_id": ["c"], "activity": ["a"],
                        "timestamp": [pd.Timestamp("2024-03-01 10:00", tz="Europe/Amsterdam")]})
    ts = validate_events(raw)["timestamp"].iloc[0]
    assert str(ts.tz) == "UTC" and ts.hour == 9


def test_missing_required_column_lists_what_exists():
    raw = pd.DataFrame({"case": ["c"], "activity": ["a"],
                        "timestamp": [pd.Timestamp("2024-01-01")]})
    with pytest.raises(InputError, match=r"'case_id'.*columns present: 'case', 'activity'"):
        validate_events(raw, source="x.csv")


def test_empty_case_id_is_refused():
    raw = make_frame([("c", "a", "2024-01-01"), (" ", "b", "2024-01-01")])
    with pytest.raises(InputError, match="case_id"):
        validate_events(raw)


def test_unknown_party_is_refused_and_known_parties_kept():
    raw = make_frame([("c", "a", "2024-01-01"), ("c", "b", "2024-01-02")])
    raw["party"] = ["Customer", "robot"]
    with pytest.raises(InputError, match="'robot'"):
        validate_events(raw)
    raw["party"] = ["Customer", None]
    assert validate_events(raw)["party"].astype(str).tolist() == ["customer", "internal"]
    assert list(validate_events(raw)["party"].cat.categories) == list(PARTIES)


def test_duplicate_event_ids_refused():
    raw = make_frame([("c", "a", "2024-01-01"), ("c", "b", "2024-01-02")])
    raw["event_id"] = ["e1", "e1"]
    with pytest.raises(InputError, match="unique"):
        validate_events(raw)


def test_empty_log_and_single_event():
    assert len(empty_events()) == 0
    one = validate_events(make_frame([("c", "a", "2024-01-01")]), source="s")
    assert one["event_id"].tolist() == ["s:0"] and one["resource"].isna().all()


def test_missing_resource_stays_missing_not_text_nan():
    raw = make_frame([("c", "a", "2024-01-01", None), ("c", "b", "2024-01-02", "u1")])
    res = validate_events(raw)["resource"]
    assert res.isna().tolist() == [True, False]


def test_ids_unique_skips_only_the_repeat_check():
    frame = pd.DataFrame({"case_id": ["a", "a"], "activity": ["x", "y"],
                          "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"], utc=True),
                          "event_id": ["e1", "e1"]})
    with pytest.raises(InputError, match="event_id must be unique"):
        validate_events(frame)
    trusted = validate_events(frame, ids_unique=True)  # the caller's promise, not checked
    assert trusted["event_id"].tolist() == ["e1", "e1"]


def test_canonical_order_of_sorted_runs_is_the_three_key_sort():
    # sources each in the canonical order, concatenated: merged by one stable sort; the
    # oracle is numpy's lexsort of (case, time, seq)
    import numpy as np

    from procmine.schema import canonical_order

    rng = np.random.default_rng(7)
    for _ in range(200):
        runs, offset = [], 0
        for _ in range(int(rng.integers(1, 5))):
            m = int(rng.integers(1, 40))
            case = rng.integers(0, 5, m)
            ts = rng.integers(0, 3, m) * 10 ** int(rng.integers(0, 16))  # ties, wide spans
            seq = offset + rng.permutation(m)
            offset += m
            first = np.lexsort((seq, ts, case))
            runs.append((case[first], ts[first], seq[first]))
        case, ts, seq = (np.concatenate(parts) for parts in zip(*runs, strict=True))
        if rng.integers(0, 4) == 0:  # seq not in source order: ties must still follow seq
            seq = rng.permutation(len(seq))
        order = canonical_order(case, ts.astype(np.int64), seq)
        got = np.arange(len(case)) if order is None else order
        assert got.tolist() == np.lexsort((seq, ts, case)).tolist()


def test_repeated_seq_is_refused_however_it_is_checked():
    import numpy as np

    base = make_frame([("c", "a", "2024-01-01"), ("c", "b", "2024-01-02"),
                       ("d", "c", "2024-01-03")])
    for seq in ([0, 1, 1], [5, 10**12, 5]):  # dense (counted) and sparse (hashed)
        with pytest.raises(InputError, match=r"'seq' .* must be unique; 1 repeat"):
            validate_events(base.assign(seq=np.array(seq, dtype="int64")))
    assert validate_events(base.assign(seq=np.array([7, 10**12, 3])))["seq"].tolist() == [
        7, 10**12, 3]


def test_plain_edges_agrees_with_python_strip():
    import pyarrow as pa

    from procmine.schema import _plain_edges

    values = ["a", "a b", " a", "a ", "\ta", "a\n", "\u00a0a", "a\u2003", "é", "", "x",
              "~", "!", "\x7fa", "a\x1f"]
    for i, value in enumerate(values):
        for other in ("ok", None):
            column = pa.array([value, other], pa.large_string())
            plain = value != "" and value == value.strip() and value[0].isascii() \
                and value[-1].isascii() and value[0].isprintable() and value[-1].isprintable()
            assert _plain_edges(column, nulls=True) is plain, (i, value)
            assert _plain_edges(column) is (plain and other is not None), (i, value)
            # the first byte alone decides that a value is not blank
            first = value != "" and value[0].isascii() and value[0].isprintable() \
                and not value[0].isspace()
            assert _plain_edges(column, last=False, nulls=True) is first, (i, value)


def test_canonical_order_of_an_extract_in_time_order_is_the_three_key_sort():
    # an extract written in time order (ties in row order): sorted by case alone; the
    # oracle is numpy's lexsort of (case, time, seq), on case codes of one to three
    # 16-bit digits
    import numpy as np

    from procmine.schema import canonical_order

    rng = np.random.default_rng(11)
    for top in (3, 70_000, 2**33):
        for _ in range(50):
            m = int(rng.integers(2, 300))
            case = rng.integers(0, top, m)
            ts = np.sort(rng.integers(0, 4, m)) * 10**9  # ties
            seq = np.arange(m) * 3
            order = canonical_order(case, ts.astype(np.int64), seq)
            got = np.arange(m) if order is None else order
            assert got.tolist() == np.lexsort((seq, ts, case)).tolist()


def test_stable_code_order_is_a_stable_sort():
    import numpy as np

    from procmine.schema import stable_code_order

    rng = np.random.default_rng(5)
    for top in (1, 2**16, 2**16 + 1, 2**40):
        codes = rng.integers(0, top, 1000)
        assert stable_code_order(codes).tolist() == sorted(range(1000), key=lambda i: codes[i])
    assert stable_code_order(np.array([], dtype=np.int64)).tolist() == []
