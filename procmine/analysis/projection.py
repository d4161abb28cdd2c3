"""Projection: the to-be log after chosen moves, with handoffs, waits and costs recomputed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from procmine._display import repr_html
from procmine.analysis.costs import CostModel
from procmine.analysis.handoffs import Handoffs, handoffs
from procmine.analysis.moves import (
    AppliedMoves,
    Move,
    MoveFrame,
    as_moves,
    projected_events,
    reentry_before,
    residual_labour_cost,
    rework_after,
    rework_figures,
    seed_projected,
)
from procmine.analysis.reentry import Reentry
from procmine.log._require import require_log
from procmine.log.actors import log_arrays
from procmine.log.eventlog import EventLog

__all__ = ["METRICS", "Move", "Projection", "project"]


@dataclass(frozen=True, eq=False)
class Projection:
    """As-is and to-be logs after applying moves, and what changes.

    Attributes
    ----------
    table : pandas.DataFrame
        ``metric, before, after, change`` (``change = after - before``); money
        over the log's period unless the metric ends in ``_annual``, durations in
        seconds (metrics ending in ``_s``).
    before, after : EventLog
        The log as it is and the projected log.
    handoffs_before, handoffs_after : Handoffs
        Department-level handoffs of each.
    moves : tuple of Move
    events_changed : int
        Events moved to an outside party or automated by shared data.
    """

    table: pd.DataFrame
    before: EventLog
    after: EventLog
    handoffs_before: Handoffs
    handoffs_after: Handoffs
    moves: tuple[Move, ...]
    events_changed: int

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name: ``difference`` and the handoff tables before and after."""
        return {"difference": self.table, "handoffs_before": self.handoffs_before.table,
                "handoffs_after": self.handoffs_after.table}

    def __repr__(self) -> str:
        return (f"Projection({len(self.moves)} move(s), {self.events_changed} events changed; "
                f"department handoffs {self.handoffs_before.count} -> "
                f"{self.handoffs_after.count})")

    def _repr_html_(self) -> str:
        return repr_html(self)


def project(
    log: EventLog,
    moves: Move | pd.DataFrame | Iterable[Move | Mapping | pd.Series],
    *,
    costs: CostModel | None = None,
    reentry: Reentry | None = None,
) -> Projection:
    """Apply moves to a log and recompute handoffs, waits, cycle time and costs.

    Each move matches the manual, internal events of its activity and
    department (``automated`` not true, ``party`` internal); an event matched
    by an earlier move is left to that move.

    - ``shared_data`` removes the *keying*, not the step: the event stays
      where it is, at its time, with its department and resource, and becomes
      automated (``automated`` true): its item values now arrive by data, so
      it is no longer a manual re-entry, and its labour drops to the kind's
      ``residual_share``. The timeline does not move: a physical step
      (receiving a parcel, shipping) still takes as long as it did.
    - ``customer_self_service``, ``supplier_portal_edi``, ``carrier_api``:
      the owner does the step: ``party`` becomes the customer, supplier or
      carrier, ``department`` and ``resource`` missing, ``automated`` true;
      at department level its actor is now that party (see
      :func:`procmine.log.actors.actor`), so the handoffs into and out of the
      step become handoffs with the party, or vanish where the party's own
      event is next to it.

    **When the timeline shifts**: only for a step moved to a party whose
    event *triggered* it: the most recent earlier event of that party in the
    order (about the same sub-object, ``object_id``, when both carry one: a
    package's hand-over and that package's pick-up scan), with no manual
    internal step on the order in between; systems may run in between (a
    shipping notification). Sales keys the order the customer e-mailed;
    Shipping types the tracking number the carrier's scan created. The owner
    now enters it as part of its own event, so the step happens right after
    that event, at its time, and every later event of the order moves
    earlier by the step's own wait (the time from the event before it). The
    projected log is in canonical order again (case, timestamp, seq): the
    moved step now sits with its trigger, before the events it used to
    follow (the carrier's scan, the hand-over, then Shipping's notification),
    and handoffs, waits and re-entry are counted in that order. A moved step
    that no owner's event triggered (a status enquiry the customer phoned in
    after Sales keyed the order, a return request) keeps its place in time:
    the customer still asks when they ask, and only the labour and the
    handoffs change. Events before the step, and every event of an order
    without a shifted step, keep their times. The shift assumes the order
    waited on the internal step; for a step done in parallel it overstates
    the gain.

    To test one change at a time, pass one move: ``project(log, [move])``;
    :func:`procmine.analysis.candidates.candidates` prices each candidate
    exactly that way.

    Parameters
    ----------
    log : EventLog
    moves : Move, Candidates, DataFrame, or iterable of Move / mappings / rows
        Rows and mappings need ``activity``, ``department`` and ``kind``.
        A :class:`~procmine.analysis.candidates.Candidates` applies all of them.
    costs : CostModel, optional, keyword-only
        Default :meth:`CostModel.default`.
    reentry : Reentry, optional, keyword-only
        The log's re-entry result by department (``reentry(log)``), when the
        caller has it: it is used for the as-is figures instead of detecting
        re-entry again. Ignored when it is by another level.

    Returns
    -------
    Projection
        Metrics in ``table`` (:data:`METRICS`): events, manual events, labour
        minutes, department handoffs (total, per order, their total wait in
        seconds), median wait between events, median and mean cycle time (in
        seconds), re-entries and discrepancies (when the log has item values),
        and costs: labour (with the residual labour of moved steps), handoffs,
        rework, the changes' running cost, total, total per year, and the
        one-off implementation cost (:meth:`CostModel.implementation_cost`:
        once per kind of change).

    Raises
    ------
    UsageError
        A move is malformed (unknown kind, missing field), or names an activity
        or department the log does not have (the message lists close matches).

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog
    >>> f = pd.DataFrame({
    ...     "case_id": ["o1"] * 4,
    ...     "activity": ["Customer e-mails order", "Enter order", "Pick", "Ship"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 12:00",
    ...                                  "2024-01-01 15:00", "2024-01-02 09:00"], utc=True),
    ...     "department": [None, "Sales", "Warehouse", "Shipping"],
    ...     "party": ["customer", "internal", "internal", "internal"],
    ... })
    >>> p = project(EventLog.from_frame(f), [Move("Enter order", "Sales", "customer_self_service")])
    >>> p.after.events[["activity", "party", "timestamp"]].astype(str).values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['Customer e-mails order', 'customer', '2024-01-01 08:00:00+00:00'],
     ['Enter order', 'customer', '2024-01-01 08:00:00+00:00'],
     ['Pick', 'internal', '2024-01-01 11:00:00+00:00'],
     ['Ship', 'internal', '2024-01-02 05:00:00+00:00']]
    >>> p.handoffs_before.count, p.handoffs_after.count  # customer→Sales is gone
    (3, 2)

    Shared data automates the step where it stands:

    >>> p = project(EventLog.from_frame(f), [Move("Pick", "Warehouse", "shared_data")])
    >>> e = p.after.events
    >>> e["activity"].tolist(), e["automated"].fillna(False).tolist()
    (['Customer e-mails order', 'Enter order', 'Pick', 'Ship'], [False, False, True, False])
    >>> e["timestamp"].equals(p.before.events["timestamp"])
    True
    >>> p.handoffs_after.count
    3
    >>> project(EventLog.from_frame(f), [Move("Pikc", "Warehouse", "shared_data")])
    Traceback (most recent call last):
    ...
    procmine.errors.UsageError: Move: the log has no activity 'Pikc' (did you mean 'Pick'?)
    """
    log = require_log(log, where="project")
    costs = costs if costs is not None else CostModel.default()
    chosen = as_moves(moves)
    events = log.events
    frame = MoveFrame.of(events, costs)
    frame.check(chosen)
    applied = frame.apply(chosen)

    after = log.with_events(projected_events(events, applied))
    seed_projected(after.events, frame, applied)
    hand_before = handoffs(log, level="department", costs=costs)
    hand_after = handoffs(after, level="department", costs=costs)
    factor = costs.annual_factor(log)
    residual = residual_labour_cost(events, applied, costs)
    kinds = sorted(set(applied.kind[applied.changed].tolist()))  # the kinds that changed events
    rework_before, rework_after = _rework_pair(log, frame, applied, costs, reentry)
    difference = _difference(log, after, hand_before, hand_after, costs, factor, residual,
                             kinds, rework_before, rework_after)
    return Projection(
        table=difference, before=log, after=after, handoffs_before=hand_before,
        handoffs_after=hand_after, moves=tuple(chosen),
        events_changed=int(applied.changed.sum()),
    )


def _case_stats(events: pd.DataFrame) -> tuple[float, float, float]:
    """Median wait between consecutive events (s), median and mean cycle time (s)."""
    if events.empty:
        return np.nan, np.nan, np.nan
    arrays = log_arrays(events)
    micros = arrays.micros
    waits = (micros[1:] - micros[:-1])[arrays.same_case] / 1e6
    starts = arrays.case_starts  # the cases in log order, as groupby(sort=False) has them
    span = pd.DataFrame({"min": np.minimum.reduceat(micros, starts),
                         "max": np.maximum.reduceat(micros, starts)})
    cycle = (span["max"] - span["min"]) / 1e6
    median_wait = float(np.median(waits)) if len(waits) else np.nan
    return median_wait, float(cycle.median()), float(cycle.mean())


_NO_REWORK = (np.nan, np.nan, 0.0)


def _rework_pair(before: EventLog, frame: MoveFrame, applied: AppliedMoves, costs: CostModel,
                 given: Reentry | None) -> tuple[tuple[float, float, float], ...]:
    """Re-entries, discrepancies and rework cost before and after (only with item values)."""
    if not before.has_item_values:
        return _NO_REWORK, _NO_REWORK
    found = reentry_before(before, costs, given)
    return rework_figures(found, costs), rework_after(before, frame, applied, found, costs)


#: Metrics of :attr:`Projection.table`, in order.
METRICS = (
    "events", "manual_events", "labour_minutes", "department_handoffs", "handoffs_per_order",
    "handoff_wait_s", "handoff_queue_s", "handoff_lead_time_s", "median_wait_between_events_s",
    "median_cycle_time_s", "mean_cycle_time_s", "reentries", "discrepancies", "labour_cost",
    "handoff_cost", "rework_cost", "running_cost", "total_cost", "total_cost_annual",
    "implementation_cost",
)


def _difference(before: EventLog, after: EventLog, hb: Handoffs, ha: Handoffs,
                costs: CostModel, factor: float, residual: float, kinds: list[str],
                rework_before: tuple[float, float, float],
                rework_after: tuple[float, float, float]) -> pd.DataFrame:
    running_period = costs.running_cost_annual(kinds) / factor if factor > 0 else 0.0
    implementation = costs.implementation_cost(kinds)
    values = {}
    for label, log, hand, extra_labour, running, rework_of in (
        ("before", before, hb, 0.0, 0.0, rework_before),
        ("after", after, ha, residual, running_period, rework_after),
    ):
        minutes, labour = costs.labour(log.events)
        manual = int(costs.labour_mask(log.events).sum())
        median_wait, median_cycle, mean_cycle = _case_stats(log.events)
        reentries, discrepancies, rework = rework_of
        handoff_cost = hand.cost  # coordination unless system to system, plus queue time
        labour_total = float(labour.sum()) + extra_labour
        total = labour_total + handoff_cost + rework + running
        n_cases = log.n_cases
        values[label] = {
            "events": float(log.n_events),
            "manual_events": float(manual),
            "labour_minutes": float(minutes.sum()),
            "department_handoffs": float(hand.count),
            "handoffs_per_order": hand.count / n_cases if n_cases else np.nan,
            "handoff_wait_s": hand.wait_s,
            "handoff_queue_s": hand.queue_s,
            "handoff_lead_time_s": hand.lead_s,
            "median_wait_between_events_s": median_wait,
            "median_cycle_time_s": median_cycle,
            "mean_cycle_time_s": mean_cycle,
            "reentries": reentries,
            "discrepancies": discrepancies,
            "labour_cost": labour_total,
            "handoff_cost": handoff_cost,
            "rework_cost": rework,
            "running_cost": running,
            "total_cost": total,
            "total_cost_annual": total * factor,
            "implementation_cost": 0.0 if label == "before" else implementation,
        }
    rows = [{"metric": m, "before": values["before"][m], "after": values["after"][m],
             "change": values["after"][m] - values["before"][m]} for m in METRICS]
    return pd.DataFrame(rows, columns=["metric", "before", "after", "change"])
