"""Inline-SVG charts, HTML tables and SVG sanitising for the report."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pandas as pd

from procmine.render.charts import OKABE_ITO, html_table, line_chart, message_svg, sanitize_svg

NS = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_line_chart_is_valid_accessible_svg():
    root = _parse(line_chart(["a", "b", "c"], {"x": [1.0, 2.0, 3.0]}, title="T <1>",
                             y_label="hours"))
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img" and root.get("aria-label") == "T <1>"
    assert root.find(f"{NS}title").text == "T <1>"
    assert "between 1 and 3 hours" in root.find(f"{NS}desc").text


def test_missing_values_break_the_line_and_get_no_marker():
    root = _parse(line_chart(list("abcde"), {"x": [1, 2, math.nan, 4, 5]}, title="t"))
    lines = root.findall(f"{NS}polyline")
    assert [len(line.get("points").split()) for line in lines] == [2, 2]
    assert len(root.findall(f"{NS}circle")) == 4  # one marker per known value


def test_series_differ_in_colour_and_marker_shape():
    root = _parse(line_chart(["a", "b"], {"one": [1, 2], "two": [2, 1]}, title="t"))
    colours = {line.get("stroke") for line in root.findall(f"{NS}polyline")}
    assert colours == set(OKABE_ITO[:2])
    assert root.findall(f"{NS}circle") and root.findall(f"{NS}rect")  # circle vs square


def test_empty_chart_says_no_data():
    assert "no data" in line_chart([], {"x": []}, title="t")


def test_html_table_escapes_and_truncates():
    frame = pd.DataFrame({"<th>": ["<script>x</script>", "b", "c"], "n": [1, 2, 3]})
    table = html_table(frame, max_rows=2)
    assert "<script>" not in table and "&lt;script&gt;" in table and "&lt;th&gt;" in table
    assert table.count("<tr>") == 3  # header + 2 rows
    assert "1 more row(s)" in table


def test_sanitize_svg_removes_active_content_and_external_links():
    dirty = ('<?xml version="1.0"?><!DOCTYPE svg><svg><script>bad()</script>'
             '<SCRIPT type="x">also()</SCRIPT><foreignObject><p>x</p></foreignObject>'
             '<a xlink:href="https://example.org/x"><text onclick="bad()">t</text></a>'
             '<use href="#keep"/><image href="http://example.org/i.png"/></svg>')
    clean = sanitize_svg(dirty)
    for gone in ("<script", "<SCRIPT", "foreignObject", "onclick", "example.org", "<?xml",
                 "DOCTYPE"):
        assert gone not in clean
    assert 'href="#keep"' in clean


def test_message_svg_is_valid_and_escaped():
    root = _parse(message_svg("Map", "no <departments> & no handoffs " * 5))
    assert root.find(f"{NS}title").text == "Map"
    assert len(root.findall(f"{NS}text")) >= 3  # title plus wrapped lines
