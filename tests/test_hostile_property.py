"""Property-based: CSVs of random hostile strings never crash, always add up, always give
well-formed outputs (hypothesis)."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from procmine.cli import main  # noqa: E402
from procmine.io.xmlchars import FORBIDDEN  # noqa: E402

HEADER = ["case", "act", "ts", "res", "dep", "note"]
MAP = ["--case-id", "case", "--activity", "act", "--timestamp", "ts", "--resource", "res",
       "--department", "dep"]

_HOSTILE = [*"\x00\x01\x08\x0b\x0c\x1b\x7f\x85\r\n\t\"',;|=+-@<>&\\ ",
    "\u2028", "\ufeff", "\u202e", "\ufffe", "é", "中", "\U0001F600", "<script>", "]]>",
    "&amp;", "N/A", "NULL", "-", "%s", "{0}", "\\n"]
_PLAIN = st.characters(blacklist_categories=("Cs", "Cc"))
_PIECES = st.one_of(_PLAIN, _PLAIN, st.sampled_from(_HOSTILE),
                    st.characters(blacklist_categories=("Cs",)))
_SHORT = st.lists(_PIECES, max_size=12).map("".join)
_TEXT = st.one_of(
    _SHORT,
    st.builds(lambda p, t: p + t, st.sampled_from(["=", "+", "-", "@"]), _SHORT),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", "\x1b", "é", ","]),
              st.integers(1000, 5000)),  # very long
)
_WORDS = st.sampled_from(["Enter order", "Pick", "Ship", "Invoice", "Sales", "Warehouse"])
_CASE = st.one_of(st.sampled_from(["o1", "o2", "7", "o3"]), _TEXT)
_WHEN = st.datetimes(min_value=dt.datetime(2023, 1, 1), max_value=dt.datetime(2024, 12, 31)
                     ).map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S"))
_TIME = st.one_of(_WHEN, _WHEN, _WHEN, _TEXT)  # mostly valid: a wholly bad column is refused
_ROW = st.tuples(_CASE, st.one_of(_WORDS, _WORDS, _TEXT), _TIME, st.one_of(_WORDS, _TEXT),
                 st.one_of(_WORDS, _TEXT), _TEXT)
_ROWS = st.lists(_ROW, min_size=1, max_size=10)
_SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow,
                                            HealthCheck.function_scoped_fixture])


_PAD = [(f"p{k % 40}", ("Enter order", "Pick", "Ship")[k % 3],
         f"2024-03-{1 + k % 28:02d} {8 + k % 3:02d}:00:00", f"clerk{k % 3}",
         ("Sales", "Warehouse", "Shipping")[k % 3], "a plain note to pad the head of the file")
        for k in range(800)]  # > 64 KiB: the hostile rows come after the head procmine sniffs


def _write(folder: Path, rows: list[tuple[str, ...]], *, pad: bool = False) -> Path:
    path = folder / "hostile.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        if pad:
            writer.writerows(_PAD)
        writer.writerows(rows)
    if pad:
        assert path.stat().st_size - sum(len(",".join(r)) + 2 for r in rows) > 65536
    return path


def _records(path: Path) -> int:
    """An independent count of the data rows: records after the header, blank lines aside."""
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for record in csv.reader(handle) if record) - 1


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)  # raising here (a traceback) fails the property
    return code, out.getvalue(), err.getvalue()


def _check_failure(code: int, err: str) -> None:
    assert code in (1, 2), err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("procmine: error: "), err
    assert "Traceback" not in err


def _numbers(line: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"(?<!\S)[\d,]+(?!\S)", line)]


@given(rows=_ROWS, pad=st.booleans())
@_SETTINGS
def test_validate_never_raises_and_accounts_for_every_row(rows, pad):
    with tempfile.TemporaryDirectory() as folder:
        path = _write(Path(folder), rows, pad=pad)
        code, out, err = _cli(["validate", str(path), *MAP])
        if code != 0:
            event(f"validate: exit {code} " + re.sub(r"[^a-z ]", "", err.split(":", 3)[-1])[:40])
            _check_failure(code, err)
            return
        event("validate: loaded")
        read, loaded, rejected, _events = _numbers(out.splitlines()[1])[-4:]
        assert read == loaded + rejected
        assert read == _records(path)


class _Text(HTMLParser):
    pass


@given(rows=st.lists(_ROW, min_size=2, max_size=8), pad=st.booleans())
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
def test_report_outputs_of_loadable_hostile_logs_parse(rows, pad):
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = _write(folder, rows, pad=pad)
        out = folder / "report"
        code, _, err = _cli(["report", str(path), "--out", str(out), *MAP, "-q"])
        event(f"report: exit {code}" + (" (padded)" if pad else ""))
        if code != 0:
            _check_failure(code, err)
            assert not (out / "report.html").exists()
            return
        for svg in (out / "maps").glob("*.svg"):
            text = svg.read_text(encoding="utf-8")
            assert FORBIDDEN.search(text) is None, svg.name
            ET.fromstring(text.encode("utf-8"))
        html = (out / "report.html").read_text(encoding="utf-8")
        assert FORBIDDEN.search(html) is None
        parser = _Text()
        parser.feed(html)
        parser.close()
        for inline in re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL):
            ET.fromstring(inline.encode("utf-8"))


@given(rows=_ROWS, pad=st.booleans())
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
def test_xes_and_ocel_of_loadable_hostile_logs_parse(rows, pad):
    from procmine.errors import ProcmineError
    from procmine.io.writers import write_ocel, write_xes
    from procmine.log.load import load

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = _write(folder, rows, pad=pad)
        try:
            log = load(path, case_id="case", activity="act", timestamp="ts", resource="res",
                       department="dep")
        except ProcmineError:
            event("xes: not loadable")
            return
        if log.n_events == 0:
            return
        event("xes: written")
        ET.parse(write_xes(log, folder / "out.xes"))
        ET.parse(write_ocel(log, folder / "out.xml"))
