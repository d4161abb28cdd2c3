"""Drawing maps: well-formed SVG naming every kept activity, escaped labels, projector style."""

from __future__ import annotations

import re
import warnings

import defusedxml.ElementTree as DET
import pandas as pd
import pytest
from conftest import make_frame

from procmine import (
    EventLog,
    ProcmineError,
    ProcmineWarning,
    UsageError,
    draw_as_is_to_be,
    draw_handoff_map,
    draw_map,
    process_map,
)
from procmine.render import _dot, save

NS = "{http://www.w3.org/2000/svg}"

ROWS = [
    ("o1", "Enter order", "2024-01-01 09:00", "ann", "Sales"),
    ("o1", "Check credit", "2024-01-01 10:00", "bob", "Credit"),
    ("o1", "Pick", "2024-01-01 12:00", "cy", "Warehouse"),
    ("o1", "Pack", "2024-01-01 13:00", "cy", "Warehouse"),
    ("o2", "Enter order", "2024-01-02 09:00", "ann", "Sales"),
    ("o2", "Pick", "2024-01-02 11:00", "cy", "Warehouse"),
    ("o2", "Pack", "2024-01-02 11:30", "cy", "Warehouse"),
]
HOSTILE = ["<script>alert(1)</script>", 'say "hi" {x}', "back\\slash \\n \\N", "a & b ]]>",
           "<b>bold</b>"]


def _log(rows=ROWS, name="tiny"):
    return EventLog.from_frame(make_frame(rows), name=name)


def _svg(graph) -> str:
    return graph.pipe(format="svg", encoding="utf-8")


def _groups(root, cls):
    return [g for g in root.iter(f"{NS}g") if g.get("class") == cls]


def _texts(group) -> str:
    return " ".join(t.text or "" for t in group.iter(f"{NS}text"))


def _bbox(group):
    numbers = []
    for el in group:
        if el.tag in (f"{NS}path", f"{NS}polygon"):
            raw = el.get("d") or el.get("points")
            numbers += [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", raw)]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def test_svg_is_well_formed_and_names_every_kept_activity():
    pmap = process_map(_log())
    root = DET.fromstring(_svg(draw_map(pmap)).encode())
    node_texts = [" ".join(_texts(g).split()) for g in _groups(root, "node")]
    for activity, count in [("Enter order", 2), ("Check credit", 1), ("Pick", 2), ("Pack", 2)]:
        assert f"{activity} {count}" in node_texts
    assert any("start" in t for t in node_texts) and any("end" in t for t in node_texts)


def test_title_gives_the_counts_and_legend_is_present():
    svg = _svg(draw_map(process_map(_log()), title="Orders Q1"))
    text = " ".join(DET.fromstring(svg.encode()).itertext())
    assert "Orders Q1" in text
    assert "7 events · 2 cases · 4 activities · 4 paths" in text
    assert "Legend" in text and "handoff" in text


def test_fonts_are_large_enough_for_a_projector():
    root = DET.fromstring(_svg(draw_map(process_map(_log()))).encode())
    sizes = [float(t.get("font-size")) for t in root.iter(f"{NS}text") if t.get("font-size")]
    assert sizes and min(sizes) >= 16
    assert 'rankdir=LR' in draw_map(process_map(_log())).source


def _lane_boxes(root):
    """(label, bbox) of every drawn cluster (the invisible row groups draw nothing)."""
    return [(" ".join(_texts(g).split()), _bbox(g)) for g in _groups(root, "cluster")
            if g.find(f"{NS}path") is not None or g.find(f"{NS}polygon") is not None]


@pytest.mark.parametrize("fit", ["none", "projector"])
def test_activities_sit_inside_their_department_swimlane(fit):
    pmap = process_map(_log())
    root = DET.fromstring(_svg(draw_map(pmap, fit=fit)).encode())
    lanes = _lane_boxes(root)
    assert {"Sales", "Credit", "Warehouse"} <= {label for label, _ in lanes}
    expected = {"Enter order": "Sales", "Check credit": "Credit", "Pick": "Warehouse",
                "Pack": "Warehouse"}
    seen = set()
    for g in _groups(root, "node"):
        label = " ".join(_texts(g).split()).rsplit(" ", 1)[0]
        if label in expected:
            x0, y0, x1, y1 = _bbox(g)
            assert any(lx0 <= x0 and x1 <= lx1 and ly0 <= y0 and y1 <= ly1
                       for name, (lx0, ly0, lx1, ly1) in lanes if name == expected[label]), label
            seen.add(label)
    assert seen == set(expected)


def test_handoffs_are_dashed_vermillion_and_others_are_not():
    pmap = process_map(_log())
    root = DET.fromstring(_svg(draw_map(pmap, measure="frequency")).encode())
    edges = {g.find(f"{NS}title").text: g for g in _groups(root, "edge")}
    ids = {a: f"a{i}" for i, a in enumerate(pmap.nodes["activity"])}

    def path(a, b):
        return edges[f"{ids[a]}->{ids[b]}"].find(f"{NS}path")

    assert path("Enter order", "Pick").get("stroke") == "#d55e00"  # Sales -> Warehouse
    assert path("Enter order", "Pick").get("stroke-dasharray")
    assert path("Pick", "Pack").get("stroke") != "#d55e00"  # within Warehouse
    assert not path("Pick", "Pack").get("stroke-dasharray")
    plain = draw_map(pmap, handoffs=False).source
    assert "dashed" not in plain


def test_performance_labels_show_median_wait():
    svg = _svg(draw_map(process_map(_log()), measure="performance"))
    text = " ".join(DET.fromstring(svg.encode()).itertext())
    # Enter order -> Pick waited 2 h (o2); Pick -> Pack 1 h and 30 min: median 45 min
    assert "2.0 h" in text and "45 min" in text


def test_unknown_measure_is_usage_error():
    with pytest.raises(UsageError, match="measure"):
        draw_map(process_map(_log()), measure="speed")
    with pytest.raises(UsageError, match="measure"):
        draw_handoff_map(pd.DataFrame(columns=["source", "target", "count", "median_wait_s",
                                               "p90_wait_s"]), measure="frequency")


def test_hostile_labels_are_escaped_everywhere(tmp_path):
    rows = [("o1", a, f"2024-01-01 0{i}:00", None, d)
            for i, (a, d) in enumerate(zip(HOSTILE, ["<Sales>", 'Cr"edit', "W{h}", "a&b", "x"],
                                           strict=True))]
    pmap = process_map(_log(rows, name="<evil> & co"))
    graph = draw_map(pmap, title='<img src=x onerror="y">')
    svg = _svg(graph)
    root = DET.fromstring(svg.encode())
    assert not [el for el in root.iter() if el.tag.endswith("script") or el.tag.endswith("img")]
    text = " ".join(root.itertext())
    for activity in HOSTILE:
        assert activity in " ".join(text.split()) or all(w in text for w in activity.split())
    for department in ["<Sales>", 'Cr"edit', "W{h}", "a&b"]:
        assert department in text
    assert '<img src=x onerror="y">' in text
    save(graph, tmp_path / "m.html", format="html")
    page = (tmp_path / "m.html").read_text()
    assert "<script" not in page and "<img" not in page and "&lt;script&gt;" in page


def test_save_writes_the_format_asked_for_not_the_suffix(tmp_path):
    graph = draw_map(process_map(_log()))
    save(graph, tmp_path / "a.png", format="svg")
    assert DET.fromstring((tmp_path / "a.png").read_bytes()).tag == f"{NS}svg"
    save(graph, tmp_path / "b.svg", format="png")
    assert (tmp_path / "b.svg").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    save(graph, tmp_path / "c", format="pdf")
    assert (tmp_path / "c").read_bytes()[:5] == b"%PDF-"
    save(process_map(_log()), tmp_path / "d.html", format="html")
    page = (tmp_path / "d.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert not re.search(r"(src|href)=['\"]?https?:", page)
    with pytest.raises(UsageError, match="format"):
        save(graph, tmp_path / "e.svg", format="jpg")


def test_process_map_displays_itself_in_jupyter():
    shown = process_map(_log())._repr_html_()
    # a PNG inside an <img>, fitted to the cell: an untrusted notebook (which strips <svg>)
    # still shows the picture
    assert "data:image/png;base64," in shown and "max-width:100%" in shown
    assert "<svg" not in shown


def test_empty_map_draws():
    frame = pd.DataFrame({"case_id": pd.Series([], dtype="str"),
                          "activity": pd.Series([], dtype="str"),
                          "timestamp": pd.Series([], dtype="datetime64[us, UTC]")})
    svg = _svg(draw_map(process_map(EventLog.from_frame(frame, name="empty"))))
    assert "0 events" in " ".join(DET.fromstring(svg.encode()).itertext())


# -- no dot --------------------------------------------------------------------------------
@pytest.fixture
def no_dot(monkeypatch):
    monkeypatch.setattr(_dot.shutil, "which", lambda name: None)
    monkeypatch.setattr(_dot, "_warned", False)


def test_without_dot_warns_once_and_falls_back(no_dot, tmp_path):
    pmap = process_map(_log())
    with pytest.warns(ProcmineWarning, match="dot") as caught:
        save(draw_map(pmap), tmp_path / "a.svg", format="svg")
        save(pmap, tmp_path / "b.html", format="html")
    assert len([w for w in caught if issubclass(w.category, ProcmineWarning)]) == 1
    root = DET.fromstring((tmp_path / "a.svg").read_bytes())
    text = " ".join(root.itertext())
    for activity in ["Enter order", "Check credit", "Pick", "Pack"]:
        assert activity in text
    assert "Enter order" in (tmp_path / "b.html").read_text()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ProcmineError, match="dot"):
            save(pmap, tmp_path / "c.png", format="png")


def test_fallback_escapes_hostile_labels(no_dot, tmp_path):
    rows = [("o1", a, f"2024-01-01 0{i}:00") for i, a in enumerate(HOSTILE)]
    with pytest.warns(ProcmineWarning):
        save(process_map(_log(rows)), tmp_path / "m.svg", format="svg")
    root = DET.fromstring((tmp_path / "m.svg").read_bytes())
    assert not [el for el in root.iter() if el.tag.endswith("script")]
    assert "<script>alert(1)</script>" in " ".join(root.itertext())


# -- handoff map ------------------------------------------------------------------------------
HANDOFFS = pd.DataFrame({
    "source": ["Customer", "Sales", "Warehouse", "Supplier", "Warehouse"],
    "target": ["Sales", "Warehouse", "Carrier", "Warehouse", "Sales"],
    "count": [40, 35, 30, 5, 2],
    "cases": [40, 35, 30, 5, 2],
    "median_wait_s": [600.0, 7200.0, 86400.0 * 3, 3600.0, 60.0],
    "p90_wait_s": [900.0, 9000.0, 86400.0 * 5, 7200.0, 60.0],
    "cost": [1.0, 2.0, 3.0, 4.0, 5.0],
})


def test_handoff_map_draws_parties_with_their_own_shapes():
    root = DET.fromstring(_svg(draw_handoff_map(HANDOFFS)).encode())
    shapes = {}
    for g in _groups(root, "node"):
        name = _texts(g).split(" ")[0]
        shapes[name] = {child.tag.replace(NS, "") for child in g} - {"title", "text"}
    assert shapes["Customer"] == {"ellipse"}
    assert shapes["Supplier"] == {"polygon"} and shapes["Carrier"] == {"polygon"}
    assert shapes["Sales"] == {"path"}  # rounded box
    text = " ".join(root.itertext())
    assert "40×" in text and "2×" in text
    assert "172 handoffs on 5 routes" not in text  # the sum is 112
    assert "112 handoffs on 5 routes" in text


def test_customer_service_is_a_department_not_the_customer():
    table = HANDOFFS.assign(source=HANDOFFS["source"].replace({"Customer": "Customer Service"}))
    root = DET.fromstring(_svg(draw_handoff_map(table)).encode())
    for g in _groups(root, "node"):
        if _texts(g).startswith("Customer Service"):
            assert not [c for c in g if c.tag == f"{NS}ellipse"]
            assert "(customer)" not in _texts(g)
    parties = {"Sales": "customer"}
    root = DET.fromstring(_svg(draw_handoff_map(HANDOFFS, parties=parties)).encode())
    sales = next(g for g in _groups(root, "node") if _texts(g).startswith("Sales"))
    assert sales.find(f"{NS}ellipse") is not None


def test_department_level_actors_customer_supplier_carrier_are_drawn_as_parties():
    # the names come from the one actor definition: an outside party's event with no
    # department is that party ("customer", lower case) at department level
    from procmine.log.actors import actor_codes, case_codes, handoff_positions

    frame = make_frame([
        ("o1", "Order online", "2024-01-01 09:00", None, None),
        ("o1", "Confirm", "2024-01-01 10:00", "ann", "Sales"),
        ("o1", "Order stock", "2024-01-01 11:00", "bob", "Purchasing"),
        ("o1", "Deliver stock", "2024-01-02 11:00", None, None),
        ("o1", "Ship", "2024-01-03 11:00", "cy", "Warehouse"),
        ("o1", "Deliver", "2024-01-04 11:00", None, None),
    ])
    frame["party"] = ["customer", "internal", "internal", "supplier", "internal", "carrier"]
    events = EventLog.from_frame(frame).events
    codes, names = actor_codes(events, "department")
    src, tgt = handoff_positions(case_codes(events), codes)
    table = pd.DataFrame({"source": names[codes[src]], "target": names[codes[tgt]],
                          "count": 1, "median_wait_s": 60.0, "p90_wait_s": 60.0})
    assert {"customer", "supplier", "carrier"} <= set(table["source"]) | set(table["target"])
    graph = draw_handoff_map(table)
    legend = " ".join(text for _, _, text in graph.drawing.legend)
    for party in ("customer (oval)", "supplier (hexagon)", "carrier (arrow-shaped box)"):
        assert party in legend
    root = DET.fromstring(_svg(graph).encode())
    by_name = {_texts(g).split(" ")[0]: g for g in _groups(root, "node")}
    assert by_name["customer"].find(f"{NS}ellipse") is not None
    # a node named as its party says it is outside (not "carrier (carrier)")
    assert "(outside)" in _texts(by_name["customer"]) and "(customer)" not in _texts(
        by_name["customer"])
    assert "(outside)" in _texts(by_name["supplier"]) and "(outside)" in _texts(by_name["carrier"])
    assert by_name["Sales"].find(f"{NS}ellipse") is None and "(" not in _texts(by_name["Sales"])


def test_outside_parties_get_dashed_lanes_in_the_process_map():
    frame = make_frame([("o1", "Order online", "2024-01-01 09:00", None, None),
                        ("o1", "Confirm", "2024-01-01 10:00", "ann", "Sales")])
    frame["party"] = ["customer", "internal"]
    root = DET.fromstring(_svg(draw_map(process_map(EventLog.from_frame(frame)))).encode())
    lanes = {" ".join(_texts(g).split()): g for g in _groups(root, "cluster")
             if _texts(g).strip()}
    assert "Customer (outside)" in lanes and "Sales" in lanes
    outline = lanes["Customer (outside)"].find(f"{NS}path")
    assert outline.get("stroke-dasharray")


def test_handoff_map_by_wait_labels_median_and_p90():
    root = DET.fromstring(_svg(draw_handoff_map(HANDOFFS, measure="wait")).encode())
    text = " ".join(root.itertext())
    assert "median 3.0 d · p90 5.0 d" in text and "median 2.0 h · p90 2.5 h" in text


def test_handoff_map_needs_the_table_columns():
    with pytest.raises(UsageError, match="p90_wait_s"):
        draw_handoff_map(HANDOFFS.drop(columns=["p90_wait_s"]))


# -- as-is / to-be ----------------------------------------------------------------------------
def _centres(svg: str) -> dict[str, tuple[float, float]]:
    root = DET.fromstring(svg.encode())
    out = {}
    for g in _groups(root, "node"):
        x0, y0, x1, y1 = _bbox(g) if g.find(f"{NS}path") is not None or g.find(
            f"{NS}polygon") is not None else (0, 0, 0, 0)
        out[g.find(f"{NS}title").text] = ((x0 + x1) / 2, (y0 + y1) / 2)
    return out


def test_as_is_to_be_keeps_node_positions_and_hides_absent_ones(tmp_path):
    before = process_map(_log())
    after_rows = [r for r in ROWS if r[1] != "Check credit"] + [
        ("o3", "Enter order", "2024-01-03 09:00", "ann", "Sales"),
        ("o3", "Pick", "2024-01-03 09:05", "cy", "Warehouse"),
        ("o3", "Pack", "2024-01-03 09:10", "cy", "Warehouse")]
    after = process_map(_log(after_rows, name="to-be"))
    pair = draw_as_is_to_be(before, after)
    svg_before, svg_after = _svg(pair.before), _svg(pair.after)
    a, b = _centres(svg_before), _centres(svg_after)
    shared = [k for k in a if k in b and a[k] != (0, 0)]
    assert len(shared) >= 3
    for key in shared:
        assert a[key] == pytest.approx(b[key], abs=2.0), key
    # Check credit is drawn in the as-is map only
    text_before = " ".join(DET.fromstring(svg_before.encode()).itertext())
    text_after = " ".join(DET.fromstring(svg_after.encode()).itertext())
    assert "Check credit" in text_before and "Check credit" not in text_after
    save(pair, tmp_path / "pair.svg", format="svg")
    root = DET.fromstring((tmp_path / "pair.svg").read_bytes())
    assert len(list(root.iter(f"{NS}svg"))) == 3  # the wrapper and the two maps
    save(pair, tmp_path / "pair.html", format="html")
    assert (tmp_path / "pair.html").read_text().count("<svg") == 2
    assert pair.save(tmp_path / "pair.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pair.save(tmp_path / "pair.pdf").read_bytes()[:5] == b"%PDF-"
    with pytest.raises(UsageError, match="suffix"):
        pair.save(tmp_path / "pair.txt")


def test_drawings_display_inline_in_jupyter(no_dot):
    pmap = process_map(_log())
    with pytest.warns(ProcmineWarning):
        bundle = draw_map(pmap)._repr_mimebundle_()
    assert "<svg" in bundle["text/html"] and "Enter order" in bundle["text/html"]


def test_drawings_display_as_svg_with_dot():
    import base64

    bundle = draw_map(process_map(_log()))._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"])[:4] == b"\x89PNG"
    assert "data:image/png;base64," in bundle["text/html"]
    pair = draw_as_is_to_be(process_map(_log()), process_map(_log()))
    assert pair._repr_html_().count("data:image/png;base64,") == 2  # shows untrusted too


def test_as_is_to_be_with_a_step_moved_to_the_customer_keeps_positions():
    before = process_map(_log())
    frame = make_frame(ROWS)
    frame["party"] = ["internal"] * len(frame)
    moved = frame["activity"] == "Enter order"
    frame.loc[moved, "party"] = "customer"
    frame.loc[moved, "department"] = None
    after = process_map(EventLog.from_frame(frame, name="to-be"))
    pair = draw_as_is_to_be(before, after)
    a, b = _centres(_svg(pair.before)), _centres(_svg(pair.after))
    shared = [key for key in a if key in b and a[key] != (0, 0)]
    assert len(shared) >= 4  # the title and the three steps that stay (start, end: ellipses)
    for key in shared:
        assert a[key] == pytest.approx(b[key], abs=2.0), key
    text = " ".join(" ".join(DET.fromstring(_svg(pair.after).encode()).itertext()).split())
    assert "[moved from Sales]" in text
    assert "[moves to Customer (outside)]" in " ".join(" ".join(
        DET.fromstring(_svg(pair.before).encode()).itertext()).split())
    # the moved step is drawn in the customer's lane on the to-be, in Sales on the as-is
    root = DET.fromstring(_svg(pair.after).encode())
    lanes = dict(_lane_boxes(root))
    moved_id = [k for k in b if k.endswith("m")]
    assert moved_id, b.keys()
    x, y = b[moved_id[0]]
    lx0, ly0, lx1, ly1 = lanes["Customer (outside)"]
    assert lx0 <= x <= lx1 and ly0 <= y <= ly1
    x, y = a[moved_id[0][:-1]]
    lx0, ly0, lx1, ly1 = dict(_lane_boxes(DET.fromstring(_svg(pair.before).encode())))["Sales"]
    assert lx0 <= x <= lx1 and ly0 <= y <= ly1


def test_a_dot_failure_falls_back_for_svg_and_is_an_error_for_png(monkeypatch, tmp_path):
    import graphviz

    def broken(self, *args, **kwargs):
        raise graphviz.CalledProcessError(1, ["dot"], stderr="trouble in init_rank")

    monkeypatch.setattr(graphviz.Digraph, "pipe", broken)
    pmap = process_map(_log())
    with pytest.warns(ProcmineWarning, match="init_rank"):
        save(pmap, tmp_path / "m.svg", format="svg")
    assert "Enter order" in " ".join(DET.parse(str(tmp_path / "m.svg")).getroot().itertext())
    with pytest.raises(ProcmineError, match="init_rank"):
        save(pmap, tmp_path / "m.png", format="png")


# -- fitting a slide ----------------------------------------------------------------------------
DEPARTMENTS = ["Sales", "Credit", "Warehouse", "Shipping", "Billing", "Returns"]
CHAIN = [f"Step {k:02d}" for k in range(1, 13)]


def _chain_log(name="chain", skip=()):
    rows = [(case, activity, f"2024-01-0{day} {8 + k:02d}:00", "u", DEPARTMENTS[k // 2])
            for day, case in ((1, "o1"), (2, "o2"))
            for k, activity in enumerate(CHAIN) if activity not in skip]
    return _log(rows, name=name)


def _ratio(svg: str) -> float:
    root = DET.fromstring(svg.encode())
    width, height = (float(root.get(k).removesuffix("pt")) for k in ("width", "height"))
    return width / height


def _node_centres_by_label(svg: str) -> dict[str, tuple[float, float]]:
    root = DET.fromstring(svg.encode())
    out = {}
    for g in _groups(root, "node"):
        shapes = [c for c in g if c.tag in (f"{NS}path", f"{NS}polygon", f"{NS}ellipse")]
        shape = shapes[0] if shapes else None
        if shape is None or not _texts(g).strip():
            continue
        if shape.tag == f"{NS}ellipse":
            centre = (float(shape.get("cx")), float(shape.get("cy")))
        else:
            x0, y0, x1, y1 = _bbox(g)
            centre = ((x0 + x1) / 2, (y0 + y1) / 2)
        out[" ".join(_texts(g).split())] = centre
    return out


def test_a_long_flow_is_folded_into_rows_that_fit_a_slide():
    pmap = process_map(_chain_log())
    strip = _svg(draw_map(pmap, fit="none"))
    assert _ratio(strip) > 4  # twelve steps in a row: far wider than a slide
    folded_graph = draw_map(pmap)
    folded = _svg(folded_graph)
    from procmine.render.medium import text_px

    # folded, its text is much larger on a slide than the strip's
    assert text_px(folded, "slide") > 1.5 * text_px(strip, "slide")
    centres = _node_centres_by_label(folded)
    for activity in CHAIN:
        assert f"{activity} 2" in centres
    # reading order: the first step sits in a higher row than the last, rows run left to right
    first, last = centres["Step 01 2"], centres["Step 12 2"]
    assert first[1] < last[1]
    assert centres["Step 01 2"][0] < centres["Step 02 2"][0]
    sizes = [float(t.get("font-size")) for t in DET.fromstring(folded.encode()).iter(f"{NS}text")
             if t.get("font-size")]
    assert min(sizes) >= 16
    assert "rankdir=LR" in folded_graph.source


def test_top_to_bottom_direction_is_available():
    graph = draw_map(process_map(_chain_log()), direction="TB", fit="none")
    assert "rankdir=TB" in graph.source
    assert _ratio(_svg(graph)) < 1  # one column: taller than wide
    folded = _svg(draw_map(process_map(_chain_log()), direction="TB"))
    assert _ratio(folded) >= 1


def test_unknown_direction_or_fit_is_usage_error():
    pmap = process_map(_log())
    with pytest.raises(UsageError, match="direction"):
        draw_map(pmap, direction="RL")
    with pytest.raises(UsageError, match="fit"):
        draw_map(pmap, fit="slide")
    with pytest.raises(UsageError, match="fit"):
        draw_as_is_to_be(pmap, pmap, fit="slide")
    with pytest.raises(UsageError, match="direction"):
        draw_as_is_to_be(pmap, pmap, direction="BT")


def test_without_dot_maps_are_not_folded_and_still_draw(no_dot, tmp_path):
    graph = draw_map(process_map(_chain_log()))
    assert "cluster_row" not in graph.source
    with pytest.warns(ProcmineWarning):
        save(graph, tmp_path / "m.svg", format="svg")
    text = " ".join(DET.parse(str(tmp_path / "m.svg")).getroot().itertext())
    assert all(activity in text for activity in CHAIN)


def test_as_is_to_be_pair_fits_one_slide_and_keeps_positions(tmp_path):
    before = process_map(_chain_log("as-is"))
    after = process_map(_chain_log("to-be", skip={"Step 05"}))
    pair = draw_as_is_to_be(before, after)
    a, b = _centres(_svg(pair.before)), _centres(_svg(pair.after))
    shared = [k for k in a if k in b and a[k] != (0, 0) and k != "title"]
    assert len(shared) == 11  # every activity but the one the to-be drops (start/end: ellipses)
    for key in shared:
        assert a[key] == pytest.approx(b[key], abs=2.0), key
    save(pair, tmp_path / "pair.svg", format="svg")
    root = DET.fromstring((tmp_path / "pair.svg").read_bytes())
    assert len(list(root.iter(f"{NS}svg"))) == 3
    unfolded = draw_as_is_to_be(before, after, fit="none")
    assert "cluster_row" not in unfolded.before.source


# -- ProcessMap repr ----------------------------------------------------------------------------
def _empty_map(**kw):
    from procmine.discovery.dfg import ProcessMap

    empty = pd.DataFrame({"activity": pd.Series([], dtype="str")})
    return ProcessMap(nodes=empty, edges=pd.DataFrame(), start=empty, end=empty, **kw)


def test_repr_never_rounds_a_partial_coverage_up_to_100_percent():
    shown = repr(_empty_map(name="x", n_activities_total=32, simplified=True,
                            activity_coverage=30 / 31 + 0.03, path_coverage=0.996))
    # 30/31 + 0.03 = 0.99774...: one decimal, rounded down
    assert "activities 99.7%" in shown and "paths 99.6%" in shown
    assert "100" not in shown
    shown = repr(_empty_map(simplified=True, activity_coverage=0.9996, path_coverage=1.0))
    assert "activities 99.9%" in shown and "paths 100%" in shown
    assert "simplified" not in repr(_empty_map())


def test_repr_of_a_map_that_drops_a_rare_activity():
    rows = [(f"o{k}", "Enter order", "2024-01-01 09:00", "ann", "Sales") for k in range(999)]
    rows += [("o0", "Rare", "2024-01-01 10:00", "bob", "Sales")]
    pmap = process_map(_log(rows), activities=0.999)
    assert len(pmap.nodes) == 1
    shown = repr(pmap)
    assert "1 of 2 activities" in shown
    assert "activities 100%" not in shown and "activities 99.9%" in shown


def test_without_dot_every_medium_and_the_pair_still_draw(no_dot, tmp_path):
    from procmine import Move, project
    from procmine.render import draw_projection
    from procmine.render.html import notebook_bundle

    log = _log()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProcmineWarning)
        for medium in ("notebook", "slide", "print"):
            graph = draw_map(log, medium=medium)
            assert not graph.positioned
            bundle = notebook_bundle(graph)
            assert "image/png" not in bundle and "<svg" in bundle["text/html"]
            assert "Enter order" in bundle["text/html"]
        pair = draw_projection(project(log, [Move("Pick", "Warehouse", "shared_data")]))
        pair.save(tmp_path / "pair.svg")
        with pytest.raises(UsageError, match="Graphviz"):
            pair.save(tmp_path / "pair.png")
    assert DET.fromstring((tmp_path / "pair.svg").read_bytes()) is not None
