"""Projection: the to-be log after chosen moves, with handoffs, waits and costs recomputed."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from procmine.analysis.costs import CHANGE_KINDS, KIND_PARTY, CostModel
from procmine.analysis.handoffs import Handoffs, handoffs
from procmine.analysis.reentry import Reentry, _detect
from procmine.errors import UsageError
from procmine.log.eventlog import EventLog
from procmine.schema import (
    ACTIVITY,
    AUTOMATED,
    CASE_ID,
    DEPARTMENT,
    EVENT_ID,
    PARTY,
    RESOURCE,
    SOURCE,
    TIMESTAMP,
)

__all__ = ["Move", "Projection", "annual_factor", "project"]


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
        Events moved to an outside party or automated by shared data.
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


def annual_factor(log: EventLog, costs: CostModel) -> float:
    """Multiplier turning the log's figures into figures per year.

    ``costs.annual_orders / orders in the log`` when the cost model gives
    annual orders, else 365 divided by the log's span in days (at least one
    day).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"case_id": ["a", "b"], "activity": ["x", "x"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-11"], utc=True)})
    >>> annual_factor(EventLog.from_frame(f), CostModel())
    36.5
    >>> annual_factor(EventLog.from_frame(f), CostModel(annual_orders=1000))
    500.0
    """
    if log.n_events == 0:
        return 0.0
    if costs.annual_orders > 0:
        return float(costs.annual_orders) / log.n_cases
    ts = log.events[TIMESTAMP]
    days = (ts.max() - ts.min()) / pd.Timedelta(days=1)
    return 365.0 / max(float(days), 1.0)


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
      carrier, ``department`` and ``resource`` missing, ``automated`` true
      (the step leaves the department handoffs, since it has no department).

    **When the timeline shifts**: only for a step moved to the party whose
    event *triggered* it, i.e. the order's previous event is by that party
    (Sales keys the order the customer e-mailed; Shipping types the tracking
    number the carrier's scan created). The owner now enters it as part of
    its own event, so the step happens when that event happens, and every
    later event of the order moves earlier by the step's wait (the time from
    the triggering event to the step). A moved step that no owner's event
    triggered (a status enquiry the customer phoned in, a return request)
    keeps its place in time: the customer still asks when they ask, and only
    the labour and the handoffs change. Events before the step, and every
    event of an order without a shifted step, keep their times. The shift
    assumes the order waited on the internal step; for a step done in
    parallel it overstates the gain.

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

    Shared data automates the step where it stands:

    >>> p = project(EventLog.from_frame(f), [Move("Pick", "Warehouse", "shared_data")])
    >>> e = p.after.events
    >>> e["activity"].tolist(), e["automated"].fillna(False).tolist()
    (['Customer e-mails order', 'Enter order', 'Pick', 'Ship'], [False, False, True, False])
    >>> e["timestamp"].equals(p.before.events["timestamp"])
    True
    >>> p.handoffs_after.count
    2
    """
    costs = costs if costs is not None else CostModel.default()
    chosen = _moves(moves)
    events = log.events
    frame = _Frame.of(events)
    applied = frame.apply(chosen)

    after = log.with_events(_after_events(events, frame.case, applied))
    hand_before = handoffs(log, level="department", costs=costs)
    hand_after = handoffs(after, level="department", costs=costs)
    factor = annual_factor(log, costs)
    residual = _residual_labour_cost(events, applied.changed, applied.kind, costs)
    kinds = sorted({m.kind for m in chosen if _applied(m, applied.kind)})
    rework_before, rework_after = _rework_pair(log, after, applied, costs, reentry, frame.case)
    # handoff waits from the same arrays the candidates use (no per-handoff strings)
    wait_before = frame.department_handoffs(frame.micros)[1]
    wait_after = frame.department_handoffs(applied.micros, keep=~applied.moved)[1]
    difference = _difference(log, after, hand_before, hand_after, costs, factor, residual,
                             kinds, rework_before, rework_after, (wait_before, wait_after))
    return Projection(
        before=log, after=after, handoffs_before=hand_before, handoffs_after=hand_after,
        difference=difference, moves=tuple(chosen),
        events_changed=int(applied.changed.sum()),
    )


def _applied(move: Move, move_kind: np.ndarray) -> bool:
    return bool((move_kind == move.kind).any())


# -- applying moves (shared with candidates, so both measure a move the same way) --------
@dataclass(frozen=True, eq=False)
class _Applied:
    """What a set of moves does to each event of the log (positions in log order)."""

    moved_to: np.ndarray  # object: the outside party taking the step over, else None
    keyed: np.ndarray  # bool: automated by shared data, stays in place
    kind: np.ndarray  # object: the kind of change of each changed event, else None
    micros: np.ndarray  # int64: projected timestamps (µs since the epoch)

    @property
    def moved(self) -> np.ndarray:
        return ~pd.isna(self.moved_to)

    @property
    def changed(self) -> np.ndarray:
        return self.moved | self.keyed

    def rows(self, keep: np.ndarray) -> _Applied:
        """The same changes for a subset of the events (a boolean mask)."""
        return _Applied(moved_to=self.moved_to[keep], keyed=self.keyed[keep],
                        kind=self.kind[keep], micros=self.micros[keep])


@dataclass(frozen=True, eq=False)
class _Frame:
    """The arrays of a canonical log the projection needs, computed once."""

    events: pd.DataFrame
    case: np.ndarray  # int64 case codes, increasing in log order
    case_start: np.ndarray  # position of each event's case's first event
    same_case_prev: np.ndarray
    micros: np.ndarray
    party: np.ndarray
    activity: np.ndarray
    internal_manual: np.ndarray
    dept_codes: np.ndarray  # -1 where the department is missing

    @classmethod
    def of(cls, events: pd.DataFrame) -> _Frame:
        n = len(events)
        ids = events[CASE_ID].to_numpy()
        same = np.zeros(n, dtype=bool)
        same[1:] = ids[1:] == ids[:-1]
        case = np.cumsum(~same) - 1
        positions = np.arange(n)
        case_start = np.maximum.accumulate(np.where(~same, positions, 0)) if n else positions
        party = np.asarray(events[PARTY].to_numpy(dtype=object, na_value=None))
        manual = ~events[AUTOMATED].fillna(False).to_numpy(dtype=bool)
        return cls(
            events=events, case=case, case_start=case_start, same_case_prev=same,
            micros=events[TIMESTAMP].to_numpy(dtype="datetime64[us]").view("int64"),
            party=party, activity=events[ACTIVITY].to_numpy(),
            internal_manual=manual & (party == "internal"),
            dept_codes=pd.factorize(events[DEPARTMENT], use_na_sentinel=True)[0],
        )

    def step(self, move: Move) -> np.ndarray:
        """The events a move matches: manual internal events of its activity and department."""
        department = self.events[DEPARTMENT]
        if move.department is None:
            dept_match = department.isna().to_numpy()
        else:
            dept_match = (department == move.department).fillna(False).to_numpy(dtype=bool)
        return self.internal_manual & (self.activity == move.activity) & dept_match

    def apply(self, moves: Sequence[Move]) -> _Applied:
        n = len(self.events)
        moved_to = np.full(n, None, dtype=object)
        keyed = np.zeros(n, dtype=bool)
        kind = np.full(n, None, dtype=object)
        for move in moves:
            hit = self.step(move) & pd.isna(kind)
            if move.party is None:
                keyed |= hit
            else:
                moved_to[hit] = move.party
            kind[hit] = move.kind
        return _Applied(moved_to=moved_to, keyed=keyed, kind=kind,
                        micros=self._timeline(moved_to))

    def _timeline(self, moved_to: np.ndarray) -> np.ndarray:
        """Projected times: a step moved to the party that triggered it happens with the trigger.

        Every later event of the order moves earlier by that step's wait. A
        shifted step lands exactly on its (shifted) trigger: its cumulative
        shift includes its own wait.
        """
        moved = ~pd.isna(moved_to)
        if not moved.any():
            return self.micros
        micros = self.micros
        prev = np.maximum(np.arange(len(micros)) - 1, 0)
        triggered = moved & self.same_case_prev & (self.party[prev] == moved_to)
        wait_before = np.where(self.same_case_prev, micros - micros[prev], 0)
        delta = np.where(triggered, wait_before, 0)
        total = np.cumsum(delta)
        cum = total - (total[self.case_start] - delta[self.case_start])  # within the case
        return micros - cum

    def department_handoffs(self, micros: np.ndarray, keep: np.ndarray | None = None
                            ) -> tuple[int, float]:
        """Count and total wait (s) of department handoffs among the ``keep`` events.

        As :func:`procmine.analysis.handoffs.handoffs` at department level:
        consecutive events of a case with known, different departments.
        Valid for projected times too: a projection keeps the order of the
        events that keep their department (see :func:`project`).
        """
        known = self.dept_codes >= 0
        if keep is not None:
            known &= keep
        at = np.flatnonzero(known)
        c, a, t = self.case[at], self.dept_codes[at], micros[at]
        hand = (c[1:] == c[:-1]) & (a[1:] != a[:-1])
        return int(hand.sum()), float((t[1:] - t[:-1])[hand].sum()) / 1e6


def _after_events(events: pd.DataFrame, case: np.ndarray, applied: _Applied) -> pd.DataFrame:
    """The projected events, canonical: same dtypes, ordered by case, then time (stable).

    ``case`` holds the case codes of ``events`` (increasing in log order).
    """
    out = events.copy()
    changed = applied.changed
    if not changed.any():
        return out
    moved = applied.moved
    if moved.any():
        out[TIMESTAMP] = pd.to_datetime(applied.micros, unit="us", utc=True).astype(
            events[TIMESTAMP].dtype)
        out.loc[moved, PARTY] = applied.moved_to[moved]
        out.loc[moved, DEPARTMENT] = np.nan
        out.loc[moved, RESOURCE] = np.nan
    out[AUTOMATED] = out[AUTOMATED].astype("boolean")
    out.loc[changed, AUTOMATED] = True
    if moved.any():
        # cases stay where they are; within a case, by projected time, ties in log order
        order = np.lexsort((applied.micros, case))
        out = out.take(order)
    return out.reset_index(drop=True)


# -- one move at a time (the candidates' evidence and costs) -----------------------------
#: Columns of :func:`_single_moves`.
EFFECT_COLUMNS = (
    "step_events", "labour_minutes", "labour_cost", "residual_cost", "handoffs_removed",
    "handoff_wait_s_removed", "reentries_removed", "discrepancies_removed", "rework_cost",
)


def _single_moves(log: EventLog, moves: Sequence[Move], costs: CostModel,
                  found: pd.DataFrame | None) -> pd.DataFrame:
    """What ``project(log, [move])`` changes, for each move on its own (one row per move).

    Labour, residual labour, department handoffs (count and total wait) and
    re-entry (re-entries, discrepancies and rework removed; ``found`` is the
    log's re-entry events by department, ``None`` without item values) are
    computed by the same functions as the projection's, so they are exactly
    its changes.
    """
    events = log.events
    frame = _Frame.of(events)
    base_count, base_wait = frame.department_handoffs(frame.micros)
    if found is not None:
        before = _rework_rows(found, costs)
        found_at = _positions(log, found)
    rows = []
    for move in moves:
        applied = frame.apply([move])
        step = applied.changed
        minutes, labour_cost, n_step = _labour(events.loc[step, [ACTIVITY, DEPARTMENT,
                                                                 AUTOMATED, PARTY]], costs)
        residual = _residual_labour_cost(events, step, applied.kind, costs)
        if applied.moved.any():
            count, wait = frame.department_handoffs(applied.micros, keep=~applied.moved)
        else:
            count, wait = base_count, base_wait
        if found is None:
            reentries, discrepancies, rework = 0.0, 0.0, 0.0
        else:
            after = _rework_rows(
                _found_after(log, frame.case, applied, found, found_at, costs), costs)
            reentries, discrepancies, rework = (b - a for b, a in zip(before, after,
                                                                      strict=True))
        rows.append({
            "step_events": n_step, "labour_minutes": minutes, "labour_cost": labour_cost,
            "residual_cost": residual, "handoffs_removed": base_count - count,
            "handoff_wait_s_removed": base_wait - wait, "reentries_removed": reentries,
            "discrepancies_removed": discrepancies, "rework_cost": rework,
        })
    return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))


def _running_annual(kinds: Iterable[str], costs: CostModel) -> float:
    """Running cost per year of the changes of ``kinds`` (each kind once)."""
    return float(sum(costs.running.get(k, 0.0) * 12.0 for k in sorted(set(kinds))))


def _implementation(kinds: Iterable[str], costs: CostModel) -> float:
    """One-off cost to implement the changes of ``kinds`` (each kind once)."""
    return float(sum(costs.implementation.get(k, 0.0) for k in sorted(set(kinds))))


# -- measuring a log ---------------------------------------------------------------------
def _moves(moves) -> list[Move]:
    from procmine.analysis.candidates import Candidates  # candidates builds on this module

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
        events[PARTY] == "internal").to_numpy(dtype=bool)
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


def _residual_labour_cost(events: pd.DataFrame, changed: np.ndarray, move_kind: np.ndarray,
                          costs: CostModel) -> float:
    """Labour of the changed steps that stays with staff (the kind's residual share)."""
    if not changed.any():
        return 0.0
    total = 0.0
    for kind in sorted(set(move_kind[changed])):
        pick = changed & (move_kind == kind)
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


def _rework_rows(found: pd.DataFrame, costs: CostModel) -> tuple[float, float, float]:
    """Re-entries, discrepancies and their rework cost, from re-entry events by department."""
    bad = found[~found["same_value"].fillna(True).to_numpy(dtype=bool)]
    depts = bad["department"].dropna().unique()
    rate = bad["department"].map(dict(zip(depts, (costs.rate(d) for d in depts), strict=True)))
    rate = rate.astype("float64").fillna(costs.default_rate)
    cost = float((costs.discrepancy_minutes / 60.0 * rate).sum())
    return float(len(found)), float(len(bad)), cost


def _found_before(log: EventLog, costs: CostModel, given: Reentry | None) -> pd.DataFrame:
    """The log's re-entry events by department: ``given`` when usable, else detected."""
    if given is not None and given.by == "department" and given.signal == "values":
        return given.events
    return _detect(log, "department", costs)[0]


_NO_REWORK = (np.nan, np.nan, 0.0)


def _positions(log: EventLog, found: pd.DataFrame) -> np.ndarray:
    """Positions in the log of the re-entry events ``found``."""
    return pd.Index(log.events[EVENT_ID]).get_indexer(found["event_id"])


_DETECT_COLUMNS = (CASE_ID, ACTIVITY, TIMESTAMP, RESOURCE, DEPARTMENT, PARTY, AUTOMATED,
                   SOURCE, EVENT_ID)


def _found_after(log: EventLog, case: np.ndarray, applied: _Applied, found: pd.DataFrame,
                 found_at: np.ndarray, costs: CostModel) -> pd.DataFrame:
    """The re-entry events by department of the projected log, from the log's ``found``.

    ``found_at`` holds the positions of ``found``'s events in the log and
    ``case`` the log's case codes. Exact, without detecting everything again:
    re-entry is found within one order and one item, and a projection changes
    an (order, item) only through its changed events. Events automated by
    shared data keep their place and actor, so they simply stop re-entering. A
    step moved to an outside party changes its actor and its time, so the
    orders and items it carries a value for are detected again on the
    projected events.
    """
    events = log.events
    drop = applied.keyed[found_at].copy()
    moved = applied.moved
    if not moved.any():
        return found[~drop]
    found_case = case[found_at]
    found_item = found["item"].to_numpy()
    fresh = []
    base = [c for c in _DETECT_COLUMNS if c in events.columns]
    for item in sorted(log.items, key=lambda i: i.name):
        if item.name not in events.columns:
            continue
        carries = moved & events[item.name].notna().to_numpy()
        if not carries.any():
            continue
        cases = np.unique(case[carries])
        drop |= (found_item == item.name) & np.isin(found_case, cases)
        rows = np.isin(case, cases)
        sub = events.loc[rows, [*base, item.name]]
        sub = _after_events(sub, case[rows], applied.rows(rows))
        sub_log = replace(log.with_events(sub), items=(item,))
        fresh.append(_detect(sub_log, "department", costs)[0])
    return pd.concat([found[~drop], *fresh], ignore_index=True)


def _rework_pair(before: EventLog, after: EventLog, applied: _Applied, costs: CostModel,
                 given: Reentry | None, case: np.ndarray
                 ) -> tuple[tuple[float, float, float], ...]:
    """Re-entries, discrepancies and rework cost before and after (only with item values)."""
    if not before.has_item_values:
        return _NO_REWORK, _NO_REWORK
    found = _found_before(before, costs, given)
    found_after = _found_after(before, case, applied, found, _positions(before, found), costs)
    return _rework_rows(found, costs), _rework_rows(found_after, costs)


def _difference(before: EventLog, after: EventLog, hb: Handoffs, ha: Handoffs,
                costs: CostModel, factor: float, residual: float, kinds: list[str],
                rework_before: tuple[float, float, float],
                rework_after: tuple[float, float, float],
                waits: tuple[float, float]) -> pd.DataFrame:
    rows = []
    running_period = _running_annual(kinds, costs) / factor if factor > 0 else 0.0
    implementation = _implementation(kinds, costs)
    values = {}
    for label, log, hand, extra_labour, running, rework_figures, wait_s in (
        ("before", before, hb, 0.0, 0.0, rework_before, waits[0]),
        ("after", after, ha, residual, running_period, rework_after, waits[1]),
    ):
        minutes, labour_cost, manual = _labour(log.events, costs)
        median_wait, median_cycle, mean_cycle = _case_stats(log.events)
        reentries, discrepancies, rework = rework_figures
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
