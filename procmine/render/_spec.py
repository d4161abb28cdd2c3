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
import textwrap
from dataclasses import dataclass, field, replace
from typing import Any

import graphviz

from procmine.errors import UsageError
from procmine.io.xmlchars import xml_text
from procmine.render._dot import dot_available

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
#: Department colours by name order (Okabe–Ito, vermillion kept for handoffs; then brown).
LANE_COLOURS = (BLUE, GREEN, PURPLE, ORANGE, SKY, YELLOW, BLACK, "#8C6D31")
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
    fill: str = "#FFFFFF"
    border: str = BLACK
    shape: str = "box"
    style: str = "rounded,filled"
    cluster: str | None = None
    penwidth: float = 1.5
    visible: bool = True
    width: float | None = None  # inches, for fixed sizes (as-is / to-be)
    font_colour: str = BLACK


@dataclass
class Edge:
    source: str
    target: str
    label: str = ""
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


def _title_label(drawing: Drawing) -> str:
    title = _esc(drawing.title)
    sub = _esc(drawing.subtitle)
    parts = [f'<FONT POINT-SIZE="{TITLE_FONT_SIZE}"><B>{title}</B></FONT>']
    if sub:
        parts.append(f'<FONT POINT-SIZE="{NODE_FONT_SIZE}">{sub}</FONT>')
    return "<" + "<BR/>".join(parts) + ">"


def _legend_label(drawing: Drawing) -> str:
    rows = ['<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B></TD></TR>']
    for kind, colour, text in drawing.legend:
        safe = _esc(text)
        if kind == "box":
            swatch = f'<TD BGCOLOR="{tint(colour, 0.7)}" WIDTH="30"> </TD>'
        elif kind == "dashed":
            swatch = f'<TD><FONT COLOR="{colour}"><B>- - ▶</B></FONT></TD>'
        else:
            swatch = f'<TD><FONT COLOR="{colour}"><B>──▶</B></FONT></TD>'
        rows.append(f'<TR>{swatch}<TD ALIGN="LEFT">{safe}</TD></TR>')
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="2">'
            + "".join(rows) + "</TABLE>>")


def to_digraph(drawing: Drawing, name: str = "procmine",
               cls: type[graphviz.Digraph] = graphviz.Digraph) -> graphviz.Digraph:
    """The drawing as a Graphviz digraph styled for a projector."""
    graph = cls(name=name)
    graph.attr(
        rankdir=drawing.rankdir, fontname=FONT, labelloc="t", labeljust="l",
        label=_title_label(drawing), nodesep="0.45", ranksep="0.7", newrank="true",
        pad="0.3", bgcolor="white",
    )
    graph.attr("node", fontname=FONT, fontsize=str(NODE_FONT_SIZE), margin="0.15,0.08")
    graph.attr("edge", fontname=FONT, fontsize=str(EDGE_FONT_SIZE), arrowsize="0.9")

    def node_attrs(node: Node) -> dict[str, str]:
        attrs = {
            "label": dot_text(node.lines), "shape": node.shape, "style": node.style,
            "fillcolor": node.fill, "color": node.border, "penwidth": f"{node.penwidth:.2f}",
            "fontcolor": node.font_colour,
        }
        if node.width is not None:
            attrs["width"] = f"{node.width:.2f}"
        if not node.visible:
            attrs["style"] = "invis"
        return attrs

    bands = drawing.bands
    n_bands = max(bands.values(), default=0) + 1
    lane_index = {name: i for i, name in enumerate(drawing.clusters)}

    def add_lane(parent: graphviz.Digraph, cluster: str, members: list[Node], suffix: str) -> None:
        colour = drawing.clusters[cluster]
        with parent.subgraph(name=f"cluster_{lane_index[cluster]}{suffix}") as sub:
            outside = cluster in drawing.dashed_clusters
            sub.attr(label=dot_text([cluster]),
                     style="rounded,dashed" if outside else "rounded,filled",
                     fillcolor="#FFFFFF" if outside else tint(colour, 0.9),
                     color=colour, penwidth="2", fontname=FONT, fontsize=str(CLUSTER_FONT_SIZE),
                     fontcolor=BLACK, labeljust="l", margin="16")
            if not any(node.visible for node in members):
                sub.attr(style="invis")
            for node in members:
                sub.node(node.id, **node_attrs(node))

    def add_nodes(parent: graphviz.Digraph, nodes: list[Node], suffix: str) -> None:
        by_cluster: dict[str | None, list[Node]] = {}
        for node in nodes:
            key = node.cluster if node.cluster in lane_index else None
            by_cluster.setdefault(key, []).append(node)
        for node in by_cluster.pop(None, []):
            parent.node(node.id, **node_attrs(node))
        for cluster in drawing.clusters:
            if by_cluster.get(cluster):
                add_lane(parent, cluster, by_cluster[cluster], suffix)

    if n_bands <= 1:
        add_nodes(graph, drawing.nodes, "")
    else:
        # each band is an invisible cluster; its order in the input is a hint dot may or
        # may not follow, so fold() checks the result and tries the reverse order as well
        order = range(n_bands - 1, -1, -1) if drawing.bands_reversed else range(n_bands)
        for band in order:
            with graph.subgraph(name=f"cluster_row{band}") as row:
                row.attr(label="", style="invis", margin="8")
                add_nodes(row, [n for n in drawing.nodes if bands.get(n.id, 0) == band],
                          f"_{band}")
    for edge in drawing.edges:
        attrs = {
            "color": edge.colour, "penwidth": f"{edge.penwidth:.2f}",
            "fontcolor": edge.colour if edge.colour != EDGE_COLOUR else BLACK,
        }
        if edge.label:
            attrs["label"] = dot_text([edge.label])
        if edge.dashed:
            attrs["style"] = "dashed"
        if not edge.visible:
            attrs["style"] = "invis"
        if bands.get(edge.source, 0) != bands.get(edge.target, 0):
            attrs["constraint"] = "false"
        graph.edge(edge.source, edge.target, **attrs)
    if drawing.legend:
        with graph.subgraph(name="cluster_legend") as sub:
            sub.attr(label="", style="rounded", color="#BBBBBB", penwidth="1")
            sub.node("legend", label=_legend_label(drawing), shape="plaintext",
                     fontsize=str(EDGE_FONT_SIZE))
    return graph


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


# -- fitting a long flow onto a slide: fold it into rows (LR) or columns (TB) ------------------
#: Width / height a drawing should have to fill a projector slide: 4:3 to 16:9.
SLIDE = (4 / 3, 16 / 9)
_PAD_PT = 2 * 0.3 * 72  # the graph's pad (0.3 in) on both sides, in points
MAX_FOLDS = 5


def _layout(drawing: Drawing) -> tuple[dict[str, tuple[float, float]], float] | None:
    """Node centres and width/height of the drawing as ``dot`` lays it out; None if dot fails."""
    import json

    try:
        data = json.loads(to_digraph(drawing).pipe(format="json0", encoding="utf-8",
                                                     quiet=True))
    except (graphviz.CalledProcessError, graphviz.ExecutableNotFound, ValueError):
        return None
    x0, y0, x1, y1 = (float(v) for v in str(data["bb"]).split(","))
    centres = {}
    for obj in data.get("objects", []):
        if "pos" in obj and "nodes" not in obj:
            x, y = (float(v) for v in str(obj["pos"]).split(","))
            centres[str(obj["name"])] = (x, y)
    return centres, (x1 - x0 + _PAD_PT) / max(y1 - y0 + _PAD_PT, 1.0)


def _distance(ratio: float, target: tuple[float, float]) -> float:
    """How far (log scale) a width/height ratio lies outside the target interval."""
    low, high = target
    if ratio < low:
        return math.log(low / ratio)
    if ratio > high:
        return math.log(ratio / high)
    return 0.0


def _bands(centres: dict[str, tuple[float, float]], drawing: Drawing, k: int) -> dict[str, int]:
    """Cut the rank axis into ``k`` bands of about equal length: node id -> band.

    Each cut sits between two ranks, within a third of a band of the equal
    split, where the arcs it crosses are thinnest (a loop stays in one row
    where it can). Empty bands are dropped.
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


def fold(drawing: Drawing, *, target: tuple[float, float] = SLIDE) -> Drawing:
    """Fold a long left-to-right flow into rows (top-to-bottom: into columns) to fit ``target``.

    ``dot`` lays the drawing out once in one strip; when that is wider (LR)
    or taller (TB) than the target, the rank axis is cut into 2, 3, ...
    bands at equal distances and each band becomes a row (column) of the
    drawing, with its own lane boxes; arcs between bands leave the ranking
    alone. The band count whose drawing lies nearest the target width/height
    interval wins (fewest bands on ties). Dot usually keeps the bands in the
    order they are declared; when it does not, the reverse declaration is
    tried, and a band count whose rows would come out of reading order is
    skipped. Without ``dot`` the drawing is returned as it is.
    """
    if not dot_available() or len(drawing.nodes) < 4:
        return drawing
    base = drawing
    first = _layout(base)
    if first is None:
        return drawing
    centres, ratio = first
    wide = drawing.rankdir == "LR"
    if (ratio <= target[1]) if wide else (ratio >= target[0]):
        return drawing
    best: Drawing | None = None
    best_distance = _distance(ratio, target)
    for k in range(2, MAX_FOLDS + 1):
        bands = _bands(centres, base, k)
        if max(bands.values(), default=0) + 1 < k:
            break  # no more ranks to cut between
        for reverse in (False, True):
            candidate = replace(base, bands=bands, bands_reversed=reverse)
            laid = _layout(candidate)
            if laid is not None and _in_order(laid[0], bands, wide):
                break
        else:
            continue  # dot would not keep these bands in reading order
        distance = _distance(laid[1], target)
        if distance < best_distance - 1e-9:
            best, best_distance = candidate, distance
        if (laid[1] <= target[0]) if wide else (laid[1] >= target[1]):
            break  # folding more only moves further away
    if best is None:
        return drawing
    return replace(drawing, bands=best.bands, bands_reversed=best.bands_reversed)


class MapDrawing(graphviz.Digraph):
    """A :class:`graphviz.Digraph` that also keeps the description it was made from.

    It displays inline in Jupyter like any Digraph; when ``dot`` is missing it
    displays the pure-SVG fallback instead of raising.
    """

    drawing: Drawing | None = None

    def fallback_svg(self) -> str:
        """The drawing laid out in Python (no Graphviz binary needed)."""
        if self.drawing is None:
            raise UsageError("this Digraph was not made by procmine.render; draw it with dot")
        return fallback_svg(self.drawing)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any
                          ) -> dict[str, Any]:
        if dot_available(warn=True):
            return super()._repr_mimebundle_(include=include, exclude=exclude, **kwargs)
        return {"text/html": self.fallback_svg()}


def make_drawing(drawing: Drawing, name: str) -> MapDrawing:
    """A :class:`MapDrawing` of ``drawing`` (Graphviz source plus the description)."""
    graph = to_digraph(drawing, name=name, cls=MapDrawing)
    assert isinstance(graph, MapDrawing)
    graph.drawing = drawing
    return graph
