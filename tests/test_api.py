"""The public surface is pinned: adding or removing a name is a deliberate change."""

import procmine

EXPECTED = {
    "Candidates",
    "candidates",
    "CostModel",
    "load_cost_model",
    "Move",
    "Projection",
    "project",
    "Reentry",
    "reentry",
    "AsIsToBe",
    "ObjectCentricMap",
    "ProcessMap",
    "ProcessModel",
    "Variants",
    "discover_model",
    "object_centric_map",
    "variants",
    "write_bpmn",
    "write_pnml",
    "draw_as_is_to_be",
    "draw_handoff_map",
    "draw_map",
    "draw_information_flow",
    "draw_object_centric_map",
    "process_map",
    "EventLog",
    "InformationItem",
    "InputError",
    "ProcmineError",
    "ProcmineWarning",
    "SourceStats",
    "UsageError",
    "Handoffs",
    "Kpis",
    "graph_measures",
    "handoff_events",
    "handoffs",
    "kpis",
    "OcelLog",
    "filter_activities",
    "filter_case_size",
    "filter_cases",
    "filter_departments",
    "filter_resources",
    "filter_time",
    "filter_variants",
    "filter_where",
    "flatten_ocel",
    "load_ocel",
    "write_ocel",
    "write_xes",
    "load",
    "load_sources",
    "generate",
    "GeneratedSample",
    "Report",
    "ReportFiles",
    "build_report",
    "write_report",
    "__version__",
}


def test_public_names_are_pinned():
    assert set(procmine.__all__) == EXPECTED


def test_every_public_name_exists():
    missing = [name for name in procmine.__all__ if not hasattr(procmine, name)]
    assert missing == []
