"""Information-flow graphs and object-centric maps: well-formed SVG, every node named, escaping."""

from __future__ import annotations

import defusedxml.ElementTree as DET
import networkx as nx
import pandas as pd
import pytest
from conftest import make_frame

from procmine import (
    EventLog,
    InformationItem,
    ProcmineWarning,
    UsageError,
    draw_information_flow,
    draw_object_centric_map,
    reentry,
)
from procmine.analysis.reentry import Reentry
from procmine.discovery.ocdfg import ObjectCentricMap
from procmine.render import _dot, save

NS = "{http://www.w3.org/2000/svg}"
HOSTILE_ITEM = "<script>alert(1)</script>"
HOSTILE_ACTOR = 'Cr"edit & <b>co</b> {x}'
OKABE_ITO_BLUE, OKABE_ITO_VERMILLION = "#0072b2", "#d55e00"


def _svg(graph) -> str:
    return graph.pipe(format="svg", encoding="utf-8")


def _groups(root, cls):
    return [g for g in root.iter(f"{NS}g") if g.get("class") == cls]


def _text(group) -> str:
    return " ".join(" ".join(t.text or "" for t in group.iter(f"{NS}text")).split())


def _no_markup_elements(root) -> bool:
    bad = {"script", "b", "img", "i"}
    return not [el for el in root.iter() if el.tag.replace(NS, "") in bad]


# -- information flow ---------------------------------------------------------------------------
def _flow(signal="values") -> Reentry:
    """Hand-built result: the customer enters the address first in 40 orders, Sales keys it in
    again 8 times (2 with another value); Sales enters a hostile item first, a hostile
    department re-enters it 3 times (none differ)."""
    graph = nx.MultiDiGraph(signal=signal)
    graph.add_node("delivery_address", kind="item", bipartite=0, owner="customer")
    graph.add_node(HOSTILE_ITEM, kind="item", bipartite=0, owner="supplier")
    for actor in ("customer", "Sales", HOSTILE_ACTOR):
        graph.add_node(actor, kind="actor", bipartite=1)
    graph.add_edge("customer", "delivery_address", key="enters first", count=40)
    graph.add_edge("Sales", "delivery_address", key="re-enters", count=8, cases=7,
                   discrepancies=2, cost=10.0)
    graph.add_edge("Sales", HOSTILE_ITEM, key="enters first", count=5)
    graph.add_edge(HOSTILE_ACTOR, HOSTILE_ITEM, key="re-enters", count=3, cases=3,
                   discrepancies=0, cost=1.0)
    events = pd.DataFrame({"case_id": [f"o{k}" for k in (1, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10)]})
    return Reentry(events=events, summary=pd.DataFrame(), by_item=pd.DataFrame(), graph=graph,
                   signal=signal, level="department", note="hand-built")


def _edge_by_label(root) -> dict[str, object]:
    return {_text(g): g.find(f"{NS}path") for g in _groups(root, "edge")}


def test_information_flow_names_every_item_and_actor_and_escapes_them():
    root = DET.fromstring(_svg(draw_information_flow(_flow())).encode())
    assert _no_markup_elements(root)
    texts = [_text(g) for g in _groups(root, "node")]
    for name in ("delivery_address", HOSTILE_ITEM, "customer", "Sales", HOSTILE_ACTOR):
        assert any(name in t for t in texts), name
    assert any("owner: customer" in t for t in texts)
    title = " ".join(root.itertext())
    # 11 re-entry events in 10 distinct orders
    assert "11 re-entries in 10 orders" in title


def test_information_flow_styles_first_entry_and_reentry_apart():
    root = DET.fromstring(_svg(draw_information_flow(_flow())).encode())
    edges = _edge_by_label(root)
    assert set(edges) == {"first 40×", "first 5×", "re-enters 8× · 25% differ",
                          "re-enters 3× · 0% differ"}  # 2 of 8 = 25%, 0 of 3
    for label, path in edges.items():
        if label.startswith("re-enters"):
            assert path.get("stroke") == OKABE_ITO_VERMILLION and path.get("stroke-dasharray")
        else:
            assert path.get("stroke") == OKABE_ITO_BLUE and not path.get("stroke-dasharray")


def test_information_flow_draws_items_and_parties_in_their_own_shapes():
    root = DET.fromstring(_svg(draw_information_flow(_flow())).encode())
    shapes = {}
    for g in _groups(root, "node"):
        shapes[_text(g).split(" ")[0]] = {c.tag.replace(NS, "") for c in g} - {"title", "text"}
    assert shapes["customer"] == {"ellipse"}  # an outside party
    assert shapes["Sales"] == {"path"}  # a department: rounded box
    assert "polygon" in shapes["delivery_address"]  # an item: note shape


def test_information_flow_with_the_redo_signal_shows_no_rates():
    root = DET.fromstring(_svg(draw_information_flow(_flow("redo"))).encode())
    labels = set(_edge_by_label(root))
    assert "re-enters 8×" in labels and not [x for x in labels if "differ" in x]
    assert "no values compared" in " ".join(root.itertext())


def test_information_flow_of_a_real_reentry_result():
    frame = make_frame([
        ("o1", "Enter order", "2024-01-01 09:00", "ann", "Sales"),
        ("o1", "Book transport", "2024-01-01 11:00", "cy", "Shipping"),
        ("o2", "Enter order", "2024-01-02 09:00", "ann", "Sales"),
        ("o2", "Book transport", "2024-01-02 11:00", "cy", "Shipping"),
    ])
    frame["delivery_address"] = ["Main St 1", "Main St 2", "Oak Rd 5", "oak  rd 5"]
    log = EventLog.from_frame(frame, items=[InformationItem("delivery_address", "customer")])
    root = DET.fromstring(_svg(draw_information_flow(reentry(log), title="Flow")).encode())
    labels = set(_edge_by_label(root))
    # Sales enters both addresses first; Shipping keys both in again, o1's differs
    assert labels == {"first 2×", "re-enters 2× · 50% differ"}


def test_empty_information_flow_draws():
    empty = Reentry(events=pd.DataFrame({"case_id": []}), summary=pd.DataFrame(),
                    by_item=pd.DataFrame(), graph=nx.MultiDiGraph(signal="redo"),
                    signal="redo", level="department", note="")
    text = " ".join(DET.fromstring(_svg(draw_information_flow(empty)).encode()).itertext())
    assert "0 re-entries in 0 orders" in text


# -- object-centric map --------------------------------------------------------------------------
HOSTILE_ACTIVITY = 'pick "A" & <b>B</b>'


def _ocmap(name="oc") -> ObjectCentricMap:
    """Orders: place -> pick (3 couples), pick -> ship (4); items: place -> pick (5),
    pick -> pick (2). ``pick`` has a hostile name."""
    nodes = pd.DataFrame({
        "object_type": ["items", "items", "orders", "orders", "orders"],
        "activity": ["place", HOSTILE_ACTIVITY, "place", HOSTILE_ACTIVITY, "ship"],
        "events": [3, 7, 3, 4, 4], "objects": [5, 5, 3, 3, 3]})
    edges = pd.DataFrame({
        "object_type": ["items", "items", "orders", "orders"],
        "source": ["place", HOSTILE_ACTIVITY, "place", HOSTILE_ACTIVITY],
        "target": [HOSTILE_ACTIVITY, HOSTILE_ACTIVITY, HOSTILE_ACTIVITY, "ship"],
        "event_couples": [5, 2, 3, 4], "objects": [5, 2, 3, 3],
        "median_wait_s": [60.0, 30.0, 3600.0, 7200.0]})
    start = pd.DataFrame({"object_type": ["items", "orders"], "activity": ["place", "place"],
                          "objects": [11, 13]})
    end = pd.DataFrame({"object_type": ["items", "orders"],
                        "activity": [HOSTILE_ACTIVITY, "ship"], "objects": [17, 19]})
    return ObjectCentricMap(nodes=nodes, edges=edges, start=start, end=end, name=name)


def test_object_centric_map_names_every_activity_and_type_and_escapes():
    root = DET.fromstring(_svg(draw_object_centric_map(_ocmap("<oc> & co"))).encode())
    assert _no_markup_elements(root)
    texts = [_text(g) for g in _groups(root, "node")]
    for name in ("place", HOSTILE_ACTIVITY, "ship", "items start", "orders start", "items end",
                 "orders end"):
        assert any(name in t for t in texts), name
    assert any(t == "place 3 events" for t in texts)  # 3 events, in both types
    text = " ".join(root.itertext())
    assert "<oc> & co" in text and "Legend" in text
    assert "items: 2 of 2 paths" in text and "orders: 2 of 2 paths" in text


def test_object_centric_map_colours_arcs_by_object_type():
    root = DET.fromstring(_svg(draw_object_centric_map(_ocmap())).encode())
    stroke = {_text(g): g.find(f"{NS}path").get("stroke") for g in _groups(root, "edge")}
    # types sorted: items first (Okabe-Ito blue), orders second (vermillion)
    for label in ("5", "2", "11", "17"):
        assert stroke[label] == OKABE_ITO_BLUE, label
    for label in ("3", "4", "13", "19"):
        assert stroke[label] == OKABE_ITO_VERMILLION, label


def test_large_object_centric_map_is_simplified_per_type():
    activities = [f"act {k:02d}" for k in range(30)]
    rows = []
    for otype in ("orders", "items"):
        for k in range(29):  # 29 paths per type, the k-th taken 100 - k times
            rows.append((otype, activities[k], activities[k + 1], 100 - k))
    edges = pd.DataFrame(rows, columns=["object_type", "source", "target", "event_couples"])
    edges["objects"] = 1
    edges["median_wait_s"] = 1.0
    nodes = pd.DataFrame([(t, a, 1, 1) for t in ("orders", "items") for a in activities],
                         columns=["object_type", "activity", "events", "objects"])
    empty = pd.DataFrame({"object_type": [], "activity": [], "objects": []})
    big = ObjectCentricMap(nodes=nodes, edges=edges, start=empty, end=empty, name="big")
    graph = draw_object_centric_map(big)
    root = DET.fromstring(_svg(graph).encode())
    labels = [_text(g) for g in _groups(root, "edge")]
    # 58 paths > 40: each of the 2 types keeps its 40 // 2 = 20 busiest (counts 100..81)
    assert len(labels) == 40
    assert sorted(labels) == sorted([str(100 - k) for k in range(20)] * 2)
    assert "showing 40 paths" in " ".join(root.itertext())
    everything = DET.fromstring(_svg(draw_object_centric_map(big, paths=1.0)).encode())
    assert len(_groups(everything, "edge")) == 58
    with pytest.raises(UsageError, match="paths"):
        draw_object_centric_map(big, paths=1.5)
    with pytest.raises(UsageError, match="fit"):
        draw_object_centric_map(big, fit="wide")


def test_object_centric_map_shows_a_summary_and_the_drawing_in_jupyter():
    shown = _ocmap()._repr_html_()
    assert "data:image/png;base64," in shown and "<svg" not in shown  # untrusted-safe
    summary = _ocmap().summary()
    assert summary["object_type"].tolist() == ["items", "orders"]
    assert summary["paths"].tolist() == [2, 2] and summary["event_couples"].tolist() == [7, 7]
    assert summary["objects"].tolist() == [11, 13]
    assert shown.count("<table") == 1  # the summary, not the table of every path


# -- no dot ---------------------------------------------------------------------------------------
@pytest.fixture
def no_dot(monkeypatch):
    monkeypatch.setattr(_dot.shutil, "which", lambda name: None)
    monkeypatch.setattr(_dot, "_warned", False)


def test_both_drawings_fall_back_without_dot(no_dot, tmp_path):
    with pytest.warns(ProcmineWarning, match="dot"):
        save(draw_information_flow(_flow()), tmp_path / "flow.svg", format="svg")
        save(draw_object_centric_map(_ocmap()), tmp_path / "oc.svg", format="svg")
        bundle = draw_object_centric_map(_ocmap())._repr_mimebundle_()
    flow = DET.parse(str(tmp_path / "flow.svg")).getroot()
    assert _no_markup_elements(flow)
    assert HOSTILE_ITEM in " ".join(flow.itertext())
    assert "re-enters 8× · 25% differ" in " ".join(flow.itertext())
    oc = DET.parse(str(tmp_path / "oc.svg")).getroot()
    assert HOSTILE_ACTIVITY in " ".join(oc.itertext())
    assert "<svg" in bundle["text/html"]
