"""Maps for each medium: text size measured on the drawn SVG, and in Chromium for a slide."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import warnings

import defusedxml.ElementTree as DET
import pytest
from conftest import SAMPLE_LOGS, make_frame

from procmine import EventLog, UsageError, draw_handoff_map, draw_map, handoffs, load, process_map
from procmine.render.html import drawing_svg, notebook_bundle
from procmine.render.maps import process_map_for
from procmine.render.medium import MEDIA, display_scale, preset, svg_size, text_px

NS = "{http://www.w3.org/2000/svg}"
#: What each medium needs, from the brief (independent of the presets): CSS px of the
#: box the drawing is shown in, and the smallest text (9 pt = 12 px at 96 px per inch).
NEEDS = {"slide": (1920, 1080, 32.0), "notebook": (900, None, 12.0),
         "print": (180 / 25.4 * 96, None, 9 * 96 / 72)}


@pytest.fixture(scope="module")
def sample_log():
    sources = SAMPLE_LOGS / "sources.toml"
    if not sources.exists():
        pytest.skip("sample_logs/ is absent")
    return load(sources)


def _measured(svg: str, medium: str) -> float:
    """Smallest font size x (shown width / viewBox width), computed here from the SVG alone."""
    root = DET.fromstring(svg.encode())
    view = [float(v) for v in root.get("viewBox").split()]
    natural_w = float(root.get("width").removesuffix("pt")) * 96 / 72
    box_w, box_h, _ = NEEDS[medium]
    shown_w = min(box_w, view[2] * box_h / view[3]) if box_h else min(box_w, natural_w)
    sizes = [float(t.get("font-size")) for t in root.iter(f"{NS}text") if t.get("font-size")]
    return min(sizes) * shown_w / view[2]


def test_presets_are_the_media_of_the_brief():
    assert MEDIA == ("notebook", "slide", "print")
    for medium, (width, height, smallest) in NEEDS.items():
        spec = preset(medium)
        assert spec.width_px == pytest.approx(width, abs=0.5)
        assert spec.min_text_px == pytest.approx(smallest)
        if height:
            assert spec.height_px == height
    assert preset("slide").max_activities == 15
    with pytest.raises(UsageError, match="medium: unknown value 'poster'"):
        preset("poster")
    with pytest.raises(UsageError, match="medium"):
        draw_map(process_map(EventLog.from_frame(make_frame([("o", "a", "2024-01-01")]))),
                 medium="poster")


def test_text_px_reads_viewbox_and_font_sizes():
    svg = ('<svg width="1920pt" height="540pt" viewBox="0.00 0.00 1920.00 540.00">'
           '<text font-size="40.00">a</text><text font-size="64.00">b</text></svg>')
    assert svg_size(svg) == (1920.0, 540.0, 2560.0, 720.0)
    assert text_px(svg, "slide") == pytest.approx(40.0)  # shown 1920 px wide: scale 1
    assert display_scale(svg, "notebook") == pytest.approx(900 / 1920)
    assert text_px(svg, "notebook") == pytest.approx(40 * 900 / 1920)
    small = '<svg width="90pt" height="90pt" viewBox="0 0 90 90"><text font-size="9"/></svg>'
    assert text_px(small, "print") == pytest.approx(12.0)  # never enlarged: 9 pt is 12 px
    assert text_px(small, "slide") == pytest.approx(9 * 1080 / 90)  # a slide fills the screen


@pytest.mark.parametrize("medium", MEDIA)
def test_a_map_drawn_from_the_sample_log_meets_the_medium_text_size(sample_log, medium):
    graph = draw_map(sample_log, medium=medium)
    svg = drawing_svg(graph)
    smallest = NEEDS[medium][2]
    assert _measured(svg, medium) >= smallest
    assert text_px(svg, medium) == pytest.approx(_measured(svg, medium), rel=1e-6)
    shown = graph.process_map
    assert len(shown.nodes) <= preset(medium).max_activities
    # the subtitle states the share of events the shown activities cover, counted here
    share = shown.nodes["count"].sum() / sample_log.n_events
    text = " ".join(" ".join(DET.fromstring(svg.encode()).itertext()).split())
    assert f"showing {len(shown.nodes)} activities ({share:.0%} of events)" in text


def test_a_slide_shows_at_most_15_activities_by_coverage(sample_log):
    pmap = process_map_for(sample_log, medium="slide")
    counts = sample_log.events["activity"].value_counts()
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
    assert sorted(pmap.activities) == sorted(name for name, _ in top)
    assert len(process_map_for(sample_log, medium="notebook").nodes) == 20


def test_department_map_on_a_slide_is_simplified_and_says_so(sample_log):
    table = handoffs(sample_log, level="department").table
    assert len(table) > 20
    svg = drawing_svg(draw_handoff_map(table, medium="slide"))
    text = " ".join(" ".join(DET.fromstring(svg.encode()).itertext()).split())
    kept = re.search(r"showing (\d+) routes \((\d+)% of handoffs\)", text)
    assert kept is not None
    assert int(kept.group(1)) < len(table)
    assert text_px(drawing_svg(draw_handoff_map(table, medium="slide")), "slide") >= 32
    every = drawing_svg(draw_handoff_map(table, medium="notebook", paths=1.0))
    assert "showing" not in " ".join(DET.fromstring(every.encode()).itertext())
    for medium in ("notebook", "print"):
        drawn = drawing_svg(draw_handoff_map(table, medium=medium))
        assert _measured(drawn, medium) >= NEEDS[medium][2]


def test_notebook_display_fits_the_cell_and_carries_a_png(sample_log):
    pmap = process_map(sample_log)
    bundle = notebook_bundle(draw_map(pmap, medium="notebook"))
    png = base64.b64decode(bundle["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    shown = bundle["text/html"]
    assert "max-width:100%" in shown and "<svg" not in shown  # untrusted-safe
    assert "data:image/png;base64," + bundle["image/png"] in shown
    # ProcessMap's own display is the notebook drawing: 30 activities still 12 px at 900 px
    assert "data:image/png;base64," in pmap._repr_html_()
    assert len(pmap.nodes) == 30
    assert _measured(drawing_svg(draw_map(pmap, medium="notebook")), "notebook") >= 12


def test_medium_changes_the_fonts_written_to_graphviz():
    log = EventLog.from_frame(make_frame([("o", "Enter order", "2024-01-01 09:00", "a", "Sales"),
                                          ("o", "Pick", "2024-01-01 10:00", "b", "Warehouse")]))
    pmap = process_map(log)
    for medium in MEDIA:
        assert f'fontsize={preset(medium).font:.0f}' in draw_map(pmap, medium=medium).source


def _chromium() -> str:
    path = shutil.which("chromium") or ("/usr/bin/chromium" if shutil.os.path.exists(
        "/usr/bin/chromium") else None)
    if not path:
        pytest.skip("headless Chromium is not installed")
    return path


_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
html,body{{margin:0;padding:0;width:1920px;height:1080px;overflow:hidden;background:#fff}}
#map svg{{width:1920px;height:1080px;display:block}}</style></head>
<body><div id="map">{svg}</div><pre id="out"></pre><script>
const svg = document.querySelector('#map svg');
const box = svg.getBoundingClientRect();
const vb = svg.viewBox.baseVal;
const scale = Math.min(box.width / vb.width, box.height / vb.height);
const texts = [...svg.querySelectorAll('text')];
const sizes = texts.map(t => parseFloat(t.getAttribute('font-size')) * scale);
const heights = texts.filter(t => t.textContent.trim().length > 0)
  .map(t => t.getBoundingClientRect().height);
document.getElementById('out').textContent = JSON.stringify({{
  scale: scale, min_font_px: Math.min(...sizes), min_box_px: Math.min(...heights),
  n: texts.length, width: box.width, height: box.height}});
</script></body></html>"""


def test_slide_map_text_measured_in_headless_chromium(sample_log, tmp_path):
    chromium = _chromium()
    svg = drawing_svg(draw_map(sample_log, medium="slide"))
    svg = re.sub(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>", "", svg)
    page = tmp_path / "slide.html"
    page.write_text(_PAGE.format(svg=svg), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        done = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={tmp_path / 'chr-h6'}",
             "--window-size=1920,1080", "--virtual-time-budget=3000", "--dump-dom",
             page.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    found = re.search(r'<pre id="out">(.*?)</pre>', done.stdout, re.DOTALL)
    assert found and found.group(1), done.stderr[-2000:]
    measured = json.loads(found.group(1).replace("&quot;", '"'))
    assert measured["n"] > 20
    assert measured["min_font_px"] >= 32.0, measured
    # the rendered glyph boxes (ascent + descent) are at least as tall as the font size
    assert measured["min_box_px"] >= 32.0, measured


def test_as_is_to_be_of_a_projection_on_a_slide(sample_log):
    from procmine import Move, project
    from procmine.render import draw_projection

    projection = project(sample_log, [Move("Enter order", "Sales", "customer_self_service")])
    pair = draw_projection(projection, medium="slide")
    before, after = drawing_svg(pair.before), drawing_svg(pair.after)
    assert _measured(before, "slide") >= 32 and _measured(after, "slide") >= 32
    shown = pair.layout.activities
    assert "Enter order" in shown and len(shown) <= 15  # the changed step is always shown
    text = " ".join(" ".join(DET.fromstring(after.encode()).itertext()).split())
    assert f"{sample_log.n_events:,} events" in text  # the whole log's counts
    assert "[moved from Sales]" in text
    assert [row[0] for row in pair.figures][:1] == ["Handoffs"]


def test_a_moved_step_fits_its_box_in_both_views_no_graphviz_warning(sample_log):
    """Every node of a fixed-position drawing is laid out large enough for each view's label:
    neato -n2 says nothing (it warned "size too small for label" on the to-be when the as-is
    note, longer by count of characters, was narrower on its first line)."""
    import subprocess

    from procmine import Move, project
    from procmine.render import draw_projection
    from procmine.render.maps import MIN_PAIR_ACTIVITIES, PAIR_PATHS

    for move in (Move("Register carrier hand-over", "Shipping", "carrier_api"),
                 Move("Enter order", "Sales", "customer_self_service")):
        pair = draw_projection(project(sample_log, [move]), medium="slide", figures=False,
                               min_activities=MIN_PAIR_ACTIVITIES, paths=PAIR_PATHS)
        assert pair.before.positioned
        for graph in (pair.before, pair.after):
            run = subprocess.run(["neato", "-n2", "-Tsvg"], input=graph.source.encode(),
                                 capture_output=True, check=True)
            assert run.stderr.decode() == "", (move.activity, graph.name)
