"""Self-contained HTML for maps: inline SVG, no script, no network."""

from __future__ import annotations

import html
import re
import warnings
from typing import TYPE_CHECKING

import graphviz

from procmine.errors import ProcmineError, ProcmineWarning
from procmine.render._dot import dot_available
from procmine.render._spec import MapDrawing

if TYPE_CHECKING:
    from procmine.render.maps import AsIsToBe

__all__ = ["drawing_html", "drawing_svg", "inline_svg", "page", "pair_html"]

_STYLE = (
    "body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#000}"
    "h1{font-size:28px}.procmine-map svg{max-width:100%;height:auto}"
    ".procmine-note{font-size:16px;color:#444}"
)


def page(body: str, *, title: str) -> str:
    """A complete HTML document around ``body`` (already safe HTML).

    Examples
    --------
    >>> page("<p>hi</p>", title="<map>").startswith("<!DOCTYPE html>")
    True
    >>> "&lt;map&gt;" in page("", title="<map>")
    True
    """
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def inline_svg(svg: str) -> str:
    """Strip the XML prolog and DOCTYPE so an SVG document can sit inside HTML.

    Examples
    --------
    >>> inline_svg('<?xml version="1.0"?>\\n<!DOCTYPE svg>\\n<svg></svg>')
    '<svg></svg>'
    """
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    return svg.strip()


def drawing_svg(graph: graphviz.Digraph) -> str:
    """SVG of a drawing: through ``dot`` when present, else the pure-Python layout."""
    if dot_available(warn=True):
        try:
            return graph.pipe(format="svg", encoding="utf-8")
        except graphviz.CalledProcessError as failure:
            if not (isinstance(graph, MapDrawing) and graph.drawing is not None):
                raise ProcmineError(f"Graphviz 'dot' failed to lay out the graph: "
                                    f"{str(failure.stderr or failure)[:300]}") from None
            warnings.warn(f"Graphviz 'dot' failed on this map ({str(failure.stderr)[:200]}); "
                          "drawn with procmine's simpler built-in layout instead.",
                          ProcmineWarning, stacklevel=2)
            return graph.fallback_svg()
    if isinstance(graph, MapDrawing) and graph.drawing is not None:
        return graph.fallback_svg()
    return (
        "<div class='procmine-note'><p>Graphviz <code>dot</code> is not installed, so this "
        "graph cannot be laid out. Its description follows (install Graphviz to draw it)."
        f"</p><pre>{html.escape(graph.source)}</pre></div>"
    )


def drawing_html(graph: graphviz.Digraph) -> str:
    """A ``<div>`` holding one drawing as inline SVG."""
    return f"<div class='procmine-map'>{inline_svg(drawing_svg(graph))}</div>"


def pair_html(pair: AsIsToBe) -> str:
    """An as-is / to-be pair, one above the other (maps run left to right)."""
    return drawing_html(pair.before) + "<hr>" + drawing_html(pair.after)
