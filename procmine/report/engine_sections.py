"""The report's sections of a log held by an engine (DuckDB, Spark), from the engine's tables.

The same sections as :mod:`procmine.report.sections` builds in memory, with the same
wording; what the engine does not compute (candidates, the projected to-be, blocks) is
computed in memory when the events are there too, else each section says why it is missing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any

import pandas as pd

from procmine.analysis.costs import CostModel
from procmine.analysis.episodes import episodes as find_episodes
from procmine.analysis.kpis import PAYMENT_PATTERN
from procmine.log.eventlog import EventLog
from procmine.report.model import Section
from procmine.report.previous import PreviousRun
from procmine.report.sections import (
    _NO_DEPARTMENTS,
    MAP_PATH_COVERAGE,
    MAX_VARIANTS,
    Progress,
    _candidates,
    _handoff_section,
    _handoffs_since,
    _iso,
    _kpis,
    _loaded,
    _reentry,
    _reentry_section,
    _rework_section,
    _say,
    _variant_section,
)

__all__ = ["BLOCKS_IN_MEMORY_ONLY", "IN_MEMORY_ONLY", "engine_map_drawing"]

#: What the report says about the sections an engine does not compute.
IN_MEMORY_ONLY = (
    "candidates and the projected to-be rest on the move engine, which works event by event "
    "in memory; this report was computed by {engine}, which does not run it. For "
    "candidates, run procmine report without --engine on a log that fits in memory (one "
    "period of it, say); a sources file, XES or OCEL input keeps its events in memory, and "
    "then the report computes candidates there.")
BLOCKS_IN_MEMORY_ONLY = (
    "Blocks and holds (a status set and later removed) are computed in memory only, not by "
    "{engine}: not in this report (tables/episodes.csv has its header only).")


def _engine_label(engine: str) -> str:
    return {"duckdb": "DuckDB", "spark": "Spark", "pandas": "pandas (in memory)"}.get(
        engine, engine)


def _loaded_engine(log: Any) -> Section:
    """Rows read, loaded and dropped of a file the engine read itself (no per-row rejects)."""
    sources = pd.DataFrame({
        "source": [log.name], "path": [""], "format": [log.engine],
        "rows_read": [log.n_events + log.rows_dropped], "rows_loaded": [log.n_events],
        "rows_rejected": [log.rows_dropped], "events": [log.n_events]})
    reason = "no case id, activity or time"
    reasons = pd.DataFrame({"source": [log.name] * bool(log.rows_dropped),
                            "reason": [reason] * bool(log.rows_dropped),
                            "rows": [int(log.rows_dropped)] * bool(log.rows_dropped)},
                           columns=["source", "reason", "rows"])
    from procmine.schema import REJECT_COLUMNS

    rejects = pd.DataFrame({c: pd.Series([], dtype="object") for c in REJECT_COLUMNS})
    notes = [f"{_engine_label(log.engine)} read the extract itself: "
             f"{log.n_events + log.rows_dropped:,} rows, {log.rows_dropped:,} left out for "
             f"{reason} (the rows are not listed: tables/rejects.csv has its header only; "
             "procmine validate lists them)."]
    return Section("loaded", notes=tuple(notes),
                   tables={"sources": sources, "reject_reasons": reasons, "rejects": rejects,
                           "missing_values": pd.DataFrame(
                               {"source": [], "column": [], "values": [], "seen": []}).astype(
                               {"values": "int64"})},
                   values={"rows_read": log.n_events + log.rows_dropped,
                           "rows_rejected": log.rows_dropped, "placeholders_missing": None})


def engine_map_drawing(log: Any, *, title: str | None = None, medium: str = "slide",
                       swimlanes: bool | None = None, handoffs: bool = True,
                       measure: str = "frequency", direction: str = "LR",
                       fit: str = "projector") -> Any:
    """:func:`procmine.render.maps.draw_map` of an engine log: the same drawing as of the log
    in memory, from the engine's small tables.

    The fitting is the one of a log in memory (:func:`procmine.render.maps.draw_fitted_map`),
    each size's map from :func:`procmine.engine.kernels.process_map`.
    """
    from procmine.engine import kernels
    from procmine.render.maps import draw_fitted_map

    nodes = kernels.dfg_tables(log)["nodes"][["activity", "count"]]
    return draw_fitted_map(
        nodes, lambda coverage: kernels.process_map(log, activities=coverage),
        title=title if title is not None else log.name, swimlanes=swimlanes,
        handoffs=handoffs, measure=measure, direction=direction,  # type: ignore[arg-type]
        fit=fit, medium=medium)  # type: ignore[arg-type]


def _engine_sections(log: Any, memory: EventLog | None, costs: CostModel, *,
                     progress: Progress, terminal: Collection[str] | None,
                     payment_pattern: str | None, min_share: float, min_events: int,
                     min_week_orders: int | None, previous: PreviousRun | None
                     ) -> dict[str, Section]:
    """Every section of an engine log: the engine's tables; candidates, projection and blocks
    in memory when ``memory`` (the same events) is given, else each says why it is missing."""
    from procmine.analysis.kpis import Kpis
    from procmine.engine import kernels

    engine = _engine_label(log.engine)
    empty = log.n_events == 0
    no_events = "the log has no events"
    loaded = _loaded(memory) if memory is not None else _loaded_engine(log)
    _say(progress, f"process map ({engine})")
    if empty:
        process, pmap = Section("process", reason=no_events), None
    else:
        pmap = kernels.process_map(log, paths=MAP_PATH_COVERAGE)
        full = pmap if not pmap.simplified else kernels.process_map(log, activities=1.0,
                                                                     paths=1.0)
        notes = []
        if pmap.simplified:
            notes.append(
                f"The maps are simplified for reading: each shows the most frequent of the "
                f"{pmap.n_activities_total} activities that an A4 page shows with text of at "
                f"least 9 pt, and says in its title how many; tables/dfg.csv has every one of "
                f"the {pmap.n_edges_total} paths.")
        edges = full.edges.loc[:, ["source", "target", "count", "cases", "median_wait_s",
                                   "mean_wait_s", "p90_wait_s"]]
        edges = edges.sort_values(["count", "source", "target"], ascending=[False, True, True],
                                  kind="stable").reset_index(drop=True)
        drawing = engine_map_drawing(log, title=f"Process map: {log.name}", medium="print")
        process = Section("process", notes=tuple(notes),
                          tables={"edges": edges, "nodes": full.nodes},
                          maps={"process": drawing.process_map},
                          # the in-memory log, when there is one, draws the as-is / to-be
                          # pair as the in-memory report does (write.py draws it only with a log)
                          results={"map": pmap, "full": full,
                                   **({"log": memory} if memory is not None else {})},
                          values={"activities": len(full.nodes), "paths": len(edges)})
    departments = not empty and log.has_departments
    _say(progress, f"handoffs ({engine})")
    if empty:
        handoff_section = Section("handoffs", reason=no_events)
    elif not departments:
        handoff_section = Section("handoffs", reason=_NO_DEPARTMENTS)
    else:
        table = kernels.handoffs_table(log, level="department", costs=costs)
        totals = kernels.handoff_summary(log, table, level="department")
        handoff_section = _handoff_section(table, totals, costs, results={})
    if previous is not None:
        handoff_section = _handoffs_since(handoff_section, previous, costs.currency)
    _say(progress, f"rework ({engine})" + (" and blocks (in memory)" if memory else ""))
    if empty:
        rework_section = Section("rework", reason=no_events)
    else:
        found = kernels.rework_tables(log, level="department", costs=costs)
        totals = {k: found[k] for k in ("count", "cases", "orders", "labour_cost")}
        totals["share_of_orders"] = totals["cases"] / totals["orders"] if totals["orders"] \
            else 0.0
        blocks = (find_episodes(memory, level="department", costs=costs)
                  if memory is not None else None)
        rework_section = _rework_section(
            found["table"], found["by_kind"], totals, blocks,
            results={} if blocks is None else {"episodes": blocks},
            blocks_missing=None if blocks is not None else BLOCKS_IN_MEMORY_ONLY.format(
                engine=engine))
    _say(progress, f"re-entry ({engine})")
    if empty:
        reentry_section = Section("reentry", reason=no_events)
    elif not departments:
        reentry_section = Section(
            "reentry",
            reason="the log records no departments, so it cannot tell whether information "
                   "was keyed in again by another department.")
    else:
        found = kernels.reentry_tables(log, level="department", costs=costs)
        reentry_section = _reentry_section(
            found["summary"], found["by_item"], signal=found["signal"], note=found["note"],
            count=found["count"], has_items=bool(log.items), results={})
    _say(progress, "candidates and projection" + (" (in memory)" if memory is not None else ""))
    if memory is not None:
        _, mem_reentry = (_reentry(memory, costs) if departments else (None, None))
        candidate_section = _candidates(memory, costs, mem_reentry,
                                        mem_reentry if departments else None, pmap,
                                        min_share=min_share, min_events=min_events)
        if candidate_section.available:
            candidate_section = dataclasses.replace(candidate_section, notes=(
                f"Candidates and the projected to-be were computed in memory (the move engine "
                f"works event by event) on the same events; the other sections by {engine}.",
                *candidate_section.notes))
    else:
        candidate_section = Section("candidates",
                                    reason=IN_MEMORY_ONLY.format(engine=engine),
                                    maps={} if pmap is None else {"as_is": pmap})
    _say(progress, f"KPIs and variants ({engine})")
    if empty:
        kpi_section = _kpis(log, None, min_week_orders=min_week_orders, previous=previous)
        variant_section = Section("variants", reason=no_events)
    else:
        options: dict[str, Any] = {"payment_pattern": PAYMENT_PATTERN if payment_pattern is None
                                   else payment_pattern}
        if terminal is not None:
            options["terminal"] = terminal
        k = kernels.kpi_tables(log, **options)
        found_kpis = Kpis(daily=k["daily"], weekly=k["weekly"], orders=k["orders"],
                          terminal=k["terminal"], notes=k["notes"])
        kpi_section = _kpis(log, found_kpis, min_week_orders=min_week_orders,
                            previous=previous)
        v = kernels.variants_table(log, top=MAX_VARIANTS)
        variant_section = _variant_section(v["table"], n_variants=v["n_variants"],
                                           n_cases=v["n_cases"])
    return {
        "loaded": loaded, "process": process, "handoffs": handoff_section,
        "rework": rework_section, "reentry": reentry_section,
        "candidates": candidate_section, "kpis": kpi_section,
        "variants": variant_section,
    }


def _engine_facts(log: Any, memory: EventLog | None, costs: CostModel) -> dict[str, Any]:
    from procmine.engine import kernels

    found = kernels.log_facts(log, costs=costs)
    facts: dict[str, Any] = {
        "events": int(found["events"]), "cases": int(found["cases"]),
        "activities": int(found["activities"]), "departments": int(found["departments"]),
        "rows_read": int(memory.rows_read if memory is not None
                         else log.n_events + log.rows_dropped),
        "rows_rejected": int(memory.rows_rejected if memory is not None else log.rows_dropped),
        "first_event": _iso(found["first_event"]), "last_event": _iso(found["last_event"]),
        "time_outliers": int(found["time_outliers"]),
    }
    if facts["time_outliers"]:
        facts["bulk_first_event"] = _iso(found["bulk_first_event"])
        facts["bulk_last_event"] = _iso(found["bulk_last_event"])
    basis = found["annual_basis"]
    facts["annualisation"] = {"method": basis.method, "factor": basis.factor,
                              "orders": basis.orders, "days": basis.days,
                              "text": basis.describe()}
    return facts

