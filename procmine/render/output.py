"""Writing drawings to files, by an explicit format; the fallback when ``dot`` is missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import graphviz

from procmine._check import check_choice
from procmine.discovery.dfg import ProcessMap
from procmine.errors import UsageError
from procmine.render._dot import dot_available
from procmine.render._write import FORMATS, Format, write_drawings
from procmine.render.maps import AsIsToBe, draw_map

__all__ = ["FORMATS", "Format", "dot_available", "save"]

def _as_drawings(obj: Any) -> list[graphviz.Digraph]:
    if isinstance(obj, ProcessMap):
        return [draw_map(obj)]
    if isinstance(obj, AsIsToBe):
        return [obj.before, obj.after]
    if isinstance(obj, graphviz.Digraph | graphviz.Graph):
        return [obj]
    raise UsageError(
        f"save() draws a ProcessMap, a Digraph from procmine.render or an AsIsToBe pair; "
        f"got {type(obj).__name__}"
    )


def save(obj: Any, path: str | Path, *, format: Format) -> Path:
    """Write a map to ``path`` in the given format (never guessed from the suffix).

    Parameters
    ----------
    obj : ProcessMap, MapDrawing, graphviz.Digraph or AsIsToBe
        What to draw; a ProcessMap is drawn with :func:`draw_map` defaults.
    path : str or pathlib.Path
        The file to write (its folder must exist).
    format : {"svg", "png", "pdf", "html"}, keyword-only
        ``html`` is a self-contained page with the map as inline SVG. An
        as-is / to-be pair is written one above the other (``png`` and
        ``pdf`` through Graphviz, at the positions the two maps share).
        Characters XML 1.0 forbids (NUL, ESC ...) in labels are written as
        visible stand-ins, so svg and html always parse.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    UsageError
        Unknown format, or a pair without a shared layout saved as png/pdf.
    ProcmineError
        ``png``/``pdf`` asked for while ``dot`` is missing.

    Warns
    -----
    ProcmineWarning
        Once, when ``dot`` is missing (``svg``/``html`` then use the built-in
        layout).
    """
    check_choice(format, FORMATS, option="format")
    return write_drawings(_as_drawings(obj), Path(path), format=format)
