"""Drawing: process maps, handoff maps and as-is / to-be pairs (Graphviz, SVG, HTML).

Rendering computes nothing: it turns results of :mod:`procmine.discovery` and
:mod:`procmine.analysis` into drawings and files. Importing it registers how
discovery results display themselves in Jupyter (:mod:`procmine.render.display`).
"""

from procmine.render.colours import department_colour
from procmine.render.display import register as _register_display
from procmine.render.graphs import draw_information_flow, draw_object_centric_map
from procmine.render.maps import (
    AsIsToBe,
    MapDrawing,
    MapLayout,
    draw_as_is_to_be,
    draw_handoff_map,
    draw_map,
    draw_projection,
    map_layout,
    process_map_for,
)
from procmine.render.medium import MEDIA, text_px
from procmine.render.output import FORMATS, save

_register_display()

__all__ = [
    "FORMATS",
    "MEDIA",
    "AsIsToBe",
    "MapDrawing",
    "MapLayout",
    "department_colour",
    "draw_as_is_to_be",
    "draw_handoff_map",
    "draw_information_flow",
    "draw_map",
    "draw_object_centric_map",
    "draw_projection",
    "map_layout",
    "process_map_for",
    "save",
    "text_px",
]
