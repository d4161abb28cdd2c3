"""Compute every section of the batch report through procmine's public analysis API."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import numpy as np
import pandas as pd

from procmine.analysis.candidates import MIN_EVENTS, MIN_SHARE
from procmine.analysis.candidates import candidates as find_candidates
from procmine.analysis.costs import CostModel
from procmine.analysis.episodes import episodes as find_episodes
from procmine.analysis.handoffs import DEPENDENCY_THRESHOLD
from procmine.analysis.handoffs import handoffs as find_handoffs
from procmine.analysis.kpis import PAYMENT_PATTERN
from procmine.analysis.kpis import kpis as compute_kpis
from procmine.analysis.projection import project
from procmine.analysis.reentry import reentry as find_reentry
from procmine.analysis.rework import rework as find_rework
from procmine.discovery.dfg import process_map
from procmine.log._require import require_log
from procmine.log.eventlog import EventLog
from procmine.log.outliers import time_outliers
from procmine.log.variants import variants as find_variants
from procmine.report.model import SECTION_KEYS, Report, Section
from procmine.schema import ACTIVITY, TIMESTAMP

__all__ = ["HANDOFF_COLUMNS", "REENTRY_COLUMNS", "build_report"]

#: Leading columns of ``tables/handoffs.csv`` (DESIGN.md's output contract); more follow.
HANDOFF_COLUMNS = ("source", "target", "count", "cases", "median_wait_s", "p90_wait_s", "cost")
#: Leading columns of ``tables/reentry.csv``; more follow.
REENTRY_COLUMNS = ("item", "first_entered_by", "reentered_by", "count", "discrepancy_rate",
                   "cost")
#: Path coverage of the drawn maps (the busiest paths covering this share of traffic, plus
#: those keeping every activity connected); ``tables/dfg.csv`` has every path. The process
#: map is also the as-is map, drawn beside the to-be map.
MAP_PATH_COVERAGE = 0.8
#: Most variants listed in the report.
MAX_VARIANTS = 20

Progress = Callable[[str], None] | None


def _say(progress: Progress, message: str) -> None:
    if progress is not None:
        progress(message)


def _iso(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- sections ---------------------------------------------------------------------------
def _loaded(log: EventLog) -> Section:
    sources = log.source_table().drop(columns=["reject_reasons"])
    reasons_rows = [
        {"source": s.name, "reason": reason, "rows": int(n)}
        for s in log.sources for reason, n in sorted(s.reasons.items())
    ]
    reasons = pd.DataFrame(reasons_rows, columns=["source", "reason", "rows"])
    rejects = log.rejects.sort_values(["source", "row"], kind="stable").reset_index(drop=True)
    missing = _missing_values(log)
    notes: list[str] = []
    if not log.sources:
        notes.append("The log came without a record of its sources: rows read are not known.")
    outliers = time_outliers(log.events) if log.n_events else np.zeros(0, dtype=bool)
    if outliers.any():
        times = log.events.loc[outliers, TIMESTAMP]
        notes.append(
            f"{int(outliers.sum()):,} event(s) lie far outside the bulk of the log in time "
            f"(from {times.min():%Y-%m-%d} to {times.max():%Y-%m-%d}; median ± 20 MADs, or a "
            "sentinel date): kept in the log, left out of the KPI trends.")
    if len(missing):
        total = int(missing["values"].sum())
        notes.append(
            f"{total:,} placeholder value(s) ({', '.join(sorted(set(missing['seen'])))}) in "
            "resource, department or party columns were read as missing, so they make no "
            "department, swimlane or handoff (missing_values in the sources file or "
            "--missing-values sets the list).")
    return Section("loaded", notes=tuple(notes),
                   tables={"sources": sources, "reject_reasons": reasons, "rejects": rejects,
                           "missing_values": missing},
                   values={"rows_read": log.rows_read, "rows_rejected": log.rows_rejected,
                           "placeholders_missing": int(missing["values"].sum())})


def _missing_values(log: EventLog) -> pd.DataFrame:
    """Per source and column: how many placeholder values were read as missing."""
    rows = []
    for s in log.sources:
        seen = getattr(s, "placeholders", {}) or {}
        for column, n in sorted((getattr(s, "missing_values", {}) or {}).items()):
            rows.append({"source": s.name, "column": column, "values": int(n),
                         "seen": ", ".join(seen.get(column, ()))})
    frame = pd.DataFrame(rows, columns=["source", "column", "values", "seen"])
    return frame.astype({"values": "int64"})


def _process(log: EventLog) -> tuple[Section, Any]:
    if log.n_events == 0:
        return Section("process", reason="the log has no events"), None
    pmap = process_map(log, paths=MAP_PATH_COVERAGE)
    notes = []
    if pmap.simplified:
        notes.append(
            f"The map is simplified for reading: it shows {len(pmap.nodes)} of "
            f"{pmap.n_activities_total} activities and {len(pmap.edges)} of "
            f"{pmap.n_edges_total} paths; tables/dfg.csv has every path.")
    full = pmap if not pmap.simplified else process_map(log, activities=1.0, paths=1.0)
    edges = full.edges.loc[:, ["source", "target", "count", "cases", "median_wait_s",
                               "mean_wait_s", "p90_wait_s"]]
    edges = edges.sort_values(["count", "source", "target"], ascending=[False, True, True],
                              kind="stable").reset_index(drop=True)
    return Section("process", notes=tuple(notes), tables={"edges": edges, "nodes": full.nodes},
                   maps={"process": pmap},
                   values={"activities": len(full.nodes), "paths": len(edges)}), pmap


def _handoffs(log: EventLog, costs: CostModel) -> tuple[Section, Any]:
    if log.n_events == 0:
        return Section("handoffs", reason="the log has no events"), None
    if not log.has_departments:
        return Section(
            "handoffs",
            reason="the log records no departments, so work passing between departments "
                   "cannot be seen; map a department column (--department COL, or department / "
                   "department_column / department_by_resource in the sources file)."), None
    found = find_handoffs(log, level="department", costs=costs)
    table = found.table
    extra = [c for c in table.columns if c not in HANDOFF_COLUMNS]
    table = table.loc[:, [*HANDOFF_COLUMNS, *extra]]
    table = table.sort_values(["cost", "source", "target"], ascending=[False, True, True],
                              kind="stable").reset_index(drop=True)
    notes = []
    if found.count == 0:
        notes.append("No handoff between departments was found: every order stays in one "
                     "department (or the departments are recorded on too few events).")
    if found.count:
        notes.append(
            f"{found.causal_count:,} of {found.count:,} handoffs are causal: the heuristics "
            f"miner's dependency measure (Weijters & van der Aalst; threshold "
            f"{DEPENDENCY_THRESHOLD}) finds the other {found.count - found.causal_count:,} "
            "between activities the process runs concurrently (column causal_count).")
        notes.append(
            "Cost = coordination per handoff (none between two automated actors: "
            f"{found.system_count:,} system handoffs) plus the priced queue time: working "
            f"hours ({_calendar_text(costs)}), at most {costs.wait_cap_hours:g} working hours "
            "per handoff, and never the time until the order's planned date (requested or "
            "confirmed delivery date: lead time). Queue time "
            f"{found.queue_s / 3600:,.0f} h, lead time {found.lead_s / 3600:,.0f} h "
            "(unpriced), elapsed waiting "
            f"{found.wait_s / 3600:,.0f} h (columns queue_wait_s, lead_time_s).")
    values = {"total_cost": float(table["cost"].sum()), "total_handoffs": int(found.count),
              "causal_handoffs": int(found.causal_count), "pingpong": int(found.pingpong),
              "system_handoffs": int(found.system_count), "queue_s": found.queue_s,
              "lead_time_s": found.lead_s, "wait_s": found.wait_s, "routes": len(table)}
    return Section("handoffs", notes=tuple(notes), tables={"table": table},
                   maps={"handoffs": table}, values=values), found


def _calendar_text(costs: CostModel) -> str:
    c = costs.calendar
    return f"{c.days[0]}-{c.days[-1]} {c.start}-{c.end} {c.timezone}" if c.days else "none"


def _rework(log: EventLog, costs: CostModel) -> Section:
    if log.n_events == 0:
        return Section("rework", reason="the log has no events")
    found = find_rework(log, level="department", costs=costs)
    blocks = find_episodes(log, level="department", costs=costs)
    notes = [
        f"{found.count:,} rework events in {found.cases:,} of {found.orders:,} orders "
        f"({found.share_of_orders:.0%}): repeat = the same step again by the same "
        "department, redo = by another (edeaR's terms), change = a change activity "
        "(change, update, correct, amend). The same step done for another sub-object of the "
        "order (a second package, a split delivery) is not rework.",
    ]
    if blocks.count:
        notes.append(
            f"{blocks.count:,} blocks or holds opened and closed "
            f"({blocks.open_count:,} still open when the log ends, not in the durations); "
            "their cost is the order's waiting in working hours until the block is removed.")
    else:
        notes.append("No status was set and later removed (X Set / X Removed, blocked / "
                     "released, hold / release).")
    values = {"rework_events": found.count, "rework_orders": found.cases,
              "rework_share_of_orders": found.share_of_orders,
              "rework_labour_cost": found.labour_cost, "episodes": blocks.count,
              "open_episodes": blocks.open_count, "episode_cost": blocks.cost}
    return Section("rework", notes=tuple(notes),
                   tables={"table": found.table, "by_kind": found.by_kind,
                           "episodes": blocks.table, "by_status": blocks.by_status},
                   values=values)


def _reentry(log: EventLog, costs: CostModel) -> tuple[Section, Any]:
    if log.n_events == 0:
        return Section("reentry", reason="the log has no events"), None
    if not log.has_departments:
        return Section(
            "reentry",
            reason="the log records no departments, so it cannot tell whether information "
                   "was keyed in again by another department."), None
    found = find_reentry(log, level="department", costs=costs)
    notes = [found.note]
    if found.signal == "redo":
        if not log.items:
            notes.insert(0, "No information item is declared ([items] and [sources.X.items] in "
                            "the sources file), so re-entry falls back to redo.")
        else:
            notes.insert(0, "The declared information items carry no values in this log, so "
                            "re-entry falls back to redo.")
    summary = found.summary.rename(columns={"first_by": "first_entered_by", "by": "reentered_by"})
    extra = [c for c in summary.columns if c not in REENTRY_COLUMNS]
    table = summary.loc[:, [*REENTRY_COLUMNS, *extra]].copy()
    table["signal"] = found.signal
    table = table.sort_values(["cost", "count", "item", "first_entered_by", "reentered_by"],
                              ascending=[False, False, True, True, True],
                              kind="stable").reset_index(drop=True)
    by_item = found.by_item.sort_values(["cost", "item"], ascending=[False, True],
                                        kind="stable").reset_index(drop=True)
    values = {"total_cost": float(table["cost"].sum()), "reentries": int(found.count),
              "signal": found.signal,
              "discrepancies": int(table["discrepancies"].sum()) if len(table) else 0}
    return Section("reentry", notes=tuple(notes), tables={"table": table, "by_item": by_item},
                   values=values), found


def _candidates(log: EventLog, costs: CostModel, found_reentry: Any, found_handoffs: Any,
                pmap: Any, *, min_share: float, min_events: int) -> Section:
    if log.n_events == 0:
        return Section("candidates", reason="the log has no events")
    if found_reentry is None or found_handoffs is None:
        return Section(
            "candidates",
            reason="candidates rest on handoffs and re-entry between departments, and the log "
                   "records no departments.")
    found = find_candidates(log, reentry=found_reentry, costs=costs, min_share=min_share,
                            min_events=min_events)
    table = found.table.copy()
    table.insert(0, "rank", np.arange(1, len(table) + 1, dtype="int64"))
    weak = found.weak.copy()
    support = (f"Ranked candidates have evidence in at least {min_share:.0%} of the orders and "
               f"{min_events} events; {len(weak)} below that are listed as weak evidence, not "
               "ranked (tables/candidates_weak.csv).")
    if table.empty:
        return Section("candidates", notes=(
            "No step with enough evidence was found that could move to the customer, a "
            "supplier or a carrier, or disappear by sharing data.", support),
            tables={"table": table, "weak": weak}, values={"count": 0, "weak": len(weak)})
    chosen = table.loc[table["annual_saving"] > 0]
    notes = [
        "Three sets of costs per candidate: today's cost the change alters (current_cost, over "
        "the log's period; current_cost_annual per year), the one-off implementation_cost, and "
        "the new running_cost_annual; annual_saving and payback_months follow. Each is priced "
        "on the events that carry its evidence only, not on every execution of its step "
        "(columns events and executions), with waiting credited only where it was priced "
        "queue time.",
        f"Annualised on one basis for costs and KPIs: {costs.annual_basis(log).describe()} "
        "(the orders' first events, not the span of all events, whose tail of payments and "
        "returns would stretch the year).",
        "Implementation: each kind of change is built once (one portal, one EDI link, one "
        "carrier API). A candidate tried on its own carries its kind's full one-off cost; "
        "the to-be below, with the paying candidates together, pays each kind once.",
        support,
    ]
    values: dict[str, Any] = {"count": len(table), "weak": len(weak),
                              "annual_saving_positive": float(chosen["annual_saving"].sum())}
    maps: dict[str, Any] = {}
    if chosen.empty:
        notes.append("No candidate saves money under the cost model, so no to-be map is drawn.")
        maps["as_is"] = pmap
    else:
        moves = [found.moves[i] for i in chosen.index]
        projection = project(log, moves, costs=costs, reentry=found_reentry)
        maps = {"as_is": pmap, "to_be": process_map(projection.after, paths=MAP_PATH_COVERAGE)}
        values["projected_events_changed"] = int(projection.events_changed)
        values["handoffs_before"] = int(projection.handoffs_before.count)
        values["handoffs_after"] = int(projection.handoffs_after.count)
        values["projected"] = (
            f"the {len(chosen)} candidate(s) that save money applied together: "
            f"{projection.events_changed:,} events move or disappear; department handoffs "
            f"{projection.handoffs_before.count:,} → {projection.handoffs_after.count:,}.")
        difference = projection.table.copy()
        return Section("candidates", notes=tuple(notes),
                       tables={"table": table, "weak": weak, "projection": difference},
                       maps=maps, values=values)
    return Section("candidates", notes=tuple(notes), tables={"table": table, "weak": weak},
                   maps=maps, values=values)


def _kpis(log: EventLog, found_kpis: Any) -> Section:
    if log.n_events == 0:
        return Section("kpis", reason="the log has no events")
    daily, weekly = found_kpis.daily, found_kpis.weekly
    notes = list(found_kpis.notes)
    orders = found_kpis.orders
    overall = {
        "orders": len(orders),
        "cycle_time_median_s": _num(orders["cycle_time_s"].median()),
        "order_to_cash_median_s": _num(orders["order_to_cash_s"].median()),
        "orders_paid": int(orders["order_to_cash_s"].notna().sum()),
        "touchless_rate": _num(orders["touchless"].astype("float64").mean()),
        "touchless_after_entry_rate": _num(
            orders["touchless_after_entry"].astype("float64").mean()),
        "kept_informed_rate": _num(orders["kept_informed"].astype("float64").mean()),
        "handoffs_per_order": _num(orders["handoffs"].astype("float64").mean()),
        "return_rate": _num(orders["returned"].astype("float64").mean()),
        "abandoned_rate": _num(orders["abandoned"].astype("float64").mean()),
    }
    if len(weekly) < 2:
        notes.append("The log spans less than two weeks: the trend charts have a single point.")
    partial = weekly.loc[weekly["partial"], "period"]
    if len(partial):
        weeks = ", ".join(f"{p:%Y-%m-%d}" for p in partial)
        notes.append(f"Weeks the log covers only in part (read their points with care): {weeks}.")
    still_open = int(weekly["orders_open"].sum())
    if still_open:
        which = "1 order was" if still_open == 1 else f"{still_open:,} orders were"
        notes.append(f"{which} still running when the log ends; their cycle times are not "
                     "final (column orders_open).")
    censored = weekly.loc[weekly["censored"], "period"]
    if len(censored):
        weeks = ", ".join(f"{p:%Y-%m-%d}" for p in censored)
        notes.append(f"Right-censored weeks (most of their orders still open, so their cycle "
                     f"times are not final; drawn hollow, not as a fall): {weeks}.")
    return Section("kpis", notes=tuple(notes), tables={"daily": daily, "weekly": weekly},
                   values=overall)


def _num(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def _variants(log: EventLog) -> Section:
    if log.n_events == 0:
        return Section("variants", reason="the log has no events")
    found = find_variants(log, top=MAX_VARIANTS)
    table = found.table
    notes = (f"{found.n_variants:,} distinct variant(s) over {found.n_cases:,} orders; the "
             f"{len(table)} most frequent cover {table['share'].sum():.0%} of orders.",)
    return Section("variants", notes=notes, tables={"table": table},
                   values={"variants": found.n_variants})


# -- entry point ------------------------------------------------------------------------
def build_report(
    log: EventLog,
    *,
    costs: CostModel | None = None,
    progress: Progress = None,
    terminal: Collection[str] | None = None,
    payment_pattern: str | None = None,
    min_share: float = MIN_SHARE,
    min_events: int = MIN_EVENTS,
) -> Report:
    """Compute everything the batch report shows.

    Every section is computed through procmine's public analysis API. A
    section that cannot be computed (no departments, no events, ...) is still
    present, with a ``reason``; one computed on a weaker signal (re-entry
    falling back to "redo" when the log has no item values) says so in its
    ``notes``.

    Parameters
    ----------
    log : EventLog
        From :func:`procmine.load`.
    costs : CostModel, optional, keyword-only
        Rates and unit costs; default :meth:`CostModel.default`.
    progress : callable, optional, keyword-only
        Called with a short message before each long step.
    terminal : collection of str, optional, keyword-only
        The activities that end an order (KPIs; default: derived from the log,
        see :func:`procmine.kpis`). ``procmine report --terminal``.
    payment_pattern : str, optional, keyword-only
        Regular expression of the payment-received activity for order-to-cash
        (default :data:`procmine.analysis.kpis.PAYMENT_PATTERN`).
        ``procmine report --payment-pattern``.
    min_share, min_events : keyword-only
        Minimum support of a ranked candidate (see :func:`procmine.candidates`);
        ``procmine report --min-support SHARE,EVENTS``.

    Returns
    -------
    Report
        Sections ``loaded``, ``process``, ``handoffs``, ``reentry``,
        ``candidates``, ``kpis``, ``variants``, in that order.

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog
    >>> frame = pd.DataFrame({
    ...     "case_id": ["o1", "o1", "o2", "o2"],
    ...     "activity": ["Enter order", "Pick", "Enter order", "Pick"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00",
    ...                                  "2024-01-02 09:00", "2024-01-02 12:00"], utc=True),
    ... })
    >>> report = build_report(EventLog.from_frame(frame, name="tiny"))
    >>> report.process.available, report.handoffs.available
    (True, False)
    >>> report.handoffs.reason.split(",")[0]
    'the log records no departments'
    """
    log = require_log(log, where="build_report")
    costs = costs if costs is not None else CostModel.default()
    events = log.events
    facts: dict[str, Any] = {
        "events": int(log.n_events),
        "cases": int(log.n_cases),
        "activities": int(events[ACTIVITY].nunique()),
        "departments": len(log.departments),
        "rows_read": int(log.rows_read),
        "rows_rejected": int(log.rows_rejected),
        "first_event": _iso(events[TIMESTAMP].min()) if len(events) else None,
        "last_event": _iso(events[TIMESTAMP].max()) if len(events) else None,
        "time_outliers": int(time_outliers(events).sum()) if len(events) else 0,
    }
    if facts["time_outliers"]:
        bulk = events.loc[~time_outliers(events), TIMESTAMP]
        facts["bulk_first_event"] = _iso(bulk.min())
        facts["bulk_last_event"] = _iso(bulk.max())
    basis = costs.annual_basis(log)
    facts["annualisation"] = {"method": basis.method, "factor": basis.factor,
                              "orders": basis.orders, "days": basis.days,
                              "text": basis.describe()}
    _say(progress, "process map")
    loaded = _loaded(log)
    process, pmap = _process(log)
    _say(progress, "handoffs")
    handoff_section, found_handoffs = _handoffs(log, costs)
    _say(progress, "rework and blocks")
    rework_section = _rework(log, costs)
    _say(progress, "re-entry")
    reentry_section, found_reentry = _reentry(log, costs)
    _say(progress, "candidates and projection")
    candidate_section = _candidates(log, costs, found_reentry, found_handoffs, pmap,
                                    min_share=min_share, min_events=min_events)
    _say(progress, "KPIs and variants")
    kpi_section = _kpis(log, compute_kpis(
        log, terminal=terminal,
        payment_pattern=PAYMENT_PATTERN if payment_pattern is None else payment_pattern,
    )) if log.n_events else _kpis(log, None)
    variant_section = _variants(log)
    sections = {
        "loaded": loaded, "process": process, "handoffs": handoff_section,
        "rework": rework_section, "reentry": reentry_section,
        "candidates": candidate_section, "kpis": kpi_section,
        "variants": variant_section,
    }
    return Report(name=log.name, facts=facts,
                  sections={k: sections[k] for k in SECTION_KEYS},
                  currency=costs.currency)
