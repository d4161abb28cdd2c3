"""The before / after difference of a :class:`~procmine.analysis.compare.Comparison` on one map.

One drawing holds both periods: every activity and path of either period, in
the department swimlanes, coloured by what happened to it between the periods
(appeared, vanished, more or less often, faster or slower, more or less
manual; grey when the difference is within noise, as
:mod:`procmine.analysis.compare` defines noise). Labels give the share of
orders before → after (and the median wait, when it changed). Nothing is
computed here: the numbers are the comparison's tables.
"""

from __future__ import annotations

from typing import Any, Final, Literal

import pandas as pd

from procmine._check import check_choice
from procmine._display import register_html
from procmine._format import duration
from procmine.analysis.compare import Comparison, summary_html
from procmine.render._spec import (
    BLACK,
    BLUE,
    GREEN,
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
from procmine.render.html import drawing_html

__all__ = ["STATUS_COLOURS", "comparison_html", "draw_comparison"]

#: Colour of each status (Okabe & Ito); differences within noise are grey.
STATUS_COLOURS: Final = {
    "appeared": GREEN,
    "vanished": VERMILLION,
    "more often": BLUE,
    "less often": ORANGE,
    "slower": PURPLE,
    "faster": PURPLE,
    "less manual": PURPLE,
    "more manual": PURPLE,
    "unchanged": "#8A8A8A",
}
_LEGEND: Final = (
    ("appeared", "appeared after the change"),
    ("vanished", "vanished after the change"),
    ("more often", "in more orders"),
    ("less often", "in fewer orders"),
    ("faster", "wait or share of manual work changed"),
    ("unchanged", "within noise"),
)
_OUTSIDE: Final = ("customer", "supplier", "carrier")
Fit = Literal["projector", "none"]


def _lane_colours(lanes: list[str]) -> dict[str, str]:
    inside = sorted(lane for lane in lanes if lane not in _OUTSIDE)
    try:
        from procmine.render.colours import OUTSIDE_COLOUR, department_colours
    except ImportError:  # pragma: no cover - the shared colour module is optional here
        colours = {d: LANE_COLOURS[i % len(LANE_COLOURS)] for i, d in enumerate(inside)}
        outside = "#555555"
    else:
        colours = department_colours(inside)
        outside = OUTSIDE_COLOUR
    colours.update({lane: outside for lane in lanes if lane in _OUTSIDE})
    return colours


def _pct(value: float) -> str:
    return "–" if pd.isna(value) else f"{100 * float(value):.0f}%"


def _arrow(before: str, after: str) -> str:
    return before if before == after else f"{before} → {after}"


def draw_comparison(
    comparison: Comparison,
    *,
    title: str | None = None,
    min_share: float = 0.05,
    fit: Fit = "projector",
) -> MapDrawing:
    """Draw the map difference of a comparison: both periods on one map.

    Parameters
    ----------
    comparison : Comparison
        From :func:`procmine.analysis.compare.compare`.
    title : str, optional, keyword-only
        Default: "Before and after" and the log's name.
    min_share : float, keyword-only
        Paths in fewer than this share of the orders (default 5%) in both
        periods, and within noise, are left out (they clutter the map; the paths table
        keeps them). Activities are always drawn.
    fit : {"projector", "none"}, keyword-only
        Fold a long flow into rows for a slide (see :func:`procmine.render.draw_map`).

    Returns
    -------
    MapDrawing

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog
    >>> from procmine.analysis.compare import compare
    >>> rows = [(f"o{i}", a, pd.Timestamp("2024-02-01", tz="UTC") + pd.Timedelta(days=i, hours=h))
    ...         for i in range(40) for h, a in enumerate(["Enter", "Check" if i < 20 else "Ship"])]
    >>> log = EventLog.from_frame(pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"]))
    >>> c = compare(log, change_date="2024-02-21", horizon=None, resamples=100)
    >>> graph = draw_comparison(c, fit="none")
    >>> "vanished" in graph.source and "appeared" in graph.source
    True
    """
    check_choice(fit, ("projector", "none"), option="fit")
    acts, paths = comparison.activities, comparison.paths
    lanes_of = {str(r.activity): (str(r.lane_after) or str(r.lane_before))
                for r in acts.itertuples(index=False)}
    # a step whose most frequent department changed beyond noise (moved to a party)
    moved = {str(r.activity): f"{r.lane_before} → {r.lane_after}"
             for r in acts.itertuples(index=False)
             if r.lane_before and r.lane_after and r.lane_before != r.lane_after
             and r.status != "unchanged"}
    colours = _lane_colours(sorted({lane for lane in lanes_of.values() if lane}))
    ids = {a: f"a{i}" for i, a in enumerate(acts["activity"].astype(str))}
    biggest = float(max(acts["share_before"].max(), acts["share_after"].max(), 1e-9)) if len(
        acts) else 1.0
    nodes = []
    for r in acts.itertuples(index=False):
        name = str(r.activity)
        status = str(r.status)
        colour = STATUS_COLOURS.get(status, BLACK)
        lines = [*wrap(name), _arrow(_pct(r.share_before), _pct(r.share_after)) + " of orders"]
        if status in ("less manual", "more manual"):
            manual = _arrow(_pct(r.manual_share_before), _pct(r.manual_share_after))
            lines.append(f"manual {manual}")
        if name in moved:
            lines.append(f"[{moved[name]}]")
        if status != "unchanged":
            lines.append(status)
        lane = lanes_of.get(name) or None
        share = max(float(r.share_before), float(r.share_after))
        nodes.append(Node(
            ids[name], lines, fill=tint(colour, 0.8) if status != "unchanged" else "#FFFFFF",
            border=colour, style="rounded,filled,dashed" if status == "vanished"
            else "rounded,filled",
            cluster=lane if name not in moved else None,
            penwidth=1.5 + 2.5 * min(1.0, share / biggest) + (1.5 if status != "unchanged"
                                                              else 0.0),
        ))
    edges = []
    shown = paths.loc[(paths["status"] != "unchanged")
                      | (paths[["share_before", "share_after"]].max(axis=1) >= min_share)]
    for r in shown.itertuples(index=False):
        status = str(r.status)
        colour = STATUS_COLOURS.get(status, BLACK)
        label = ""
        if bool(r.share_changed):
            label = _arrow(_pct(r.share_before), _pct(r.share_after))
        elif bool(r.wait_changed):
            label = _arrow(duration(r.median_wait_before_s), duration(r.median_wait_after_s))
        share = max(float(r.share_before), float(r.share_after))
        edges.append(Edge(ids[str(r.source)], ids[str(r.target)], label=label, colour=colour,
                          penwidth=penwidth(share, max(biggest, 1e-9)) + (
                              1.0 if status != "unchanged" else 0.0),
                          dashed=status == "vanished"))
    legend = [("line", STATUS_COLOURS[key], text) for key, text in _LEGEND]
    legend.append(("line", BLACK, "label: share of orders before → after (or median wait)"))
    used = {n.cluster for n in nodes if n.cluster}
    c = comparison.counts
    subtitle = (f"{c['orders_before']:,} orders before, {c['orders_after']:,} after"
                + (f" the change of {comparison.settings['change_date'][:10]}"
                   if comparison.settings.get("change_date") else "")
                + f" · {len(comparison.changes)} change(s) beyond noise")
    drawing = Drawing(
        title=title if title is not None else f"Before and after: {comparison.name}",
        subtitle=subtitle, nodes=nodes, edges=edges,
        clusters={lane: colours[lane] for lane in colours if lane in used},
        legend=legend, dashed_clusters={lane for lane in used if lane in _OUTSIDE},
    )
    if fit == "projector":
        drawing = fold(drawing)
    return make_drawing(drawing, "comparison_map")


def comparison_html(comparison: Comparison, **options: Any) -> str:
    """The summary of a comparison and its map difference, as HTML (Jupyter's display)."""
    return summary_html(comparison) + drawing_html(draw_comparison(comparison, **options))


register_html(Comparison, comparison_html)
