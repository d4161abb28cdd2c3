"""Process maps, handoff maps and as-is / to-be pairs as Graphviz drawings for a projector.

Everything is styled to be read from the back of a room: left to right
(folded into rows when the flow is too long for a 4:3 - 16:9 slide; see
``fit``), labels of at least 16 pt, the Okabe–Ito colour-blind-safe palette, edge width
growing with frequency, departments as swimlanes (Graphviz clusters), handoffs
between departments dashed in vermillion, a legend, and a title with the log's
counts. Every label is escaped: activity names may hold quotes, braces,
backslashes or markup.

The functions return :class:`MapDrawing`, a :class:`graphviz.Digraph` that
also remembers what it shows, so that it can still be drawn (as a pure-SVG
layered layout) when the ``dot`` binary is missing. Nothing here computes a
statistic: the numbers come from :mod:`procmine.discovery` and
:mod:`procmine.analysis`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, cast

import pandas as pd

from procmine._check import check_choice
from procmine.errors import UsageError
from procmine.render._spec import (
    BLACK,
    BLUE,
    EDGE_COLOUR,
    GREEN,
    HANDOFF_COLOUR,
    LANE_COLOURS,
    ORANGE,
    PURPLE,
    VERMILLION,
    Drawing,
    Edge,
    MapDrawing,
    Node,
    fold,
    make_drawing,
    penwidth,
    tint,
    wrap,
)
from procmine.render.html import pair_html

if TYPE_CHECKING:
    from procmine.discovery.dfg import ProcessMap

__all__ = [
    "AsIsToBe",
    "MapDrawing",
    "draw_as_is_to_be",
    "draw_handoff_map",
    "draw_map",
    "format_seconds",
]

MapMeasure = Literal["frequency", "performance"]
HandoffMeasure = Literal["count", "wait"]
Direction = Literal["LR", "TB"]
Fit = Literal["projector", "none"]
_MAP_MEASURES = ("frequency", "performance")
_HANDOFF_MEASURES = ("count", "wait")
_DIRECTIONS = ("LR", "TB")
_FITS = ("projector", "none")
#: Width / height of one map of an as-is / to-be pair: two stacked fill a 4:3 - 16:9 slide.
PAIR_SLIDE = (8 / 3, 32 / 9)
#: Outside parties in a handoff map and how they are drawn: (shape, colour).
PARTY_STYLE: Mapping[str, tuple[str, str]] = {
    "customer": ("ellipse", GREEN),
    "supplier": ("hexagon", PURPLE),
    "carrier": ("cds", ORANGE),
}
_FIGURE_SPACE = "\u2007"  # as wide as a digit: pads numbers to equal width


_make = make_drawing  # graphs.py draws with the same helper


def format_seconds(seconds: float) -> str:
    """A wait in the unit a person would use.

    Examples
    --------
    >>> [format_seconds(s) for s in (42, 600, 5400, 3 * 86400, float("nan"))]
    ['42 s', '10 min', '1.5 h', '3.0 d', '–']
    """
    if seconds != seconds:  # NaN
        return "–"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _check(value: str, allowed: tuple[str, ...], name: str) -> None:
    check_choice(value, allowed, option=name)


def _lane_colours(departments: list[str]) -> dict[str, str]:
    return {d: LANE_COLOURS[i % len(LANE_COLOURS)] for i, d in enumerate(sorted(departments))}


_OUTSIDE_COLOUR = "#555555"


def _rows(table: pd.DataFrame) -> Iterator[Any]:
    """The rows of a table as named tuples (typed Any: a column may be named ``count``)."""
    return table.itertuples(index=False)


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(cast(Any, value)))


def _lane_of(department: object, party: object) -> str | None:
    """The swimlane of an activity: its department, else its outside party, else none."""
    if not _missing(department):
        return str(department)
    if not _missing(party) and str(party) in PARTY_STYLE:
        return f"{str(party).capitalize()} (outside)"
    return None


def _lanes(*tables: pd.DataFrame) -> dict[str, str]:
    """Lane -> colour: departments in palette order, outside parties grey (dashed)."""
    lanes: set[str] = set()
    for table in tables:
        party = table["party"] if "party" in table.columns else pd.Series(pd.NA, index=table.index)
        lanes |= {lane for d, p in zip(table["department"], party, strict=True)
                  if (lane := _lane_of(d, p)) is not None}
    inside = sorted(lane for lane in lanes if not lane.endswith(" (outside)"))
    colours = _lane_colours(inside)
    colours.update({lane: _OUTSIDE_COLOUR for lane in sorted(lanes - set(inside))})
    return colours


def _pct(fraction: float) -> str:
    """A share as a percentage that never rounds a partial share up to 100%.

    Examples
    --------
    >>> _pct(1.0), _pct(0.996), _pct(0.5)
    ('100%', '99.6%', '50%')
    """
    if fraction < 1.0 and round(fraction * 100) >= 100:
        return f"{int(fraction * 1000) / 10:.1f}%"
    return f"{fraction:.0%}"


def _counted(n: int, word: str) -> str:
    plural = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return f"{n:,} {word if n == 1 else plural}"


def _subtitle(pmap: ProcessMap) -> str:
    text = " · ".join(_counted(n, word) for n, word in (
        (pmap.n_events, "event"), (pmap.n_cases, "case"),
        (pmap.n_activities_total, "activity"), (pmap.n_edges_total, "path")))
    if pmap.simplified:
        text += (f" — showing {len(pmap.nodes):,} activities ({_pct(pmap.activity_coverage)} "
                 f"of events) and {len(pmap.edges):,} paths (path coverage "
                 f"{_pct(pmap.path_coverage)})")
    return text


def _side(pmap: ProcessMap, other: ProcessMap | None) -> tuple[pd.DataFrame, pd.DataFrame,
                                                            pd.DataFrame, pd.DataFrame]:
    """Tables of ``pmap`` extended with the rows only ``other`` has (drawn invisible)."""
    if other is None:
        return pmap.nodes, pmap.edges, pmap.start, pmap.end

    def union(mine: pd.DataFrame, theirs: pd.DataFrame, key: list[str]) -> pd.DataFrame:
        seen = pd.MultiIndex.from_frame(mine[key].astype(str)) if len(mine) else None
        if seen is None:
            return theirs.reset_index(drop=True)
        extra: Any = ~pd.MultiIndex.from_frame(theirs[key].astype(str)).isin(seen) if len(
            theirs) else []
        return pd.concat([mine, theirs.loc[extra]], ignore_index=True)

    return (union(pmap.nodes, other.nodes, ["activity"]),
            union(pmap.edges, other.edges, ["source", "target"]),
            union(pmap.start, other.start, ["activity"]),
            union(pmap.end, other.end, ["activity"]))


def _map_drawing(
    pmap: ProcessMap,
    *,
    title: str,
    subtitle: str,
    swimlanes: bool,
    handoffs: bool,
    measure: str,
    tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame] | None = None,
    order: list[str] | None = None,
    pad: Mapping[Any, int] | None = None,
    colours: Mapping[str, str] | None = None,
    moved: Mapping[str, str] | None = None,
) -> Drawing:
    """Describe a map. ``tables``/``order``/``pad``/``moved`` align two maps (as-is / to-be).

    ``moved`` maps an activity that changes lane between the two maps to a note
    ("Sales → Customer (outside)"): it is drawn outside the lanes in both, so
    that both layouts keep the same lanes.
    """
    moved = moved or {}
    nodes_t, edges_t, start_t, end_t = tables or (pmap.nodes, pmap.edges, pmap.start, pmap.end)
    present_nodes = set(pmap.nodes["activity"].astype(str))
    present_edges = {(str(a), str(b)) for a, b in zip(pmap.edges["source"], pmap.edges["target"],
                                                      strict=True)}
    present_edges |= {("", str(a)) for a in pmap.start["activity"]}
    present_edges |= {(str(a), "") for a in pmap.end["activity"]}
    if colours is None:
        colours = _lanes(nodes_t)
    pad = pad or {}
    names = order or nodes_t["activity"].astype(str).tolist()
    ids = {a: f"a{i}" for i, a in enumerate(names)}
    biggest_node = float(pmap.nodes["count"].max()) if len(pmap.nodes) else 1.0

    def padded(key: Any, text: str) -> str:
        return text.rjust(pad.get(key, 0), _FIGURE_SPACE)

    nodes = [
        Node("start", ["start"], fill=GREEN, border=GREEN, shape="circle", style="filled",
             font_colour="#FFFFFF"),
        Node("end", ["end"], fill=BLACK, border=BLACK, shape="doublecircle", style="filled",
             font_colour="#FFFFFF"),
    ]
    by_name = {str(r.activity): r for r in _rows(nodes_t)}
    for activity in names:
        row = by_name[activity]
        lane = _lane_of(row.department, getattr(row, "party", None))
        outside = lane is not None and lane.endswith(" (outside)")
        colour = colours.get(lane, "#777777") if lane else "#777777"
        note = [f"[{moved[activity]}]"] if activity in moved else []
        nodes.append(Node(
            ids[activity],
            [*wrap(activity), *note, padded(activity, f"{int(row.count):,}")],
            fill=tint(colour, 0.75) if lane and not outside else "#FFFFFF",
            border=colour,
            style="rounded,filled,dashed" if outside else "rounded,filled",
            cluster=lane if swimlanes and activity not in moved else None,
            penwidth=1.5 + 2.5 * min(1.0, int(row.count) / biggest_node),
            visible=activity in present_nodes,
        ))
    counts = [*pmap.edges["count"].tolist(), *pmap.start["count"].tolist(),
              *pmap.end["count"].tolist()]
    biggest = float(max(counts)) if counts else 1.0
    edges: list[Edge] = []
    any_handoff = False
    for row in _rows(edges_t):
        key = (str(row.source), str(row.target))
        is_handoff = bool(handoffs and row.handoff)
        visible = key in present_edges
        any_handoff |= is_handoff and visible
        label = (f"{int(row.count):,}" if measure == "frequency"
                 else format_seconds(float(row.median_wait_s)))
        edges.append(Edge(
            ids[key[0]], ids[key[1]], label=padded(key, label),
            colour=HANDOFF_COLOUR if is_handoff else EDGE_COLOUR,
            penwidth=penwidth(min(int(row.count), biggest), biggest),
            dashed=is_handoff, visible=visible,
        ))
    for table, is_start in ((start_t, True), (end_t, False)):
        for row in _rows(table):
            activity = str(row.activity)
            key = ("", activity) if is_start else (activity, "")
            edges.append(Edge(
                "start" if is_start else ids[activity], ids[activity] if is_start else "end",
                label=padded(key, f"{int(row.count):,}"), colour="#8A8A8A",
                penwidth=penwidth(min(int(row.count), biggest), biggest, high=5.0),
                visible=key in present_edges,
            ))
    legend = [
        ("line", EDGE_COLOUR, "path; width = how often it is followed"
         + ("; label = times followed" if measure == "frequency" else "; label = median wait")),
    ]
    if any_handoff:
        legend.append(("dashed", HANDOFF_COLOUR,
                       "handoff: work passes to another department or party on this path"))
    legend.append(("line", "#8A8A8A", "orders starting / ending here"))
    shown = {n.cluster for n in nodes} if swimlanes else set(_lanes(nodes_t))
    used = [d for d in colours if d in shown]
    if not swimlanes:
        legend += [("box", colours[d], d) for d in used]
    elif any(d.endswith(" (outside)") for d in used):
        legend.append(("dashed", _OUTSIDE_COLOUR, "outside party: customer, supplier, carrier"))
    return Drawing(title=title, subtitle=subtitle, nodes=nodes, edges=edges,
                   clusters={d: colours[d] for d in used} if swimlanes else {}, legend=legend,
                   dashed_clusters={d for d in used if d.endswith(" (outside)")})


def draw_map(
    pmap: ProcessMap,
    *,
    title: str | None = None,
    swimlanes: bool = True,
    handoffs: bool = True,
    measure: MapMeasure = "frequency",
    direction: Direction = "LR",
    fit: Fit = "projector",
) -> MapDrawing:
    r"""Draw a process map for a projector.

    Parameters
    ----------
    pmap : ProcessMap
        From :func:`procmine.process_map`.
    title : str, optional, keyword-only
        Defaults to the log's name; the subtitle always gives the log's
        counts and, for a simplified map, what is shown.
    swimlanes : bool, keyword-only
        Group activities in one box per department (an activity's department
        is its most frequent one).
    handoffs : bool, keyword-only
        Mark the paths on which work passes to another department or outside
        party in at least one order (dashed, vermillion): the edges'
        ``handoff`` column, from the one handoff counter.
    measure : {"frequency", "performance"}, keyword-only
        Edge labels: how often the path is taken, or its median wait.
    direction : {"LR", "TB"}, keyword-only
        The flow runs left to right (swimlanes are boxes along it) or top to
        bottom.
    fit : {"projector", "none"}, keyword-only
        ``"projector"`` (default) folds a flow too long for one slide into
        rows (``LR``; into columns for ``TB``) so that the drawing is about
        4:3 to 16:9 and its 16 pt+ labels stay readable on a projector;
        each row repeats the lanes it crosses, and the arcs from one row to
        the next run back across the drawing. ``"none"`` draws one strip as
        long as the process. Folding needs ``dot`` (it measures the layout);
        without it the map is drawn unfolded.

    Returns
    -------
    MapDrawing
        A :class:`graphviz.Digraph`; save it with :func:`procmine.render.save`.

    Raises
    ------
    UsageError
        An unknown ``measure``, ``direction`` or ``fit``.

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog, process_map
    >>> frame = pd.DataFrame({
    ...     "case_id": ["o1", "o1"], "activity": ["Enter order", 'Pick "A"'],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00"], utc=True),
    ...     "department": ["Sales", "Warehouse"]})
    >>> graph = draw_map(process_map(EventLog.from_frame(frame, name="demo")))
    >>> r'label="Pick \"A\"\n1"' in graph.source
    True
    """
    _check(measure, _MAP_MEASURES, "measure")
    _check(direction, _DIRECTIONS, "direction")
    _check(fit, _FITS, "fit")
    drawing = _map_drawing(pmap, title=title if title is not None else pmap.name,
                           subtitle=_subtitle(pmap), swimlanes=swimlanes, handoffs=handoffs,
                           measure=measure)
    drawing.rankdir = direction
    if fit == "projector":
        drawing = fold(drawing)
    return _make(drawing, "process_map")


def _party_of(name: str, parties: Mapping[str, str] | None) -> str:
    if parties is not None and name in parties:
        return str(parties[name])
    low = name.strip().lower().removesuffix(" (outside)")
    for party in PARTY_STYLE:
        if low in (party, party + "s"):
            return party
    return "internal"


def draw_handoff_map(
    handoff_table: pd.DataFrame,
    *,
    measure: HandoffMeasure = "count",
    title: str | None = None,
    parties: Mapping[str, str] | None = None,
) -> MapDrawing:
    """Draw departments and outside parties, with the handoffs between them.

    Parameters
    ----------
    handoff_table : pandas.DataFrame
        The ``table`` of :func:`procmine.handoffs` (at least ``source``,
        ``target``, ``count``, ``median_wait_s``, ``p90_wait_s``; ``cases``
        and ``cost`` are shown when present).
    measure : {"count", "wait"}, keyword-only
        Edge labels: number of handoffs, or median and p90 wait (edges with
        the longest median waits are coloured vermillion).
    title : str, optional, keyword-only
    parties : mapping, optional, keyword-only
        Node name -> party (``customer``, ``supplier``, ``carrier`` or
        ``internal``). By default a node named ``customer``, ``supplier`` or
        ``carrier`` (any case, also plural: the names department-level actors
        give events of an outside party without a department) is that outside
        party; a department such as ``Customer Service`` stays internal.

    Returns
    -------
    MapDrawing

    Examples
    --------
    >>> table = pd.DataFrame({"source": ["Customer", "Sales"], "target": ["Sales", "Warehouse"],
    ...                       "count": [10, 8], "median_wait_s": [60.0, 7200.0],
    ...                       "p90_wait_s": [120.0, 9000.0]})
    >>> graph = draw_handoff_map(table)
    >>> "shape=ellipse" in graph.source
    True
    """
    _check(measure, _HANDOFF_MEASURES, "measure")
    missing = [c for c in ("source", "target", "count", "median_wait_s", "p90_wait_s")
               if c not in handoff_table.columns]
    if missing:
        raise UsageError(f"handoff table lacks column(s) {', '.join(missing)}; columns present: "
                         f"{', '.join(map(str, handoff_table.columns))}. Pass handoffs(log).table.")
    names = sorted(set(handoff_table["source"].astype(str))
                   | set(handoff_table["target"].astype(str)))
    internal = [n for n in names if _party_of(n, parties) == "internal"]
    colours = _lane_colours(internal)
    traffic = (handoff_table.groupby("source")["count"].sum().add(
        handoff_table.groupby("target")["count"].sum(), fill_value=0))
    ids = {n: f"d{i}" for i, n in enumerate(names)}
    nodes = []
    for name in names:
        party = _party_of(name, parties)
        lines = [*wrap(name, 18), f"{int(traffic.get(name, 0)):,} handoffs in+out"]
        if party == "internal":
            nodes.append(Node(ids[name], lines, fill=tint(colours[name], 0.75),
                              border=colours[name], penwidth=2.5))
        else:
            shape, colour = PARTY_STYLE.get(party, ("ellipse", GREEN))
            nodes.append(Node(ids[name], [*wrap(name, 18), f"({party})"], fill=tint(colour, 0.6),
                              border=colour, shape=shape, style="filled", penwidth=3))
    biggest = float(handoff_table["count"].max()) if len(handoff_table) else 1.0
    waits = handoff_table["median_wait_s"].astype(float)
    slow = float(waits.quantile(0.75)) if len(waits.dropna()) else float("inf")
    edges = []
    for row in _rows(handoff_table):
        if measure == "count":
            label = f"{int(row.count):,}×"
            colour = EDGE_COLOUR
        else:
            label = (f"median {format_seconds(float(row.median_wait_s))} · "
                     f"p90 {format_seconds(float(row.p90_wait_s))}")
            colour = VERMILLION if float(row.median_wait_s) >= slow else BLUE
        edges.append(Edge(ids[str(row.source)], ids[str(row.target)], label=label, colour=colour,
                          penwidth=penwidth(int(row.count), biggest)))
    legend: list[tuple[str, str, str]] = [
        ("box", BLUE, "department (box)"),
        *[("box", PARTY_STYLE[p][1], f"{p} ({PARTY_STYLE[p][0]})") for p in PARTY_STYLE
          if any(_party_of(n, parties) == p for n in names)],
        ("line", EDGE_COLOUR if measure == "count" else BLUE,
         "handoff; width = number of handoffs"
         + ("; label = count" if measure == "count" else "; label = median and p90 wait")),
    ]
    if measure == "wait":
        legend.append(("line", VERMILLION, "slowest quarter of handoffs (median wait)"))
    total = int(handoff_table["count"].sum()) if len(handoff_table) else 0
    drawing = Drawing(
        title=title if title is not None else "Handoffs between departments and parties",
        subtitle=f"{total:,} handoffs on {len(handoff_table):,} routes between "
                 f"{len(names):,} departments and parties",
        nodes=nodes, edges=edges, legend=legend,
    )
    return _make(drawing, "handoff_map")


@dataclass(frozen=True, eq=False)
class AsIsToBe:
    """Two maps drawn with the same nodes in the same order (absent ones invisible).

    Both drawings hold the union of activities and paths, and labels are
    padded to equal width, so Graphviz places the shared activities in the
    same spots where it can. An activity that changes lane (e.g. moves from
    Sales to the customer) is drawn outside the lanes in both maps, with a
    note "Sales → Customer (outside)", so that both keep the same lanes.
    Save with :func:`procmine.render.save` (``svg`` stacks the two, ``html``
    shows them one above the other).
    """

    before: MapDrawing
    after: MapDrawing

    def _repr_html_(self) -> str:
        return pair_html(self)


def draw_as_is_to_be(
    before: ProcessMap,
    after: ProcessMap,
    *,
    measure: MapMeasure = "frequency",
    swimlanes: bool = True,
    handoffs: bool = True,
    titles: tuple[str, str] = ("As-is", "To-be"),
    direction: Direction = "LR",
    fit: Fit = "projector",
) -> AsIsToBe:
    """Draw an as-is and a to-be map so that they can be compared side by side.

    Parameters
    ----------
    before, after : ProcessMap
        The maps of today's log and of the projected log.
    measure, swimlanes, handoffs, direction
        As for :func:`draw_map`.
    titles : (str, str), keyword-only
        Titles of the two drawings.
    fit : {"projector", "none"}, keyword-only
        ``"projector"`` folds both maps the same way (rows cut at the same
        places, found on the as-is map holding every activity of both) so
        that the two, one above the other, fill one 4:3 - 16:9 slide: each
        map is about 8:3 to 32:9. ``"none"``: one strip each.

    Returns
    -------
    AsIsToBe

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog, process_map
    >>> def log(acts):
    ...     return EventLog.from_frame(pd.DataFrame({"case_id": ["o"] * len(acts),
    ...         "activity": acts, "timestamp": pd.date_range("2024-01-01", periods=len(acts),
    ...         freq="h", tz="UTC")}))
    >>> pair = draw_as_is_to_be(process_map(log(["a", "b", "c"])), process_map(log(["a", "c"])))
    >>> pair.before.source.count("->") == pair.after.source.count("->")
    True
    """
    _check(measure, _MAP_MEASURES, "measure")
    _check(direction, _DIRECTIONS, "direction")
    _check(fit, _FITS, "fit")
    order = before.nodes["activity"].astype(str).tolist()
    order += [a for a in after.nodes["activity"].astype(str) if a not in set(order)]
    colours = _lanes(before.nodes, after.nodes)

    def labels(pmap: ProcessMap) -> dict[Any, int]:
        out: dict[Any, int] = {str(a): len(f"{int(n):,}")
                               for a, n in zip(pmap.nodes["activity"], pmap.nodes["count"],
                                               strict=True)}
        for r in _rows(pmap.edges):
            text = (f"{int(r.count):,}" if measure == "frequency"
                    else format_seconds(float(r.median_wait_s)))
            out[(str(r.source), str(r.target))] = len(text)
        for a, n in zip(pmap.start["activity"], pmap.start["count"], strict=True):
            out[("", str(a))] = len(f"{int(n):,}")
        for a, n in zip(pmap.end["activity"], pmap.end["count"], strict=True):
            out[(str(a), "")] = len(f"{int(n):,}")
        return out

    a, b = labels(before), labels(after)
    pad = {k: max(a.get(k, 0), b.get(k, 0)) for k in a.keys() | b.keys()}

    def lanes_of(pmap: ProcessMap) -> dict[str, str | None]:
        nodes = pmap.nodes
        party = nodes["party"] if "party" in nodes.columns else [None] * len(nodes)
        return {str(act): _lane_of(d, p) for act, d, p in zip(
            pmap.nodes["activity"], pmap.nodes["department"], party, strict=True)}

    lanes_before, lanes_after = lanes_of(before), lanes_of(after)
    moved = {act: f"{lanes_before[act] or 'no lane'} → {lanes_after[act] or 'no lane'}"
             for act in lanes_before.keys() & lanes_after.keys()
             if lanes_before[act] != lanes_after[act]}
    described = []
    for pmap, other, title in ((before, after, titles[0]), (after, before, titles[1])):
        drawing = _map_drawing(
            pmap, title=f"{title}: {pmap.name}", subtitle=_subtitle(pmap), swimlanes=swimlanes,
            handoffs=handoffs, measure=measure, tables=_side(pmap, other), order=order, pad=pad,
            colours=colours, moved=moved,
        )
        drawing.rankdir = direction
        described.append(drawing)
    if fit == "projector":
        # the pair is shown one map above the other: each aims at half a slide's height
        folded = fold(described[0], target=PAIR_SLIDE)
        described = [folded, replace(described[1], bands=folded.bands)]
    return AsIsToBe(before=_make(described[0], "as_is"), after=_make(described[1], "to_be"))
