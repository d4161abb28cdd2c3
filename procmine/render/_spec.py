"""A neutral description of a drawing, turned into Graphviz or into a no-binary SVG.

The map functions in :mod:`procmine.render.maps` describe what to draw once
(nodes, edges, clusters, legend, title); :func:`to_digraph` hands that to
Graphviz and :func:`fallback_svg` lays it out in pure Python when the ``dot``
binary is missing. Both read the same description, so the fallback shows the
same facts.
"""

from __future__ import annotations

import html
import itertools
import math
import os
import textwrap
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import graphviz

from procmine.errors import UsageError
from procmine.io.xmlchars import xml_text
from procmine.render._dot import dot_available
from procmine.render.colours import OUTSIDE_COLOUR, PALETTE
from procmine.render.medium import Preset, preset

__all__ = ["MapDrawing"]

FONT = "Helvetica,Arial,sans-serif"
NODE_FONT_SIZE = 18
EDGE_FONT_SIZE = 16
CLUSTER_FONT_SIZE = 20
TITLE_FONT_SIZE = 26

#: Okabe & Ito (2008) colour-blind-safe palette.
BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY, BLACK, YELLOW = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
)
#: Department colours: see :mod:`procmine.render.colours` (keyed by name).
LANE_COLOURS = PALETTE
_ = OUTSIDE_COLOUR
EDGE_COLOUR = "#3A3A3A"
HANDOFF_COLOUR = VERMILLION


def tint(colour: str, amount: float = 0.85) -> str:
    """A pale version of ``#RRGGBB`` (mixed with white)."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#{:02X}{:02X}{:02X}".format(*mix)


def wrap(text: str, width: int = 22) -> list[str]:
    """Split a label into lines of about ``width`` characters (long words kept whole)."""
    lines = textwrap.wrap(str(text), width=width, break_long_words=False,
                          break_on_hyphens=False) or [""]
    return lines


def _esc(text: str) -> str:
    """Text for SVG or a Graphviz HTML label: XML-escaped, forbidden characters made visible."""
    return html.escape(xml_text(text))


def dot_text(lines: list[str]) -> graphviz.quoting.NoHtml:
    """Lines as a Graphviz escString: backslashes and quotes escaped, never HTML-like.

    Characters XML 1.0 forbids (NUL, ESC ...) become visible stand-ins
    (:func:`procmine.io.xmlchars.xml_text`): dot would copy them into an SVG
    that no parser reads.
    """
    escaped = [xml_text(line).replace("\\", "\\\\").replace('"', '\\"') for line in lines]
    return graphviz.nohtml("\\n".join(escaped))


@dataclass
class Node:
    id: str
    lines: list[str]
    layout_lines: list[str] | None = None  # text the layout is made for (default: lines)
    fill: str = "#FFFFFF"
    border: str = BLACK
    shape: str = "box"
    style: str = "rounded,filled"
    cluster: str | None = None
    penwidth: float = 1.5
    visible: bool = True
    width: float | None = None  # inches, for fixed sizes (as-is / to-be)
    font_colour: str = BLACK
    table: list[list[str]] | None = None  # drawn as a table (first row: header), not lines


@dataclass
class Edge:
    source: str
    target: str
    label: str = ""
    layout_label: str | None = None  # text the layout is made for (default: label)
    colour: str = EDGE_COLOUR
    penwidth: float = 1.5
    dashed: bool = False
    visible: bool = True


@dataclass
class Drawing:
    title: str
    subtitle: str = ""
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    clusters: dict[str, str] = field(default_factory=dict)  # name -> colour
    legend: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, colour, text)
    dashed_clusters: set[str] = field(default_factory=set)  # outside parties
    rankdir: str = "LR"
    bands: dict[str, int] = field(default_factory=dict)  # node id -> row (wrapped layout)
    bands_reversed: bool = False  # declare the bands last first (see fold)
    medium: str = "slide"  # see procmine.render.medium
    layout_title: tuple[str, str] | None = None  # (title, subtitle) the layout is made for
    layout_legend: list[tuple[str, str, str]] | None = None  # legend the layout is made for
    positions: Layout | None = None  # fixed positions (drawn with neato -n2)
    figures: list[list[str]] | None = None  # a table in the title block (first row: header)

    @property
    def style(self) -> Preset:
        """The medium's preset (fonts, wrapping, spacing)."""
        return preset(self.medium)


@dataclass(frozen=True)
class Layout:
    """Where ``dot`` put everything of a drawing: reused to draw other views at the same spots.

    Coordinates are Graphviz points as ``dot`` writes them (``pos``, ``lp``,
    ``bb`` strings); node sizes in inches.
    """

    bb: str
    label_pos: str | None
    label_size: tuple[float, float] | None  # width, height of the title (inches)
    nodes: dict[str, tuple[str, str, str]]  # id -> (pos, width, height)
    edges: dict[str, tuple[str, str | None]]  # edge key -> (pos, lp)
    clusters: dict[str, tuple[str, str | None]]  # subgraph name -> (bb, lp)

    def centres(self) -> dict[str, tuple[float, float]]:
        """Node centres in points."""
        out = {}
        for node, (pos, _, _) in self.nodes.items():
            x, y = pos.split(",")[:2]
            out[node] = (float(x), float(y.rstrip("!")))
        return out

    def size(self) -> tuple[float, float]:
        """Width and height of the drawn picture in points, with the pad (its SVG viewBox).

        ``neato -n2`` sizes the picture to hold every node, label, lane and
        every edge's spline *control points* (which can lie beyond the curve
        and beyond ``dot``'s bounding box), so that is what is measured here.
        """
        x0, y0, x1, y1 = (float(v) for v in self.bb.split(","))
        for pos, _ in self.edges.values():
            for token in pos.split():
                parts = token.split(",")
                if parts[0] in ("e", "s"):
                    continue  # the arrow's end point lies on the node
                x, y = float(parts[-2]), float(parts[-1])
                x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
        return x1 - x0 + _PAD_PT, y1 - y0 + _PAD_PT


def edge_key(edge: Edge) -> str:
    """The key of an edge in a :class:`Layout`; a second arc between the same nodes gets ``#2``."""
    return f"{edge.source}->{edge.target}"


def _title_label(drawing: Drawing, *, for_layout: bool = False) -> str:
    """Title, subtitle and legend: one block above the drawing (no column of its own)."""
    style = drawing.style
    title_text, sub_text = drawing.title, drawing.subtitle
    if for_layout and drawing.layout_title is not None:
        title_text, sub_text = drawing.layout_title
    width = max(30, style.wrap * 5)
    left = '<BR ALIGN="LEFT"/>'
    title = left.join(_esc(line) for line in wrap(title_text, width))
    rows = [f'<TR><TD ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="{title_size(style):.0f}">'
            f'<B>{title}</B></FONT></TD></TR>']
    if sub_text:
        sub = left.join(_esc(line) for line in wrap(sub_text, int(width * 1.3)))
        rows.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{sub}</TD></TR>')
    legend = drawing.legend
    if for_layout and drawing.layout_legend is not None:
        legend = drawing.layout_legend
    blocks = []
    if legend:
        blocks.append(f'<TD ALIGN="LEFT" VALIGN="TOP">{_legend_table(legend, style)}</TD>')
    if drawing.figures:
        blocks.append(f'<TD ALIGN="LEFT" VALIGN="TOP">{_table_label(drawing.figures, inner=True)}'
                      '</TD>')
    if blocks:
        rows.append('<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" '
                    f'CELLPADDING="0"><TR>{"".join(blocks)}</TR></TABLE></TD></TR>')
    return (f'<<FONT POINT-SIZE="{style.font:.0f}"><TABLE BORDER="0" CELLBORDER="0" '
            'CELLSPACING="0" CELLPADDING="2">' + "".join(rows) + "</TABLE></FONT>>")


def _legend_table(legend: list[tuple[str, str, str]], style: Preset) -> str:
    """The legend as rows of (swatch, text) pairs, two pairs a row."""
    swatch_w = round(style.font * 1.6)
    cells = []
    for kind, colour, text in legend:
        safe = '<BR ALIGN="LEFT"/>'.join(_esc(line) for line in wrap(text, style.wrap * 2))
        if kind == "box":
            swatch = f'<TD BGCOLOR="{tint(colour, 0.7)}" WIDTH="{swatch_w}"> </TD>'
        elif kind == "dashed":
            swatch = f'<TD><FONT COLOR="{colour}"><B>- - ▶</B></FONT></TD>'
        else:
            swatch = f'<TD><FONT COLOR="{colour}"><B>──▶</B></FONT></TD>'
        cells.append(f'{swatch}<TD ALIGN="LEFT" BALIGN="LEFT">{safe}</TD>')
    per_row = 2 if len(cells) <= 4 else 3
    rows = [f'<TR><TD COLSPAN="{2 * per_row}" ALIGN="LEFT"><B>Legend</B></TD></TR>']
    rows += ["<TR>" + "".join(cells[i:i + per_row]) + "</TR>"
             for i in range(0, len(cells), per_row)]
    return ('<TABLE BORDER="1" COLOR="#BBBBBB" CELLBORDER="0" CELLSPACING="2" '
            'CELLPADDING="1">' + "".join(rows) + "</TABLE>")


def _table_label(rows: list[list[str]], *, inner: bool = False) -> str:
    """Rows of text as a Graphviz HTML-like table: the header bold, numbers right-aligned.

    ``inner``: a table to sit inside another label (framed, no outer ``<...>``).
    """
    out = []
    for i, row in enumerate(rows):
        cells = []
        for j, text in enumerate(row):
            safe = _esc(text)
            if i == 0:
                safe = f"<B>{safe}</B>" if safe else " "
            cells.append(f'<TD ALIGN="{"LEFT" if j == 0 else "RIGHT"}">{safe}</TD>')
        out.append("<TR>" + "".join(cells) + "</TR>")
    if inner:
        return ('<TABLE BORDER="1" COLOR="#555555" CELLBORDER="0" CELLSPACING="2" '
                'CELLPADDING="1">' + "".join(out) + "</TABLE>")
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">'
            + "".join(out) + "</TABLE>>")


def title_size(style: Preset) -> float:
    """Point size of a drawing's title for a medium (the rest of its text is ``style.font``)."""
    return round(style.font * 1.3)


def _legend_label(drawing: Drawing, *, for_layout: bool = False) -> str:
    legend = drawing.legend
    if for_layout and drawing.layout_legend is not None:
        legend = drawing.layout_legend
    font = drawing.style.font
    swatch_w = round(font * 1.6)
    rows = ['<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B></TD></TR>']
    for kind, colour, text in legend:
        safe = "<BR ALIGN=\"LEFT\"/>".join(_esc(line)
                                           for line in wrap(text, drawing.style.wrap * 3))
        if kind == "box":
            swatch = f'<TD BGCOLOR="{tint(colour, 0.7)}" WIDTH="{swatch_w}"> </TD>'
        elif kind == "dashed":
            swatch = f'<TD><FONT COLOR="{colour}"><B>- - ▶</B></FONT></TD>'
        else:
            swatch = f'<TD><FONT COLOR="{colour}"><B>──▶</B></FONT></TD>'
        rows.append(f'<TR>{swatch}<TD ALIGN="LEFT">{safe}<BR ALIGN="LEFT"/></TD></TR>')
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1">'
            + "".join(rows) + "</TABLE>>")


def shift(text: str, dx: float, dy: float) -> str:
    """Graphviz coordinates (``pos``, ``lp``, ``bb``) moved by ``(dx, dy)`` points.

    Examples
    --------
    >>> shift("e,10,20 1,2 3.5,4", 100, 1000)
    'e,110,1020 101,1002 103.5,1004'
    >>> shift("0,0,50,60", 10, 10)
    '10,10,60,70'
    """
    if dx == 0 and dy == 0:
        return text
    out = []
    for token in text.split():
        parts = token.split(",")
        head = [p for p in parts[:1] if p in ("e", "s")]
        numbers = [float(p.rstrip("!")) for p in parts[len(head):]]
        moved = [n + (dy if i % 2 else dx) for i, n in enumerate(numbers)]
        out.append(",".join([*head, *(f"{n:.6g}" for n in moved)]))
    return " ".join(out)


#: DOT attribute lists already written (``graphviz.quoting.attr_list``), by label and
#: attributes (with their types: a ``nohtml`` string is quoted unlike a plain one). The
#: fitting of a map writes the same nodes and edges into every drawing it lays out.
_ATTR_LISTS: dict[tuple[Any, ...], str] = {}
_ATTR_LISTS_KEPT = 20_000


def _attr_list(attrs: dict[str, str]) -> str:
    """`` [label=... a=b ...]`` as :meth:`graphviz.Digraph.node` writes it for ``**attrs``."""
    key = tuple((k, type(v), v) for k, v in attrs.items())
    found = _ATTR_LISTS.get(key)
    if found is None:
        rest = dict(attrs)
        label = rest.pop("label", None)
        found = graphviz.quoting.attr_list(label, kwargs=rest)
        if len(_ATTR_LISTS) >= _ATTR_LISTS_KEPT:
            _ATTR_LISTS.clear()
        _ATTR_LISTS[key] = found
    return found


def _node(graph: graphviz.Digraph, name: str, attrs: dict[str, str]) -> None:
    """``graph.node(name, **attrs)``, the same line, its attribute list remembered."""
    graph.body.append(f"\t{graphviz.quoting.quote(name)}{_attr_list(attrs)}\n")


def _edge(graph: graphviz.Digraph, tail: str, head: str, attrs: dict[str, str]) -> None:
    """``graph.edge(tail, head, **attrs)``, the same line, its attribute list remembered."""
    graph.body.append(f"\t{graphviz.quoting.quote_edge(tail)} -> "
                      f"{graphviz.quoting.quote_edge(head)}{_attr_list(attrs)}\n")


def to_digraph(drawing: Drawing, name: str = "procmine",
               cls: type[graphviz.Digraph] = graphviz.Digraph, *,
               for_layout: bool = False, prefix: str = "",
               offset: tuple[float, float] = (0.0, 0.0)) -> graphviz.Digraph:
    """The drawing as a Graphviz digraph styled for its medium.

    ``for_layout`` writes the text the layout is made for (``layout_lines``,
    ``layout_label``, ...) instead of the text shown. With
    ``drawing.positions`` (and not ``for_layout``) every node, edge, lane
    and the title is given its position, and the graph is to be drawn by
    ``neato -n2`` (:class:`MapDrawing` does it): the same positions for every
    view made from one layout. ``prefix`` and ``offset`` rename and move
    everything (to put several positioned drawings in one graph).
    """
    style = drawing.style
    fixed = drawing.positions if not for_layout else None
    dx, dy = offset
    font = f"{style.font:.0f}"
    graph = cls(name=name)
    graph.attr(rankdir=drawing.rankdir, fontname=FONT, nodesep=f"{style.nodesep:.2f}",
               ranksep=f"{style.ranksep:.2f}", newrank="true", pad="0.3", bgcolor="white")
    if fixed is None:
        graph.attr(labelloc="t", labeljust="l",
                   label=_title_label(drawing, for_layout=for_layout))
    else:
        graph.attr(bb=shift(fixed.bb, dx, dy), outputorder="nodesfirst")
    graph.attr("node", fontname=FONT, fontsize=font, margin="0.12,0.05")
    graph.attr("edge", fontname=FONT, fontsize=font, arrowsize="0.9")

    def pid(node_id: str) -> str:
        return prefix + node_id

    def node_attrs(node: Node) -> dict[str, str]:
        lines = node.layout_lines if for_layout and node.layout_lines is not None else node.lines
        attrs = {
            "label": dot_text(lines) if node.table is None else _table_label(node.table),
            "shape": node.shape, "style": node.style,
            "fillcolor": node.fill, "color": node.border, "penwidth": f"{node.penwidth:.2f}",
            "fontcolor": node.font_colour,
        }
        if node.width is not None:
            attrs["width"] = f"{node.width:.2f}"
        if not node.visible:
            attrs["style"] = "invis"
        if fixed is not None and node.id in fixed.nodes:
            pos, width, height = fixed.nodes[node.id]
            attrs.update(pos=shift(pos, dx, dy), width=width, height=height, fixedsize="true")
        return attrs

    bands = drawing.bands
    n_bands = max(bands.values(), default=0) + 1
    lane_index = {name: i for i, name in enumerate(drawing.clusters)}

    def place_cluster(sub: graphviz.Digraph, name: str) -> None:
        if fixed is not None and name in fixed.clusters:
            bb, lp = fixed.clusters[name]
            sub.attr(bb=shift(bb, dx, dy))
            if lp is not None:
                sub.attr(lp=shift(lp, dx, dy))

    def add_lane(parent: graphviz.Digraph, cluster: str, members: list[Node], suffix: str) -> None:
        colour = drawing.clusters[cluster]
        name = f"cluster_{lane_index[cluster]}{suffix}"
        with parent.subgraph(name=f"cluster_{prefix}{lane_index[cluster]}{suffix}") as sub:
            outside = cluster in drawing.dashed_clusters
            sub.attr(label=dot_text([cluster]),
                     style="rounded,dashed" if outside else "rounded,filled",
                     fillcolor="#FFFFFF" if outside else tint(colour, 0.9),
                     color=colour, penwidth="2", fontname=FONT, fontsize=font,
                     fontcolor=BLACK, labeljust="l", margin="10")
            place_cluster(sub, name)
            if not any(node.visible for node in members):
                sub.attr(style="invis")
            for node in members:
                _node(sub, pid(node.id), node_attrs(node))

    def add_nodes(parent: graphviz.Digraph, nodes: list[Node], suffix: str) -> None:
        by_cluster: dict[str | None, list[Node]] = {}
        for node in nodes:
            key = node.cluster if node.cluster in lane_index else None
            by_cluster.setdefault(key, []).append(node)
        for node in by_cluster.pop(None, []):
            _node(parent, pid(node.id), node_attrs(node))
        for cluster in drawing.clusters:
            if by_cluster.get(cluster):
                add_lane(parent, cluster, by_cluster[cluster], suffix)

    if fixed is not None and fixed.label_pos is not None and fixed.label_size is not None:
        width, height = fixed.label_size
        graph.node(pid("title"), label=_title_label(drawing), shape="plaintext",
                   pos=shift(fixed.label_pos, dx, dy), width=f"{width:.4f}",
                   height=f"{height:.4f}", fixedsize="true", margin="0")
    if n_bands <= 1:
        add_nodes(graph, drawing.nodes, "")
    else:
        # each band is an invisible cluster; its order in the input is a hint dot may or
        # may not follow, so fold() checks the result and tries the reverse order as well
        order = range(n_bands - 1, -1, -1) if drawing.bands_reversed else range(n_bands)
        for band in order:
            with graph.subgraph(name=f"cluster_{prefix}row{band}") as row:
                row.attr(label="", style="invis", margin="6")
                place_cluster(row, f"cluster_row{band}")
                add_nodes(row, [n for n in drawing.nodes if bands.get(n.id, 0) == band],
                          f"_{band}")
    seen_keys: dict[str, int] = {}
    for edge in drawing.edges:
        attrs = {
            "color": edge.colour, "penwidth": f"{edge.penwidth:.2f}",
            "fontcolor": edge.colour if edge.colour != EDGE_COLOUR else BLACK,
        }
        label = edge.layout_label if for_layout and edge.layout_label is not None else edge.label
        if label:
            attrs["xlabel" if style.xlabels else "label"] = dot_text([label])
        if edge.dashed:
            attrs["style"] = "dashed"
        if not edge.visible:
            attrs["style"] = "invis"
        if bands.get(edge.source, 0) != bands.get(edge.target, 0):
            attrs["constraint"] = "false"
        key = edge_key(edge)
        seen_keys[key] = seen_keys.get(key, 0) + 1
        if seen_keys[key] > 1:  # a second arc between the same two nodes
            key = f"{key}#{seen_keys[key]}"
        attrs["id"] = prefix + key
        if fixed is not None and key in fixed.edges:
            pos, lp = fixed.edges[key]
            attrs["pos"] = shift(pos, dx, dy)
            if lp is not None and label:
                attrs["xlp" if style.xlabels else "lp"] = shift(lp, dx, dy)
        _edge(graph, pid(edge.source), pid(edge.target), attrs)
    if False:  # the legend is part of the title block (see _title_label)
        with graph.subgraph(name=f"cluster_{prefix}legend") as sub:
            sub.attr(label="", style="rounded", color="#BBBBBB", penwidth="1")
            place_cluster(sub, "cluster_legend")
            attrs = {"label": _legend_label(drawing, for_layout=for_layout),
                     "shape": "plaintext", "fontsize": font}
            if fixed is not None and "legend" in fixed.nodes:
                pos, width, height = fixed.nodes["legend"]
                attrs.update(pos=shift(pos, dx, dy), width=width, height=height,
                             fixedsize="true")
            sub.node(pid("legend"), **attrs)
    return graph


#: Layouts already made, by the exact ``dot`` source laid out (the fitting of a map tries
#: the same drawing more than once: the fold search, then :func:`fixed` of its winner; the
#: report's and the deck's maps of one log). Same source, same layout: ``dot`` is
#: deterministic, so this changes no byte of any output, only how often ``dot`` runs.
_LAYOUTS: dict[str, Layout | None] = {}
_LAYOUTS_KEPT = 512
#: Layouts started ahead of need (:func:`prefetch`), by source. The pool's workers only
#: run ``dot`` and read its JSON; the threads that ask for layouts (the caller's, and
#: :func:`in_background`'s: two folds of one map at once) read and write this and
#: ``_LAYOUTS`` under ``_LOCK``.
_PENDING: dict[str, Future[Layout | None]] = {}
_POOL: dict[int, ThreadPoolExecutor] = {}  # by process id: a forked child makes its own
_LOCK = threading.Lock()


def _workers() -> int:
    """How many ``dot`` runs go at once: one per core this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return max(os.cpu_count() or 1, 1)


def layout(drawing: Drawing) -> Layout | None:
    """Lay the drawing out with ``dot`` (the text it is laid out for); None if dot fails."""
    return _layout_of(to_digraph(drawing, for_layout=True).source)


def _layout_of(source: str) -> Layout | None:
    with _LOCK:
        if source in _LAYOUTS:
            return _LAYOUTS[source]
        pending = _PENDING.pop(source, None)
        if pending is not None and os.getpid() not in _POOL:
            pending = None  # started by the process this one was forked from: not here
    found = pending.result() if pending is not None else _layout(source)
    with _LOCK:
        _keep(source, found)
    return found


def _keep(source: str, found: Layout | None) -> None:
    """Remember a layout by its source (under ``_LOCK``), the oldest dropped when full."""
    if source not in _LAYOUTS and len(_LAYOUTS) >= _LAYOUTS_KEPT:
        _LAYOUTS.pop(next(iter(_LAYOUTS)))
    _LAYOUTS[source] = found


def prefetch(drawings: list[Drawing]) -> list[str]:
    """Start laying out drawings that will probably be asked for next, on the other cores.

    Returns their sources, for :func:`cancel`. :func:`layout` of one of them then
    waits for its run instead of starting one. ``dot`` is deterministic, so which
    run made a layout changes nothing in it, only when it is ready; with one core
    nothing is started.
    """
    if _workers() < 2 or not dot_available():
        return []
    sources = [to_digraph(drawing, for_layout=True).source for drawing in drawings]
    with _LOCK:
        pool = _pool()
        for source in sources:
            if source not in _LAYOUTS and source not in _PENDING:
                _PENDING[source] = pool.submit(_layout, source)
    return sources


def _pool() -> ThreadPoolExecutor:
    """This process's pool of ``dot`` runs (under ``_LOCK``)."""
    pid = os.getpid()
    if pid not in _POOL:
        _POOL.clear()
        _PENDING.clear()  # a parent's runs: not this process's
        _POOL[pid] = ThreadPoolExecutor(max_workers=_workers(), thread_name_prefix="dot")
    return _POOL[pid]


def cancel(sources: list[str]) -> None:
    """Drop the prefetched layouts of ``sources`` not asked for (those not started never run)."""
    with _LOCK:
        for source in sources:
            pending = _PENDING.pop(source, None)
            if pending is not None and not pending.cancel() and pending.done():
                found = pending.result()  # made anyway: keep it
                if len(_LAYOUTS) < _LAYOUTS_KEPT:
                    _LAYOUTS[source] = found


_BACKGROUND: dict[int, ThreadPoolExecutor] = {}  # by process id, as _POOL


def in_background(work: Any, *args: Any) -> Future[Any] | None:
    """Run ``work(*args)`` on a thread of its own, e.g. a second :func:`fold` of a map.

    A fold waits on ``dot`` most of the time, one layout after another: two folds
    at once keep two cores busy. None when this process may use one core (then
    the caller runs it itself, when it needs it).
    """
    if _workers() < 2 or not dot_available():
        return None
    pid = os.getpid()
    with _LOCK:
        if pid not in _BACKGROUND:
            _BACKGROUND.clear()
            _BACKGROUND[pid] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fold")
        return _BACKGROUND[pid].submit(work, *args)


def _layout(source: str) -> Layout | None:
    import json

    try:
        data = json.loads(graphviz.pipe("dot", "json0", source.encode("utf-8"),
                                        quiet=True).decode("utf-8"))
    except (graphviz.CalledProcessError, graphviz.ExecutableNotFound, ValueError):
        return None
    nodes: dict[str, tuple[str, str, str]] = {}
    clusters: dict[str, tuple[str, str | None]] = {}
    gvid: dict[int, str] = {}
    for obj in data.get("objects", []):
        if "nodes" in obj or str(obj.get("name", "")).startswith("cluster"):
            if "bb" in obj:
                clusters[str(obj["name"])] = (str(obj["bb"]), obj.get("lp"))
            continue
        if "pos" in obj:
            nodes[str(obj["name"])] = (str(obj["pos"]), str(obj["width"]), str(obj["height"]))
            gvid[int(obj["_gvid"])] = str(obj["name"])
    edges: dict[str, tuple[str, str | None]] = {}
    box = tuple(float(v) for v in str(data["bb"]).split(","))
    for obj in data.get("edges", []):
        if "pos" in obj:
            key = str(obj.get("id") or f"{gvid.get(obj['tail'])}->{gvid.get(obj['head'])}")
            edges[key] = (_inside(str(obj["pos"]), box), obj.get("lp") or obj.get("xlp"))
    size = ((float(data["lwidth"]), float(data["lheight"])) if "lwidth" in data else None)
    return Layout(bb=str(data["bb"]), label_pos=data.get("lp"), label_size=size, nodes=nodes,
                  edges=edges, clusters=clusters)


def _inside(pos: str, box: tuple[float, ...]) -> str:
    """An edge's spline with its control points moved into the drawing's box.

    ``dot`` keeps every curve inside its bounding box, but a deep curve's
    control points can lie far outside it, and ``neato -n2`` sizes the
    picture by the control points: a margin of blank paper that shrinks the
    text. A control point moved to the box's edge keeps the curve inside the
    box (a Bézier curve lies in the hull of its control points) and only
    flattens the part that dipped furthest.

    Examples
    --------
    >>> _inside("e,10,5 0,5 40,-90 60,-90 100,5", (0.0, 0.0, 200.0, 100.0))
    'e,10,5 0,5 40,0 60,0 100,5'
    """
    x0, y0, x1, y1 = box
    out = []
    for token in pos.split():
        parts = token.split(",")
        if parts[0] in ("e", "s"):
            out.append(token)
            continue
        x, y = float(parts[0]), float(parts[1])
        cx, cy = min(max(x, x0), x1), min(max(y, y0), y1)
        out.append(token if (cx, cy) == (x, y) else f"{cx:.6g},{cy:.6g}")
    return " ".join(out)


def fixed(drawing: Drawing) -> Drawing:
    """The drawing with its layout fixed (laid out once; every view drawn at those spots)."""
    if drawing.positions is not None or not dot_available():
        return drawing
    found = layout(drawing)
    return replace(drawing, positions=found) if found is not None else drawing


# -- pure-Python fallback: a layered left-to-right layout as inline SVG ----------------------
def _layers(drawing: Drawing) -> dict[str, int]:
    """Longest-path layers after removing back edges found by a deterministic DFS."""
    ids = [n.id for n in drawing.nodes]
    succ: dict[str, list[str]] = {i: [] for i in ids}
    for e in drawing.edges:
        if e.source in succ and e.target in succ and e.source != e.target:
            succ[e.source].append(e.target)
    state: dict[str, int] = {}
    forward: dict[str, list[str]] = {i: [] for i in ids}
    for root in ids:
        if root in state:
            continue
        stack = [(root, iter(succ[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            for child in children:
                if state.get(child) == 1:
                    continue  # back edge: ignored for layering
                forward[node].append(child)
                if child not in state:
                    state[child] = 1
                    stack.append((child, iter(succ[child])))
                break
            else:
                state[node] = 2
                stack.pop()
    layer = dict.fromkeys(ids, 0)
    indegree = dict.fromkeys(ids, 0)
    for targets in forward.values():
        for c in targets:
            indegree[c] += 1
    queue = [i for i in ids if indegree[i] == 0]
    while queue:
        node = queue.pop(0)
        for c in forward[node]:
            layer[c] = max(layer[c], layer[node] + 1)
            indegree[c] -= 1
            if indegree[c] == 0:
                queue.append(c)
    return layer


def fallback_svg(drawing: Drawing) -> str:
    """Lay the drawing out without Graphviz: layers left to right, straight curved edges."""
    nodes = [n for n in drawing.nodes if n.visible]
    layer = _layers(Drawing(drawing.title, nodes=nodes, edges=drawing.edges))
    columns: dict[int, list[Node]] = {}
    for node in nodes:
        columns.setdefault(layer[node.id], []).append(node)
    box_w, line_h, col_gap, row_gap = 230, 22, 140, 70
    pos: dict[str, tuple[float, float, float]] = {}
    top = 150 + 12 * max(columns, default=0)  # room for the arcs over the first row
    height = 0.0
    order_of: dict[str, float] = {}
    for col in sorted(columns):
        members = columns[col]
        preds: dict[str, list[str]] = {e.target: [] for e in drawing.edges}
        for e in drawing.edges:
            preds.setdefault(e.target, []).append(e.source)
        members.sort(key=lambda n: (
            sum(order_of.get(p, 0) for p in preds.get(n.id, [])) / max(1, len(preds.get(n.id, [])))
        ))
        y = float(top)
        for i, node in enumerate(members):
            order_of[node.id] = i
            h = float(line_h * len(node.lines) + 16)
            pos[node.id] = (40 + col * (box_w + col_gap), y, h)
            y += h + row_gap
        height = max(height, y)
    width = 80 + (max(columns, default=0) + 1) * (box_w + col_gap)
    legend_y = height + 10
    total_h = legend_y + 30 * (len(drawing.legend) + len(drawing.clusters) + 2) + 20
    colours = sorted({e.colour for e in drawing.edges})
    marker = {colour: f"arrow{i}" for i, colour in enumerate(colours)}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{total_h:.0f}" '
        f'viewBox="0 0 {width:.0f} {total_h:.0f}" font-family="Helvetica,Arial,sans-serif">',
        '<defs>' + "".join(
            f'<marker id="arrow{i}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="14" '
            f'markerHeight="14" markerUnits="userSpaceOnUse" orient="auto">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
            for i, colour in enumerate(colours)) + '</defs>',
        f'<text x="20" y="36" font-size="{TITLE_FONT_SIZE}" font-weight="bold">'
        f'{_esc(drawing.title)}</text>',
        f'<text x="20" y="64" font-size="{NODE_FONT_SIZE}">{_esc(drawing.subtitle)}</text>',
    ]
    labels: list[str] = []
    for e in drawing.edges:
        if not e.visible or e.source not in pos or e.target not in pos:
            continue
        sx, sy, sh = pos[e.source]
        tx, ty, th = pos[e.target]
        x1, y1 = sx + box_w, sy + sh / 2
        x2, y2 = tx, ty + th / 2
        if tx <= sx:  # backward or same column: loop under the boxes
            x1, y1 = sx + box_w / 2, sy + sh
            x2, y2 = tx + box_w / 2, ty + th
            dip = max(y1, y2) + 40
            d = f"M{x1:.0f},{y1:.0f} C{x1:.0f},{dip:.0f} {x2:.0f},{dip:.0f} {x2:.0f},{y2:.0f}"
            lx, ly = (x1 + x2) / 2, dip - 8
        elif layer[e.target] - layer[e.source] > 1:  # skips layers: arc above the boxes
            top_y = min(y1, y2) - 30 - 12 * (layer[e.target] - layer[e.source])
            d = (f"M{x1:.0f},{y1:.0f} C{x1 + 60:.0f},{top_y:.0f} {x2 - 60:.0f},{top_y:.0f} "
                 f"{x2:.0f},{y2:.0f}")
            lx, ly = (x1 + x2) / 2, 0.75 * top_y + 0.25 * (y1 + y2) / 2 - 6  # the apex
        else:
            mid = (x1 + x2) / 2
            d = f"M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
            lx, ly = mid, (y1 + y2) / 2 - 6
        dash = ' stroke-dasharray="8,5"' if e.dashed else ""
        out.append(f'<path d="{d}" fill="none" stroke="{e.colour}" '
                   f'stroke-width="{e.penwidth:.1f}"{dash} marker-end="url(#{marker[e.colour]})"/>')
        if e.label:  # drawn last, with a white halo, so lines never hide them
            labels.append(f'<text x="{lx:.0f}" y="{ly:.0f}" font-size="{EDGE_FONT_SIZE}" '
                          f'text-anchor="middle" fill="{e.colour}" stroke="white" '
                          f'stroke-width="4" paint-order="stroke">{_esc(e.label)}</text>')
    for node in nodes:
        x, y, h = pos[node.id]
        rx = h / 2 if node.shape in {"circle", "doublecircle", "ellipse", "oval"} else 8.0
        out.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{box_w}" height="{h:.0f}" '
                   f'rx="{rx:.0f}" fill="{node.fill}" stroke="{node.border}" '
                   f'stroke-width="{node.penwidth:.1f}"/>')
        for k, line in enumerate(node.lines):
            out.append(f'<text x="{x + box_w / 2:.0f}" y="{y + 8 + line_h * (k + 0.8):.0f}" '
                       f'font-size="{NODE_FONT_SIZE}" text-anchor="middle" '
                       f'fill="{node.font_colour}">{_esc(line)}</text>')
    out += labels
    y = legend_y + 20
    out.append(f'<text x="20" y="{y:.0f}" font-size="{EDGE_FONT_SIZE}" font-style="italic">'
               "Simplified layout: Graphviz (dot) is not installed. Department colours as in "
               "the legend.</text>")
    y += 30
    lanes = [("box", colour, name) for name, colour in drawing.clusters.items()]
    for kind, colour, text in [*drawing.legend, *lanes]:
        if kind == "box":
            out.append(f'<rect x="20" y="{y - 14:.0f}" width="30" height="18" '
                       f'fill="{tint(colour, 0.7)}" stroke="{colour}"/>')
        else:
            dash = ' stroke-dasharray="8,5"' if kind == "dashed" else ""
            out.append(f'<line x1="20" y1="{y - 5:.0f}" x2="50" y2="{y - 5:.0f}" '
                       f'stroke="{colour}" stroke-width="3"{dash}/>')
        out.append(f'<text x="60" y="{y:.0f}" font-size="{EDGE_FONT_SIZE}">'
                   f'{_esc(text)}</text>')
        y += 30
    out.append("</svg>")
    return "\n".join(out)


def penwidth(count: float, biggest: float, *, low: float = 1.2, high: float = 9.0) -> float:
    """Edge width growing with the square root of its share of the biggest count."""
    if biggest <= 0 or not math.isfinite(count):
        return low
    return low + (high - low) * math.sqrt(max(count, 0) / biggest)


# -- fitting a long flow onto its medium: fold it into rows (LR) or columns (TB) ---------------
#: Width / height a drawing should have to fill a projector slide: 4:3 to 16:9 (legacy).
SLIDE = (4 / 3, 16 / 9)
_PAD_PT = 2 * 0.3 * 72  # the graph's pad (0.3 in) on both sides, in points
MAX_FOLDS = 8
_PT_PX = 96 / 72


def scale_in(size: tuple[float, float], style: Preset) -> float:
    """CSS px per point when a drawing of ``size`` (points) is shown fitted in the medium."""
    width, height = size
    fit = min(style.width_px / max(width, 1.0), style.height_px / max(height, 1.0))
    return fit if style.upscale else min(fit, _PT_PX)


def _bands(centres: dict[str, tuple[float, float]], drawing: Drawing, k: int) -> dict[str, int]:
    """Cut the rank axis into ``k`` bands of about equal length: node id -> band.

    Each cut sits between two ranks, within a third of a band of the equal
    split, where the arcs it crosses are thinnest (a loop stays in one row
    where it can). Then each lane (department) is kept whole, in the band
    holding most of its activities (the first of those on ties), so that a
    folded map never repeats a lane. Empty bands are dropped.
    """
    along = {n.id: centres[n.id][0] if drawing.rankdir == "LR" else -centres[n.id][1]
             for n in drawing.nodes if n.id in centres}
    if not along:
        return {}
    ranks = sorted(set(along.values()))
    low, high = ranks[0], ranks[-1]
    span = (high - low) / k or 1.0
    gaps = [(a + b) / 2 for a, b in itertools.pairwise(ranks)]
    arcs = [(along[e.source], along[e.target], e.penwidth) for e in drawing.edges
            if e.visible and e.source in along and e.target in along]

    def crossing(cut: float) -> float:
        return sum(w for a, b, w in arcs if min(a, b) < cut < max(a, b))

    cuts = []
    for j in range(1, k):
        ideal = low + j * span
        near = [g for g in gaps if abs(g - ideal) <= span / 3] or [ideal]
        cuts.append(min(near, key=lambda g: (round(crossing(g), 6), abs(g - ideal))))
    raw = {i: sum(c > cut for cut in cuts) for i, c in along.items()}
    lanes: dict[str, list[int]] = {}
    for node in drawing.nodes:
        if node.id in raw and node.cluster in drawing.clusters:
            lanes.setdefault(node.cluster, []).append(raw[node.id])
    home = {lane: min(set(found), key=lambda b: (-found.count(b), b))
            for lane, found in lanes.items()}
    for node in drawing.nodes:
        if node.id in raw and node.cluster in home:
            raw[node.id] = home[node.cluster]
    renumber = {band: n for n, band in enumerate(sorted(set(raw.values())))}
    return {i: renumber[band] for i, band in raw.items()}


def _in_order(centres: dict[str, tuple[float, float]], bands: dict[str, int],
              wide: bool) -> bool:
    """The bands read in order: rows top to bottom (LR), columns left to right (TB)."""
    sums: dict[int, list[float]] = {}
    for node, band in bands.items():
        if node in centres:
            x, y = centres[node]
            sums.setdefault(band, []).append(-y if wide else x)  # dot's y grows upwards
    means = [sum(v) / len(v) for _, v in sorted(sums.items())]
    return all(a < b for a, b in itertools.pairwise(means))


def fold(drawing: Drawing, *, ahead: bool = True, past_peak: bool = False) -> Drawing:
    """Fold a long left-to-right flow into rows (top-to-bottom: into columns) for its medium.

    ``dot`` lays the drawing out once in one strip; then the rank axis is cut
    into 2, 3, ... bands at about equal distances, each band becoming a row
    (column) of the drawing, each department kept whole in one band (one lane
    per department, never repeated); arcs between bands leave the ranking
    alone. Band counts are tried in turn; the one whose drawing, fitted into
    the medium's box (:mod:`procmine.render.medium`), shows its text largest
    wins (by more than 2%; fewest bands on ties); the search stops when the
    text falls below 60% of the best. Dot usually keeps the bands in the
    order they are declared; when it does not, the reverse declaration is
    tried, and a band count whose rows would come out of reading order is
    skipped. ``ahead``: lay the next band count out on the other core
    meanwhile (off when another fold runs beside this one). Without ``dot``
    the drawing is returned as it is.

    ``past_peak``: stop at the first band count whose text is smaller than
    the one before it (a rise of less than 2% goes on; a count out of
    reading order neither wins nor stops). A drawing folded into more rows is
    narrower and taller, so its text size, the smaller of the two fits,
    mostly rises to one peak and falls after it; but dot's layouts are not
    that regular everywhere (on the sample, a slide's top-to-bottom map with
    lanes peaks again after a fall), so this is the as-is / to-be pair's
    search only (:func:`procmine.render.maps.draw_projection`: half its
    layouts, every pair of the sample in every medium and direction and of
    the 1M and 5M reports unchanged).
    """
    if not dot_available() or len(drawing.nodes) < 4:
        return drawing
    base = replace(drawing, bands={}, bands_reversed=False, positions=None)
    first = layout(base)
    if first is None:
        return drawing
    style = drawing.style
    centres = first.centres()
    wide = drawing.rankdir == "LR"
    best: Drawing | None = None
    best_scale = previous = scale_in(first.size(), style)
    seen: set[tuple[tuple[str, int], ...]] = set()
    tries: list[dict[str, int]] = []  # the band sets to try, in order (they need no layout)
    for k in range(2, min(MAX_FOLDS, style.max_folds) + 1):
        bands = _bands(centres, base, k)
        if max(bands.values(), default=0) + 1 < 2:
            break  # nothing left to cut between
        signature = tuple(sorted(bands.items()))
        if signature in seen:
            continue
        seen.add(signature)
        tries.append(bands)
    declared = [replace(base, bands=bands, bands_reversed=False) for bands in tries]
    started: list[str] = []
    for i, bands in enumerate(tries):
        if ahead:  # the next band count, in declared order, on the other core meanwhile
            started += prefetch(declared[i + 1:i + 2])
        for reverse in (False, True):
            candidate = replace(base, bands=bands, bands_reversed=True) if reverse else declared[i]
            laid = layout(candidate)
            if laid is not None and _in_order(laid.centres(), bands, wide):
                break
        else:
            continue  # dot would not keep these bands in reading order
        scale = scale_in(laid.size(), style)
        if scale > best_scale * 1.02:
            best, best_scale = candidate, scale
        if scale < (previous if past_peak else best_scale * 0.6):
            break  # past the peak: more rows only make it taller
        previous = scale
    cancel(started)
    if best is None:
        return drawing
    return replace(drawing, bands=best.bands, bands_reversed=best.bands_reversed)


class MapDrawing(graphviz.Digraph):
    """A :class:`graphviz.Digraph` that also keeps the description it was made from.

    It displays inline in Jupyter like any Digraph; when ``dot`` is missing it
    displays the pure-SVG fallback instead of raising. A drawing made from a
    fixed layout (``drawing.positions``) is drawn by ``neato -n2``: every node,
    edge and lane at the place ``dot`` gave it once for all the views of a log.
    """

    drawing: Drawing | None = None
    #: The process map drawn (set by :func:`procmine.draw_map`; a log is simplified first).
    process_map: Any = None

    def fallback_svg(self) -> str:
        """The drawing laid out in Python (no Graphviz binary needed)."""
        if self.drawing is None:
            raise UsageError("this Digraph was not made by procmine.render; draw it with dot")
        return fallback_svg(self.drawing)

    @property
    def positioned(self) -> bool:
        """True when every position is fixed (drawn with ``neato -n2``)."""
        return self.drawing is not None and self.drawing.positions is not None

    def pipe(self, format: str | None = None, renderer: str | None = None,
             formatter: str | None = None, neato_no_op: bool | int | None = None,
             quiet: bool = False, *, engine: str | None = None,
             encoding: str | None = None) -> Any:
        """As :meth:`graphviz.Digraph.pipe`; a positioned drawing goes through ``neato -n2``."""
        if self.positioned and engine is None:
            engine, neato_no_op = "neato", 2 if neato_no_op is None else neato_no_op
        return super().pipe(format=format, renderer=renderer, formatter=formatter,
                            neato_no_op=neato_no_op, quiet=quiet, engine=engine,
                            encoding=encoding)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any
                          ) -> dict[str, Any]:
        from procmine.render.html import notebook_bundle

        return notebook_bundle(self)


def make_drawing(drawing: Drawing, name: str, *, positioned: bool = True) -> MapDrawing:
    """A :class:`MapDrawing` of ``drawing`` (Graphviz source plus the description).

    With ``positioned`` (default) the drawing is laid out once by ``dot`` and
    then drawn at those positions (see :func:`fixed`), so that views made from
    the same layout match; without ``dot`` it stays unpositioned.
    """
    if positioned:
        drawing = fixed(drawing)
    graph = to_digraph(drawing, name=name, cls=MapDrawing)
    assert isinstance(graph, MapDrawing)
    graph.drawing = drawing
    return graph
