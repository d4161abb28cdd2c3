"""procmine: order-fulfilment process mining on pm4py and networkx.

Load extracts into one canonical log, discover the process, find handoffs and
redundant re-entry, and price what moving work to customers, suppliers or
carriers would save.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import TYPE_CHECKING, Any

from procmine import _display
from procmine._version import __version__
from procmine.errors import InputError, ProcmineError, ProcmineWarning, UsageError

if TYPE_CHECKING:  # the names, for type checkers and readers; imported on first use
    from procmine.analysis.candidates import Candidates, candidates
    from procmine.analysis.compare import Comparison, compare
    from procmine.analysis.costs import Calendar, CostModel, load_cost_model
    from procmine.analysis.episodes import Episodes, episodes
    from procmine.analysis.handoffs import Handoffs, graph_measures, handoff_events, handoffs
    from procmine.analysis.kpis import Kpis, kpis
    from procmine.analysis.moves import Move
    from procmine.analysis.projection import Projection, project
    from procmine.analysis.reentry import Reentry, reentry
    from procmine.analysis.rework import Rework, rework
    from procmine.discovery import (
        ObjectCentricMap,
        ProcessMap,
        ProcessModel,
        discover_model,
        object_centric_map,
        process_map,
        write_bpmn,
        write_pnml,
    )
    from procmine.engine import load
    from procmine.generate import GeneratedSample, generate
    from procmine.io.ocel import OcelLog, load_ocel
    from procmine.io.result import InformationItem, SourceStats
    from procmine.io.writers import write_ocel, write_xes
    from procmine.log import EventLog
    from procmine.log.filters import (
        filter_activities,
        filter_case_size,
        filter_cases,
        filter_departments,
        filter_resources,
        filter_time,
        filter_variants,
        filter_where,
    )
    from procmine.log.load import flatten_ocel, load_sources
    from procmine.log.variants import Variants, variants
    from procmine.render.graphs import draw_information_flow, draw_object_centric_map
    from procmine.render.maps import AsIsToBe, draw_as_is_to_be, draw_handoff_map, draw_map
    from procmine.report import Report, ReportFiles, build_report, write_report
    from procmine.report.deck import workshop_deck

#: Public name -> the module that defines it. ``import procmine`` imports none of them:
#: each is imported on first use (PEP 562), so the command line and a notebook that only
#: loads a log never pay for pm4py, networkx or graphviz.
_EXPORTS: dict[str, str] = {
    "AsIsToBe": "procmine.render.maps",
    "Calendar": "procmine.analysis.costs",
    "Candidates": "procmine.analysis.candidates",
    "Comparison": "procmine.analysis.compare",
    "CostModel": "procmine.analysis.costs",
    "Episodes": "procmine.analysis.episodes",
    "EventLog": "procmine.log",
    "GeneratedSample": "procmine.generate",
    "Handoffs": "procmine.analysis.handoffs",
    "InformationItem": "procmine.io.result",
    "Kpis": "procmine.analysis.kpis",
    "Move": "procmine.analysis.moves",
    "ObjectCentricMap": "procmine.discovery",
    "OcelLog": "procmine.io.ocel",
    "ProcessMap": "procmine.discovery",
    "ProcessModel": "procmine.discovery",
    "Projection": "procmine.analysis.projection",
    "Reentry": "procmine.analysis.reentry",
    "Report": "procmine.report",
    "ReportFiles": "procmine.report",
    "Rework": "procmine.analysis.rework",
    "SourceStats": "procmine.io.result",
    "Variants": "procmine.log.variants",
    "build_report": "procmine.report",
    "candidates": "procmine.analysis.candidates",
    "compare": "procmine.analysis.compare",
    "discover_model": "procmine.discovery",
    "draw_as_is_to_be": "procmine.render.maps",
    "draw_handoff_map": "procmine.render.maps",
    "draw_information_flow": "procmine.render.graphs",
    "draw_map": "procmine.render.maps",
    "draw_object_centric_map": "procmine.render.graphs",
    "episodes": "procmine.analysis.episodes",
    "filter_activities": "procmine.log.filters",
    "filter_case_size": "procmine.log.filters",
    "filter_cases": "procmine.log.filters",
    "filter_departments": "procmine.log.filters",
    "filter_resources": "procmine.log.filters",
    "filter_time": "procmine.log.filters",
    "filter_variants": "procmine.log.filters",
    "filter_where": "procmine.log.filters",
    "flatten_ocel": "procmine.log.load",
    "generate": "procmine.generate",
    "graph_measures": "procmine.analysis.handoffs",
    "handoff_events": "procmine.analysis.handoffs",
    "handoffs": "procmine.analysis.handoffs",
    "kpis": "procmine.analysis.kpis",
    "load": "procmine.engine",
    "load_cost_model": "procmine.analysis.costs",
    "load_ocel": "procmine.io.ocel",
    "load_sources": "procmine.log.load",
    "object_centric_map": "procmine.discovery",
    "process_map": "procmine.discovery",
    "project": "procmine.analysis.projection",
    "reentry": "procmine.analysis.reentry",
    "rework": "procmine.analysis.rework",
    "variants": "procmine.log.variants",
    "write_bpmn": "procmine.discovery",
    "write_ocel": "procmine.io.writers",
    "write_pnml": "procmine.discovery",
    "write_report": "procmine.report",
    "workshop_deck": "procmine.report.deck",
    "write_xes": "procmine.io.writers",
}

__all__ = [
    "AsIsToBe",
    "Calendar",
    "Candidates",
    "Comparison",
    "CostModel",
    "Episodes",
    "EventLog",
    "GeneratedSample",
    "Handoffs",
    "InformationItem",
    "InputError",
    "Kpis",
    "Move",
    "ObjectCentricMap",
    "OcelLog",
    "ProcessMap",
    "ProcessModel",
    "ProcmineError",
    "ProcmineWarning",
    "Projection",
    "Reentry",
    "Report",
    "ReportFiles",
    "Rework",
    "SourceStats",
    "UsageError",
    "Variants",
    "__version__",
    "build_report",
    "candidates",
    "compare",
    "discover_model",
    "draw_as_is_to_be",
    "draw_handoff_map",
    "draw_information_flow",
    "draw_map",
    "draw_object_centric_map",
    "episodes",
    "filter_activities",
    "filter_case_size",
    "filter_cases",
    "filter_departments",
    "filter_resources",
    "filter_time",
    "filter_variants",
    "filter_where",
    "flatten_ocel",
    "generate",
    "graph_measures",
    "handoff_events",
    "handoffs",
    "kpis",
    "load",
    "load_cost_model",
    "load_ocel",
    "load_sources",
    "object_centric_map",
    "process_map",
    "project",
    "reentry",
    "rework",
    "variants",
    "workshop_deck",
    "write_bpmn",
    "write_ocel",
    "write_pnml",
    "write_report",
    "write_xes",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first use; it is then a plain module attribute."""
    module = _EXPORTS.get(name)
    if module is None:
        submodule = f"{__name__}.{name}"
        if submodule in sys.modules:
            return sys.modules[submodule]
        try:
            found = not name.startswith("_") and importlib.util.find_spec(submodule)
        except (ImportError, ValueError):
            found = False
        if found:
            return importlib.import_module(submodule)  # procmine.render, ...
        raise AttributeError(f"module 'procmine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def _register_displays() -> None:
    """Import the render layer, which registers how results show themselves in Jupyter.

    :mod:`procmine._display` calls it (``_display._LOADER``) the first time a result
    asks for its HTML and finds nothing registered: ``import procmine`` stays light, and
    scripts and the command line never pay for render.
    """
    importlib.import_module("procmine.render")
    tables = importlib.import_module("procmine.render.tables")
    register = getattr(tables, "register", None)
    if register is not None:
        register()


_display._LOADER = _register_displays


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """procmine's module type: a subpackage never shadows the public name it shares.

    ``procmine.generate`` is the function (as ``from procmine import generate`` gives),
    also after the subpackage ``procmine.generate`` is imported, which would otherwise
    set the attribute to the subpackage.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if (isinstance(value, types.ModuleType) and name in _EXPORTS
                and value.__name__ == f"{__name__}.{name}"):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
