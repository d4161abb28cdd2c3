"""Writing one drawing, or several one above the other, to a file in an explicit format."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Literal, get_args

import graphviz

from procmine._check import check_choice
from procmine.errors import ProcmineError, UsageError
from procmine.io.xmlchars import xml_text
from procmine.render._dot import dot_available
from procmine.render._spec import MapDrawing, to_digraph
from procmine.render.html import drawing_html, drawing_svg, inline_svg, page

__all__ = ["FORMATS", "Format", "write_drawings"]

Format = Literal["svg", "png", "pdf", "html"]
#: Output formats :func:`write_drawings` writes.
FORMATS: tuple[str, ...] = get_args(Format)


def _stack_svgs(svgs: list[str]) -> str:
    """Several SVG documents one above the other in one SVG document."""
    parts, y, width = [], 0.0, 0.0
    for svg in svgs:
        body = inline_svg(svg)
        w = re.search(r'<svg[^>]*\bwidth="([\d.]+)(?:pt|px)?"', body)
        h = re.search(r'<svg[^>]*\bheight="([\d.]+)(?:pt|px)?"', body)
        wv, hv = float(w.group(1)) if w else 800.0, float(h.group(1)) if h else 600.0
        body = re.sub(r"<svg\b", f'<svg x="0" y="{y:.0f}"', body, count=1)
        parts.append(body)
        y += hv + 20
        width = max(width, wv)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width:.0f}pt" height="{y:.0f}pt" viewBox="0 0 {width:.0f} {y:.0f}">'
        + "".join(parts) + "</svg>\n"
    )


def _combined(drawings: list[graphviz.Digraph]) -> graphviz.Digraph | None:
    """Positioned drawings one above the other in one graph for ``neato -n2`` (PNG, PDF)."""
    if not all(isinstance(d, MapDrawing) and d.positioned for d in drawings):
        return None
    parts = [d.drawing for d in drawings if isinstance(d, MapDrawing) and d.drawing is not None]
    sizes = []
    for part in parts:
        assert part.positions is not None
        x0, y0, x1, y1 = (float(v) for v in part.positions.bb.split(","))
        sizes.append((x1 - x0, y1 - y0))
    gap = 40.0
    width = max(w for w, _ in sizes)
    height = sum(h for _, h in sizes) + gap * (len(sizes) - 1)
    graph = MapDrawing(name="as_is_to_be")
    top = height
    for i, (part, (_, h)) in enumerate(zip(parts, sizes, strict=True)):
        assert part.positions is not None
        x0, y0 = (float(v) for v in part.positions.bb.split(",")[:2])
        top -= h
        sub = to_digraph(part, prefix=f"v{i}_", offset=(-x0, top - y0))
        graph.body += sub.body
        top -= gap
    graph.attr(bb=f"0,0,{width:.2f},{height:.2f}", outputorder="nodesfirst", pad="0.3",
               bgcolor="white")
    first = parts[0].positions
    assert first is not None
    graph.drawing = replace(parts[0], positions=replace(first, bb=f"0,0,{width},{height}"))
    return graph


def write_drawings(drawings: list[graphviz.Digraph], target: Path, *, format: str) -> Path:
    """Write ``drawings`` (one above the other) to ``target`` (see :func:`procmine.render.save`)."""
    check_choice(format, FORMATS, option="format")
    target = Path(target)
    if format == "html":
        title = getattr(getattr(drawings[0], "drawing", None), "title", None) or "procmine map"
        body = "<hr>".join(drawing_html(d) for d in drawings)
        target.write_text(xml_text(page(body, title=title)), encoding="utf-8")
        return target
    if format == "svg":
        svgs = [drawing_svg(d) for d in drawings]
        text = svgs[0] if len(svgs) == 1 else _stack_svgs(svgs)
        target.write_text(xml_text(text), encoding="utf-8")
        return target
    if len(drawings) > 1:
        combined = _combined(drawings)
        if combined is None:
            raise UsageError(f"an as-is / to-be pair is saved as {format} only when Graphviz "
                             "'dot' is installed and both maps share one layout; save svg or "
                             "html, or pair.before and pair.after separately")
        drawings = [combined]
    if not dot_available(warn=True):
        raise ProcmineError(
            f"cannot write {target} as {format}: Graphviz 'dot' is not installed. "
            "Install Graphviz, or write svg or html (which work without it)."
        )
    try:
        data = drawings[0].pipe(format=format)
    except graphviz.ExecutableNotFound as missing:  # pragma: no cover - raced with which()
        raise ProcmineError(f"Graphviz 'dot' could not be run: {missing}") from None
    except graphviz.CalledProcessError as failure:
        raise ProcmineError(
            f"Graphviz 'dot' failed to draw {target} as {format}: "
            f"{str(failure.stderr or failure)[:300]}; write svg or html instead (they fall "
            "back to procmine's built-in layout)") from None
    target.write_bytes(data)
    return target
