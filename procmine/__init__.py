"""procmine: order-fulfilment process mining on pm4py and networkx.

Load extracts into one canonical log, discover the process, find handoffs and
redundant re-entry, and price what moving work to customers, suppliers or
carriers would save.
"""

from procmine.analysis.handoffs import Handoffs, graph_measures, handoff_events, handoffs
from procmine.analysis.kpis import Kpis, kpis
from procmine.discovery import ProcessMap, process_map
from procmine.errors import InputError, ProcmineError, ProcmineWarning, UsageError
from procmine.io.ocel import OcelLog, flatten_ocel, load_ocel, read_ocel
from procmine.io.result import InformationItem, SourceStats
from procmine.io.writers import write_ocel, write_xes
from procmine.io.xes import read_xes
from procmine.log import EventLog
from procmine.log.load import load, load_sources
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
from procmine.render.maps import AsIsToBe, draw_as_is_to_be, draw_handoff_map, draw_map

__version__ = "0.1.0"

__all__ = [
    "AsIsToBe",
    "EventLog",
    "Handoffs",
    "InformationItem",
    "InputError",
    "Kpis",
    "OcelLog",
    "ProcessMap",
    "ProcmineError",
    "ProcmineWarning",
    "SourceStats",
    "UsageError",
    "__version__",
    "draw_as_is_to_be",
    "draw_handoff_map",
    "draw_map",
    "filter_activities",
    "filter_case_size",
    "filter_cases",
    "filter_departments",
    "filter_resources",
    "filter_time",
    "filter_variants",
    "filter_where",
    "flatten_ocel",
    "graph_measures",
    "handoff_events",
    "handoffs",
    "kpis",
    "load",
    "load_ocel",
    "load_sources",
    "process_map",
    "read_ocel",
    "read_xes",
    "write_ocel",
    "write_xes",
]
