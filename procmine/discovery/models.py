"""Process models by the inductive miner (through pm4py): BPMN and Petri net, with export.

The model is discovered once; procmine's surface shows plain facts (activity
labels, node and flow counts, each activity's lane) and writes BPMN 2.0 XML and
PNML files. The BPMN diagram is built here from the miner's process tree: one
lane per department (a ``laneSet`` in the process, each flow node in the lane
of its department), gateways named after the branches they open or close, ids
that do not change from one run to the next, and a layout with a band per lane.
pm4py's objects never leave :mod:`procmine.discovery._pm4py`.

References
----------
Leemans, Fahland & van der Aalst (2013), *Discovering block-structured process
models from event logs — a constructive approach*, Petri Nets 2013.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from procmine._display import repr_html
from procmine._version import __version__
from procmine.discovery import _pm4py
from procmine.errors import InputError, UsageError
from procmine.io.xmlchars import xml_text
from procmine.log._require import require_log
from procmine.log.actors import actor
from procmine.schema import ACTIVITY, CASE_ID

if TYPE_CHECKING:
    from procmine.log import EventLog

__all__ = ["ProcessModel", "discover_model", "read_bpmn_activities", "write_bpmn", "write_pnml"]

#: Columns of :attr:`ProcessModel.table`.
ACTIVITY_COLUMNS = ("activity", "events", "cases", "in_model", "lane")
#: Columns of ``ProcessModel.tables["elements"]``.
ELEMENT_COLUMNS = ("notation", "kind", "count")


def _activity_table(events: pd.DataFrame, tasks: list[str],
                    lanes: dict[str, str]) -> pd.DataFrame:
    grouped = events.groupby(ACTIVITY, sort=True)[CASE_ID].agg(["size", "nunique"])
    names = grouped.index.astype("str")
    return pd.DataFrame({
        "activity": pd.Series(names, dtype="str"),
        "events": grouped["size"].to_numpy(dtype="int64"),
        "cases": grouped["nunique"].to_numpy(dtype="int64"),
        "in_model": names.isin(tasks),
        "lane": pd.Series([lanes.get(n, NO_DEPARTMENT) for n in names], dtype="str"),
    })


def _empty_activities() -> pd.DataFrame:
    return pd.DataFrame({"activity": pd.Series([], dtype="str"),
                         "events": pd.Series([], dtype="int64"),
                         "cases": pd.Series([], dtype="int64"),
                         "in_model": pd.Series([], dtype="bool"),
                         "lane": pd.Series([], dtype="str")})


def _empty_elements() -> pd.DataFrame:
    return pd.DataFrame({"notation": pd.Series([], dtype="str"),
                         "kind": pd.Series([], dtype="str"),
                         "count": pd.Series([], dtype="int64")})


@dataclass(frozen=True, eq=False)
class ProcessModel:
    """An inductive-miner model of a log, as BPMN and as a Petri net.

    Attributes
    ----------
    activities : tuple of str
        The labelled tasks (= the log's activities, sorted).
    n_bpmn_nodes, n_bpmn_flows : int
        Size of the BPMN diagram (tasks, gateways, events; sequence flows).
    n_places, n_transitions : int
        Size of the Petri net (transitions include silent ones).
    noise_threshold : float
        The inductive miner's noise threshold used (0 = every behaviour kept).
    name : str
        The log's name.
    table : pandas.DataFrame
        The main table, one row per activity of the log (sorted by name):
        ``activity``, ``events``, ``cases``, ``in_model`` (a labelled task of
        the model; with a noise threshold an activity may be left out), ``lane``
        (the department whose BPMN lane holds the task: the activity's most
        frequent department, an outside party for its events without one, else
        ``"(no department)"``).
    lanes : tuple of str
        The BPMN lanes, in the order the process first reaches them.
    elements : pandas.DataFrame
        What the model is made of: ``notation`` (``bpmn`` or ``petri_net``),
        ``kind`` (BPMN element classes such as ``Task``, ``ExclusiveGateway``,
        ``sequence_flow``; ``place``, ``transition``, ``silent_transition``),
        ``count``. Sorted by notation, then kind.
    tables : dict of str to pandas.DataFrame
        ``activities`` (= ``table``) and ``elements``.

    Notes
    -----
    In Jupyter the model shows what :mod:`procmine.render` registers with
    :mod:`procmine._display` (its summary and activity table), or its ``repr``.
    """

    activities: tuple[str, ...]
    n_bpmn_nodes: int
    n_bpmn_flows: int
    n_places: int
    n_transitions: int
    noise_threshold: float
    name: str = "log"
    lanes: tuple[str, ...] = ()
    table: pd.DataFrame = field(default_factory=_empty_activities, repr=False)
    elements: pd.DataFrame = field(default_factory=_empty_elements, repr=False)
    _bpmn: Any = field(default=None, repr=False)
    _petri: Any = field(default=None, repr=False)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name: ``activities`` (the ``table``) and ``elements``."""
        return {"activities": self.table, "elements": self.elements}

    def __repr__(self) -> str:
        return (f"ProcessModel({self.name!r}: {len(self.activities)} activities, BPMN "
                f"{self.n_bpmn_nodes} nodes / {self.n_bpmn_flows} flows in "
                f"{len(self.lanes)} lanes, Petri net "
                f"{self.n_places} places / {self.n_transitions} transitions)")

    def _repr_html_(self) -> str:
        return repr_html(self)


def discover_model(log: EventLog, *, noise_threshold: float = 0.0) -> ProcessModel:
    """Discover a process model with the inductive miner.

    Parameters
    ----------
    log : EventLog
    noise_threshold : float, keyword-only
        In [0, 1): the infrequent inductive miner's threshold (0 keeps all behaviour).

    Returns
    -------
    ProcessModel

    Raises
    ------
    InputError
        The log has no events.
    UsageError
        ``log`` is not an EventLog, or ``noise_threshold`` outside [0, 1).

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog
    >>> frame = pd.DataFrame({"case_id": ["o1", "o1", "o2", "o2"],
    ...     "activity": ["Enter", "Ship", "Enter", "Ship"],
    ...     "timestamp": pd.date_range("2024-01-01", periods=4, freq="h", tz="UTC")})
    >>> model = discover_model(EventLog.from_frame(frame))
    >>> model.activities
    ('Enter', 'Ship')
    >>> model.table
      activity  events  cases  in_model             lane
    0    Enter       2      2      True  (no department)
    1     Ship       2      2      True  (no department)
    """
    log = require_log(log, where="discover_model")
    if not 0.0 <= float(noise_threshold) < 1.0:
        raise UsageError(f"noise_threshold must be in [0, 1), got {noise_threshold!r}")
    if log.n_events == 0:
        raise InputError(f"{log.name}: the log has no events; nothing to discover")
    tree, petri = _pm4py.inductive_models(log.events, noise_threshold=float(noise_threshold))
    departments = _departments(log.events)
    diagram = _diagram(tree, departments)
    tasks = sorted({n.name for n in diagram.nodes if n.kind == "Task"})
    places, transitions, _ = _pm4py.petri_facts(petri)
    silent = _pm4py.silent_transitions(petri)
    kinds = Counter(n.kind for n in diagram.nodes)
    rows = [("bpmn", kind, n) for kind, n in kinds.items()]
    rows += [("bpmn", "sequence_flow", len(diagram.flows)), ("petri_net", "place", places),
             ("petri_net", "transition", transitions - silent),
             ("petri_net", "silent_transition", silent)]
    elements = pd.DataFrame(rows, columns=list(ELEMENT_COLUMNS)).astype(
        {"notation": "str", "kind": "str", "count": "int64"})
    elements = elements.sort_values(["notation", "kind"], kind="stable").reset_index(drop=True)
    lanes, _, _ = _layout(diagram)
    return ProcessModel(
        activities=tuple(tasks), n_bpmn_nodes=len(diagram.nodes),
        n_bpmn_flows=len(diagram.flows), n_places=places, n_transitions=transitions,
        noise_threshold=float(noise_threshold), name=log.name, lanes=tuple(lanes),
        table=_activity_table(log.events, tasks, departments), elements=elements,
        _bpmn=diagram, _petri=petri,
    )


def _check_model(model: object) -> ProcessModel:
    if not isinstance(model, ProcessModel):
        raise UsageError(
            f"expected a ProcessModel from discover_model(), got {type(model).__name__}")
    return model


def write_bpmn(model: ProcessModel, path: str | Path) -> Path:
    """Write the model as BPMN 2.0 XML (with diagram layout); returns the path.

    A collaboration with one participant (the log) whose process has a
    ``laneSet``: one lane per department (:attr:`ProcessModel.lanes`), each
    flow node referenced from the lane of its department; every gateway is
    named after the branches it opens or closes (``"Check credit or skip?"``,
    ``"In parallel: Pick item, Send invoice"``). Ids are stable
    (``Task_1``, ``Gateway_1``, ``Flow_1`` ...): the same log gives the same
    bytes. The diagram (BPMN DI) has a shape for the participant, each lane,
    node and flow, so BPMN tools draw it as it is.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> from procmine import EventLog
    >>> frame = pd.DataFrame({"case_id": ["o1", "o1"], "activity": ["Enter", "Ship"],
    ...     "timestamp": pd.date_range("2024-01-01", periods=2, freq="h", tz="UTC")})
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "model.bpmn"
    >>> read_bpmn_activities(write_bpmn(discover_model(EventLog.from_frame(frame)), out))
    ['Enter', 'Ship']
    """
    target = Path(path)
    checked = _check_model(model)
    data = _bpmn_xml(checked._bpmn, checked.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, staged = tempfile.mkstemp(prefix=".procmine-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(staged, target)
    finally:
        Path(staged).unlink(missing_ok=True)
    return target


def write_pnml(model: ProcessModel, path: str | Path) -> Path:
    """Write the model's Petri net (with initial and final marking) as PNML; returns the path."""
    target = Path(path)
    _pm4py.write_pnml(_check_model(model)._petri, target)
    return target


def read_bpmn_activities(path: str | Path) -> list[str]:
    """The task labels of a BPMN 2.0 file, read through pm4py (sorted)."""
    return _pm4py.read_bpmn_labels(Path(path))


# -- BPMN from the process tree -----------------------------------------------------------
_GATEWAYS: Final = {"xor": "ExclusiveGateway", "and": "ParallelGateway",
                    "or": "InclusiveGateway", "loop": "ExclusiveGateway"}
_TAGS: Final = {"Task": "task", "StartEvent": "startEvent", "EndEvent": "endEvent",
                "ExclusiveGateway": "exclusiveGateway", "ParallelGateway": "parallelGateway",
                "InclusiveGateway": "inclusiveGateway"}
_SIZES: Final = {"Task": (100, 80), "StartEvent": (36, 36), "EndEvent": (36, 36)}
#: The lane of tasks whose events have no department (nor an outside party).
NO_DEPARTMENT: Final = "(no department)"
_NAME_CHARS: Final = 80


@dataclass(frozen=True)
class _Node:
    id: str
    kind: str
    name: str
    direction: str = ""


@dataclass
class _Diagram:
    """A BPMN process as plain values: nodes, flows (id, source, target, back) and lanes."""

    nodes: list[_Node] = field(default_factory=list)
    flows: list[tuple[str, str, str, bool]] = field(default_factory=list)
    lanes: dict[str, str] = field(default_factory=dict)  # node id -> lane name

    def node(self, kind: str, name: str = "", direction: str = "") -> str:
        prefix = {"Task": "Task", "StartEvent": "StartEvent", "EndEvent": "EndEvent"}.get(
            kind, "Gateway")
        ident = f"{prefix}_{sum(1 for n in self.nodes if n.id.startswith(prefix + '_')) + 1}"
        self.nodes.append(_Node(ident, kind, name, direction))
        return ident

    def flow(self, source: str, target: str, *, back: bool = False) -> None:
        if any(f[1] == source and f[2] == target for f in self.flows):
            return
        self.flows.append((f"Flow_{len(self.flows) + 1}", source, target, back))


def _short(text: str) -> str:
    return text if len(text) <= _NAME_CHARS else text[:_NAME_CHARS - 1] + "…"


def _ends(tree: tuple[Any, ...], *, first: bool) -> list[str]:
    """The task labels a subtree starts (``first``) or ends with; [] for a silent one."""
    kind = tree[0]
    if kind == "task":
        return [tree[1]]
    if kind == "tau":
        return []
    children = tree[1]
    if kind == "seq":
        ordered = children if first else tuple(reversed(children))
        for child in ordered:
            found = _ends(child, first=first)
            if found:
                return found
        return []
    if kind == "loop":
        return _ends(children[0], first=first)
    return [label for child in children for label in _ends(child, first=first)]


def _branch(tree: tuple[Any, ...]) -> str:
    labels = _ends(tree, first=True)
    return " / ".join(labels) if labels else "skip"


def _canonical(tree: tuple[Any, ...]) -> tuple[Any, ...]:
    """The tree with the children of choices and parallels in a fixed order (by their text),
    so that the same log always gives the same file."""
    if tree[0] in ("task", "tau"):
        return tree
    children = tuple(_canonical(c) for c in tree[1])
    if tree[0] in ("xor", "and", "or"):
        children = tuple(sorted(children, key=repr))
    return (tree[0], children)


def _build(diagram: _Diagram, tree: tuple[Any, ...]) -> tuple[str, str] | None:
    """Add a subtree; its (entry, exit) nodes, or None when it is silent."""
    kind = tree[0]
    if kind == "task":
        ident = diagram.node("Task", tree[1])
        return ident, ident
    if kind == "tau":
        return None
    children = tree[1]
    if kind == "seq":
        parts = [p for p in (_build(diagram, c) for c in children) if p is not None]
        for (_, out), (into, _) in pairwise(parts):
            diagram.flow(out, into)
        return (parts[0][0], parts[-1][1]) if parts else None
    gateway = _GATEWAYS[kind]
    if kind == "loop":
        body, redo = children[0], children[1:]
        entry = diagram.node(gateway, _short("Start or repeat " + _branch(body)), "Converging")
        again = " or ".join(_branch(r) for r in redo)
        leave = diagram.node(gateway, _short(f"Repeat ({again}) or go on?"), "Diverging")
        part = _build(diagram, body)
        if part is None:
            diagram.flow(entry, leave)
        else:
            diagram.flow(entry, part[0])
            diagram.flow(part[1], leave)
        for child in redo:
            inner = _build(diagram, child)
            if inner is None:
                diagram.flow(leave, entry, back=True)
            else:
                diagram.flow(leave, inner[0])
                diagram.flow(inner[1], entry, back=True)
        return entry, leave
    branches = [_branch(c) for c in children]
    ends = [label for c in children for label in _ends(c, first=False)] or ["skip"]
    if kind == "and":
        names = ("In parallel: " + ", ".join(branches), "All done: " + ", ".join(ends))
    elif kind == "or":
        names = ("Any of: " + ", ".join(branches), "After any of: " + ", ".join(ends))
    else:
        names = (" or ".join(branches) + "?", "After " + " or ".join(ends))
    split = diagram.node(gateway, _short(names[0]), "Diverging")
    join = diagram.node(gateway, _short(names[1]), "Converging")
    for child in children:
        part = _build(diagram, child)
        if part is None:
            diagram.flow(split, join)
        else:
            diagram.flow(split, part[0])
            diagram.flow(part[1], join)
    return split, join


def _diagram(tree: tuple[Any, ...], departments: dict[str, str]) -> _Diagram:
    """The BPMN diagram of a process tree, each node in the lane of its department.

    A task's lane is its activity's department (``departments``); a gateway or an
    event takes the lane of the nearest task before it, else after it.
    """
    diagram = _Diagram()
    start = diagram.node("StartEvent", "Order received")
    part = _build(diagram, _canonical(tree))
    end = diagram.node("EndEvent", "Order done")
    if part is None:
        diagram.flow(start, end)
    else:
        diagram.flow(start, part[0])
        diagram.flow(part[1], end)
    lanes = {n.id: departments.get(n.name, NO_DEPARTMENT) for n in diagram.nodes
             if n.kind == "Task"}
    order = _topological(diagram)
    before: dict[str, list[str]] = {n.id: [] for n in diagram.nodes}
    after: dict[str, list[str]] = {n.id: [] for n in diagram.nodes}
    for _, source, target, back in diagram.flows:
        if not back:
            before[target].append(source)
            after[source].append(target)
    for ident in order:
        if ident not in lanes:
            known = [lanes[s] for s in before[ident] if s in lanes]
            if known:
                lanes[ident] = known[0]
    for ident in reversed(order):
        if ident not in lanes:
            known = [lanes[t] for t in after[ident] if t in lanes]
            lanes[ident] = known[0] if known else NO_DEPARTMENT
    diagram.lanes = lanes
    return diagram


def _topological(diagram: _Diagram) -> list[str]:
    """Node ids in an order where every forward flow goes from earlier to later (Kahn)."""
    incoming = {n.id: 0 for n in diagram.nodes}
    outgoing: dict[str, list[str]] = {n.id: [] for n in diagram.nodes}
    for _, source, target, back in diagram.flows:
        if not back:
            incoming[target] += 1
            outgoing[source].append(target)
    ready = [n.id for n in diagram.nodes if incoming[n.id] == 0]
    order: list[str] = []
    while ready:
        ident = ready.pop(0)
        order.append(ident)
        for target in outgoing[ident]:
            incoming[target] -= 1
            if incoming[target] == 0:
                ready.append(target)
    return order


def _layout(diagram: _Diagram) -> tuple[list[str], dict[str, tuple[int, int, int, int]],
                                        dict[str, tuple[int, int]]]:
    """(lane names in order, node id -> (x, y, width, height), lane -> (y, height)).

    Columns by the longest forward path from the start; one band per lane, in the
    order the process first reaches them; nodes of one lane in one column stacked.
    """
    column: dict[str, int] = {}
    for ident in _topological(diagram):
        column.setdefault(ident, 0)
        for _, source, target, back in diagram.flows:
            if source == ident and not back:
                column[target] = max(column.get(target, 0), column[ident] + 1)
    kinds = {n.id: n.kind for n in diagram.nodes}
    lane_names = sorted(set(diagram.lanes.values()),
                        key=lambda lane: (min(column[i] for i, la in diagram.lanes.items()
                                              if la == lane), lane))
    rows: dict[str, int] = {}
    seen: dict[tuple[str, int], int] = {}
    for node in sorted(diagram.nodes, key=lambda n: (column[n.id], n.id)):
        key = (diagram.lanes[node.id], column[node.id])
        rows[node.id] = seen.get(key, 0)
        seen[key] = rows[node.id] + 1
    bands: dict[str, tuple[int, int]] = {}
    top = 0
    for lane in lane_names:
        depth = max(v for (la, _), v in seen.items() if la == lane)
        bands[lane] = (top, depth * 120 + 20)
        top += depth * 120 + 20
    boxes: dict[str, tuple[int, int, int, int]] = {}
    for node in diagram.nodes:
        width, height = _SIZES.get(kinds[node.id], (50, 50))
        centre_x = 110 + column[node.id] * 150
        centre_y = bands[diagram.lanes[node.id]][0] + 70 + rows[node.id] * 120
        boxes[node.id] = (centre_x - width // 2, centre_y - height // 2, width, height)
    return lane_names, boxes, bands


def _bpmn_xml(diagram: _Diagram, name: str) -> bytes:
    """BPMN 2.0 XML of a diagram: a participant whose process has one lane per department."""
    import xml.etree.ElementTree as ET

    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
          "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
          "dc": "http://www.omg.org/spec/DD/20100524/DC",
          "di": "http://www.omg.org/spec/DD/20100524/DI"}
    for prefix, uri in ns.items():
        ET.register_namespace(prefix, uri)

    def tag(prefix: str, local: str) -> str:
        return f"{{{ns[prefix]}}}{local}"

    lane_names, boxes, bands = _layout(diagram)
    root = ET.Element(tag("bpmn", "definitions"), {
        "id": "Definitions_1", "targetNamespace": "http://procmine.org/bpmn",
        "exporter": "procmine", "exporterVersion": __version__})
    collaboration = ET.SubElement(root, tag("bpmn", "collaboration"), {"id": "Collaboration_1"})
    ET.SubElement(collaboration, tag("bpmn", "participant"), {
        "id": "Participant_1", "name": xml_text(name), "processRef": "Process_1"})
    process = ET.SubElement(root, tag("bpmn", "process"),
                            {"id": "Process_1", "isExecutable": "false"})
    lane_set = ET.SubElement(process, tag("bpmn", "laneSet"), {"id": "LaneSet_1"})
    lane_ids = {lane: f"Lane_{i}" for i, lane in enumerate(lane_names, start=1)}
    for lane in lane_names:
        element = ET.SubElement(lane_set, tag("bpmn", "lane"),
                                {"id": lane_ids[lane], "name": xml_text(lane)})
        for node in diagram.nodes:
            if diagram.lanes[node.id] == lane:
                ET.SubElement(element, tag("bpmn", "flowNodeRef")).text = node.id
    for node in diagram.nodes:
        attributes = {"id": node.id, "name": xml_text(node.name)}
        if node.direction:
            attributes["gatewayDirection"] = node.direction
        element = ET.SubElement(process, tag("bpmn", _TAGS[node.kind]), attributes)
        for flow_id, _, target, _ in diagram.flows:
            if target == node.id:
                ET.SubElement(element, tag("bpmn", "incoming")).text = flow_id
        for flow_id, source, _, _ in diagram.flows:
            if source == node.id:
                ET.SubElement(element, tag("bpmn", "outgoing")).text = flow_id
    for flow_id, source, target, _ in diagram.flows:
        ET.SubElement(process, tag("bpmn", "sequenceFlow"),
                      {"id": flow_id, "sourceRef": source, "targetRef": target})
    picture = ET.SubElement(root, tag("bpmndi", "BPMNDiagram"), {"id": "BPMNDiagram_1"})
    plane = ET.SubElement(picture, tag("bpmndi", "BPMNPlane"),
                          {"id": "BPMNPlane_1", "bpmnElement": "Collaboration_1"})
    right = max(x + w for x, _, w, _ in boxes.values()) + 60
    height = sum(h for _, h in bands.values())

    def shape(element_id: str, box: tuple[int, int, int, int], **extra: str) -> None:
        x, y, w, h = box
        item = ET.SubElement(plane, tag("bpmndi", "BPMNShape"),
                             {"id": f"{element_id}_di", "bpmnElement": element_id, **extra})
        ET.SubElement(item, tag("dc", "Bounds"),
                      {"x": str(x), "y": str(y), "width": str(w), "height": str(h)})

    shape("Participant_1", (0, 0, right, height), isHorizontal="true")
    for lane in lane_names:
        top, size = bands[lane]
        shape(lane_ids[lane], (30, top, right - 30, size), isHorizontal="true")
    for node in diagram.nodes:
        extra = {"isMarkerVisible": "true"} if node.kind == "ExclusiveGateway" else {}
        shape(node.id, boxes[node.id], **extra)
    for flow_id, source, target, back in diagram.flows:
        sx, sy, sw, sh = boxes[source]
        tx, ty, tw, th = boxes[target]
        if back:
            above = min(sy, ty) - 15
            points = [(sx + sw // 2, sy), (sx + sw // 2, above), (tx + tw // 2, above),
                      (tx + tw // 2, ty)]
        else:
            # along the source's row, then down or up just before the target: a flow that
            # skips a step runs beside it, not through it
            start, finish = (sx + sw, sy + sh // 2), (tx, ty + th // 2)
            turn = max(start[0] + 10, finish[0] - 25)
            points = ([start, finish] if start[1] == finish[1] else
                      [start, (turn, start[1]), (turn, finish[1]), finish])
        edge = ET.SubElement(plane, tag("bpmndi", "BPMNEdge"),
                             {"id": f"{flow_id}_di", "bpmnElement": flow_id})
        for x, y in points:
            ET.SubElement(edge, tag("di", "waypoint"), {"x": str(x), "y": str(y)})
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _departments(events: pd.DataFrame) -> dict[str, str]:
    """Activity -> its most frequent department-level actor (ties: first by name)."""
    who = actor(events, "department")
    known = pd.DataFrame({"activity": events[ACTIVITY].astype(str).to_numpy(),
                          "lane": who.to_numpy()}).dropna()
    if known.empty:
        return {}
    counts = known.value_counts(["activity", "lane"]).rename("n").reset_index()
    counts = counts.sort_values(["activity", "n", "lane"], ascending=[True, False, True],
                                kind="stable").drop_duplicates("activity")
    return dict(zip(counts["activity"].astype(str), counts["lane"].astype(str), strict=True))
