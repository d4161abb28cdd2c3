"""The batch report of a log: its sections (:mod:`procmine.report.sections` in memory,
:mod:`procmine.report.engine_sections` on an engine), the log's facts and the executive
summary built from the sections' figures."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import sys
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pandas as pd

from procmine.analysis.candidates import MIN_EVENTS, MIN_SHARE
from procmine.analysis.costs import CostModel
from procmine.analysis.kpis import PAYMENT_PATTERN
from procmine.analysis.kpis import kpis as compute_kpis
from procmine.io._memory import with_reused_memory
from procmine.log._require import require_log
from procmine.log.eventlog import EventLog
from procmine.log.outliers import time_outliers
from procmine.report.engine_sections import _engine_facts, _engine_sections, engine_map_drawing
from procmine.report.model import SECTION_KEYS, Report, Section
from procmine.report.previous import PreviousRun, read_previous
from procmine.report.sections import (
    HANDOFF_COLUMNS,
    MIN_WEEK_SHARE,
    REENTRY_COLUMNS,
    TOP_ACTIONS,
    Progress,
    _candidates,
    _handoffs,
    _handoffs_since,
    _iso,
    _kpis,
    _loaded,
    _num,
    _process,
    _reentry,
    _rework,
    _say,
    _variants,
)
from procmine.schema import ACTIVITY, TIMESTAMP

__all__ = ["HANDOFF_COLUMNS", "MIN_WEEK_SHARE", "REENTRY_COLUMNS", "TOP_ACTIONS", "build_report",
           "cost_model_digest", "engine_map_drawing"]

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
