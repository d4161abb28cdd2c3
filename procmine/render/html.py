"""Self-contained HTML for maps: inline SVG, no script, no network."""

from __future__ import annotations

import base64
import html
import re
import warnings
from typing import TYPE_CHECKING

import graphviz

from procmine.errors import ProcmineError, ProcmineWarning
from procmine.render._dot import dot_available

if TYPE_CHECKING:
    from procmine.render.maps import AsIsToBe

__all__ = ["drawing_html", "drawing_svg", "inline_svg", "notebook_bundle", "notebook_html", "page",
           "pair_html"]

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
            if getattr(graph, "drawing", None) is None:
                raise ProcmineError(f"Graphviz 'dot' failed to lay out the graph: "
                                    f"{str(failure.stderr or failure)[:300]}") from None
            warnings.warn(f"Graphviz 'dot' failed on this map ({str(failure.stderr)[:200]}); "
                          "drawn with procmine's simpler built-in layout instead.",
                          ProcmineWarning, stacklevel=2)
            return str(graph.fallback_svg())
    if getattr(graph, "drawing", None) is not None:
        return str(graph.fallback_svg())
    return (
        "<div class='procmine-note'><p>Graphviz <code>dot</code> is not installed, so this "
        "graph cannot be laid out. Its description follows (install Graphviz to draw it)."
        f"</p><pre>{html.escape(graph.source)}</pre></div>"
    )


def drawing_html(graph: graphviz.Digraph) -> str:
    """A ``<div>`` holding one drawing as inline SVG."""
    return f"<div class='procmine-map'>{inline_svg(drawing_svg(graph))}</div>"


def pair_html(pair: AsIsToBe) -> str:
    """An as-is / to-be pair for a notebook: one above the other, each as :func:`notebook_html`."""
    return notebook_html(pair.before) + "<hr>" + notebook_html(pair.after)


def _png(graph: graphviz.Digraph, *, dpi: int = 144) -> bytes | None:
    """The drawing as PNG (``dpi`` 144: sharp on a high-density screen); None without dot."""
    if not dot_available():
        return None
    try:
        source = graph.copy()
        source.attr(dpi=str(dpi))
        if getattr(graph, "positioned", False):
            return bytes(source.pipe(format="png", engine="neato", neato_no_op=2, quiet=True))
        return bytes(source.pipe(format="png", quiet=True))
    except (graphviz.CalledProcessError, graphviz.ExecutableNotFound):
        return None


def _title_of(graph: graphviz.Digraph) -> str:
    drawing = getattr(graph, "drawing", None)
    return str(getattr(drawing, "title", "") or "procmine map")


def notebook_html(graph: graphviz.Digraph) -> str:
    """A drawing for a notebook cell: a PNG image at most as wide as the cell.

    The picture is an ``<img>`` with the PNG inline (a ``data:`` URI), so it
    shows in an untrusted notebook too (Jupyter strips inline ``<svg>`` from
    untrusted HTML, leaving only its words), and ``max-width:100%`` fits it to
    the cell instead of showing it at its natural size. Without ``dot`` it is
    the built-in layout's SVG, fitted the same way.

    Examples
    --------
    >>> import graphviz
    >>> html_text = notebook_html(graphviz.Digraph(body=["a -> b"]))
    >>> "max-width:100%" in html_text and ("data:image/png;base64," in html_text
    ...                                    or "<svg" in html_text)
    True
    """
    return _img_html(graph, _png(graph))


def _img_html(graph: graphviz.Digraph, png: bytes | None) -> str:
    if png is None:
        return drawing_html(graph)
    width = _png_width(png) / 1.5  # 144 dpi = 1.5 CSS px per px at 96 dpi
    data = base64.b64encode(png).decode("ascii")
    alt = html.escape(_title_of(graph), quote=True)
    return (f"<div class='procmine-map' style='max-width:100%'><img alt=\"{alt}\" "
            f"width=\"{width:.0f}\" style=\"max-width:100%;height:auto\" "
            f"src=\"data:image/png;base64,{data}\"></div>")


def _png_width(png: bytes) -> int:
    """Pixel width from a PNG's IHDR chunk."""
    return int.from_bytes(png[16:20], "big")


def notebook_bundle(graph: graphviz.Digraph) -> dict[str, str]:
    """Jupyter's mimebundle of a drawing: :func:`notebook_html`, the PNG and a text line.

    ``image/png`` is in the bundle too, for viewers that show no HTML.
    """
    png = _png(graph)
    out = {"text/plain": _title_of(graph)}
    if png is None:
        out["text/html"] = drawing_html(graph)
        return out
    out["image/png"] = base64.b64encode(png).decode("ascii")
    out["text/html"] = _img_html(graph, png)
    return out
