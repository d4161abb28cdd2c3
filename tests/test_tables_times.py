"""procmine.io.tables: time columns parsed by the CSV reader give the log the text gives.

``read_table(..., times=[...])`` lets Arrow's reader parse ISO 8601 times with an
offset while it reads; any other value sends the file back to being read as text.
Either way the loaded log, its rejects and its accounting must be the ones the text
path gives (``procmine.log.load._offset_times`` patched to ask for no typed column),
and the times must be the instants Python's own ISO parser finds.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import procmine
from procmine.io.mapping import ColumnMapping
from procmine.io.tables import read_table

OFFSETS = ["Z", "+01:00", "-05:30", "+0100", "-0000", "+14:00", "+01", "-00:00"]


def _aware(rng: np.random.Generator, *, years: tuple[int, int] = (1700, 2200)) -> str:
    """One ISO 8601 time with an offset, in one of the shapes systems write."""
    when = dt.datetime(int(rng.integers(*years)), int(rng.integers(1, 13)),
                       int(rng.integers(1, 29)), int(rng.integers(0, 24)),
                       int(rng.integers(0, 60)), int(rng.integers(0, 60)))
    sep = "T" if rng.random() < 0.7 else " "
    shape = int(rng.integers(0, 4))
    if shape == 0:
        text = when.strftime(f"%Y-%m-%d{sep}%H:%M:%S")
    elif shape == 1:  # fractions of one to six digits
        digits = int(rng.integers(1, 7))
        text = when.strftime(f"%Y-%m-%d{sep}%H:%M:%S.") + "".join(
            str(d) for d in rng.integers(0, 10, digits))
    elif shape == 2:
        text = when.strftime(f"%Y-%m-%d{sep}%H:%M")
    else:
        text = when.strftime(f"%Y-%m-%d{sep}%H:%M:%S.%f")
    return text + OFFSETS[int(rng.integers(0, len(OFFSETS)))]


def _utc_micros(text: str) -> int:
    """The instant of an ISO 8601 time with an offset, by Python's datetime (the oracle)."""
    value = text.replace(" ", "T", 1)
    if value.endswith(("-0000", "+0100")) or value[-3] in "+-":  # +hhmm, +hh -> +hh:mm
        sign_at = max(value.rfind("+"), value.rfind("-"))
        offset = value[sign_at + 1:]
        offset = offset + "00" if len(offset) == 2 else offset
        value = value[:sign_at + 1] + offset[:2] + ":" + offset[2:]
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (parsed - epoch) // dt.timedelta(microseconds=1)


def _write(path, times: list[str], rng: np.random.Generator) -> None:
    cases = rng.integers(0, 8, len(times))
    lines = ["case_id,activity,timestamp,resource"]
    for i, (case, when) in enumerate(zip(cases, times, strict=True)):
        lines.append(f"o{case},a{i % 3},{when},r{i % 2}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _both_ways(path, monkeypatch):
    """The log loaded as it is, and loaded with every column read as text."""
    typed = procmine.load(path)
    with monkeypatch.context() as patched:
        patched.setattr(ColumnMapping, "offset_times", lambda self, **k: ())
        text = procmine.load(path)
    return typed, text


def _assert_same(typed, text) -> None:
    pd.testing.assert_frame_equal(typed.events, text.events, check_exact=True)
    pd.testing.assert_frame_equal(typed.rejects, text.rejects, check_exact=True)
    assert typed.sources == text.sources


def test_offset_times_are_parsed_while_reading_as_python_reads_them(tmp_path, monkeypatch):
    rng = np.random.default_rng(2024)
    for trial in range(25):
        times = [_aware(rng) for _ in range(int(rng.integers(1, 60)))]
        path = tmp_path / f"t{trial}.csv"
        _write(path, times, rng)
        raw = read_table(path, times=["timestamp"])
        assert str(raw.frame["timestamp"].dtype) == "datetime64[us, UTC]"  # read typed
        typed, text = _both_ways(path, monkeypatch)
        _assert_same(typed, text)
        micros = typed.events["timestamp"].to_numpy(dtype="datetime64[us]").view("int64")
        by_row = dict(zip(typed.events["event_id"], micros, strict=True))
        for row, when in enumerate(times, start=2):
            assert by_row[f"t{trial}:{row}"] == _utc_micros(when), when


@pytest.mark.parametrize("odd", [
    "2024-03-01T10:00:00",        # no offset: local time, a reject unless a zone is set
    "2024-03-01",                 # a date alone
    " 2024-03-01T10:00:00Z",      # a blank before it
    "2024-02-30T10:00:00Z",       # no such day
    "2016-12-31T23:59:60Z",       # a leap second
    "1650-01-01T00:00:00Z",       # before the years Arrow parses on the text path
    "2300-01-01T00:00:00+01:00",  # after them
    "01/03/2024 10:00",           # another format altogether
    "soon",
])
def test_any_other_value_reads_the_file_as_text(tmp_path, monkeypatch, odd):
    rng = np.random.default_rng(7)
    times = [_aware(rng) for _ in range(30)]
    times.insert(int(rng.integers(0, 31)), odd)  # anywhere, also past the first block
    path = tmp_path / "odd.csv"
    _write(path, times, rng)
    assert str(read_table(path, times=["timestamp"]).frame["timestamp"].dtype) != (
        "datetime64[us, UTC]")
    typed, text = _both_ways(path, monkeypatch)
    _assert_same(typed, text)
    loaded = typed.sources[0]
    assert loaded.rows_read == loaded.rows_loaded + loaded.rows_rejected


def test_missing_times_are_rejected_with_the_same_reason_and_value(tmp_path, monkeypatch):
    rng = np.random.default_rng(3)
    times = [_aware(rng) for _ in range(20)]
    times[4] = times[11] = ""
    path = tmp_path / "gaps.csv"
    _write(path, times, rng)
    assert str(read_table(path, times=["timestamp"]).frame["timestamp"].dtype) == (
        "datetime64[us, UTC]")
    typed, text = _both_ways(path, monkeypatch)
    _assert_same(typed, text)
    assert typed.rejects["row"].tolist() == [6, 13]
    assert set(typed.rejects["reason"]) == {"missing timestamp"}


def test_a_header_with_quotes_is_read_as_text(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text('case_id,activity,"timestamp",resource\no1,a,2024-01-01T00:00:00Z,r\n',
                    encoding="utf-8")
    frame = read_table(path, times=["timestamp"]).frame
    assert all(str(dtype) != "datetime64[us, UTC]" for dtype in frame.dtypes)


def test_of_a_name_given_twice_the_column_the_mapping_reads_is_typed(tmp_path):
    # the second 'timestamp' is 'timestamp.1' (as pandas names it), and stays text
    path = tmp_path / "h.csv"
    path.write_text("case_id,timestamp,timestamp\no1,2024-01-01T00:00:00Z,"
                    "2024-01-01T00:00:00Z\n", encoding="utf-8")
    frame = read_table(path, times=["timestamp"]).frame
    assert [str(t) for t in frame.dtypes] == ["str", "datetime64[us, UTC]", "str"]
    assert frame.columns.tolist() == ["case_id", "timestamp", "timestamp.1"]


def test_rows_with_other_widths_keep_their_rejects(tmp_path, monkeypatch):
    # the first row has a field too many: the typed read gives up, the rows keep their
    # "too many fields" reject, as on the text path
    path = tmp_path / "wide.csv"
    path.write_text("case_id,activity,timestamp,resource\n"
                    "o1,a,2024-01-01T00:00:00Z,r,extra\n"
                    "o1,b,2024-01-01T01:00:00Z,r\n"
                    "o2,a,2024-01-01T02:00:00+01:00,r\n", encoding="utf-8")
    typed, text = _both_ways(path, monkeypatch)
    _assert_same(typed, text)
    assert typed.rejects["row"].tolist() == [2]
    assert typed.n_events == 2


def test_a_timestamp_format_or_a_shared_column_keeps_the_text():
    plain = ColumnMapping(case_id="o", activity="a", timestamp="when")
    assert plain.offset_times() == ("when",)
    assert ColumnMapping(case_id="o", activity="a", timestamp="when",
                         timestamp_format="%d.%m.%Y %H:%M").offset_times() == ()
    assert ColumnMapping(case_id="o", activity="a", timestamp="when",
                         dayfirst=True).offset_times() == ()
    assert ColumnMapping(case_id="o", activity="a", timestamp="when",
                         resource="when").offset_times() == ()
    assert plain.offset_times(also_read=["when"]) == ()  # a lookup's key or value


def test_sources_read_their_offset_times_typed_and_load_as_text_does(tmp_path, monkeypatch):
    # the generated extracts (ERP, WMS, billing, returns; lookups, messy values): the
    # stitched log, its rejects and its accounting as when every column is text
    sample = procmine.generate(orders=60, seed=3, out=tmp_path / "gen")
    typed, text = _both_ways(sample.sources_file, monkeypatch)
    _assert_same(typed, text)


def test_a_real_log_with_offsets_is_read_typed_and_loads_as_text_does(real_logs_dir,
                                                                      monkeypatch):
    # the public running example (times such as 2010-12-30 14:32:00+01:00), written
    # outside this project
    path = real_logs_dir / "running-example.csv"
    if not path.exists():
        pytest.skip("running-example.csv is not in the shared logs")
    roles = {"case_id": "case:concept:name", "activity": "concept:name",
             "timestamp": "time:timestamp", "resource": "org:resource"}
    raw = read_table(path, times=["time:timestamp"])
    assert str(raw.frame["time:timestamp"].dtype) == "datetime64[us, UTC]"
    typed = procmine.load(path, **roles)
    with monkeypatch.context() as patched:
        patched.setattr(ColumnMapping, "offset_times", lambda self, **k: ())
        text = procmine.load(path, **roles)
    _assert_same(typed, text)
    assert typed.n_events == 42  # the running example's events


@pytest.mark.parametrize("shape", ["bom-crlf", "semicolon", "gzip", "header-only"])
def test_other_file_shapes_read_typed_or_not_load_as_text_does(tmp_path, monkeypatch, shape):
    import gzip

    rng = np.random.default_rng(11)
    times = [_aware(rng) for _ in range(25)]
    lines = ["case_id,activity,timestamp,resource"] + [
        f"o{i % 4},a{i % 3},{when},r" for i, when in enumerate(times)]
    if shape == "header-only":
        lines = lines[:1]
    if shape == "semicolon":
        lines = [line.replace(",", ";") for line in lines]
    text = ("\r\n" if shape == "bom-crlf" else "\n").join(lines) + "\n"
    data = (("\ufeff" if shape == "bom-crlf" else "") + text).encode("utf-8")
    path = tmp_path / ("t.csv.gz" if shape == "gzip" else "t.csv")
    path.write_bytes(gzip.compress(data) if shape == "gzip" else data)
    options = {"delimiter": ";"} if shape == "semicolon" else {}
    raw = read_table(path, times=["timestamp"], **options)
    assert raw.columns == ["case_id", "activity", "timestamp", "resource"]
    typed_dtype = str(raw.frame["timestamp"].dtype) == "datetime64[us, UTC]"
    assert typed_dtype == (shape != "header-only")
    typed = procmine.load(path, **options)
    with monkeypatch.context() as patched:
        patched.setattr(ColumnMapping, "offset_times", lambda self, **k: ())
        text_log = procmine.load(path, **options)
    _assert_same(typed, text_log)
    assert typed.n_events == (0 if shape == "header-only" else 25)
