"""Loading at the floor: Arrow reads CSV and parses ISO times exactly as the careful path does.

The oracles are independent of the fast path: Python's csv module for the records, and
pandas' own parser (on object-dtype text, which never takes the Arrow path) for times.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procmine.io import tables
from procmine.io.mapping import TEXT_DTYPE, parse_timestamps
from procmine.io.tables import read_table


def _records(path) -> list[list[str | None]]:
    """The file's records by Python's csv module, empty fields missing, header dropped."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    return [[v if v != "" else None for v in row] for row in rows[1:]]


def _frame_records(frame: pd.DataFrame) -> list[list[str | None]]:
    return [[None if pd.isna(v) else v for v in row] for row in frame.itertuples(index=False)]


TRICKY = [
    'a,b,c\n1,"x, with comma",3\n2,"line\nbreak",4\n',
    'a,b\n"say ""hi""",2\n  padded  ,3\n',
    "\ufeffa,b\nü,€\n日本,😀\n",  # a byte-order mark, and text beyond ASCII
    "a,b\r\n1,2\r\n3,\r\n",  # CRLF, an empty last field
    'a,b\n"",x\nmid"quote,y\n',
]


@pytest.mark.parametrize("text", TRICKY)
def test_arrow_reads_what_the_csv_module_reads(tmp_path, text):
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    head = text.lstrip("\ufeff")
    fast = tables._read_csv_arrow(path, head, delimiter=",", encoding="utf-8-sig",
                                  quotechar='"', compressed=False)
    assert fast is not None  # the fast path took the file
    table = read_table(path)
    assert table.columns == [c for c in next(csv.reader(io.StringIO(head)))]
    assert _frame_records(table.frame) == _records(path)
    assert table.rows.tolist() == list(range(2, 2 + len(table.frame)))
    assert all(isinstance(d, pd.StringDtype) for d in table.frame.dtypes)


@pytest.mark.parametrize("text, why", [
    ("a,b\n1,2\n\n3,4\n", "a blank line"),
    ("a,b\n1,2\n,\n", "a row of empty fields"),
    ("a,b\n1,2,3\n4,5\n", "a row with too many fields"),
    ("a,b\n1\n4,5\n", "a row with too few fields"),
    ('a,b\n"open,2\n', "an unclosed quote"),
    ("a\n1\n", "one column"),
])
def test_anything_else_goes_to_the_careful_path(tmp_path, text, why):
    path = tmp_path / "t.csv"
    path.write_text(text)
    assert tables._read_csv_arrow(path, text, delimiter=",", encoding="utf-8-sig",
                                  quotechar='"', compressed=False) is None, why


# Control characters other than tab and newline are left out: a file made mostly of them is
# refused as binary before any reader sees it (tables._check_not_binary), by design.
_CELL = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"),
                                       include_characters="\t\n"), max_size=6)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_CELL, min_size=3, max_size=3), min_size=1, max_size=6))
def test_any_well_formed_table_reads_as_the_csv_module_reads_it(tmp_path, rows):
    path = tmp_path / "p.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["a", "b", "c"], *rows])
    table = read_table(path)  # Arrow, or the careful path (rows of empty fields)
    assert _frame_records(table.frame) == _records(path)
    assert table.rows.tolist() == list(range(2, 2 + len(rows)))


def _iso(year, month, day, hour, minute, second, micro, zone, sep):
    text = f"{year:04d}-{month:02d}-{day:02d}"
    if hour is not None:
        text += f"{sep}{hour:02d}:{minute:02d}"
        if second is not None:
            text += f":{second:02d}" + (f".{micro}" if micro else "")
        text += zone
    return text


_ISO = st.builds(
    _iso, st.integers(1600, 2300), st.integers(0, 13), st.integers(0, 32),
    st.one_of(st.none(), st.integers(0, 25)), st.integers(0, 61),
    st.one_of(st.none(), st.integers(0, 61)),
    st.sampled_from(["", "5", "123456", "1234567"]),
    st.sampled_from(["", "Z", "+01:00", "-05:30", "+0200", "+14:00"]),
    st.sampled_from(["T", " "]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_ISO, st.sampled_from(["", "not a date", "2024-03-31 02:30"])),
                min_size=1, max_size=8),
       st.sampled_from(["UTC", "Europe/Amsterdam", "America/New_York"]))
def test_arrow_parses_iso_times_as_pandas_does(values, timezone):
    arrow = pd.Series(values, dtype=TEXT_DTYPE)
    plain = pd.Series(values, dtype=object)  # object text: pandas parses, never Arrow
    fast_times, fast_status = parse_timestamps(arrow, timezone=timezone)
    times, status = parse_timestamps(plain, timezone=timezone)
    assert fast_status.tolist() == status.tolist(), values
    assert fast_times.dtype == times.dtype == "datetime64[us, UTC]"
    same = (fast_times == times) | (fast_times.isna() & times.isna())
    assert bool(same.all()), (values, fast_times.tolist(), times.tolist())


def test_one_cast_for_a_column_of_one_shape():
    # every value with an offset: one Arrow cast, and still each value its own offset
    arrow = pd.Series(["2024-01-01 09:00:00+01:00", "2024-06-01T09:00:00Z"], dtype=TEXT_DTYPE)
    times, status = parse_timestamps(arrow)
    assert [str(t) for t in times] == ["2024-01-01 08:00:00+00:00", "2024-06-01 09:00:00+00:00"]
    assert status.tolist() == [0, 0]
    # local times in a zone: the DST gap is not guessed
    local = pd.Series(["2024-03-31 01:30", "2024-03-31 02:30"], dtype=TEXT_DTYPE)
    times, status = parse_timestamps(local, timezone="Europe/Amsterdam")
    assert status.tolist() == [0, 3]
    assert str(times[0]) == "2024-03-31 00:30:00+00:00" and pd.isna(times[1])
    assert np.asarray(status).dtype == np.int8
