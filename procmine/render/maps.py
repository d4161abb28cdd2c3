"""Process maps, handoff maps and as-is / to-be pairs as Graphviz drawings for each medium.

Everything is drawn for where it is shown (``medium="notebook" | "slide" |
"print"``, see :mod:`procmine.render.medium`): left to right, folded into rows
so that the drawing's smallest text is as large as the medium's box allows
(at least 32 px on a 1920×1080 slide), the colour-blind-safe palette with one
colour per department keyed by its name (:mod:`procmine.render.colours`),
edge width growing with frequency, departments as swimlanes (one lane each,
never repeated when the map folds), handoffs between departments dashed in
vermillion, a legend, and a title with the log's counts. Every label is
escaped: activity names may hold quotes, braces, backslashes or markup.

**One layout per log.** A map is laid out once by ``dot`` for the text of
every view it may show (frequency and performance labels, as-is and to-be
counts) and drawn at those positions (``neato -n2``), so that switching the
measure, or putting the as-is beside the to-be, moves nothing:
:func:`map_layout` makes the layout, and ``layout=`` hands it to each drawing.

The functions return :class:`MapDrawing`, a :class:`graphviz.Digraph` that
also remembers what it shows, so that it can still be drawn (as a pure-SVG
layered layout) when the ``dot`` binary is missing. Nothing here computes a
statistic: the numbers come from :mod:`procmine.discovery` and
:mod:`procmine.analysis`.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import pandas as pd

from procmine import _format
from procmine._check import check_choice
from procmine.errors import UsageError
from procmine.render._spec import (
    BLACK,
    BLUE,
    EDGE_COLOUR,
    GREEN,
    HANDOFF_COLOUR,
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
    scale_in,
    tint,
    wrap,
)
from procmine.render.colours import OUTSIDE_COLOUR, department_colours
from procmine.render.html import pair_html
from procmine.render.medium import MEDIA, Medium, preset

if TYPE_CHECKING:
    from procmine.analysis.projection import Projection
    from procmine.discovery.dfg import ProcessMap
    from procmine.log import EventLog

__all__ = [
    "MIN_PAIR_ACTIVITIES",
    "PAIR_PATHS",
    "AsIsToBe",
    "MapDrawing",
    "MapLayout",
    "draw_as_is_to_be",
    "draw_fitted_map",
    "draw_handoff_map",
    "draw_map",
    "draw_projection",
    "format_seconds",
    "map_layout",
    "process_map_for",
]

MapMeasure = Literal["frequency", "performance"]
HandoffMeasure = Literal["count", "wait"]
Direction = Literal["LR", "TB"]
Fit = Literal["projector", "none"]
_MAP_MEASURES = ("frequency", "performance")
_HANDOFF_MEASURES = ("count", "wait")
_DIRECTIONS = ("LR", "TB")
_FITS = ("projector", "none")
#: Outside parties in a handoff map and how they are drawn: (shape, colour).
PARTY_STYLE: Mapping[str, tuple[str, str]] = {
    "customer": ("ellipse", GREEN),
    "supplier": ("hexagon", PURPLE),
    "carrier": ("cds", ORANGE),
}
#: Graphviz shape names as a legend says them to a reader.
_SHAPE_WORDS = {"ellipse": "oval", "hexagon": "hexagon", "cds": "arrow-shaped box"}
_FIGURE_SPACE = "\u2007"  # as wide as a digit: pads numbers to equal width
_OUTSIDE_COLOUR = OUTSIDE_COLOUR
_REMOVED_COLOUR = "#8A8A8A"
#: Routes a handoff map shows in full; with more it keeps those covering 90% of handoffs.
_ROUTES = {"slide": 20, "notebook": 30, "print": 30}

_make = make_drawing  # graphs.py draws with the same helper


def format_seconds(seconds: float) -> str:
    """A wait in the unit a person would use (:func:`procmine._format.duration`).

    Examples
    --------
    >>> [format_seconds(s) for s in (42, 600, 5400, 3 * 86400, float("nan"))]
    ['42 s', '10 min', '1.5 h', '3.0 d', '–']
    """
    return _format.duration(seconds)


def _check(value: str, allowed: tuple[str, ...], name: str) -> None:
    check_choice(value, allowed, option=name)


def _lane_colours(departments: list[str]) -> dict[str, str]:
    return department_colours(departments)


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


def _lanes_of(pmap: ProcessMap) -> dict[str, str | None]:
    nodes = pmap.nodes
    party = nodes["party"] if "party" in nodes.columns else [None] * len(nodes)
    return {str(a): _lane_of(d, p) for a, d, p in zip(nodes["activity"], nodes["department"],
                                                        party, strict=True)}


def _colours(lanes: set[str]) -> dict[str, str]:
    """Lane -> colour: departments by name (:mod:`procmine.render.colours`), outside grey."""
    inside = sorted(lane for lane in lanes if not lane.endswith(" (outside)"))
    colours = department_colours(inside)
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
        shown = float(pmap.nodes["count"].sum()) / pmap.n_events if pmap.n_events else 1.0
        text += (f" — showing {len(pmap.nodes):,} activities ({_pct(min(shown, 1.0))} "
                 f"of events) and {len(pmap.edges):,} paths (path coverage "
                 f"{_pct(pmap.path_coverage)})")
    return text


def process_map_for(log: EventLog, *, medium: Medium = "slide", activities: float | None = None,
                    paths: float | None = None) -> ProcessMap:
    """The process map of a log, simplified for a medium (a slide shows at most 15 activities).

    With ``activities=None`` a log with more activities than the medium shows
    (:attr:`procmine.render.medium.Preset.max_activities`) keeps its most
    frequent ones by activity coverage
    (:func:`procmine.discovery.simplify.coverage_for`); the drawing's
    subtitle states the share of events they cover. ``paths`` as for
    :func:`procmine.process_map`.

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog
    >>> acts = [f"step {i:02d}" for i in range(20)]
    >>> log = EventLog.from_frame(pd.DataFrame({"case_id": ["o"] * 20, "activity": acts,
    ...     "timestamp": pd.date_range("2024-01-01", periods=20, freq="h", tz="UTC")}))
    >>> len(process_map_for(log, medium="slide").nodes), len(process_map_for(log,
    ...     medium="notebook").nodes)
    (15, 20)
    """
    from procmine.discovery.dfg import activity_counts, process_map
    from procmine.discovery.simplify import coverage_for
    from procmine.log._require import require_log

    log = require_log(log, where="process_map_for")
    if activities is None:
        activities = coverage_for(activity_counts(log),
                                  max_activities=preset(medium).max_activities)
    return process_map(log, activities=activities, paths=paths)


# -- one layout for every view of a log ----------------------------------------------------------
@dataclass
class _Plan:
    """Everything that fixes a layout: the union of the maps' activities, lanes and paths."""

    order: list[str]
    lanes: dict[str, str | None]  # activity -> its lane (the first map's)
    moved: dict[str, tuple[str | None, str | None]]  # activity -> (lane before, lane after)
    colours: dict[str, str]
    counts: dict[str, str]  # activity -> longest count text of any map
    # activity -> the lines its laid-out box holds for every view's note (_widest_lines)
    notes: dict[str, list[str]]
    edges: dict[tuple[str, str], str]  # (source id, target id) -> longest label of any view
    title: str
    subtitle: str
    medium: str
    rankdir: str
    swimlanes: bool
    handoffs: bool
    figures: list[tuple[str, str, str, str]] = field(default_factory=list)

    def node_id(self, activity: str, lane: str | None) -> str:
        base = f"a{self.order.index(activity)}"
        if activity in self.moved and lane == self.moved[activity][1] != self.moved[activity][0]:
            return base + "m"
        return base


def _labels(row: Any) -> list[str]:
    """Every label an edge can show (frequency and performance)."""
    return [f"{int(row.count):,}", format_seconds(float(row.median_wait_s))]


def _longest(texts: Sequence[str]) -> str:
    return max(texts, key=len) if texts else ""


#: Widths of Helvetica's glyphs (thousandths of the font size; others 556, non-ASCII 600):
#: enough to tell which of two lines is wider.
_GLYPHS = {**dict.fromkeys(" !,./:;[]\\|fIt", 278), **dict.fromkeys("()-r`", 333),
           **dict.fromkeys("ijl", 222), **dict.fromkeys("Jcksvxyz", 500),
           **dict.fromkeys("FTZ", 611), **dict.fromkeys("ABEKPSVXY", 667),
           **dict.fromkeys("CDHNRUw", 722), **dict.fromkeys("GOQ", 778),
           **dict.fromkeys("Mm", 833), "W": 944}


def _text_width(text: str) -> float:
    """Estimated width of ``text`` in Helvetica, in font sizes.

    Examples
    --------
    >>> _text_width("[moved from") > _text_width("[moves to") > _text_width("Carrier")
    True
    """
    return sum(_GLYPHS.get(c, 556 if c < "\x80" else 600) for c in text) / 1000


def _widest_lines(notes: Sequence[Sequence[str]]) -> list[str]:
    """Lines a node's laid-out box holds so that each view's note fits in it.

    As many lines as the longest note; line ``i`` the widest of the notes'
    ``i``-th lines (by :func:`_text_width`), padded by a figure space when
    another is nearly as wide (the estimate is not the font's own measure):
    the box is as tall as every note needs and as wide, without stacking
    the notes (which would shrink the drawing's text).

    Examples
    --------
    >>> _widest_lines([["[moves to", "Carrier", "(outside)]"], ["[moved from", "Shipping]"]])
    ['[moved from', 'Shipping]', '(outside)]']
    """
    out = []
    for i in range(max((len(n) for n in notes), default=0)):
        lines = sorted((n[i] for n in notes if i < len(n)), key=lambda t: (-_text_width(t), t))
        widest = lines[0]
        if any(_text_width(t) >= 0.9 * _text_width(widest) for t in lines[1:]):
            widest += _FIGURE_SPACE
        out.append(widest)
    return out


def _plan(pmaps: Sequence[ProcessMap], *, medium: str, rankdir: str, swimlanes: bool,
          handoffs: bool, titles: Sequence[str], notes: Mapping[str, Sequence[str]] | None = None,
          marks: Mapping[tuple[str, str], str] | None = None) -> _Plan:
    order: list[str] = []
    lanes: dict[str, str | None] = {}
    moved: dict[str, tuple[str | None, str | None]] = {}
    counts: dict[str, list[str]] = {}
    for pmap in pmaps:
        mine = _lanes_of(pmap)
        for activity, count in zip(pmap.nodes["activity"].astype(str), pmap.nodes["count"],
                                   strict=True):
            if activity not in lanes:
                order.append(activity)
                lanes[activity] = mine[activity]
            elif mine[activity] != lanes[activity] and activity not in moved:
                moved[activity] = (lanes[activity], mine[activity])
            counts.setdefault(activity, []).append(f"{int(count):,}")
    shown_lanes = {lane for lane in lanes.values() if lane is not None}
    shown_lanes |= {lane for _, after in moved.values() if (lane := after) is not None}
    plan = _Plan(order=order, lanes=lanes, moved=moved, colours=_colours(shown_lanes),
                 counts={a: _longest(c) for a, c in counts.items()},
                 notes={a: _widest_lines([wrap(note, preset(medium).wrap)
                                          for note in dict.fromkeys(n) if note])
                        for a, n in (notes or {}).items()},
                 edges={}, title=_longest(list(titles)),
                 subtitle=_longest([_subtitle(p) for p in pmaps]), medium=medium,
                 rankdir=rankdir, swimlanes=swimlanes, handoffs=handoffs)
    labels: dict[tuple[str, str], list[str]] = {}
    for pmap in pmaps:
        mine = _lanes_of(pmap)
        ids = {a: plan.node_id(a, lane) for a, lane in mine.items()}
        for row in _rows(pmap.edges):
            key = (ids[str(row.source)], ids[str(row.target)])
            mark = (marks or {}).get((str(row.source), str(row.target)), "")
            labels.setdefault(key, []).extend(f"{text}{mark}" for text in _labels(row))
        for table, is_start in ((pmap.start, True), (pmap.end, False)):
            for activity, count in zip(table["activity"].astype(str), table["count"],
                                       strict=True):
                key = ("start", ids[activity]) if is_start else (ids[activity], "end")
                labels.setdefault(key, []).append(f"{int(count):,}")
    plan.edges = {key: _longest(texts) for key, texts in labels.items()}
    return plan


@dataclass(frozen=True, eq=False)
class MapLayout:
    """One layout for all the maps of a log: frequency, performance, as-is and to-be.

    Made by :func:`map_layout`; pass it as ``layout=`` to :func:`draw_map` or
    :func:`draw_as_is_to_be` and every activity sits at the same spot in each
    drawing (the medium, direction, fit and swimlanes are the layout's).

    Attributes
    ----------
    medium : str
    activities : list of str
        Every activity the layout places.
    """

    plan: _Plan
    drawing: Drawing  # the folded, positioned drawing the layout was made from

    @property
    def medium(self) -> str:
        return self.plan.medium

    @property
    def activities(self) -> list[str]:
        return list(self.plan.order)

    def _apply(self, drawing: Drawing) -> Drawing:
        return replace(drawing, bands=self.drawing.bands,
                       bands_reversed=self.drawing.bands_reversed,
                       positions=self.drawing.positions,
                       layout_title=(self.plan.title, self.plan.subtitle))


def _moved_note(lanes: tuple[str | None, str | None]) -> str:
    return f"[{lanes[0] or 'no lane'} → {lanes[1] or 'no lane'}]"


def _map_drawing(
    pmap: ProcessMap,
    plan: _Plan,
    *,
    title: str,
    subtitle: str,
    measure: str,
    notes: Mapping[str, str] | None = None,
    marks: Mapping[tuple[str, str], str] | None = None,
    figures: Sequence[tuple[str, str, str, str]] = (),
) -> Drawing:
    """Describe one view of ``plan``: the activities and paths of ``pmap`` visible, the rest not.

    ``notes`` adds a line to an activity ("[removed in the to-be]"), ``marks``
    a suffix to a path's label and draws it grey ("removed" handoffs).
    """
    style = preset(plan.medium)
    notes = notes or {}
    marks = marks or {}
    mine = _lanes_of(pmap)
    present = {plan.node_id(a, lane) for a, lane in mine.items()}
    by_name = {str(r.activity): r for r in _rows(pmap.nodes)}
    biggest_node = float(pmap.nodes["count"].max()) if len(pmap.nodes) else 1.0

    def padded(text: str, width: int) -> str:
        return text.rjust(width, _FIGURE_SPACE)

    nodes = [
        Node("start", ["start"], fill=GREEN, border=GREEN, shape="circle", style="filled",
             font_colour="#FFFFFF"),
        Node("end", ["end"], fill=BLACK, border=BLACK, shape="doublecircle", style="filled",
             font_colour="#FFFFFF"),
    ]
    for activity in plan.order:
        sides = [plan.lanes[activity]]
        if activity in plan.moved:
            sides = list(plan.moved[activity])
        for lane in sides:
            node_id = plan.node_id(activity, lane)
            outside = lane is not None and lane.endswith(" (outside)")
            colour = plan.colours.get(lane, "#777777") if lane else "#777777"
            row = by_name.get(activity)
            count = int(row.count) if row is not None and mine.get(activity) == lane else None
            width = len(plan.counts.get(activity, ""))
            note = notes.get(activity, "")
            shown_count = padded(f"{count:,}", width) if count is not None else ""
            lines = [*wrap(activity, style.wrap), *(wrap(note, style.wrap) if note else []),
                     shown_count]
            layout_lines = [*wrap(activity, style.wrap), *plan.notes.get(activity, []),
                            plan.counts.get(activity, "")]
            removed = note.startswith("[removed")
            nodes.append(Node(
                node_id, lines, layout_lines=layout_lines,
                fill="#FFFFFF" if removed or outside or not lane else tint(colour, 0.75),
                border=_REMOVED_COLOUR if removed else colour,
                style="rounded,filled,dashed" if outside or removed else "rounded,filled",
                cluster=lane if plan.swimlanes else None,
                penwidth=1.5 + 2.5 * min(1.0, (count or 0) / biggest_node),
                visible=node_id in present and count is not None,
                font_colour=_REMOVED_COLOUR if removed else BLACK,
            ))
    counts = [*pmap.edges["count"].tolist(), *pmap.start["count"].tolist(),
              *pmap.end["count"].tolist()]
    biggest = float(max(counts)) if counts else 1.0
    ids = {a: plan.node_id(a, lane) for a, lane in mine.items()}
    shown: dict[tuple[str, str], Edge] = {}
    any_handoff = any_removed = False
    for row in _rows(pmap.edges):
        names = (str(row.source), str(row.target))
        key = (ids[names[0]], ids[names[1]])
        mark = marks.get(names, "")
        is_handoff = bool(plan.handoffs and row.handoff)
        label = (f"{int(row.count):,}" if measure == "frequency"
                 else format_seconds(float(row.median_wait_s))) + mark
        colour = (_REMOVED_COLOUR if mark else HANDOFF_COLOUR) if is_handoff else EDGE_COLOUR
        any_handoff |= is_handoff and not mark
        any_removed |= bool(mark)
        shown[key] = Edge(key[0], key[1], label=padded(label, len(plan.edges.get(key, ""))),
                          layout_label=plan.edges.get(key), colour=colour,
                          penwidth=penwidth(min(int(row.count), biggest), biggest),
                          dashed=is_handoff)
    for table, is_start in ((pmap.start, True), (pmap.end, False)):
        for activity, count in zip(table["activity"].astype(str), table["count"], strict=True):
            key = ("start", ids[activity]) if is_start else (ids[activity], "end")
            shown[key] = Edge(key[0], key[1], label=padded(f"{int(count):,}",
                                                           len(plan.edges.get(key, ""))),
                              layout_label=plan.edges.get(key), colour="#8A8A8A",
                              penwidth=penwidth(min(int(count), biggest), biggest, high=5.0))
    edges = [shown.get(key) or Edge(key[0], key[1], label=label, layout_label=label,
                                    visible=False)
             for key, label in plan.edges.items()]
    legend = [
        ("line", EDGE_COLOUR, "path (width: how often"
         + ("; label: times followed)" if measure == "frequency" else "; label: median wait)")),
    ]
    layout_legend = [("line", EDGE_COLOUR, "path (width: how often; label: times followed)")]
    handoff_text = "handoff to another department or party"
    if any_handoff or plan.handoffs:
        (legend if any_handoff else []).append(("dashed", HANDOFF_COLOUR, handoff_text))
        layout_legend.append(("dashed", HANDOFF_COLOUR, handoff_text))
    removed_text = "handoff the change removes (grey, ✕)"
    if any_removed:
        legend.append(("dashed", _REMOVED_COLOUR, removed_text))
    if marks:
        layout_legend.append(("dashed", _REMOVED_COLOUR, removed_text))
    legend.append(("line", "#8A8A8A", "orders start / end"))
    layout_legend.append(("line", "#8A8A8A", "orders start / end"))
    used = [lane for lane in plan.colours]
    if not plan.swimlanes:
        lanes_legend = [("dashed" if d.endswith(" (outside)") else "box", plan.colours[d], d)
                        for d in used]
        legend += lanes_legend
        layout_legend += lanes_legend
    elif any(d.endswith(" (outside)") for d in used):
        item = ("dashed", _OUTSIDE_COLOUR, "outside party (customer, supplier, carrier)")
        legend.append(item)
        layout_legend.append(item)
    drawing = Drawing(title=title, subtitle=subtitle, nodes=nodes, edges=edges,
                      clusters={d: plan.colours[d] for d in used} if plan.swimlanes else {},
                      legend=legend, layout_legend=layout_legend,
                      dashed_clusters={d for d in used if d.endswith(" (outside)")},
                      rankdir=plan.rankdir, medium=plan.medium,
                      layout_title=(plan.title, plan.subtitle),
                      figures=[["", "before", "after", "change"], *map(list, figures)]
                      if figures else None)
    return drawing


def map_layout(
    *pmaps: ProcessMap,
    medium: Medium = "slide",
    direction: Direction = "LR",
    fit: Fit = "projector",
    swimlanes: bool | None = None,
    handoffs: bool = True,
    titles: Sequence[str] = (),
    _notes: Mapping[str, Sequence[str]] | None = None,
    _marks: Mapping[tuple[str, str], str] | None = None,
    _figures: Sequence[tuple[str, str, str, str]] = (),
    _past_peak: bool = False,
) -> MapLayout:
    """One layout for the maps of a log: lay out the union of their activities and paths once.

    Parameters
    ----------
    *pmaps : ProcessMap
        The maps to be drawn alike (e.g. today's map and the projected one);
        the first map's lanes are each activity's home lane, and an activity
        that another map puts in another lane (a step moved to the customer)
        is placed in both lanes.
    medium, direction, fit, swimlanes, handoffs
        As for :func:`draw_map`; they are fixed by the layout
        (``swimlanes=None``: lanes when their layout keeps the medium's text
        size, else the layout whose text is larger).
    titles : sequence of str, keyword-only
        The titles the maps will have (room is kept for the longest).

    Returns
    -------
    MapLayout

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog, process_map
    >>> log = EventLog.from_frame(pd.DataFrame({"case_id": ["o", "o"], "activity": ["a", "b"],
    ...     "timestamp": pd.date_range("2024-01-01", periods=2, freq="h", tz="UTC")}))
    >>> layout = map_layout(process_map(log), medium="notebook")
    >>> layout.activities, layout.medium
    (['a', 'b'], 'notebook')
    """
    _check(medium, MEDIA, "medium")
    _check(direction, _DIRECTIONS, "direction")
    _check(fit, _FITS, "fit")
    if not pmaps:
        raise UsageError("map_layout needs at least one ProcessMap")
    from procmine.render._spec import fixed, in_background

    def start(lanes: bool) -> tuple[_Plan, Drawing]:
        plan = _plan(pmaps, medium=medium, rankdir=direction, swimlanes=lanes,
                     handoffs=handoffs, titles=[*titles, pmaps[0].name], notes=_notes,
                     marks=_marks)
        base = _map_drawing(pmaps[0], plan, title=plan.title, subtitle=plan.subtitle,
                            measure="frequency", marks=_marks, figures=_figures)
        # the layout is made for the text of every view: lay out the layout's own text
        return plan, replace(base, title=plan.title, subtitle=plan.subtitle)

    starts = [start(lanes) for lanes in ((True, False) if swimlanes is None
                                         else (bool(swimlanes),))]

    # the drawing without lanes is needed when lanes make the text too small: it is laid
    # out on the other core meanwhile (dot is deterministic: which thread lays a drawing
    # out changes nothing in it), and left unused when lanes fit
    ahead = [in_background(lambda b: fixed(fold(b, ahead=False, past_peak=_past_peak)
                                           if fit == "projector" else b), base)
             for _, base in starts[1:]]
    alone = not any(later is not None for later in ahead)

    def placed(base: Drawing) -> Drawing:
        return fixed(fold(base, ahead=alone, past_peak=_past_peak) if fit == "projector"
                     else base)

    best: MapLayout | None = None
    for i, (plan, base) in enumerate(starts):
        later = ahead[i - 1] if i > 0 else None
        found = MapLayout(plan=plan, drawing=later.result() if later is not None
                          else placed(base))
        if best is None or _text_size(found.drawing) > _text_size(best.drawing):
            best = found
        if _text_size(found.drawing) >= preset(medium).min_text_px:
            break  # lanes fit: keep them
    for later in ahead:
        if later is not None:
            later.cancel()  # not needed (lanes fit); one already running finishes unseen
    assert best is not None
    return best


#: Fewest activities a map drawn from a log is simplified to, to reach its medium's text size.
MIN_ACTIVITIES = 6
#: Fewest activities of an as-is / to-be pair about one change (the report's and the
#: deck's): the changed steps and the busiest few around them.
MIN_PAIR_ACTIVITIES = 4
#: Path coverage of the report's and the deck's as-is / to-be maps.
PAIR_PATHS = 0.8


def _text_size(drawing: Drawing) -> float:
    """CSS px of the smallest text of a positioned drawing shown in its medium (inf if unplaced).

    All text but the title has the medium's one font size, so this is that
    size times the scale at which the drawing's box fits the medium's box:
    what :func:`procmine.render.medium.text_px` measures on the drawn SVG.
    """
    if drawing.positions is None:
        return float("inf")
    return drawing.style.font * scale_in(drawing.positions.size(), drawing.style)


def draw_fitted_map(
    counts: pd.DataFrame,
    map_at: Callable[[float | None], ProcessMap],
    *,
    title: str,
    swimlanes: bool | None = None,
    handoffs: bool = True,
    measure: MapMeasure = "frequency",
    direction: Direction = "LR",
    fit: Fit = "projector",
    medium: Medium = "slide",
) -> MapDrawing:
    """Draw a log's map with as many activities as keep its text large enough for the medium.

    The one fitting of a map drawn from a log, wherever the log's events are:
    :func:`draw_map` of an :class:`~procmine.log.EventLog` calls it with the
    log's activity counts and :func:`process_map_for`, an engine log (DuckDB,
    Spark) with the engine's DFG tables. The map shows the most frequent
    activities, at most the medium's ``max_activities``, at least
    :data:`MIN_ACTIVITIES`, the number found by :func:`most_that_fit` (the
    same search as :func:`draw_projection`'s) measuring the laid-out drawing
    (:func:`_text_size`). Each size is laid out with swimlanes, then (unless
    ``swimlanes`` is True) with departments shown by colour only, as
    :func:`map_layout` decides. When no size reaches the medium's text size,
    the map whose text is largest.

    Parameters
    ----------
    counts : pandas.DataFrame
        ``activity`` and ``count`` (events) of every activity of the log
        (:func:`procmine.discovery.dfg.activity_counts`).
    map_at : callable
        ``map_at(coverage)``: the log's :class:`~procmine.discovery.dfg.ProcessMap`
        at that activity coverage (``activities=`` of :func:`procmine.process_map`;
        ``None``: every activity).
    title : str, keyword-only
    swimlanes, handoffs, measure, direction, fit, medium
        As for :func:`draw_map`.

    Returns
    -------
    MapDrawing

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog, process_map
    >>> acts = [f"step {i:02d}" for i in range(20)]
    >>> log = EventLog.from_frame(pd.DataFrame({"case_id": ["o"] * 20, "activity": acts,
    ...     "timestamp": pd.date_range("2024-01-01", periods=20, freq="h", tz="UTC")}))
    >>> counts = pd.DataFrame({"activity": acts, "count": 1})
    >>> graph = draw_fitted_map(counts, lambda c: process_map(log, activities=c), title="t",
    ...                         medium="notebook")
    >>> len(graph.process_map.nodes) <= 20
    True
    """
    from procmine.discovery.simplify import coverage_for

    _check(medium, MEDIA, "medium")
    style = preset(medium)
    drawn: dict[int, MapDrawing] = {}

    def graph(cap: int) -> MapDrawing:
        if cap not in drawn:
            drawn[cap] = draw_map(map_at(coverage_for(counts, max_activities=cap)), title=title,
                                  swimlanes=swimlanes, handoffs=handoffs, measure=measure,
                                  direction=direction, fit=fit, medium=medium)
        return drawn[cap]

    def size(cap: int) -> float:
        found = graph(cap)
        if found.drawing is None or not found.positioned:
            return float("inf")  # drawn without dot: nothing to measure
        return _text_size(found.drawing)

    high = min(style.max_activities, len(counts))
    return graph(most_that_fit(min(MIN_ACTIVITIES, high), high, size, style.min_text_px))


def draw_map(
    pmap: ProcessMap | EventLog,
    *,
    title: str | None = None,
    swimlanes: bool | None = None,
    handoffs: bool = True,
    measure: MapMeasure = "frequency",
    direction: Direction = "LR",
    fit: Fit = "projector",
    medium: Medium = "slide",
    layout: MapLayout | None = None,
) -> MapDrawing:
    r"""Draw a process map for a notebook, a slide or a printed page.

    Parameters
    ----------
    pmap : ProcessMap or EventLog
        From :func:`procmine.process_map`, drawn as it is. A log is mapped
        with :func:`process_map_for` (at most 15 activities on a slide, 20 in
        a notebook, 15 on a page), or fewer (down to :data:`MIN_ACTIVITIES`,
        the most whose drawing's smallest text, measured, reaches the
        medium's size: :func:`most_that_fit`; each size with swimlanes first,
        then with departments shown by colour, when lanes would make the text
        too small); the subtitle states the share of events shown.
    title : str, optional, keyword-only
        Defaults to the log's name; the subtitle always gives the log's
        counts and, for a simplified map, what is shown (the share of events
        the shown activities cover, the path coverage).
    swimlanes : bool or None, keyword-only
        True: group activities in one box per department (an activity's
        department is its most frequent one); one lane per department, also
        when the map folds into rows. False: no boxes; each activity filled
        with its department's colour, named in the legend. None (default):
        lanes when the drawing with lanes still has the medium's text size,
        else colours (lanes take room); the choice is made on the layout, so
        both measures make the same one.
    handoffs : bool, keyword-only
        Mark the paths on which work passes to another department or outside
        party in at least one order (dashed, vermillion): the edges'
        ``handoff`` column, from the one handoff counter.
    measure : {"frequency", "performance"}, keyword-only
        Edge labels: how often the path is taken, or its median wait. Both
        measures are laid out alike: switching moves nothing.
    direction : {"LR", "TB"}, keyword-only
        The flow runs left to right (swimlanes are boxes along it) or top to
        bottom.
    fit : {"projector", "none"}, keyword-only
        ``"projector"`` (default) folds a flow too long for the medium into
        rows (``LR``; into columns for ``TB``), as many as make its text
        largest in the medium's box, each department kept in one lane.
        ``"none"`` draws one strip as long as the process. Folding needs
        ``dot`` (it measures the layout); without it the map is drawn unfolded.
    medium : {"notebook", "slide", "print"}, keyword-only
        Where the map is shown (:mod:`procmine.render.medium`): font sizes,
        label wrapping, spacing and the box it is fitted into (a 1920×1080
        slide: text at least 32 px when the map fills the screen; a 900 px
        notebook cell: 12 px; the 180 mm text width of an A4 page: 9 pt).
    layout : MapLayout, optional, keyword-only
        Draw at the positions of :func:`map_layout` (shared with other maps
        of the log); it fixes medium, direction, fit and swimlanes.

    Returns
    -------
    MapDrawing
        A :class:`graphviz.Digraph`; save it with :func:`procmine.render.save`.

    Raises
    ------
    UsageError
        An unknown ``measure``, ``direction``, ``fit`` or ``medium``.

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
    _check(medium, MEDIA, "medium")
    from procmine.discovery.dfg import ProcessMap
    from procmine.log import EventLog

    if isinstance(pmap, EventLog) and layout is None:
        from procmine.discovery.dfg import activity_counts

        log = pmap
        return draw_fitted_map(
            activity_counts(log),
            lambda coverage: process_map_for(log, medium=medium, activities=coverage),
            title=title if title is not None else log.name, swimlanes=swimlanes,
            handoffs=handoffs, measure=measure, direction=direction, fit=fit, medium=medium)
    if not isinstance(pmap, ProcessMap):
        raise UsageError(f"draw_map draws a ProcessMap (procmine.process_map) or an EventLog; "
                         f"got {type(pmap).__name__}")
    shown_title = title if title is not None else pmap.name
    if layout is None:
        layout = map_layout(pmap, medium=medium, direction=direction, fit=fit,
                            swimlanes=swimlanes, handoffs=handoffs, titles=[shown_title])
    missing = sorted(set(pmap.nodes["activity"].astype(str)) - set(layout.plan.order))
    if missing:
        raise UsageError(f"the layout has no place for {', '.join(map(repr, missing[:5]))}: "
                         "make it with map_layout(...) of every map to be drawn with it")
    drawing = _map_drawing(pmap, layout.plan, title=shown_title, subtitle=_subtitle(pmap),
                           measure=measure)
    graph = _make(layout._apply(drawing), "process_map")
    graph.process_map = pmap
    return graph


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
    medium: Medium = "slide",
    paths: float | None = None,
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
    medium : {"notebook", "slide", "print"}, keyword-only
        As for :func:`draw_map`.
    paths : float, optional, keyword-only
        Route coverage in [0, 1] (:func:`procmine.discovery.simplify.select_routes`):
        keep the busiest routes covering this share of handoffs (every
        department keeps at least one route). ``None`` keeps every route on a
        notebook or page, and on a slide as many as cover 90% of the
        handoffs when there are more than 20 routes. The subtitle says what
        is shown.

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
    from procmine.discovery.simplify import select_routes

    _check(measure, _HANDOFF_MEASURES, "measure")
    _check(medium, MEDIA, "medium")
    style = preset(medium)
    missing = [c for c in ("source", "target", "count", "median_wait_s", "p90_wait_s")
               if c not in handoff_table.columns]
    if missing:
        raise UsageError(f"handoff table lacks column(s) {', '.join(missing)}; columns present: "
                         f"{', '.join(map(str, handoff_table.columns))}. Pass handoffs(log).table.")
    full = handoff_table
    if paths is None and len(full) > _ROUTES[medium]:
        paths = 0.9
    if paths is not None:
        handoff_table = full.loc[select_routes(full, coverage=paths)]
    names = sorted(set(full["source"].astype(str)) | set(full["target"].astype(str)))
    internal = [n for n in names if _party_of(n, parties) == "internal"]
    colours = _lane_colours(internal)
    traffic = (full.groupby("source")["count"].sum().add(
        full.groupby("target")["count"].sum(), fill_value=0))
    ids = {n: f"d{i}" for i, n in enumerate(names)}
    nodes = []
    for name in names:
        party = _party_of(name, parties)
        lines = [*wrap(name, style.wrap), f"{int(traffic.get(name, 0)):,} handoffs in+out"]
        if party == "internal":
            nodes.append(Node(ids[name], lines, fill=tint(colours[name], 0.75),
                              border=colours[name], penwidth=2.5))
        else:
            # outside parties: grey and dashed as in the process map (department colours are
            # keyed by name and would clash with a colour per party); told apart by shape
            shape, _ = PARTY_STYLE.get(party, ("ellipse", GREEN))
            # "(outside)" under a name that already says the party ("carrier"), else the party
            kind = ("outside" if name.strip().lower().removesuffix(" (outside)")
                    in (party, party + "s") else party)
            nodes.append(Node(ids[name], [*wrap(name, style.wrap), f"({kind})"],
                              fill="#FFFFFF", border=_OUTSIDE_COLOUR, shape=shape,
                              style="filled,dashed", penwidth=3))
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
    outside = [p for p in PARTY_STYLE if any(_party_of(n, parties) == p for n in names)]
    legend: list[tuple[str, str, str]] = [
        ("box", BLUE, "department (box, in its colour)"),
        *([("dashed", _OUTSIDE_COLOUR, "outside party: " + ", ".join(
            f"{p} ({_SHAPE_WORDS.get(PARTY_STYLE[p][0], PARTY_STYLE[p][0])})"
            for p in outside))] if outside else []),
        ("line", EDGE_COLOUR if measure == "count" else BLUE,
         "handoff; width = number of handoffs"
         + ("; label = count" if measure == "count" else "; label = median and p90 wait")),
    ]
    if measure == "wait":
        legend.append(("line", VERMILLION, "slowest quarter of handoffs (median wait)"))
    total = int(full["count"].sum()) if len(full) else 0
    subtitle = (f"{total:,} handoffs on {len(full):,} routes between "
                f"{len(names):,} departments and parties")
    if len(handoff_table) < len(full):
        shown = int(handoff_table["count"].sum())
        subtitle += (f" — showing {len(handoff_table):,} routes "
                     f"({_pct(shown / total if total else 1.0)} of handoffs)")
    drawing = Drawing(
        title=title if title is not None else "Handoffs between departments and parties",
        subtitle=subtitle, nodes=nodes, edges=edges, legend=legend, medium=medium,
    )
    return _make(fold(drawing), "handoff_map")


@dataclass(frozen=True, eq=False)
class AsIsToBe:
    """Two maps drawn at the same positions, with what changes marked, and the figures.

    The as-is marks the handoffs the change removes (grey, "✕") and the steps
    it removes, automates or moves (a note under the name); the to-be draws a
    moved step in the outside party's lane. Both share one
    :class:`MapLayout` (``layout``), so every other activity sits at the same
    spot in both. ``figures`` holds the before / after figures (handoffs,
    labour, waits, cost) when the pair was drawn from a projection; they are
    drawn beside the maps.

    Save with :meth:`save` (SVG, PNG or PDF by the file's suffix) or
    :func:`procmine.render.save`.
    """

    before: MapDrawing
    after: MapDrawing
    layout: MapLayout | None = None
    figures: tuple[tuple[str, str, str, str], ...] = ()

    def _repr_html_(self) -> str:
        return pair_html(self) + self.figures_html()

    def figures_html(self) -> str:
        """The before / after figures as an HTML table (escaped), for beside the picture.

        Empty when the pair was drawn without a projection.
        """
        import html

        if not self.figures:
            return ""
        head = "".join(f"<th>{h}</th>" for h in ("", "before", "after", "change"))
        rows = "".join("<tr>" + "".join(
            f"<td>{html.escape(cell)}</td>" if i == 0 else
            f"<td style='text-align:right'>{html.escape(cell)}</td>"
            for i, cell in enumerate(row)) + "</tr>" for row in self.figures)
        return (f"<table class='procmine-figures'><thead><tr>{head}</tr></thead>"
                f"<tbody>{rows}</tbody></table>")

    def save(self, path: str | Path) -> Path:
        """Write both maps, as-is above to-be, as SVG, PNG or PDF (by the suffix of ``path``).

        Raises
        ------
        UsageError
            A suffix other than ``.svg``, ``.png``, ``.pdf`` (or ``.html``).
        ProcmineError
            PNG or PDF while ``dot`` is missing.
        """
        from procmine.render._write import write_drawings

        target = Path(path)
        formats = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".html": "html",
                   ".htm": "html"}
        suffix = target.suffix.lower()
        if suffix not in formats:
            raise UsageError(f"cannot tell the format of {target} from its suffix "
                             f"{suffix or '(none)'!r}; use .svg, .png or .pdf")
        return write_drawings([self.before, self.after], target, format=formats[suffix])


_FIGURES = (
    ("department_handoffs", "Handoffs", "count"),
    ("labour_minutes", "Labour", "minutes"),
    ("handoff_wait_s", "Handoff waits per order", "per order"),
    ("median_cycle_time_s", "Median cycle time", "duration"),
    ("total_cost", "Cost", "money"),
)


#: Cases of a log (:attr:`EventLog.n_cases` counts distinct ids: a pass over every event),
#: remembered per log: every drawing of a projection's pair gives its figures.
_N_CASES: weakref.WeakKeyDictionary[EventLog, int] = weakref.WeakKeyDictionary()


def _n_cases(log: EventLog) -> int:
    if log not in _N_CASES:
        _N_CASES[log] = log.n_cases
    return _N_CASES[log]


def _figures(projection: Projection, currency: str) -> tuple[tuple[str, str, str, str], ...]:
    """(name, before, after, change) of the projection's headline metrics, formatted."""
    table = projection.table.set_index("metric")
    out = []
    for metric, name, kind in _FIGURES:
        if metric not in table.index:
            continue
        before, after, change = (float(table.at[metric, c]) for c in ("before", "after",
                                                                       "change"))
        if kind == "money":
            texts = (_format.money(before, currency), _format.money(after, currency),
                     _format.signed_money(change, currency))
        elif kind == "duration":
            sign = "-" if change < 0 else "+"
            texts = (_format.duration(before), _format.duration(after),
                     sign + _format.duration(abs(change)) if change == change else "–")
        elif kind == "minutes":
            texts = (_hours(before / 60), _hours(after / 60),
                     ("-" if change < 0 else "+") + _hours(abs(change) / 60))
        elif kind == "per order":
            orders = max(_n_cases(projection.before), 1)
            b, a = before / orders, after / orders
            texts = (_format.duration(b), _format.duration(a),
                     ("-" if a < b else "+") + _format.duration(abs(a - b)))
        else:
            texts = (_format.count(before), _format.count(after),
                     f"{change:+,.0f}" if change == change else "–")
        out.append((name, *texts))
    return tuple(out)


def draw_as_is_to_be(
    before: ProcessMap,
    after: ProcessMap,
    *,
    measure: MapMeasure = "frequency",
    swimlanes: bool | None = None,
    handoffs: bool = True,
    titles: tuple[str, str] = ("As-is", "To-be"),
    direction: Direction = "LR",
    fit: Fit = "projector",
    medium: Medium = "slide",
    projection: Projection | None = None,
    currency: str | None = None,
    figures: bool | None = None,
    _past_peak: bool = False,
) -> AsIsToBe:
    """Draw an as-is and a to-be map that show what the change does.

    Parameters
    ----------
    before, after : ProcessMap
        The maps of today's log and of the projected log.
    measure, swimlanes, handoffs, direction, medium
        As for :func:`draw_map`. Each map of the pair is sized for the whole
        medium (one slide or page each).
    titles : (str, str), keyword-only
        Titles of the two drawings.
    fit : {"projector", "none"}, keyword-only
        As for :func:`draw_map`; both maps fold the same way.
    projection : Projection, optional, keyword-only
        The :func:`procmine.project` result the to-be comes from: its moves
        name the steps automated by shared data (marked on both maps), and
        its before / after figures (handoffs, labour, waits at handoffs,
        cycle time, cost) are drawn beside the maps.
    currency : str, optional, keyword-only
        Currency code of the figures (default EUR).
    figures : bool, optional, keyword-only
        Draw the projection's figures in the maps' title block. ``None``
        (default): yes, except on a slide, where they take the room the
        map's text needs: there :attr:`AsIsToBe.figures` and
        :meth:`AsIsToBe.figures_html` give them for the slide, beside the
        picture.

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
    >>> "[removed in" in pair.before.source
    True
    """
    _check(measure, _MAP_MEASURES, "measure")
    _check(medium, MEDIA, "medium")
    lanes_before, lanes_after = _lanes_of(before), _lanes_of(after)
    automated = sorted({m.activity for m in (projection.moves if projection else ())
                        if m.kind == "shared_data"})
    notes_before: dict[str, str] = {}
    notes_after: dict[str, str] = {}
    for activity in lanes_before:
        if activity not in lanes_after:
            notes_before[activity] = "[removed in the to-be]"
        elif lanes_before[activity] != lanes_after[activity]:
            notes_before[activity] = f"[moves to {lanes_after[activity] or 'no lane'}]"
            notes_after[activity] = f"[moved from {lanes_before[activity] or 'no lane'}]"
    for activity in automated:
        if activity in lanes_before:
            notes_before.setdefault(activity, "[to be automated]")
            notes_after.setdefault(activity, "[automated]")
    handoff_after = {(str(s), str(t)): bool(h) for s, t, h in zip(
        after.edges["source"], after.edges["target"], after.edges["handoff"], strict=True)}
    marks = {(str(s), str(t)): " ✕" for s, t, h in zip(
        before.edges["source"], before.edges["target"], before.edges["handoff"], strict=True)
        if h and handoffs and not handoff_after.get((str(s), str(t)), False)}
    notes = {a: [n for n in (notes_before.get(a), notes_after.get(a)) if n]
             for a in notes_before.keys() | notes_after.keys()}
    shown_titles = [f"{titles[0]}: {before.name}", f"{titles[1]}: {after.name}"]
    table: tuple[tuple[str, str, str, str], ...] = ()
    if projection is not None:
        table = _figures(projection, currency or _currency(projection))
    drawn = table if (figures if figures is not None else medium != "slide") else ()
    layout = map_layout(before, after, medium=medium, direction=direction, fit=fit,
                        swimlanes=swimlanes, handoffs=handoffs, titles=shown_titles,
                        _notes=notes, _marks=marks, _figures=drawn, _past_peak=_past_peak)
    described = []
    for pmap, title, note, mark in ((before, shown_titles[0], notes_before, marks),
                                    (after, shown_titles[1], notes_after, {})):
        drawing = _map_drawing(pmap, layout.plan, title=title, subtitle=_subtitle(pmap),
                               measure=measure, notes=note, marks=mark, figures=drawn)
        described.append(_make(layout._apply(drawing), "as_is" if pmap is before else "to_be"))
    return AsIsToBe(before=described[0], after=described[1], layout=layout, figures=table)


def _hours(hours: float) -> str:
    """Labour hours: one decimal under 100 h.

    Examples
    --------
    >>> _hours(1.25), _hours(1234.4)
    ('1.2 h', '1,234 h')
    """
    return f"{hours:,.1f} h" if abs(hours) < 100 else f"{hours:,.0f} h"


def _currency(projection: Projection) -> str:
    return "EUR"


#: Process maps already made of a log (by the activities kept and the path coverage): the
#: candidates of a deck or a report all start from the same log, and the fitting of each
#: tries several activity sets. Dropped with the log (weak keys).
_MAPS: weakref.WeakKeyDictionary[EventLog, dict[tuple[tuple[str, ...] | None, float | None],
                                                ProcessMap]] = weakref.WeakKeyDictionary()


def _map_of(log: EventLog, activities: tuple[str, ...] | None, paths: float | None
            ) -> ProcessMap:
    """The map of the log's events of ``activities`` (all: None), remembered per log.

    :func:`procmine.discovery.dfg.process_map_of`: the map of the filtered log, made
    from the log's codes (no filtered log is built).
    """
    from procmine.discovery.dfg import process_map, process_map_of

    made = _MAPS.setdefault(log, {})
    key = (activities, paths)
    if key not in made:
        made[key] = (process_map(log, activities=1.0, paths=paths) if activities is None
                     else process_map_of(log, activities, paths=paths))
    return made[key]


def draw_projection(
    projection: Projection,
    *,
    medium: Medium = "slide",
    measure: MapMeasure = "frequency",
    swimlanes: bool | None = None,
    handoffs: bool = True,
    titles: tuple[str, str] = ("As-is", "To-be"),
    direction: Direction = "LR",
    fit: Fit = "projector",
    currency: str | None = None,
    figures: bool | None = None,
    steps: Sequence[str] | None = None,
    min_activities: int = MIN_ACTIVITIES,
    paths: float | None = None,
) -> AsIsToBe:
    """The as-is / to-be pair of a projection, simplified until it reads on its medium.

    Both maps show the same activities: the as-is log's most frequent ones,
    as many as keep the measured text at the medium's size (at most the
    medium's ``max_activities``, at least ``min_activities``), always
    including the changed ``steps``. The number is found by bisection over
    the count of activities (a few layouts, not one per count; each layout
    tries lanes, then department colours, as :func:`map_layout`, each folded
    by a band-count search that stops past its peak: ``past_peak`` of
    :func:`procmine.render._spec.fold`); when no
    count reaches the medium's text size, the pair with the fewest
    activities (its text is largest). The to-be map is the projected log's
    map of those activities; both subtitles give the whole logs' counts and
    the share of events shown. This is the one fitting of an as-is / to-be
    pair: the report and the workshop deck draw theirs with it.

    Parameters
    ----------
    projection : Projection
        From :func:`procmine.project`.
    medium, measure, swimlanes, handoffs, titles, direction, fit, currency, figures
        As for :func:`draw_as_is_to_be`.
    steps : sequence of str, optional, keyword-only
        Activities always drawn (default: the activities the projection's
        moves change).
    min_activities : int, keyword-only
        Fewest activities shown (the steps count; default
        :data:`MIN_ACTIVITIES`; a slide about one change may go lower).
    paths : float, optional, keyword-only
        Path coverage of both maps (as :func:`procmine.process_map`).

    Returns
    -------
    AsIsToBe

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog, Move, project
    >>> f = pd.DataFrame({"case_id": ["o1"] * 3, "activity": ["E-mail", "Enter order", "Pick"],
    ...     "timestamp": pd.date_range("2024-01-01", periods=3, freq="h", tz="UTC"),
    ...     "department": [None, "Sales", "Warehouse"],
    ...     "party": ["customer", "internal", "internal"]})
    >>> p = project(EventLog.from_frame(f), [Move("Enter order", "Sales", "customer_self_service")])
    >>> pair = draw_projection(p, medium="notebook")
    >>> "[moved from Sales]" in pair.after.source
    True
    """
    from procmine.discovery.simplify import rank_activities

    _check(medium, MEDIA, "medium")
    style = preset(medium)
    before_log, after_log = projection.before, projection.after
    full_before = _map_of(before_log, None, 1.0)
    full_after = _map_of(after_log, None, 1.0)
    ranked = rank_activities(full_before.nodes)["activity"].astype(str).tolist()
    wanted = [m.activity for m in projection.moves] if steps is None else list(steps)
    changed = [a for a in ranked if a in set(map(str, wanted))]
    on_after = set(full_after.activities)

    def maps(cap: int) -> tuple[ProcessMap, ProcessMap]:
        names = changed + [a for a in ranked if a not in changed][: max(cap - len(changed), 0)]
        out = []
        for log, full, present in ((before_log, full_before, names),
                                   (after_log, full_after, [a for a in names if a in on_after])):
            pmap = _map_of(log, tuple(present) if len(present) < len(full.activities)
                           else None, paths)
            shown = len(pmap.nodes) < len(full.nodes)
            out.append(replace(pmap, name=log.name, n_events=full.n_events,
                               n_cases=full.n_cases, n_activities_total=full.n_activities_total,
                               n_edges_total=full.n_edges_total,
                               simplified=pmap.simplified or shown))
        return out[0], out[1]

    drawn: dict[int, tuple[float, AsIsToBe]] = {}

    def draw(cap: int) -> tuple[float, AsIsToBe]:
        if cap not in drawn:
            before, after = maps(cap)
            pair = draw_as_is_to_be(before, after, measure=measure, swimlanes=swimlanes,
                                    handoffs=handoffs, titles=titles, direction=direction,
                                    fit=fit, medium=medium, projection=projection,
                                    currency=currency, figures=figures, _past_peak=True)
            placed = pair.before.drawing if pair.before.positioned else None
            drawn[cap] = (_text_size(placed) if placed is not None else float("inf"), pair)
        return drawn[cap]

    high = max(min(style.max_activities, len(ranked)), len(changed), 1)
    low = max(min(min_activities, high), len(changed), 1)
    return draw(most_that_fit(low, high, lambda cap: draw(cap)[0], style.min_text_px))[1]


def most_that_fit(low: int, high: int, size_of: Any, needed: float) -> int:
    """The largest ``n`` in [low, high] with ``size_of(n) >= needed`` (``low`` if none).

    ``size_of(n)`` is the text size of the drawing of ``n`` activities, taken
    to be monotone (fewer activities, larger text). ``high`` is tried first
    (a map that fits whole needs one drawing); when it is too small, the next
    try is where the text would be large enough if it grew as
    1/sqrt(activities) (a folded map's area grows with its activities), then
    its neighbour (one more when it fits, one fewer when not), and bisection
    finishes what is left. ``low`` is never measured: it is the
    answer when nothing above fits.

    Examples
    --------
    >>> tried = []
    >>> def size(n):
    ...     tried.append(n)
    ...     return 32 * (11 / n) ** 0.5
    >>> most_that_fit(4, 15, size, 32.0), tried
    (11, [15, 11, 12])
    >>> most_that_fit(4, 15, lambda n: 10.0 + n / 100, 32.0) in (15, 4)
    True
    >>> most_that_fit(4, 15, lambda n: 40.0 / n, 32.0)
    4
    """
    seen: dict[int, float] = {}

    def measured(n: int) -> float:
        seen[n] = size_of(n)
        return seen[n]

    size = measured(high)
    if size >= needed:
        return high
    lo, hi = low - 1, high  # size_of(hi) is known too small
    guess = min(max(round(high * (size / needed) ** 2), low), high - 1) if size > 0 else low
    if guess > low:  # then its neighbour: a good guess is settled in three drawings
        if measured(guess) >= needed:
            lo = guess
            if guess + 1 < hi:
                lo, hi = (guess + 1, hi) if measured(guess + 1) >= needed else (lo, guess + 1)
        else:
            hi = guess
            if guess - 1 > low:
                lo, hi = (guess - 1, hi) if measured(guess - 1) >= needed else (lo, guess - 1)
    while hi - lo > 1:
        middle = (lo + hi + 1) // 2
        if middle == low or measured(middle) >= needed:
            lo = middle
        else:
            hi = middle
    lo = max(lo, low)
    if lo == low and low not in seen:  # every count tried is too small: the fewest, unless
        measured(low)  # a count tried shows larger text (sizes need not fall with each count)
        return max(seen, key=lambda n: (seen[n], -n))
    return lo
