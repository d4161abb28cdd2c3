"""How discovery results show themselves in Jupyter: render's HTML for each, registered at import.

:mod:`procmine.discovery` never imports render; its results' ``_repr_html_``
asks :func:`procmine._display.html_of`, and :mod:`procmine.render` calls
:func:`register` when it is imported (``import procmine`` does it).
"""

from __future__ import annotations

import html

from procmine._display import register_html
from procmine.discovery.dfg import ProcessMap
from procmine.discovery.models import ProcessModel
from procmine.discovery.ocdfg import ObjectCentricMap
from procmine.render.graphs import draw_object_centric_map
from procmine.render.html import notebook_html
from procmine.render.maps import draw_map

__all__ = ["map_html", "model_html", "object_centric_html", "register"]


def map_html(pmap: ProcessMap) -> str:
    """A process map for a notebook cell: drawn for ``medium="notebook"``, fitted to the cell's
    width, as a PNG image that an untrusted notebook shows too
    (:func:`~procmine.render.html.notebook_html`)."""
    return notebook_html(draw_map(pmap, medium="notebook"))


def model_html(model: ProcessModel) -> str:
    """A process model's summary, its activity table and what it is made of."""
    return (f"<div class='procmine-model'><strong>{html.escape(repr(model))}</strong>"
            + model.table.to_html(index=False, escape=True)
            + "<details><summary>elements</summary>"
            + model.elements.to_html(index=False, escape=True) + "</details></div>")


def object_centric_html(ocmap: ObjectCentricMap) -> str:
    """An object-centric map's summary per object type, and its drawing."""
    summary = ocmap.summary().to_html(index=False, escape=True)
    return (f"<div class='procmine-ocdfg'><strong>{html.escape(repr(ocmap))}</strong>{summary}"
            + notebook_html(draw_object_centric_map(ocmap, medium="notebook")) + "</div>")


def register() -> None:
    """Register the functions above with :mod:`procmine._display` (render's import does it)."""
    register_html(ProcessMap, map_html)
    register_html(ProcessModel, model_html)
    register_html(ObjectCentricMap, object_centric_html)
