"""procmine: order-fulfilment process mining on pm4py and networkx.

Load extracts into one canonical log, discover the process, find handoffs and
redundant re-entry, and price what moving work to customers, suppliers or
carriers would save.
"""

from procmine._version import __version__
from procmine.analysis.candidates import Candidates, candidates
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
from procmine.errors import InputError, ProcmineError, ProcmineWarning, UsageError
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
from procmine.log.load import flatten_ocel, load, load_sources
from procmine.log.variants import Variants, variants
from procmine.render.graphs import draw_information_flow, draw_object_centric_map
from procmine.render.maps import AsIsToBe, draw_as_is_to_be, draw_handoff_map, draw_map
from procmine.report import Report, ReportFiles, build_report, write_report

__all__ = [
    "AsIsToBe",
    "Calendar",
    "Candidates",
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
    "write_bpmn",
    "write_ocel",
    "write_pnml",
    "write_report",
    "write_xes",
]
