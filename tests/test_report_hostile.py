"""Hostile names: escaped in the HTML and maps, neutralised in every CSV."""

from __future__ import annotations

import csv
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from procmine import EventLog, InformationItem
from procmine.report import build_report, write_report

SCRIPT = "<script>alert(1)</script>"
QUOTES = "\"quotes'"
CMD = "=cmd|' /C calc'!A0"
PLUS = "+1"
AT = "@SUM(1)"
HOSTILE = (SCRIPT, QUOTES, CMD, PLUS, AT)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    """Report of a log whose activities, resources, departments and values are hostile."""
    activities = [f"Enter {SCRIPT}", QUOTES, CMD, PLUS, AT]
    departments = [SCRIPT, "Sales", CMD, AT, QUOTES]
    resources = [CMD, SCRIPT, PLUS, QUOTES, AT]
    rows = []
    for k in range(6):
        case = f"{CMD}{k}" if k % 2 else f"{SCRIPT}{k}"
        for i, activity in enumerate(activities):
            rows.append({
                "case_id": case,
                "activity": activity,
                "timestamp": pd.Timestamp("2024-01-01", tz="UTC")
                + pd.Timedelta(days=k * 3, hours=i * (k + 1)),
                "resource": resources[i],
                "department": departments[(i + k) % len(departments)],
                # a customer-owned item re-keyed by other departments, sometimes differently
                AT: [SCRIPT, CMD, SCRIPT if k % 3 else PLUS, None, QUOTES][i],
            })
    frame = pd.DataFrame(rows)
    log = EventLog.from_frame(frame, name=f"hostile {SCRIPT}",
                              items=[InformationItem(AT, "customer")])
    folder = tmp_path_factory.mktemp("hostile")
    write_report(build_report(log), folder)
    return folder


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += attrs


def test_html_has_no_raw_script_and_shows_names_escaped(out):
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # attribute-safe escaping of both quotes (Jinja2/markupsafe writes ' as &#39;)
    assert "&quot;quotes&#39;" in page
    assert "=cmd|&#39; /C calc&#39;!A0" in page
    parser = _Elements()
    parser.feed(page)
    assert "script" not in parser.tags
    assert not [name for name, _ in parser.attributes if name.lower().startswith("on")]
    links = [v for name, v in parser.attributes if name in ("src", "href", "xlink:href") and v]
    assert all(v.startswith("#") for v in links), links


def test_maps_escape_hostile_labels(out):
    for svg in sorted((out / "maps").glob("*.svg")):
        text = svg.read_text(encoding="utf-8")
        assert "<script" not in text.lower(), svg.name
        assert "alert(1)</script>" not in text, svg.name
    process = (out / "maps" / "process.svg").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in process


def test_every_csv_cell_is_neutralised(out):
    seen: set[str] = set()
    for path in sorted((out / "tables").glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    if cell.startswith(FORMULA_START):
                        # only numbers may start with a sign
                        float(cell)
                    seen.add(cell)
    # the hostile names reach the tables, with a leading apostrophe
    assert "'" + CMD in seen
    assert "'" + PLUS in seen
    assert "'" + AT in seen
    assert any(SCRIPT in cell for cell in seen)  # plain text: harmless in a CSV


def test_summary_json_is_valid_with_hostile_names(out):
    import json

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["log"]["events"] == 30
    assert summary["sources"][0]["source"] == f"hostile {SCRIPT}"
