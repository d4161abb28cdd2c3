"""Projection: the to-be log after chosen moves, with handoffs, waits and costs recomputed."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from procmine.analysis.candidates import Candidates, annual_factor
from procmine.analysis.costs import CHANGE_KINDS, KIND_PARTY, CostModel
from procmine.analysis.handoffs import Handoffs, handoffs
from procmine.analysis.reentry import _detect
from procmine.errors import UsageError
from procmine.log.eventlog import EventLog
from procmine.schema import (
    ACTIVITY,
    AUTOMATED,
    CASE_ID,
    DEPARTMENT,
    PARTY,
    RESOURCE,
    TIMESTAMP,
    validate_events,
)

__all__ = ["Move", "Projection", "project"]


@dataclass(frozen=True)
class Move:
    """One change to apply: a step (activity by department) and the kind of change.

    ``department=None`` matches events without a department.

    Examples
    --------
    >>> Move("Enter order", "Sales", "customer_self_service")
    Move(activity='Enter order', department='Sales', kind='customer_self_service')
    >>> Move("Enter order", "Sales", "teleport")
    Traceback (most recent call last):
    ...
    procmine.errors.UsageError: Move: kind must be one of customer_self_service, \
supplier_portal_edi, carrier_api, shared_data; got 'teleport'
    """

    activity: str
    department: str | None
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in CHANGE_KINDS:
            raise UsageError(
                f"Move: kind must be one of {', '.join(CHANGE_KINDS)}; got {self.kind!r}"
            )

    @property
    def party(self) -> str | None:
        """The outside party that takes the step over (``None`` for shared data)."""
        return KIND_PARTY[self.kind]


@dataclass(frozen=True, eq=False)
class Projection:
    """As-is and to-be logs after applying moves, and what changes.

    Attributes
    ----------
    before, after : EventLog
        The log as it is and the projected log.
    handoffs_before, handoffs_after : Handoffs
        Department-level handoffs of each.
    difference : pandas.DataFrame
        ``metric, before, after, change`` (``change = after - before``); money
        over the log's period unless the metric says per year.
    moves : tuple of Move
    events_changed : int
        Events moved to an outside party or removed.
    """

    before: EventLog
    after: EventLog
    handoffs_before: Handoffs
    handoffs_after: Handoffs
    difference: pd.DataFrame
    moves: tuple[Move, ...]
    events_changed: int

    def __repr__(self) -> str:
        return (f"Projection({len(self.moves)} move(s), {self.events_changed} events changed; "
                f"department handoffs {self.handoffs_before.count} -> "
                f"{self.handoffs_after.count})")

    def _repr_html_(self) -> str:
        moves = "".join(
            f"<li>{html.escape(m.activity)} ({html.escape(str(m.department))}): "
            f"{html.escape(m.kind)}</li>" for m in self.moves
        )
        table = self.difference.to_html(index=False, escape=True,
                                        float_format="{:,.2f}".format)
        return (f"<div class='procmine-projection'><strong>{html.escape(repr(self))}</strong>"
                f"<ul>{moves}</ul>{table}</div>")


def project(
    log: EventLog,
    moves: Move | Candidates | pd.DataFrame | Iterable[Move | Mapping | pd.Series],
    *,
    costs: CostModel | None = None,
) -> Projection:
    """Apply moves to a log and recompute handoffs, waits, cycle time and costs.

    Each move matches the manual, internal events of its activity and
    department (``automated`` not true, ``party`` internal):

    - ``shared_data``: the events are removed; the information reaches the
      step's system by data.
    - ``customer_self_service``, ``supplier_portal_edi``, ``carrier_api``: the
      events are done by the owner: ``party`` becomes the customer, supplier
      or carrier, ``department`` and ``resource`` missing, ``automated``
      true. Wait rule: the step happens when the owner's latest earlier event
      in the order happens (the customer fills in the form while ordering);
      without one, straight after the previous event.

    In both cases the order no longer waits for the step: every later event
    of the order moves earlier by the wait before the step (the time since
    the previous event). This assumes the order waited on the step; for a
    step done in parallel it overstates the gain.

    To test one change at a time, pass one move: ``project(log, [move])``.

    Parameters
    ----------
    log : EventLog
    moves : Move, Candidates, DataFrame, or iterable of Move / mappings / rows
        Rows and mappings need ``activity``, ``department`` and ``kind``.
        A :class:`~procmine.analysis.candidates.Candidates` applies all of them.
    costs : CostModel, optional, keyword-only
        Default :meth:`CostModel.default`.

    Returns
    -------
    Projection
        Metrics in ``difference``: events, manual events, labour minutes,
        department handoffs (total, per order, waiting hours), median wait
        between events, median and mean cycle time, re-entries and
        discrepancies (when the log has item values), and costs: labour
        (with the residual labour of moved steps), handoffs, rework, the
        changes' running cost, total, total per year, and the one-off
        implementation cost (once per kind of change).

    Raises
    ------
    UsageError
        A move is malformed (unknown kind, missing field).

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
    >>> p.handoffs_before.count, p.handoffs_after.count
    (2, 1)
    """
    costs = costs if costs is not None else CostModel.default()
    chosen = _moves(moves)
    events = log.events
    n = len(events)
    case = events[CASE_ID].to_numpy()
    micros = events[TIMESTAMP].to_numpy(dtype="datetime64[us]").view("int64")
    party = events[PARTY].astype("str").to_numpy()
    internal_manual = (~events[AUTOMATED].fillna(False).to_numpy(dtype=bool)) & (
        party == "internal")
    activity = events[ACTIVITY].to_numpy()
    department = events[DEPARTMENT]
    same_case_prev = np.zeros(n, dtype=bool)
    same_case_prev[1:] = case[1:] == case[:-1]

    removed = np.zeros(n, dtype=bool)
    moved_to = np.full(n, None, dtype=object)
    move_kind = np.full(n, None, dtype=object)
    for move in chosen:
        if move.department is None:
            dept_match = department.isna().to_numpy()
        else:
            dept_match = (department == move.department).fillna(False).to_numpy(dtype=bool)
        hit = internal_manual & (activity == move.activity) & dept_match & ~removed
        hit &= pd.isna(moved_to)
        if move.party is None:
            removed |= hit
        else:
            moved_to[hit] = move.party
        move_kind[hit] = move.kind
    moved = ~pd.isna(moved_to)

    # the wait before each changed step is saved for the rest of the order
    wait_before = np.zeros(n, dtype=np.int64)
    wait_before[1:] = np.where(same_case_prev[1:], micros[1:] - micros[:-1], 0)
    delta = np.where(removed | moved, wait_before, 0)
    cum = pd.Series(delta).groupby(case, sort=False).cumsum().to_numpy()
    new_micros = micros - cum  # for unchanged events; changed ones are set below
    if moved.any():
        new_micros = _place_moved(events, micros, new_micros, cum, delta, moved, moved_to,
                                  same_case_prev)

    frame = events.copy()
    frame[TIMESTAMP] = pd.to_datetime(new_micros, unit="us", utc=True)
    if moved.any():
        frame[PARTY] = frame[PARTY].astype("str")
        frame.loc[moved, PARTY] = moved_to[moved]
        frame.loc[moved, DEPARTMENT] = np.nan
        frame.loc[moved, RESOURCE] = np.nan
        frame[AUTOMATED] = frame[AUTOMATED].astype("boolean")
        frame.loc[moved, AUTOMATED] = True
    frame = frame[~removed]
    after = log.with_events(validate_events(frame, source=log.name))

    hand_before = handoffs(log, level="department", costs=costs)
    hand_after = handoffs(after, level="department", costs=costs)
    factor = annual_factor(log, costs)
    residual = _residual_labour_cost(events, moved, move_kind, costs)
    kinds = sorted({m.kind for m in chosen if _applied(m, move_kind)})
    difference = _difference(log, after, hand_before, hand_after, costs, factor, residual, kinds)
    return Projection(
        before=log, after=after, handoffs_before=hand_before, handoffs_after=hand_after,
        difference=difference, moves=tuple(chosen),
        events_changed=int(removed.sum() + moved.sum()),
    )


def _applied(move: Move, move_kind: np.ndarray) -> bool:
    return bool((move_kind == move.kind).any())


def _place_moved(events: pd.DataFrame, micros: np.ndarray, new_micros: np.ndarray,
                 cum: np.ndarray, delta: np.ndarray, moved: np.ndarray,
                 moved_to: np.ndarray, same_case_prev: np.ndarray) -> np.ndarray:
    """Put each moved step at its owner's latest earlier event (else the previous event)."""
    n = len(events)
    out = new_micros.copy()
    positions = np.arange(n)
    case_start = np.maximum.accumulate(np.where(~same_case_prev, positions, 0))
    party = events[PARTY].astype("str").to_numpy()
    prev = positions - 1
    shifted_prev = np.where(same_case_prev, new_micros[np.maximum(prev, 0)], micros)
    # a moved step with no earlier event keeps its time (delta is 0 there)
    target = np.where(same_case_prev, shifted_prev, micros - (cum - delta))
    for owner in sorted({p for p in moved_to[moved]}):
        last_owner = np.maximum.accumulate(np.where(party == owner, positions, -1))
        has_anchor = (last_owner >= case_start) & (last_owner < positions)
        anchor_time = new_micros[np.maximum(last_owner, 0)]
        pick = moved & (moved_to == owner)
        target = np.where(pick & has_anchor, anchor_time, target)
    out[moved] = target[moved]
    return out


def _moves(moves) -> list[Move]:
    if isinstance(moves, Move):
        return [moves]
    if isinstance(moves, Candidates):
        moves = moves.table
    if isinstance(moves, pd.DataFrame):
        moves = [row for _, row in moves.iterrows()]
    out = []
    for move in moves:
        if isinstance(move, Move):
            out.append(move)
            continue
        if isinstance(move, pd.Series):
            move = move.to_dict()
        if not isinstance(move, Mapping):
            raise UsageError(
                f"project: a move must be a Move, a candidate row or a mapping with activity, "
                f"department and kind; got {type(move).__name__}"
            )
        missing = [k for k in ("activity", "department", "kind") if k not in move]
        if missing:
            raise UsageError(f"project: move {dict(move)!r} lacks {', '.join(missing)}")
        dept = move["department"]
        dept = None if dept is None or (isinstance(dept, float) and np.isnan(dept)) else dept
        out.append(Move(str(move["activity"]), dept, str(move["kind"])))
    return out


def _labour(events: pd.DataFrame, costs: CostModel) -> tuple[float, float, int]:
    """Manual internal labour: minutes, cost, number of events."""
    manual = (~events[AUTOMATED].fillna(False).to_numpy(dtype=bool)) & (
        events[PARTY].astype("str").to_numpy() == "internal")
    sub = events.loc[manual, [ACTIVITY, DEPARTMENT]]
    if sub.empty:
        return 0.0, 0.0, 0
    acts = sub[ACTIVITY].unique()
    minutes = sub[ACTIVITY].map(dict(zip(acts, (costs.minutes(a) for a in acts), strict=True)))
    depts = sub[DEPARTMENT].dropna().unique()
    rate = sub[DEPARTMENT].map(dict(zip(depts, (costs.rate(d) for d in depts), strict=True)))
    rate = rate.astype("float64").fillna(costs.default_rate)
    minutes = minutes.astype("float64")
    return float(minutes.sum()), float((minutes / 60.0 * rate).sum()), int(manual.sum())


def _residual_labour_cost(events: pd.DataFrame, moved: np.ndarray, move_kind: np.ndarray,
                          costs: CostModel) -> float:
    if not moved.any():
        return 0.0
    total = 0.0
    for kind in sorted({k for k in move_kind[moved]}):
        pick = moved & (move_kind == kind)
        share = costs.residual_share.get(kind, 0.0)
        total += share * _labour(events.loc[pick, [ACTIVITY, DEPARTMENT, AUTOMATED, PARTY]],
                                 costs)[1]
    return total


def _case_stats(events: pd.DataFrame) -> tuple[float, float, float]:
    """Median wait between consecutive events (h), median and mean cycle time (h)."""
    if events.empty:
        return np.nan, np.nan, np.nan
    case = events[CASE_ID].to_numpy()
    micros = events[TIMESTAMP].to_numpy(dtype="datetime64[us]").view("int64")
    same = case[1:] == case[:-1]
    waits = (micros[1:] - micros[:-1])[same] / 3.6e9
    span = pd.Series(micros).groupby(case, sort=False).agg(["min", "max"])
    cycle = (span["max"] - span["min"]) / 3.6e9
    median_wait = float(np.median(waits)) if len(waits) else np.nan
    return median_wait, float(cycle.median()), float(cycle.mean())


def _rework(log: EventLog, costs: CostModel) -> tuple[float, float, float]:
    """Re-entries, discrepancies and their rework cost (only with item values)."""
    if not log.has_item_values:
        return np.nan, np.nan, 0.0
    found = _detect(log, "department", costs)[0]
    bad = found[~found["same_value"].fillna(True)]
    depts = bad["department"].dropna().unique()
    rate = bad["department"].map(dict(zip(depts, (costs.rate(d) for d in depts), strict=True)))
    rate = rate.astype("float64").fillna(costs.default_rate)
    cost = float((costs.discrepancy_minutes / 60.0 * rate).sum())
    return float(len(found)), float(len(bad)), cost


def _difference(before: EventLog, after: EventLog, hb: Handoffs, ha: Handoffs,
                costs: CostModel, factor: float, residual: float,
                kinds: list[str]) -> pd.DataFrame:
    rows = []
    running_period = sum(costs.running.get(k, 0.0) * 12.0 for k in kinds) / factor if (
        factor > 0) else 0.0
    implementation = float(sum(costs.implementation.get(k, 0.0) for k in kinds))
    values = {}
    for label, log, hand, extra_labour, running in (
        ("before", before, hb, 0.0, 0.0), ("after", after, ha, residual, running_period),
    ):
        minutes, labour_cost, manual = _labour(log.events, costs)
        median_wait, median_cycle, mean_cycle = _case_stats(log.events)
        reentries, discrepancies, rework = _rework(log, costs)
        wait_s = float(hand.events["wait_s"].sum()) if hand.count else 0.0
        handoff_cost = costs.handoff_cost_of(count=hand.count, wait_seconds=wait_s)
        labour_total = labour_cost + extra_labour
        total = labour_total + handoff_cost + rework + running
        n_cases = log.n_cases
        values[label] = {
            "events": float(log.n_events),
            "manual events": float(manual),
            "labour minutes": minutes,
            "department handoffs": float(hand.count),
            "handoffs per order": hand.count / n_cases if n_cases else np.nan,
            "handoff waiting hours": wait_s / 3600.0,
            "median wait between events (h)": median_wait,
            "median cycle time (h)": median_cycle,
            "mean cycle time (h)": mean_cycle,
            "re-entries": reentries,
            "discrepancies": discrepancies,
            "labour cost": labour_total,
            "handoff cost": handoff_cost,
            "rework cost": rework,
            "running cost of changes": running,
            "total cost": total,
            "total cost per year": total * factor,
            "implementation cost (one-off)": 0.0 if label == "before" else implementation,
        }
    for metric in values["before"]:
        b, a = values["before"][metric], values["after"][metric]
        rows.append({"metric": metric, "before": b, "after": a, "change": a - b})
    return pd.DataFrame(rows, columns=["metric", "before", "after", "change"])
