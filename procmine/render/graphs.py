"""Information-flow graphs (re-entry) and object-centric maps, drawn for a projector.

Like :mod:`procmine.render.maps`, these turn results into
:class:`~procmine.render.maps.MapDrawing` objects (Graphviz digraphs that
also draw without ``dot``) and compute no statistic: the counts come from
:func:`procmine.reentry` and :func:`procmine.object_centric_map`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from procmine.errors import UsageError
from procmine.render._spec import (
    BLACK,
    BLUE,
    EDGE_COLOUR,
    GREEN,
    ORANGE,
    PURPLE,
    SKY,
    VERMILLION,
    YELLOW,
    Drawing,
    Edge,
    Node,
    fold,
    penwidth,
    tint,
    wrap,
)
from procmine.render.maps import PARTY_STYLE, MapDrawing, _check, _make, _rows
from procmine.render.medium import MEDIA, Medium

if TYPE_CHECKING:
    from procmine.analysis.reentry import Reentry
    from procmine.discovery.ocdfg import ObjectCentricMap

__all__ = ["OBJECT_TYPE_COLOURS", "draw_information_flow", "draw_object_centric_map"]

#: Colours of object types, in sorted type order (Okabe & Ito 2008; yellow last, as it is
#: the palest on white). More types cycle through them again, dashed.
OBJECT_TYPE_COLOURS = (BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY, BLACK, YELLOW)
#: Paths an object-centric map shows before it starts simplified.
MAX_OC_PATHS = 40
_FIRST_COLOUR = BLUE
_REENTRY_COLOUR = VERMILLION
_FITS = ("projector", "none")


def _rate(discrepancies: int, count: int) -> str:
    share = discrepancies / count if count else 0.0
    return f"{share:.0%}" if share == 0 or share >= 0.01 else "<1%"


def draw_information_flow(result: Reentry, *, title: str | None = None,
                          medium: Medium = "slide") -> MapDrawing:
    """Draw who enters each information item first and who keys it in again.

    Items (note shapes, with their owner) sit on the right; the departments,
    systems or parties that enter them (boxes; customer, supplier and
    carrier in their own shapes) on the left. A solid blue arc "first ×N"
    says the actor entered the item first in N orders; a dashed vermillion
    arc "re-enters ×N" says it keyed the item in again N times, with the
    share of those re-entries whose value differed from the first
    (discrepancies). With the "redo" fallback signal no values were
    compared, so no rate is shown.

    Parameters
    ----------
    result : Reentry
        From :func:`procmine.reentry`; its ``graph`` is drawn.
    title : str, optional, keyword-only
    medium : {"notebook", "slide", "print"}, keyword-only
        Where it is shown (:mod:`procmine.render.medium`): fonts, wrapping,
        and the box the drawing is folded to fit (as :func:`procmine.draw_map`).

    Returns
    -------
    MapDrawing

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog, InformationItem, reentry
    >>> frame = pd.DataFrame({
    ...     "case_id": ["o1", "o1"], "activity": ["Enter order", "Book transport"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 11:00"], utc=True),
    ...     "department": ["Sales", "Shipping"], "delivery_address": ["Main St 1", "Main St 2"]})
    >>> log = EventLog.from_frame(frame, items=[InformationItem("delivery_address", "customer")])
    >>> graph = draw_information_flow(reentry(log))
    >>> "re-enters 1× · 100% differ" in graph.source
    True
    """
    graph = result.graph
    values = graph.graph.get("signal", result.signal) == "values"
    names = sorted(graph.nodes, key=str)
    items = [n for n in names if graph.nodes[n].get("kind") == "item"]
    actors = [n for n in names if graph.nodes[n].get("kind") != "item"]
    ids = {n: f"i{k}" for k, n in enumerate(items)}
    ids.update({n: f"p{k}" for k, n in enumerate(actors)})
    nodes: list[Node] = []
    for item in items:
        owner = graph.nodes[item].get("owner")
        lines = [*wrap(str(item), 20)]
        if owner is not None and not pd.isna(owner):
            lines.append(f"owner: {owner}")
        nodes.append(Node(ids[item], lines, fill=tint(SKY, 0.7), border=BLUE, shape="note",
                          style="filled", penwidth=2.0))
    shapes_used = set()
    for actor in actors:
        party = str(actor).strip().lower()
        if party in PARTY_STYLE:
            shape, colour = PARTY_STYLE[party]
            shapes_used.add(party)
            nodes.append(Node(ids[actor], [*wrap(str(actor), 18), "(outside party)"],
                              fill=tint(colour, 0.6), border=colour, shape=shape,
                              style="filled", penwidth=2.5))
        else:
            nodes.append(Node(ids[actor], wrap(str(actor), 18), fill=tint("#777777", 0.85),
                              border="#555555", penwidth=2.0))
    arcs = sorted(graph.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), e[2]))
    biggest = float(max((d.get("count", 0) for _, _, _, d in arcs), default=1) or 1)
    edges: list[Edge] = []
    for source, target, key, data in arcs:
        count = int(data.get("count", 0))
        if key == "re-enters":
            label = f"re-enters {count:,}×"
            if values:
                label += f" · {_rate(int(data.get('discrepancies', 0)), count)} differ"
            edges.append(Edge(ids[source], ids[target], label=label, colour=_REENTRY_COLOUR,
                              penwidth=penwidth(count, biggest), dashed=True))
        else:
            edges.append(Edge(ids[source], ids[target], label=f"first {count:,}×",
                              colour=_FIRST_COLOUR, penwidth=penwidth(count, biggest)))
    legend: list[tuple[str, str, str]] = [
        ("box", SKY, "information item (note), with its owner"),
        ("box", "#777777", "department or system (box)"),
        *[("box", PARTY_STYLE[p][1], f"{p} ({PARTY_STYLE[p][0]})") for p in PARTY_STYLE
          if p in shapes_used],
        ("line", _FIRST_COLOUR, "enters first: orders where it entered the item first"),
        ("dashed", _REENTRY_COLOUR, "re-enters: times keyed in again"
         + ("; % whose value differed" if values else " (repeated activity; values unknown)")),
    ]
    n_cases = int(result.events["case_id"].nunique()) if len(result.events) else 0
    who = {"department": "departments and parties", "source": "source systems",
           "party": "parties"}.get(result.level, "actors")
    subtitle = (f"{result.count:,} re-entries in {n_cases:,} orders · "
                f"{len(items):,} items · {len(actors):,} {who}")
    if not values:
        subtitle += " · fallback signal: repeated activities, no values compared"
    drawing = Drawing(
        title=(title if title is not None
               else f"Information flow: who enters what (by {result.level})"),
        subtitle=subtitle, nodes=nodes, edges=edges, legend=legend, medium=medium,
    )
    return _make(_best_direction(drawing), "information_flow")


def _best_direction(drawing: Drawing) -> Drawing:
    """The drawing left to right or top to bottom, whichever shows its text larger.

    A two-column drawing (actors, items) grows tall with many items: on a
    wide slide it reads larger as two rows.
    """
    from procmine.render._spec import fixed, scale_in

    best, best_scale = drawing, -1.0
    for rankdir in ("LR", "TB"):
        laid = fixed(replace(drawing, rankdir=rankdir))
        if laid.positions is None:
            return drawing
        scale = scale_in(laid.positions.size(), laid.style)
        if scale > best_scale * 1.05:
            best, best_scale = laid, scale
    return best


def _type_colour(index: int) -> tuple[str, bool]:
    """Colour of the ``index``-th object type and whether its arcs are dashed."""
    return OBJECT_TYPE_COLOURS[index % len(OBJECT_TYPE_COLOURS)], index >= len(
        OBJECT_TYPE_COLOURS)


def _kept_paths(edges: pd.DataFrame, paths: float | None) -> tuple[pd.Series, str]:
    """Which paths to draw, and a note saying which (empty when all are drawn).

    With ``paths``: per object type, its most frequent paths covering that share
    of the type's event couples (at least its busiest). ``None``: every path,
    unless there are more than :data:`MAX_OC_PATHS`; then each type keeps its
    most frequent ``MAX_OC_PATHS // types`` (at least 3), so that a type with
    many paths does not crowd out the others.
    """
    if len(edges) == 0:
        return pd.Series([], dtype=bool), ""
    ranked = edges.sort_values(["object_type", "event_couples", "source", "target"],
                               ascending=[True, False, True, True], kind="stable")
    by_type = ranked.groupby("object_type", sort=False)
    if paths is None:
        if len(edges) <= MAX_OC_PATHS:
            return pd.Series(True, index=edges.index), ""
        budget = max(3, MAX_OC_PATHS // max(1, ranked["object_type"].nunique()))
        kept = (by_type.cumcount() < budget).reindex(edges.index)
        return kept, f"each type's {budget} most frequent"
    couples = ranked["event_couples"].astype("float64")
    total = by_type["event_couples"].transform("sum").astype("float64")
    before = (by_type["event_couples"].cumsum() - couples) / total.where(total > 0, 1.0)
    kept = ((before < paths - 1e-12) | (by_type.cumcount() == 0)).reindex(edges.index)
    note = f"each type's most frequent, covering {paths:.0%} of its event couples"
    return kept, note if not kept.all() else ""


def draw_object_centric_map(
    ocmap: ObjectCentricMap,
    *,
    title: str | None = None,
    paths: float | None = None,
    fit: Literal["projector", "none"] = "projector",
    medium: Medium = "slide",
) -> MapDrawing:
    """Draw an object-centric directly-follows map: one colour per object type.

    Each activity is one node, labelled with its events (the most of them
    touching objects of one type: all of them when some type takes part in
    every one); each object type has its own start and end
    (ellipses in its colour, labelled with the objects that start / end
    there) and its own arcs, labelled with their event couples (the
    pm4py count) and widened with their share of the type's busiest path.
    Colours follow the Okabe–Ito palette in sorted type order, with a
    legend.

    Parameters
    ----------
    ocmap : ObjectCentricMap
        From :func:`procmine.object_centric_map`.
    title : str, optional, keyword-only
    paths : float or None, keyword-only
        Path coverage in [0, 1], per object type: keep each type's most
        frequent paths covering this share of its event couples (at least
        its busiest path). ``None`` (default) keeps every path of a map
        with at most 40; a larger map keeps each type's ``40 // types``
        most frequent paths (at least 3). The subtitle says what is shown.
    fit : {"projector", "none"}, keyword-only
        As for :func:`procmine.draw_map`.
    medium : {"notebook", "slide", "print"}, keyword-only
        As for :func:`procmine.draw_map`: fonts, wrapping, and the box the fold aims at.

    Returns
    -------
    MapDrawing

    Raises
    ------
    UsageError
        ``paths`` outside [0, 1], or an unknown ``fit``.

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine.discovery.ocdfg import ObjectCentricMap
    >>> m = ObjectCentricMap(
    ...     nodes=pd.DataFrame({"object_type": ["orders", "orders"], "activity": ["place", "ship"],
    ...                         "events": [2, 2], "objects": [2, 2]}),
    ...     edges=pd.DataFrame({"object_type": ["orders"], "source": ["place"],
    ...                         "target": ["ship"], "event_couples": [2], "objects": [2],
    ...                         "median_wait_s": [3600.0]}),
    ...     start=pd.DataFrame({"object_type": ["orders"], "activity": ["place"], "objects": [2]}),
    ...     end=pd.DataFrame({"object_type": ["orders"], "activity": ["ship"], "objects": [2]}))
    >>> "orders" in draw_object_centric_map(m).source
    True
    """
    _check(fit, _FITS, "fit")
    _check(medium, MEDIA, "medium")
    if paths is not None and not (isinstance(paths, int | float) and 0.0 <= float(paths) <= 1.0):
        raise UsageError(f"paths must be a fraction in [0, 1] or None; got {paths!r}")
    types = ocmap.object_types
    colour_of = {t: _type_colour(i) for i, t in enumerate(types)}
    kept, note = _kept_paths(ocmap.edges, paths)
    shown = ocmap.edges.loc[kept.to_numpy(dtype=bool)] if len(ocmap.edges) else ocmap.edges
    # declared in flow order (starts, then activities where most objects start, then ends):
    # dot breaks cycles from the first nodes it meets, so the flow runs left to right
    starts: Any = ocmap.start.groupby("activity")["objects"].sum() if len(ocmap.start) else {}
    activities = sorted(set(ocmap.nodes["activity"].astype(str)),
                        key=lambda a: (-int(starts.get(a, 0)), a))
    ids: dict[Any, str] = {a: f"a{k}" for k, a in enumerate(activities)}
    events: Any = ocmap.nodes.groupby("activity")["events"].max() if len(ocmap.nodes) else {}
    nodes = [Node(f"s{k}", [*wrap(str(t), 16), "start"], fill=tint(colour_of[t][0], 0.6),
                  border=colour_of[t][0], shape="ellipse", style="filled", penwidth=2.5)
             for k, t in enumerate(types)]
    nodes += [Node(ids[a], [*wrap(a), f"{int(events[a]):,} events"], fill="#FFFFFF",
                   border="#555555", penwidth=2.0) for a in activities]
    nodes += [Node(f"e{k}", [*wrap(str(t), 16), "end"], fill="#FFFFFF",
                   border=colour_of[t][0], shape="ellipse", style="filled", penwidth=2.5)
              for k, t in enumerate(types)]
    edges: list[Edge] = []
    for t_index, otype in enumerate(types):
        colour, dashed = colour_of[otype]
        start_id, end_id = f"s{t_index}", f"e{t_index}"
        mine = shown.loc[shown["object_type"] == otype]
        biggest = float(mine["event_couples"].max()) if len(mine) else 1.0
        for row in _rows(mine.sort_values(["source", "target"], kind="stable")):
            count = int(row.event_couples)
            edges.append(Edge(ids[str(row.source)], ids[str(row.target)],
                              label=f"{count:,}", colour=colour,
                              penwidth=penwidth(count, biggest, high=7.0), dashed=dashed))
        for table, is_start in ((ocmap.start, True), (ocmap.end, False)):
            rows = table.loc[table["object_type"] == otype].sort_values("activity", kind="stable")
            for row in _rows(rows):
                act = ids.get(str(row.activity))
                if act is None:
                    continue
                edges.append(Edge(start_id if is_start else act, act if is_start else end_id,
                                  label=f"{int(row.objects):,}", colour=colour, penwidth=1.5,
                                  dashed=True))
    legend: list[tuple[str, str, str]] = []
    for otype in types:
        colour, dashed = colour_of[otype]
        n_all = int((ocmap.edges["object_type"] == otype).sum())
        n_shown = int((shown["object_type"] == otype).sum())
        legend.append(("dashed" if dashed else "line", colour,
                       f"{otype}: {n_shown:,} of {n_all:,} paths; label = event couples"))
    legend.append(("dashed", EDGE_COLOUR, "from a type's start / to its end: objects"))
    subtitle = (f"{len(types):,} object types · {len(activities):,} activities · "
                f"{len(ocmap.edges):,} paths")
    if note:
        subtitle += f" — showing {len(shown):,} paths ({note})"
    drawing = Drawing(title=title if title is not None else f"Object-centric map: {ocmap.name}",
                      subtitle=subtitle, nodes=nodes, edges=edges, legend=legend,
                      medium=medium)
    if fit == "projector":
        drawing = fold(drawing)
    return _make(drawing, "object_centric_map")
