"""The report's sections of a log in memory, each from procmine's public analysis API.

:func:`procmine.report.build.build_report` puts them together (with the summary);
:mod:`procmine.report.engine_sections` builds the same sections from an engine's tables.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from procmine.analysis.candidates import candidates as find_candidates
from procmine.analysis.costs import CostModel
from procmine.analysis.episodes import episodes as find_episodes
from procmine.analysis.handoffs import DEPENDENCY_THRESHOLD
from procmine.analysis.handoffs import handoffs as find_handoffs
from procmine.analysis.projection import project
from procmine.analysis.reentry import reentry as find_reentry
from procmine.analysis.rework import rework as find_rework
from procmine.discovery.dfg import process_map
from procmine.log.eventlog import EventLog
from procmine.log.outliers import time_outliers
from procmine.log.variants import variants as find_variants
from procmine.report.model import Section
from procmine.report.previous import KPI_MEASURES, PreviousRun, kpi_changes
from procmine.schema import TIMESTAMP

__all__ = ["HANDOFF_COLUMNS", "MAP_PATH_COVERAGE", "MAX_VARIANTS", "MIN_WEEK_SHARE",
           "REENTRY_COLUMNS", "TOP_ACTIONS"]

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

