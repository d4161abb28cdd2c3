"""Compute every section of the batch report through procmine's public analysis API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import sys
from collections.abc import Callable, Collection
from pathlib import Path
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
from procmine.io._memory import with_reused_memory
from procmine.log._require import require_log
from procmine.log.eventlog import EventLog
from procmine.log.outliers import time_outliers
from procmine.log.variants import variants as find_variants
from procmine.report.model import SECTION_KEYS, Report, Section
from procmine.report.previous import KPI_MEASURES, PreviousRun, kpi_changes, read_previous
from procmine.schema import ACTIVITY, TIMESTAMP

__all__ = ["HANDOFF_COLUMNS", "MIN_WEEK_SHARE", "REENTRY_COLUMNS", "TOP_ACTIONS", "build_report",
           "cost_model_digest", "engine_map_drawing"]

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
#: A week with fewer orders started than this share of the median week is a week with
#: few orders: drawn as such (hollow, grey, labelled), never read as a fall or a rise.
MIN_WEEK_SHARE = 0.2
#: Actions the executive summary lists.
TOP_ACTIONS = 3

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
            f"The maps are simplified for reading: each shows the most frequent of the "
            f"{pmap.n_activities_total} activities that an A4 page shows with text of at least "
            "9 pt, and says in its title how many; tables/dfg.csv has every one of the "
            f"{pmap.n_edges_total} paths.")
    full = pmap if not pmap.simplified else process_map(log, activities=1.0, paths=1.0)
    edges = full.edges.loc[:, ["source", "target", "count", "cases", "median_wait_s",
                               "mean_wait_s", "p90_wait_s"]]
    edges = edges.sort_values(["count", "source", "target"], ascending=[False, True, True],
                              kind="stable").reset_index(drop=True)
    return Section("process", notes=tuple(notes), tables={"edges": edges, "nodes": full.nodes},
                   maps={"process": pmap}, results={"map": pmap, "full": full, "log": log},
                   values={"activities": len(full.nodes), "paths": len(edges)}), pmap


_NO_DEPARTMENTS = (
    "the log records no departments, so work passing between departments cannot be seen; map "
    "a department column (--department COL, or department / department_column / "
    "department_by_resource in the sources file).")


def _handoffs(log: EventLog, costs: CostModel) -> tuple[Section, Any]:
    if log.n_events == 0:
        return Section("handoffs", reason="the log has no events"), None
    if not log.has_departments:
        return Section("handoffs", reason=_NO_DEPARTMENTS), None
    found = find_handoffs(log, level="department", costs=costs)
    totals = {"total_handoffs": int(found.count), "causal_handoffs": int(found.causal_count),
              "pingpong": int(found.pingpong), "system_handoffs": int(found.system_count),
              "queue_s": found.queue_s, "lead_time_s": found.lead_s, "wait_s": found.wait_s}
    return _handoff_section(found.table, totals, costs, results={"handoffs": found}), found


def _handoff_section(table: pd.DataFrame, totals: dict[str, Any], costs: CostModel, *,
                     results: dict[str, Any]) -> Section:
    """The handoff section from the handoff table and its totals (any engine)."""
    extra = [c for c in table.columns if c not in HANDOFF_COLUMNS]
    table = table.loc[:, [*HANDOFF_COLUMNS, *extra]]
    table = table.sort_values(["cost", "source", "target"], ascending=[False, True, True],
                              kind="stable").reset_index(drop=True)
    count, causal = int(totals["total_handoffs"]), int(totals["causal_handoffs"])
    notes = []
    if count == 0:
        notes.append("No handoff between departments was found: every order stays in one "
                     "department (or the departments are recorded on too few events).")
    if count:
        notes.append(
            f"{causal:,} of {count:,} handoffs are causal: the heuristics "
            f"miner's dependency measure (Weijters & van der Aalst; threshold "
            f"{DEPENDENCY_THRESHOLD}) finds the other {count - causal:,} "
            "between activities the process runs concurrently (column causal_count).")
        notes.append(
            "Cost = coordination per handoff (none between two automated actors: "
            f"{int(totals['system_handoffs']):,} system handoffs) plus the priced queue time: "
            f"working hours ({_calendar_text(costs)}), at most {costs.wait_cap_hours:g} working "
            "hours per handoff, and never the time until the order's planned date (requested "
            "or confirmed delivery date: lead time). Queue time "
            f"{totals['queue_s'] / 3600:,.0f} h, lead time {totals['lead_time_s'] / 3600:,.0f} h "
            "(unpriced), elapsed waiting "
            f"{totals['wait_s'] / 3600:,.0f} h (columns queue_wait_s, lead_time_s).")
    values = {"total_cost": float(table["cost"].sum()), "total_handoffs": count,
              "causal_handoffs": causal, "pingpong": int(totals["pingpong"]),
              "system_handoffs": int(totals["system_handoffs"]), "queue_s": totals["queue_s"],
              "lead_time_s": totals["lead_time_s"], "wait_s": totals["wait_s"],
              "routes": len(table)}
    return Section("handoffs", notes=tuple(notes), tables={"table": table},
                   maps={"handoffs": table}, values=values, results=results)


def _calendar_text(costs: CostModel) -> str:
    c = costs.calendar
    return f"{c.days[0]}-{c.days[-1]} {c.start}-{c.end} {c.timezone}" if c.days else "none"


def _rework(log: EventLog, costs: CostModel) -> Section:
    if log.n_events == 0:
        return Section("rework", reason="the log has no events")
    found = find_rework(log, level="department", costs=costs)
    blocks = find_episodes(log, level="department", costs=costs)
    totals = {"count": found.count, "cases": found.cases, "orders": found.orders,
              "share_of_orders": found.share_of_orders, "labour_cost": found.labour_cost}
    return _rework_section(found.table, found.by_kind, totals, blocks,
                           results={"rework": found, "episodes": blocks})


def _rework_section(table: pd.DataFrame, by_kind: pd.DataFrame, totals: dict[str, Any],
                    blocks: Any, *, results: dict[str, Any], blocks_missing: str | None = None
                    ) -> Section:
    """The rework section from the rework tables and totals (any engine), and the blocks
    (episodes, in memory) or, with ``blocks_missing``, why there are none."""
    notes = [
        f"{totals['count']:,} rework events in {totals['cases']:,} of {totals['orders']:,} "
        f"orders ({totals['share_of_orders']:.0%}): repeat = the same step again by the same "
        "department, redo = by another (edeaR's terms), change = a change activity "
        "(change, update, correct, amend). The same step done for another sub-object of the "
        "order (a second package, a split delivery) is not rework.",
    ]
    if blocks_missing is not None:
        notes.append(blocks_missing)
    elif blocks.count:
        notes.append(
            f"{blocks.count:,} blocks or holds opened and closed "
            f"({blocks.open_count:,} still open when the log ends, not in the durations); "
            "their cost is the order's waiting in working hours until the block is removed.")
    else:
        notes.append("No status was set and later removed (X Set / X Removed, blocked / "
                     "released, hold / release).")
    values = {"rework_events": totals["count"], "rework_orders": totals["cases"],
              "rework_share_of_orders": totals["share_of_orders"],
              "rework_labour_cost": totals["labour_cost"],
              "episodes": None if blocks is None else blocks.count,
              "open_episodes": None if blocks is None else blocks.open_count,
              "episode_cost": None if blocks is None else blocks.cost}
    tables = {"table": table, "by_kind": by_kind}
    if blocks is not None:
        tables.update(episodes=blocks.table, by_status=blocks.by_status)
    return Section("rework", notes=tuple(notes), tables=tables, values=values, results=results)


def _reentry(log: EventLog, costs: CostModel) -> tuple[Section, Any]:
    if log.n_events == 0:
        return Section("reentry", reason="the log has no events"), None
    if not log.has_departments:
        return Section(
            "reentry",
            reason="the log records no departments, so it cannot tell whether information "
                   "was keyed in again by another department."), None
    found = find_reentry(log, level="department", costs=costs)
    return _reentry_section(found.summary, found.by_item, signal=found.signal,
                            note=found.note, count=found.count, has_items=bool(log.items),
                            results={"reentry": found}), found


def _reentry_section(summary: pd.DataFrame, by_item: pd.DataFrame, *, signal: str, note: str,
                     count: int, has_items: bool, results: dict[str, Any]) -> Section:
    """The re-entry section from the re-entry tables (any engine)."""
    notes = [note]
    if signal == "redo":
        if not has_items:
            notes.insert(0, "No information item is declared ([items] and [sources.X.items] in "
                            "the sources file), so re-entry falls back to redo.")
        else:
            notes.insert(0, "The declared information items carry no values in this log, so "
                            "re-entry falls back to redo.")
    summary = summary.rename(columns={"first_by": "first_entered_by", "by": "reentered_by"})
    extra = [c for c in summary.columns if c not in REENTRY_COLUMNS]
    table = summary.loc[:, [*REENTRY_COLUMNS, *extra]].copy()
    table["signal"] = signal
    table = table.sort_values(["cost", "count", "item", "first_entered_by", "reentered_by"],
                              ascending=[False, False, True, True, True],
                              kind="stable").reset_index(drop=True)
    by_item = by_item.sort_values(["cost", "item"], ascending=[False, True],
                                  kind="stable").reset_index(drop=True)
    values = {"total_cost": float(table["cost"].sum()), "reentries": int(count),
              "signal": signal,
              "discrepancies": int(table["discrepancies"].sum()) if len(table) else 0}
    return Section("reentry", notes=tuple(notes), tables={"table": table, "by_item": by_item},
                   values=values, results=results)


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
            tables={"table": table, "weak": weak}, values={"count": 0, "weak": len(weak)},
            results={"candidates": found, "reentry": found_reentry})
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
                       maps=maps, values=values,
                       results={"candidates": found, "reentry": found_reentry,
                                "projection": projection, "chosen": list(chosen.index)})
    return Section("candidates", notes=tuple(notes), tables={"table": table, "weak": weak},
                   maps=maps, values=values,
                   results={"candidates": found, "reentry": found_reentry, "chosen": []})


def _few_orders(weekly: pd.DataFrame, min_week_orders: int | None) -> tuple[pd.Series, int]:
    """Weeks with few orders started, and the threshold (default: a share of the median week)."""
    started = weekly["orders_started"].astype("float64")
    if min_week_orders is None:
        busy = started[started > 0]
        median = float(busy.median()) if len(busy) else 0.0
        threshold = int(np.ceil(MIN_WEEK_SHARE * median))
    else:
        threshold = int(min_week_orders)
    return started < threshold, threshold


def _week_changes(weekly: pd.DataFrame) -> tuple[pd.DataFrame, str | None, str | None]:
    """Each KPI in the latest full week with enough orders, the one before, and the change."""
    usable = weekly.loc[~weekly["partial"].astype(bool) & ~weekly["few_orders"].astype(bool)]
    latest = usable.iloc[-1] if len(usable) else None
    before = usable.iloc[-2] if len(usable) > 1 else None
    rows = []
    for key, label, unit in KPI_MEASURES:
        now = _num(latest[key]) if latest is not None and key in weekly.columns else None
        then = _num(before[key]) if before is not None and key in weekly.columns else None
        rows.append({"kpi": key, "label": label, "unit": unit, "previous_week": then,
                     "latest_week": now,
                     "change": now - then if now is not None and then is not None else None})
    table = pd.DataFrame(rows, columns=["kpi", "label", "unit", "previous_week", "latest_week",
                                        "change"])

    def week(row: Any) -> str | None:
        return None if row is None else f"{pd.Timestamp(row['period']):%Y-%m-%d}"

    return table, week(latest), week(before)


def _kpis(log: EventLog, found_kpis: Any, *, min_week_orders: int | None,
          previous: PreviousRun | None) -> Section:
    if log.n_events == 0:
        return Section("kpis", reason="the log has no events")
    daily, weekly = found_kpis.daily, found_kpis.weekly.copy()
    few, threshold = _few_orders(weekly, min_week_orders)
    weekly["few_orders"] = few.to_numpy()
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
        "min_week_orders": threshold,
    }
    if len(weekly) < 2:
        notes.append("The log spans less than two weeks: the trend charts have a single point.")
    partial = weekly.loc[weekly["partial"], "period"]
    if len(partial):
        weeks = ", ".join(f"{p:%Y-%m-%d}" for p in partial)
        notes.append(f"Weeks the log covers only in part (read their points with care): {weeks}.")
    sparse = weekly.loc[weekly["few_orders"], ["period", "orders_started"]]
    if len(sparse):
        weeks = ", ".join(f"{p:%Y-%m-%d} ({int(n):,} orders)"
                          for p, n in zip(sparse["period"], sparse["orders_started"],
                                          strict=True))
        notes.append(
            f"Weeks with few orders (fewer than {threshold:,} started"
            + (f", {MIN_WEEK_SHARE:.0%} of the median week" if min_week_orders is None else "")
            + "; min_week_orders sets it): drawn hollow and grey, labelled 'few orders', and "
            f"left out of the week-on-week changes; their rates are not falls: {weeks}.")
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
    changes, latest, before = _week_changes(weekly)
    tables = {"daily": daily, "weekly": weekly, "week_changes": changes}
    if previous is not None:
        tables["since_previous"] = kpi_changes(overall, previous.summary.get("kpis", {}))
    return Section("kpis", notes=tuple(notes), tables=tables, values=overall,
                   results={"kpis": found_kpis, "latest_week": latest, "previous_week": before})


def cost_model_digest(costs: CostModel) -> str:
    """A short fingerprint of a cost model's values (the same model, the same digest).

    Examples
    --------
    >>> cost_model_digest(CostModel()) == cost_model_digest(CostModel())
    True
    >>> cost_model_digest(CostModel()) == cost_model_digest(CostModel(handoff_cost=9.0))
    False
    """
    text = json.dumps(dataclasses.asdict(costs), sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _run_date(value: str | dt.date | None) -> str:
    """The run's date (UTC): given, else SOURCE_DATE_EPOCH (reproducible builds), else today."""
    if value is not None:
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date().isoformat()
    return dt.datetime.now(tz=dt.UTC).date().isoformat()


def _summary(log: EventLog, facts: dict[str, Any], costs: CostModel, cost_source: str,
             sections: dict[str, Section], previous: PreviousRun | None) -> Section:
    """The executive summary: what finance needs first, from the other sections' figures."""
    run = facts["run"]
    if log.n_events == 0:
        return Section("summary", reason="the log has no events",
                       values={"run_date": run["date"], "cost_model": cost_source,
                               "cost_model_digest": run["cost_model_digest"]},
                       results={"costs": costs})
    factor = float(facts["annualisation"]["factor"] or 0.0)
    handoffs, rework = sections["handoffs"].values, sections["rework"].values
    reentry = sections["reentry"].values
    lines = [
        ("handoff_cost", "Handoffs between departments (coordination and queue time)",
         handoffs.get("total_cost")),
        ("rework_cost", "Rework (labour of steps done again)", rework.get("rework_labour_cost")),
        ("episode_cost", "Blocks and holds (waiting until removed)", rework.get("episode_cost")),
        ("reentry_cost", "Re-entry of information (labour and discrepancies)",
         reentry.get("total_cost")),
    ]
    rows = []
    for key, label, value in lines:
        amount = _num(value)
        entry: dict[str, Any] = {"cost": key, "label": label, "period": amount,
                                 "annual": None if amount is None else amount * factor}
        if previous is not None:
            before = (previous.cost(f"{key}_total" if key != "rework_cost"
                                    else "rework_labour_cost_total")
                      if previous.currency == costs.currency else None)
            entry["previous"] = before
            entry["change"] = (round(amount - before, 2)
                               if amount is not None and before is not None else None)
        rows.append(entry)
    columns = ["cost", "label", "period", "annual"] + (
        ["previous", "change"] if previous is not None else [])
    cost_table = pd.DataFrame(rows, columns=columns)
    candidates = sections["candidates"].tables.get("table")
    action_columns = ["rank", "activity", "department", "kind", "annual_saving",
                      "implementation_cost", "payback_months"]
    if candidates is not None and len(candidates):
        actions = candidates.loc[candidates["annual_saving"] > 0, action_columns].head(
            TOP_ACTIONS).reset_index(drop=True)
    else:
        actions = pd.DataFrame(columns=action_columns)
    kpis = sections["kpis"].tables.get("week_changes")
    kpis = kpis.copy() if kpis is not None else pd.DataFrame(
        columns=["kpi", "label", "unit", "previous_week", "latest_week", "change"])
    notes = []
    if previous is not None:
        since = sections["kpis"].tables.get("since_previous")
        if since is not None:
            kpis = kpis.merge(since[["kpi", "before", "now", "change"]].rename(columns={
                "before": "previous_run", "now": "this_run", "change": "change_since_run"}),
                on="kpi", how="left")
        notes.append(
            f"Compared with the run in {previous.path}"
            + (f" of {previous.run_date}" if previous.run_date else "")
            + f" ({previous.summary.get('log', {}).get('cases', 0):,} orders, period "
            f"{str(previous.summary.get('log', {}).get('first_event') or '–')[:10]} – "
            f"{str(previous.summary.get('log', {}).get('last_event') or '–')[:10]}).")
        if previous.currency != costs.currency:
            notes.append(f"The previous run priced in {previous.currency or 'no currency'}, "
                         f"this one in {costs.currency}: cost changes are not shown.")
    notes.append("The cost lines are not added up: a block's waiting is also queue time of "
                 "the handoffs around it, and a re-entry is often also a redo.")
    first = facts.get("bulk_first_event") or facts.get("first_event")
    last = facts.get("bulk_last_event") or facts.get("last_event")
    values: dict[str, Any] = {
        "run_date": run["date"], "engine": run.get("engine", "pandas"),
        "period_first": first, "period_last": last,
        "cost_model": cost_source, "cost_model_digest": run["cost_model_digest"],
        "annualisation": facts["annualisation"]["text"], "annual_factor": factor,
        "latest_week": sections["kpis"].results.get("latest_week"),
        "previous_week": sections["kpis"].results.get("previous_week"),
        "costs": {r["cost"]: _num(r["period"]) for r in rows},
        "costs_annual": {r["cost"]: _num(r["annual"]) for r in rows},
        "actions": [{"rank": int(a.rank), "activity": str(a.activity),
                     "department": str(a.department), "kind": str(a.kind),
                     "annual_saving": float(a.annual_saving),
                     "implementation_cost": float(a.implementation_cost),
                     "payback_months": _num(a.payback_months)}
                    for a in actions.itertuples(index=False)],
    }
    if previous is not None:
        values["previous_run"] = {"path": str(previous.path), "date": previous.run_date}
    return Section("summary", notes=tuple(notes),
                   tables={"costs": cost_table, "actions": actions, "kpis": kpis},
                   values=values, results={"costs": costs})


def _handoffs_since(section: Section, previous: PreviousRun, currency: str) -> Section:
    """The handoff table with the previous run's counts and costs beside (and the change)."""
    table = section.tables.get("table")
    if table is None:
        return section
    old = previous.handoffs.loc[:, ["source", "target", "count", "cost"]].copy()
    old["source"], old["target"] = old["source"].astype(str), old["target"].astype(str)
    old = old.rename(columns={"count": "count_previous", "cost": "cost_previous"})
    same_money = previous.currency == currency
    merged = table.merge(old, on=["source", "target"], how="left", sort=False)
    merged["count_previous"] = merged["count_previous"].fillna(0).astype("int64")
    merged["count_change"] = merged["count"].astype("int64") - merged["count_previous"]
    if same_money:  # to the cent: the previous costs were read back from CSV
        merged["cost_previous"] = merged["cost_previous"].fillna(0.0)
        merged["cost_change"] = (merged["cost"] - merged["cost_previous"]).round(2)
    else:
        merged["cost_previous"] = np.nan
        merged["cost_change"] = np.nan
    now = pd.MultiIndex.from_frame(table[["source", "target"]].astype(str))
    gone = old.loc[~pd.MultiIndex.from_frame(old[["source", "target"]]).isin(now)]
    gone = gone.sort_values(["count_previous", "source", "target"],
                            ascending=[False, True, True], kind="stable").reset_index(drop=True)
    total_now, total_then = int(table["count"].sum()), int(old["count_previous"].sum())
    notes = list(section.notes)
    notes.append(
        f"Since the run in {previous.path}: {total_then:,} → {total_now:,} handoffs "
        f"({total_now - total_then:+,}); columns count_previous, count_change, cost_previous, "
        "cost_change."
        + (f" {len(gone):,} route(s) of that run no longer occur: "
           + ", ".join(f"{s} → {t} ({int(n):,})" for s, t, n in
                       gone[["source", "target", "count_previous"]].head(8).itertuples(
                           index=False, name=None)) + "." if len(gone) else ""))
    values = dict(section.values)
    values["total_handoffs_previous"] = total_then
    values["total_handoffs_change"] = total_now - total_then
    if same_money:
        values["total_cost_previous"] = float(old["cost_previous"].sum())
        values["total_cost_change"] = round(
            float(table["cost"].sum()) - values["total_cost_previous"], 2)
    tables = dict(section.tables)
    tables["table"] = merged
    tables["gone"] = gone
    return dataclasses.replace(section, notes=tuple(notes), tables=tables, values=values)


def _num(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def _variants(log: EventLog) -> Section:
    if log.n_events == 0:
        return Section("variants", reason="the log has no events")
    found = find_variants(log, top=MAX_VARIANTS)
    return _variant_section(found.table, n_variants=found.n_variants, n_cases=found.n_cases)


def _variant_section(table: pd.DataFrame, *, n_variants: int, n_cases: int) -> Section:
    notes = (f"{n_variants:,} distinct variant(s) over {n_cases:,} orders; the "
             f"{len(table)} most frequent cover {table['share'].sum():.0%} of orders.",)
    return Section("variants", notes=notes, tables={"table": table},
                   values={"variants": n_variants})


# -- on an engine (DuckDB, Spark) ----------------------------------------------------------
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

    The fitting is ``draw_map``'s for a log (the most frequent activities, as many as keep
    the text at the medium's size, :func:`procmine.render.maps.most_that_fit`), each size's
    map from :func:`procmine.engine.kernels.process_map`.
    """
    from procmine.discovery.simplify import coverage_for
    from procmine.engine import kernels
    from procmine.render.maps import MIN_ACTIVITIES, _text_size, draw_map, most_that_fit
    from procmine.render.medium import preset

    nodes = kernels.dfg_tables(log)["nodes"][["activity", "count"]]
    style = preset(medium)
    drawn: dict[int, Any] = {}
    shown = title if title is not None else log.name

    def graph(cap: int) -> Any:
        if cap not in drawn:
            pmap = kernels.process_map(log, activities=coverage_for(nodes,
                                                                    max_activities=cap))
            drawn[cap] = draw_map(pmap, title=shown, swimlanes=swimlanes, handoffs=handoffs,
                                  measure=measure, direction=direction,  # type: ignore[arg-type]
                                  fit=fit, medium=medium)  # type: ignore[arg-type]
        return drawn[cap]

    def size(cap: int) -> float:
        found = graph(cap)
        if found.drawing is None or not found.positioned:
            return float("inf")
        return float(_text_size(found.drawing))

    high = min(style.max_activities, len(nodes))
    return graph(most_that_fit(min(MIN_ACTIVITIES, high), high, size, style.min_text_px))


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


# -- entry point ------------------------------------------------------------------------
@with_reused_memory  # Arrow's buffers reused: the projection copies every column
def build_report(
    log: EventLog | Any,
    *,
    costs: CostModel | None = None,
    progress: Progress = None,
    terminal: Collection[str] | None = None,
    payment_pattern: str | None = None,
    min_share: float = MIN_SHARE,
    min_events: int = MIN_EVENTS,
    cost_source: str | None = None,
    previous: PreviousRun | str | Path | None = None,
    min_week_orders: int | None = None,
    run_date: str | dt.date | None = None,
    memory_log: EventLog | None = None,
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
    cost_source : str, optional, keyword-only
        Where ``costs`` came from (a file path), named in the executive summary
        with the model's digest; default: procmine's default model, or "given
        to build_report" when ``costs`` is passed.
    previous : PreviousRun or path, optional, keyword-only
        The output folder of an earlier run (see
        :func:`procmine.report.previous.read_previous`): the summary, the KPI
        table and the handoff table then show the change since that run.
        ``procmine report --previous DIR``.
    min_week_orders : int, optional, keyword-only
        A week with fewer orders started is drawn as a week with few orders
        (hollow, grey, labelled) and left out of the week-on-week changes;
        default :data:`MIN_WEEK_SHARE` of the median week.
        ``procmine report --min-week-orders N``.
    run_date : str or date, optional, keyword-only
        The date the summary states; default ``SOURCE_DATE_EPOCH`` when set
        (reproducible builds), else today (UTC). Only the date, so two runs on
        one day write the same bytes.

    memory_log : EventLog, optional, keyword-only
        With ``log`` an :class:`~procmine.engine.EngineLog`: the same events in memory
        (the log the engine was handed, e.g. from a sources file). The rows read and
        rejected per source, the blocks (episodes), the candidates and the projection
        then come from it, computed in memory (the move engine works event by event);
        without it those say they were not computed by the engine.

    Returns
    -------
    Report
        Sections ``summary``, ``loaded``, ``process``, ``handoffs``, ``rework``,
        ``reentry``, ``candidates``, ``kpis``, ``variants``, in that order.

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
    # an EngineLog exists only once its module is imported: in memory, no engine is imported
    engine_log = sys.modules.get("procmine.engine.log")
    on_engine = engine_log is not None and isinstance(log, engine_log.EngineLog)
    if not on_engine:
        log = require_log(log, where="build_report")
        if memory_log is not None:
            from procmine.errors import UsageError

            raise UsageError("memory_log= goes with an EngineLog (procmine.engine.load); "
                             "this log is in memory already")
    elif memory_log is not None:
        memory_log = require_log(memory_log, where="build_report(memory_log=)")
    costs = costs if costs is not None else CostModel.default()
    if cost_source is None:
        cost_source = ("procmine's default cost model (procmine/data/costs.toml)"
                       if costs == CostModel.default() else "a cost model given to build_report")
    if previous is not None and not isinstance(previous, PreviousRun):
        previous = read_previous(previous)
    if min_week_orders is not None and (isinstance(min_week_orders, bool)
                                        or int(min_week_orders) != min_week_orders
                                        or min_week_orders < 0):
        from procmine.errors import UsageError

        raise UsageError(f"min_week_orders must be a whole number of orders, 0 or more; got "
                         f"{min_week_orders!r}")
    run = {"date": _run_date(run_date), "cost_model": cost_source,
           "cost_model_digest": cost_model_digest(costs),
           "engine": getattr(log, "engine", "pandas")}
    facts: dict[str, Any]
    if on_engine:
        facts = _engine_facts(log, memory_log, costs)
        facts["run"] = run
        sections = _engine_sections(
            log, memory_log, costs, progress=progress, terminal=terminal,
            payment_pattern=payment_pattern, min_share=min_share, min_events=min_events,
            min_week_orders=min_week_orders, previous=previous)
        sections["summary"] = _summary(log, facts, costs, cost_source, sections, previous)
        return Report(name=log.name, facts=facts,
                      sections={k: sections[k] for k in SECTION_KEYS},
                      currency=costs.currency)
    events = log.events
    facts = {
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
    facts["run"] = run
    _say(progress, "process map")
    loaded = _loaded(log)
    process, pmap = _process(log)
    _say(progress, "handoffs")
    handoff_section, found_handoffs = _handoffs(log, costs)
    if previous is not None:
        handoff_section = _handoffs_since(handoff_section, previous, costs.currency)
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
    ) if log.n_events else None, min_week_orders=min_week_orders, previous=previous)
    variant_section = _variants(log)
    sections = {
        "loaded": loaded, "process": process, "handoffs": handoff_section,
        "rework": rework_section, "reentry": reentry_section,
        "candidates": candidate_section, "kpis": kpi_section,
        "variants": variant_section,
    }
    sections["summary"] = _summary(log, facts, costs, cost_source, sections, previous)
    return Report(name=log.name, facts=facts,
                  sections={k: sections[k] for k in SECTION_KEYS},
                  currency=costs.currency)
