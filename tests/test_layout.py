"""One layout per log: frequency, performance, as-is and to-be maps put every activity at the same
spot (compared on the SVGs' node coordinates); a folded map keeps each department in one lane."""

from __future__ import annotations

import re

import defusedxml.ElementTree as DET
import pandas as pd
import pytest
from conftest import make_frame

from procmine import EventLog, Move, draw_as_is_to_be, draw_map, process_map, project
from procmine._format import money, signed_money
from procmine.render import save
from procmine.render.html import drawing_svg
from procmine.render.maps import map_layout

NS = "{http://www.w3.org/2000/svg}"
DEPARTMENTS = ("Sales", "Credit", "Warehouse")


def _spread_log(name="spread", skip=()):
    """Fourteen steps whose departments take turns, so that folding cuts through each lane."""
    rows = []
    for case, day in (("o1", "01"), ("o2", "02")):
        for i in range(14):
            if f"Step {i:02d}" in skip:
                continue
            when = f"2024-01-{day} {8 + i // 2:02d}:{(i % 2) * 30:02d}"
            rows.append((case, f"Step {i:02d}", when, f"r{i % 3}", DEPARTMENTS[(i // 2) % 3]))
    return EventLog.from_frame(make_frame(rows), name=name)


def _points(el) -> list[float]:
    raw = el.get("d") or el.get("points") or ""
    if el.tag == f"{NS}ellipse":
        return [float(el.get("cx")), float(el.get("cy"))]
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", raw)]


def _centres(svg: str) -> dict[str, tuple[float, float]]:
    """Node title -> centre of its drawn shape, for every visible node."""
    out = {}
    for g in DET.fromstring(svg.encode()).iter(f"{NS}g"):
        if g.get("class") != "node":
            continue
        numbers = [n for el in g if el.tag in (f"{NS}path", f"{NS}polygon", f"{NS}ellipse")
                   for n in _points(el)]
        title = g.find(f"{NS}title").text
        if numbers and title != "title":  # the title block's shapes follow its text
            xs, ys = numbers[0::2], numbers[1::2]
            out[title] = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return out


def _lanes(svg: str) -> list[tuple[str, tuple[float, float, float, float]]]:
    out = []
    for g in DET.fromstring(svg.encode()).iter(f"{NS}g"):
        if g.get("class") != "cluster":
            continue
        shape = next((el for el in g if el.tag in (f"{NS}path", f"{NS}polygon")), None)
        label = " ".join(t.text or "" for t in g.iter(f"{NS}text")).strip()
        if shape is not None and label:
            numbers = _points(shape)
            xs, ys = numbers[0::2], numbers[1::2]
            out.append((label, (min(xs), min(ys), max(xs), max(ys))))
    return out


def test_frequency_and_performance_maps_put_every_activity_at_the_same_spot():
    pmap = process_map(_spread_log())
    for medium in ("slide", "notebook"):
        freq = _centres(drawing_svg(draw_map(pmap, medium=medium)))
        perf = _centres(drawing_svg(draw_map(pmap, medium=medium, measure="performance")))
        assert len(freq) == 14 + 2  # the steps, start and end
        assert freq.keys() == perf.keys()
        for node, centre in freq.items():
            assert perf[node] == pytest.approx(centre, abs=0.01), node
    # while the labels differ: counts against waits
    text = " ".join(DET.fromstring(drawing_svg(draw_map(
        pmap, measure="performance")).encode()).itertext())
    assert "30 min" in text


def test_a_folded_map_keeps_each_department_in_one_lane():
    pmap = process_map(_spread_log())
    strip = drawing_svg(draw_map(pmap, fit="none", swimlanes=True))
    folded = drawing_svg(draw_map(pmap, swimlanes=True))
    assert folded != strip
    lanes = _lanes(folded)
    labels = [label for label, _ in lanes]
    assert sorted(labels) == sorted(DEPARTMENTS)  # each exactly once
    boxes = dict(lanes)
    centres = _centres(folded)
    for i in range(14):
        x, y = centres[f"a{pmap.activities.index(f'Step {i:02d}')}"]
        x0, y0, x1, y1 = boxes[DEPARTMENTS[(i // 2) % 3]]
        assert x0 <= x <= x1 and y0 <= y <= y1, i
    # folded into rows: the drawing is taller and narrower than the strip
    def size(svg):
        box = [float(v) for v in DET.fromstring(svg.encode()).get("viewBox").split()]
        return box[2], box[3]

    assert size(folded)[0] < size(strip)[0] and size(folded)[1] > size(strip)[1]


def test_as_is_to_be_and_the_maps_drawn_with_its_layout_share_positions(tmp_path):
    before = process_map(_spread_log("as-is"))
    after = process_map(_spread_log("to-be", skip={"Step 05"}))
    pair = draw_as_is_to_be(before, after)
    views = [drawing_svg(pair.before), drawing_svg(pair.after),
             drawing_svg(draw_map(before, layout=pair.layout, measure="performance")),
             drawing_svg(draw_map(after, layout=pair.layout))]
    centres = [_centres(svg) for svg in views]
    for other in centres[1:]:
        shared = set(centres[0]) & set(other)
        assert len(shared) >= 13
        for node in shared:
            assert other[node] == pytest.approx(centres[0][node], abs=0.01), node
    removed = f"a{before.activities.index('Step 05')}"
    assert removed in centres[0] and removed not in centres[1]
    # the removed step is marked on the as-is
    text = " ".join(" ".join(DET.fromstring(views[0].encode()).itertext()).split())
    assert "[removed in the to-be]" in text


def test_layouts_are_deterministic():
    pmap = process_map(_spread_log())
    assert drawing_svg(draw_map(pmap)) == drawing_svg(draw_map(pmap))
    assert map_layout(pmap).drawing.positions == map_layout(pmap).drawing.positions


def test_layouts_run_side_by_side_give_the_same_drawing_as_one_at_a_time(monkeypatch):
    """The fold search lays its band sets out on the other cores (render._spec.prefetch):
    the folded map must be the one a search that lays them out one by one picks."""
    from procmine.render import _spec

    if _spec._workers() < 2:
        pytest.skip("one core: nothing runs side by side")
    pmap = process_map(_spread_log())
    _spec._LAYOUTS.clear()
    side_by_side = drawing_svg(draw_map(pmap, swimlanes=True))
    assert _spec._PENDING == {}  # every prefetched layout was used or dropped
    _spec._LAYOUTS.clear()
    monkeypatch.setattr(_spec, "_workers", lambda: 1)
    one_at_a_time = drawing_svg(draw_map(pmap, swimlanes=True))
    assert one_at_a_time == side_by_side
    # and the search folded the map (several band sets were laid out)
    assert len(_spec._LAYOUTS) > 2


MOVE_ROWS = [
    ("o1", "Customer e-mails order", "2024-01-01 08:00", None, None),
    ("o1", "Enter order", "2024-01-01 09:00", "ann", "Sales"),
    ("o1", "Key in address", "2024-01-01 09:30", "ann", "Sales"),
    ("o1", "Pick", "2024-01-01 12:00", "cy", "Warehouse"),
    ("o1", "Ship", "2024-01-02 09:00", "dan", "Shipping"),
    ("o2", "Customer e-mails order", "2024-01-02 08:00", None, None),
    ("o2", "Enter order", "2024-01-02 10:00", "ann", "Sales"),
    ("o2", "Key in address", "2024-01-02 10:10", "ann", "Sales"),
    ("o2", "Pick", "2024-01-02 13:00", "cy", "Warehouse"),
    ("o2", "Ship", "2024-01-03 09:00", "dan", "Shipping"),
]


def _move_log():
    frame = make_frame(MOVE_ROWS)
    frame["party"] = ["customer" if pd.isna(d) else "internal" for d in frame["department"]]
    return EventLog.from_frame(frame, name="orders")


def test_as_is_to_be_of_a_projection_shows_the_change_and_its_figures(tmp_path):
    log = _move_log()
    projection = project(log, [Move("Enter order", "Sales", "customer_self_service"),
                               Move("Pick", "Warehouse", "shared_data")])
    before, after = process_map(log), process_map(projection.after)
    pair = draw_as_is_to_be(before, after, projection=projection, swimlanes=True,
                            medium="notebook")
    svg_before, svg_after = drawing_svg(pair.before), drawing_svg(pair.after)
    text_before = " ".join(" ".join(DET.fromstring(svg_before.encode()).itertext()).split())
    text_after = " ".join(" ".join(DET.fromstring(svg_after.encode()).itertext()).split())
    # the handoff customer -> Sales (into Enter order) disappears: marked on the as-is, in grey
    gone = (before.edges["source"] == "Customer e-mails order") & (
        before.edges["target"] == "Enter order")
    assert bool(before.edges.loc[gone, "handoff"].iloc[0])
    assert "2 ✕" in text_before and "✕" not in text_after
    assert "[moves to Customer (outside)]" in text_before
    assert "[moved from Sales]" in text_after
    assert "[to be automated]" in text_before and "[automated]" in text_after
    # the moved step sits in the customer's lane on the to-be
    lanes = dict(_lanes(svg_after))
    moved = [n for n in _centres(svg_after) if n.endswith("m")]
    assert len(moved) == 1
    x, y = _centres(svg_after)[moved[0]]
    x0, y0, x1, y1 = lanes["Customer (outside)"]
    assert x0 <= x <= x1 and y0 <= y <= y1
    # the figures beside the maps are the projection's, in procmine's formats
    table = projection.table.set_index("metric")
    handoffs_before = int(table.at["department_handoffs", "before"])
    handoffs_after = int(table.at["department_handoffs", "after"])
    # by hand: customer->Sales, Sales->Warehouse, Warehouse->Shipping in each order; after the
    # move the customer's e-mail and entry are one party, and the handoff moves to customer->Sales
    # (Key in address): 6 -> 6
    assert (handoffs_before, handoffs_after) == (6, 6)
    cost = [money(table.at["total_cost", c], "EUR") for c in ("before", "after")]
    change = signed_money(table.at["total_cost", "change"], "EUR")
    for text in (text_before, text_after):
        assert "before after change Handoffs 6 6 +0" in text
        assert f"Cost {cost[0]} {cost[1]} {change}" in text
    # on a slide the figures leave the drawing (its text needs the room) for the slide's HTML
    slide = draw_as_is_to_be(before, after, projection=projection)
    assert slide.figures == pair.figures
    assert "Handoffs" not in " ".join(DET.fromstring(drawing_svg(slide.before).encode()).itertext())
    shown = slide.figures_html()
    assert shown.startswith("<table") and f"<td>{cost[0]}</td>" not in shown
    assert f"<td style='text-align:right'>{cost[0]}</td>" in shown
    for suffix, magic in ((".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF-")):
        written = pair.save(tmp_path / f"pair{suffix}")
        assert written.read_bytes()[: len(magic)] == magic
    # the stacked SVG holds both maps
    combined = " ".join(DET.fromstring(save(pair, tmp_path / "both.svg", format="svg")
                                       .read_bytes()).itertext())
    assert combined.count("As-is: orders") == 1 and combined.count("To-be: orders") == 1


def test_lanes_give_way_to_department_colours_when_they_would_make_the_text_too_small():
    pmap = process_map(_spread_log())
    from procmine.render.medium import text_px

    lanes = drawing_svg(draw_map(pmap, medium="slide", swimlanes=True))
    chosen = draw_map(pmap, medium="slide")
    no_lanes = drawing_svg(draw_map(pmap, medium="slide", swimlanes=False))
    if text_px(lanes, "slide") >= 32:
        assert chosen.drawing.clusters
    else:
        # the default picks the larger text of the two, measured on the drawn SVGs
        best = max(text_px(lanes, "slide"), text_px(no_lanes, "slide"))
        assert text_px(drawing_svg(chosen), "slide") == pytest.approx(best)
    # both measures make the same choice (one layout per log)
    perf = draw_map(pmap, medium="slide", measure="performance")
    assert bool(perf.drawing.clusters) == bool(chosen.drawing.clusters)


def test_two_arcs_between_the_same_nodes_keep_their_own_routes():
    from procmine.render._spec import Drawing, Edge, Node, make_drawing

    drawing = Drawing("two arcs", nodes=[Node("a", ["Sales"]), Node("b", ["address"])],
                      edges=[Edge("a", "b", label="first 151×"),
                             Edge("a", "b", label="re-enters 200×", dashed=True)])
    svg = drawing_svg(make_drawing(drawing, "arcs"))
    root = DET.fromstring(svg.encode())
    edges = [g for g in root.iter(f"{NS}g") if g.get("class") == "edge"]
    assert len(edges) == 2
    routes = {g.find(f"{NS}path").get("d") for g in edges}
    labels = {(t.get("x"), t.get("y")) for g in edges for t in g.iter(f"{NS}text")}
    assert len(routes) == 2 and len(labels) == 2  # drawn apart, not on top of each other


def test_a_layout_refuses_a_map_it_has_no_place_for():
    from procmine import UsageError

    small = process_map(_spread_log("small", skip={f"Step {i:02d}" for i in range(7, 14)}))
    layout = map_layout(small)
    with pytest.raises(UsageError, match="the layout has no place for 'Step 07'"):
        draw_map(process_map(_spread_log()), layout=layout)
    # a map of fewer activities fits the layout of more, at the same spots
    full = process_map(_spread_log())
    big = map_layout(full, small)
    a = _centres(drawing_svg(draw_map(full, layout=big)))
    b = _centres(drawing_svg(draw_map(small, layout=big)))
    assert set(b) < set(a)
    for node in b:
        assert b[node] == pytest.approx(a[node], abs=0.01)
