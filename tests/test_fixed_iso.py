"""procmine.io._fixed_iso: ISO times of one width, checked on their bytes, cast by Arrow.

The oracle is pandas' own parser on object-dtype text (which never takes an Arrow path):
a column of one layout must give the same times and statuses either way, and the fast
reader must refuse (None) whatever it cannot vouch for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procmine.io._fixed_iso import parse_fixed_iso
from procmine.io.mapping import TEXT_DTYPE, parse_timestamps

# (strftime-like layout, zone suffix): every value of a column shares one of them
_LAYOUTS = [
    ("{y:04d}-{mo:02d}-{d:02d}", ""),
    ("{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}", ""),
    ("{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}", ""),
    ("{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}.{f:03d}", ""),
    ("{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}", "Z"),
    ("{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}", "{sign}{zh:02d}:{zm:02d}"),
    ("{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}", "{sign}{zh:02d}{zm:02d}"),
]

def _fields(invalid: bool) -> st.SearchStrategy:
    """The fields of one value: valid ones, or (``invalid``) now and then an invalid one."""
    def pick(valid: st.SearchStrategy, *wrong: int) -> st.SearchStrategy:
        return st.one_of(valid, valid, valid, st.sampled_from(wrong)) if invalid else valid

    return st.fixed_dictionaries({
        "y": pick(st.sampled_from([1700, 1970, 2023, 2024, 2000, 2100, 2199]), 1699, 2200),
        "mo": pick(st.integers(1, 12), 0, 13), "d": pick(st.integers(1, 28), 0, 29, 30, 31, 32),
        "h": pick(st.integers(0, 23), 24), "mi": pick(st.integers(0, 59), 60),
        "s": pick(st.integers(0, 59), 60), "f": st.integers(0, 999),
        "sign": st.sampled_from(["+", "-"]), "zh": pick(st.integers(0, 23), 24),
        "zm": pick(st.sampled_from([0, 30, 45, 59]), 60),
    })


# a column of valid values (the byte path) or of values now and then invalid (mostly not)
_VALUES = st.one_of(*(st.lists(st.one_of(st.none(), _fields(invalid)), min_size=1, max_size=12)
                      for invalid in (False, True)))


def _column(layout: tuple[str, str], fields: list[dict | None]) -> list[str | None]:
    body, zone = layout
    return [None if f is None else body.format(**f) + zone.format(**f) for f in fields]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_LAYOUTS), _VALUES,
       st.sampled_from(["UTC", "Europe/Amsterdam", "America/New_York"]))
def test_a_column_of_one_layout_parses_as_pandas_parses_it(layout, fields, timezone):
    values = _column(layout, fields)
    fast, fast_status = parse_timestamps(pd.Series(values, dtype=TEXT_DTYPE), timezone=timezone)
    slow, status = parse_timestamps(pd.Series(values, dtype=object), timezone=timezone)
    assert fast_status.tolist() == status.tolist(), values
    same = (fast == slow) | (fast.isna() & slow.isna())
    assert bool(same.all()), (values, fast.tolist(), slow.tolist())


def test_valid_columns_take_the_byte_path_with_their_own_offsets():
    values = ["2024-03-01 14:05:00+01:00", None, "2024-02-29 23:59:59-00:30",
              "2199-12-31 23:59:59+23:59"]
    found = parse_fixed_iso(pa.array(values, pa.large_string()))
    assert found is not None
    micros, aware, present = found
    assert aware and present.tolist() == [True, False, True, True]
    expected = pd.to_datetime([v for v in values if v], utc=True).as_unit("us")
    assert micros[present].tolist() == expected.asi8.tolist()
    assert micros[1] == np.iinfo(np.int64).min
    naive = parse_fixed_iso(pa.array(["2024-01-01T10:00", "1700-01-01T00:00"]))
    assert naive is not None and not naive[1]
    assert naive[0].tolist() == pd.to_datetime(["2024-01-01T10:00", "1700-01-01T00:00"]
                                               ).as_unit("us").asi8.tolist()


@pytest.mark.parametrize("values, why", [
    (["2023-02-29 10:00"], "no 29 February in 2023"),
    (["2024-01-01 24:00:00"], "hour 24"),
    (["2024-01-01 23:59:60+00:00"], "a leap second"),
    (["1699-12-31"], "before 1700 (pandas' range decides)"),
    (["2200-01-01"], "after 2199"),
    (["2024-01-01 10:00", "2024-01-01T10:00"], "two layouts"),
    (["2024-01-01 10:00", "2024-01-01 10:00:00"], "two widths"),
    (["2024-01-01 10:00", "2024-01-0a 10:00"], "a letter where a digit belongs"),
    (["2024-01-01 10:00+01:00", "2024-01-01 10:00*01:00"], "no sign"),
    (["2024-01-01 10:00:00.1234567"], "beyond microseconds"),
    (["2024-01-01 10"], "an hour alone"),
    (["01/02/2024"], "not ISO"),
    (["2024-01-01 10:00 "], "a space left"),
    ([None, None], "nothing present"),
])
def test_anything_else_is_left_to_the_careful_path(values, why):
    assert parse_fixed_iso(pa.array(values, pa.large_string())) is None, why


def test_more_than_one_chunk_is_left_to_the_careful_path():
    chunked = pa.chunked_array([["2024-01-01"], ["2024-01-02"]], pa.large_string())
    assert parse_fixed_iso(chunked) is None
    assert parse_fixed_iso(pa.chunked_array([["2024-01-01"]])) is not None
