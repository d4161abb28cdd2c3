"""A neutral description of a drawing, turned into Graphviz or into a no-binary SVG.

The map functions in :mod:`procmine.render.maps` describe what to draw once
(nodes, edges, clusters, legend, title); :func:`to_digraph` hands that to
Graphviz and :func:`fallback_svg` lays it out in pure Python when the ``dot``
binary is missing. Both read the same description, so the fallback shows the
same facts.
"""

from __future__ import annotations

import html
import math
import textwrap
from dataclasses import dataclass, field

import graphviz

__all__: list[str] = []

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


def dot_text(lines: list[str]) -> graphviz.quoting.NoHtml:
    """Lines as a Graphviz escString: backslashes and quotes escaped, never HTML-like."""
    escaped = [line.replace("\\", "\\\\").replace('"', '\\"') for line in lines]
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


def _title_label(drawing: Drawing) -> str:
    title = html.escape(drawing.title)
    sub = html.escape(drawing.subtitle)
    parts = [f'<FONT POINT-SIZE="{TITLE_FONT_SIZE}"><B>{title}</B></FONT>']
    if sub:
        parts.append(f'<FONT POINT-SIZE="{NODE_FONT_SIZE}">{sub}</FONT>')
    return "<" + "<BR/>".join(parts) + ">"


def _legend_label(drawing: Drawing) -> str:
    rows = ['<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B></TD></TR>']
    for kind, colour, text in drawing.legend:
        safe = html.escape(text)
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

    by_cluster: dict[str | None, list[Node]] = {}
    for node in drawing.nodes:
        by_cluster.setdefault(node.cluster, []).append(node)
    for node in by_cluster.pop(None, []):
        graph.node(node.id, **node_attrs(node))
    for i, (cluster, colour) in enumerate(drawing.clusters.items()):
        members = by_cluster.get(cluster, [])
        if not members:
            continue
        with graph.subgraph(name=f"cluster_{i}") as sub:
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
    for children in forward.values():
        for c in children:
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
        preds = {e.target: [] for e in drawing.edges}
        for e in drawing.edges:
            preds.setdefault(e.target, []).append(e.source)
        members.sort(key=lambda n: (
            sum(order_of.get(p, 0) for p in preds.get(n.id, [])) / max(1, len(preds.get(n.id, [])))
        ))
        y = float(top)
        for i, node in enumerate(members):
            order_of[node.id] = i
            h = line_h * len(node.lines) + 16
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
        f'{html.escape(drawing.title)}</text>',
        f'<text x="20" y="64" font-size="{NODE_FONT_SIZE}">{html.escape(drawing.subtitle)}</text>',
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
                          f'stroke-width="4" paint-order="stroke">{html.escape(e.label)}</text>')
    for node in nodes:
        x, y, h = pos[node.id]
        rx = h / 2 if node.shape in {"circle", "doublecircle", "ellipse", "oval"} else 8
        out.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{box_w}" height="{h:.0f}" '
                   f'rx="{rx:.0f}" fill="{node.fill}" stroke="{node.border}" '
                   f'stroke-width="{node.penwidth:.1f}"/>')
        for k, line in enumerate(node.lines):
            out.append(f'<text x="{x + box_w / 2:.0f}" y="{y + 8 + line_h * (k + 0.8):.0f}" '
                       f'font-size="{NODE_FONT_SIZE}" text-anchor="middle" '
                       f'fill="{node.font_colour}">{html.escape(line)}</text>')
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
                   f'{html.escape(text)}</text>')
        y += 30
    out.append("</svg>")
    return "\n".join(out)


def penwidth(count: float, biggest: float, *, low: float = 1.2, high: float = 9.0) -> float:
    """Edge width growing with the square root of its share of the biggest count."""
    if biggest <= 0 or not math.isfinite(count):
        return low
    return low + (high - low) * math.sqrt(max(count, 0) / biggest)
