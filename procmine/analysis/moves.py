"""The move engine: what applying a :class:`Move` does to each event of a log.

One engine for :func:`procmine.analysis.projection.project` (the to-be log of chosen
moves) and :func:`procmine.analysis.candidates.candidates` (each candidate measured
by its own projection), so a candidate's figures are exactly the projection's.

- ``shared_data`` removes the *keying*, not the step: the event stays where it is,
  with its department and resource, and becomes automated.
- ``customer_self_service``, ``supplier_portal_edi``, ``carrier_api``: the owner
  does the step: ``party`` becomes the customer, supplier or carrier,
  ``department`` and ``resource`` missing, ``automated`` true; at department level
  its actor is then that party (:func:`procmine.log.actors.actor`).
- Only a step moved to a party whose event *triggered* it moves in time. Its
  trigger is the most recent earlier event of that party in the same order (about
  the same sub-object, ``object_id``, when both carry one: the same package), with
  no manual internal step on the order in between (:meth:`MoveFrame.triggers`); the
  step happens right after it, at its time, and every later event of the order
  moves earlier by the step's own wait (the gap from the event before it). The
  projected log is in canonical order again (case, timestamp, seq): a moved step
  may now come before events it used to follow, and every figure of the engine
  (handoffs, their prices and waits, re-entry, the projected events) is taken in
  that order (:attr:`AppliedMoves.order`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from procmine._check import check_names
from procmine.analysis.costs import CHANGE_KINDS, KIND_PARTY, CostModel
from procmine.analysis.handoffs import (
    _NO_DATE,
    automated_flags,
    handoff_prices,
    own_planned_times,
    planned_times,
    working_seconds,
)
from procmine.analysis.reentry import (
    Reentry,
    detect_reentry,
    group_reentries,
    item_keys,
    reentry_groups,
)
from procmine.errors import UsageError
from procmine.log.actors import handoff_positions, log_arrays
from procmine.log.eventlog import EventLog
from procmine.schema import (
    ACTIVITY,
    AUTOMATED,
    DEPARTMENT,
    EVENT_ID,
    OBJECT_ID,
    PARTY,
    RESOURCE,
    SEQ,
    TIMESTAMP,
)

__all__ = [
    "EFFECT_COLUMNS",
    "AppliedMoves",
    "HandoffFigures",
    "Move",
    "MoveFrame",
    "PricedHandoffs",
    "ReentryBase",
    "as_moves",
    "move_effects",
    "projected_events",
    "reentry_before",
    "residual_labour_cost",
    "rework_after",
    "rework_figures",
]


@dataclass(frozen=True)
class Move:
    """One change to apply: a step (activity by department) and the kind of change.

    ``department=None`` matches events without a department. ``events`` (event
    ids), when given, limits the change to those executions of the step: a
    candidate moves only the executions that carry its evidence.

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
    events: frozenset[str] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in CHANGE_KINDS:
            raise UsageError(
                f"Move: kind must be one of {', '.join(CHANGE_KINDS)}; got {self.kind!r}"
            )

    @property
    def party(self) -> str | None:
        """The outside party that takes the step over (``None`` for shared data)."""
        return KIND_PARTY[self.kind]


def as_moves(moves: object) -> list[Move]:
    """Moves from a Move, a result with a ``.table`` of moves (Candidates), a DataFrame,
    or an iterable of Moves, mappings or rows with ``activity``, ``department``, ``kind``.

    Examples
    --------
    >>> as_moves([{"activity": "Pick", "department": None, "kind": "shared_data"}])
    [Move(activity='Pick', department=None, kind='shared_data')]
    """
    if isinstance(moves, Move):
        return [moves]
    own = getattr(moves, "moves", None)  # Candidates: the moves with their evidence
    if isinstance(own, tuple) and all(isinstance(m, Move) for m in own):
        return list(own)
    table = getattr(moves, "table", None)
    if isinstance(table, pd.DataFrame):
        moves = table
    if isinstance(moves, pd.DataFrame):
        moves = [row for _, row in moves.iterrows()]
    if isinstance(moves, str | bytes) or not isinstance(moves, Iterable):
        raise UsageError(
            f"project: moves must be a Move, candidates, a DataFrame or a list of moves; "
            f"got {type(moves).__name__}"
        )
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


@dataclass(frozen=True, eq=False)
class AppliedMoves:
    """What a set of moves does to each event of the log (arrays in log order).

    Attributes
    ----------
    moved_to : numpy.ndarray of object
        The outside party taking the step over, else ``None``.
    keyed : numpy.ndarray of bool
        Automated by shared data (stays in place).
    kind : numpy.ndarray of object
        The kind of change of each changed event, else ``None``.
    micros : numpy.ndarray of int64
        Projected timestamps (microseconds since the epoch).
    order : numpy.ndarray of int64, optional
        The projected log's canonical order (case, projected time, seq): the log
        position of each projected event, ``None`` when it is the log's own order.
    resorted : numpy.ndarray of int64, optional
        The positions (ascending, whole orders) where ``order`` may differ from the
        log's own order: elsewhere ``order[i] == i``. ``None``: not known (every
        position may differ) or ``order`` is ``None``.
    """

    moved_to: np.ndarray
    keyed: np.ndarray
    kind: np.ndarray
    micros: np.ndarray
    order: np.ndarray | None = None
    resorted: np.ndarray | None = field(default=None, repr=False)

    @functools.cached_property
    def moved(self) -> np.ndarray:
        """Events moved to an outside party."""
        return ~pd.isna(self.moved_to)

    @functools.cached_property
    def changed(self) -> np.ndarray:
        """Events moved or automated."""
        return self.moved | self.keyed

    def in_order(self, values: np.ndarray) -> np.ndarray:
        """``values`` (one per event, in log order) in the projected log's order.

        Only the :attr:`resorted` positions are gathered; the others keep their
        place, so this is a copy and a small gather rather than a gather of every
        value.
        """
        order = self.order
        if order is None:
            return values
        rows = self.resorted
        if rows is None or 4 * len(rows) > len(order):  # most of them: one gather
            return values[order]
        out = values.copy()
        out[rows] = values[order[rows]]
        return out

    def ranks(self, positions: np.ndarray) -> np.ndarray:
        """The place in the projected log's order of the events at ``positions``."""
        if self.order is None:
            return positions
        return self._rank[positions]

    @functools.cached_property
    def _rank(self) -> np.ndarray:
        """The place of every event in the projected log's order (computed once)."""
        order, rows = self.order, self.resorted
        assert order is not None
        if rows is None:
            rows = np.arange(len(order))
        rank = np.arange(len(order))  # outside the re-sorted orders: their own place
        rank[order[rows]] = rows
        return rank

    def rows(self, keep: np.ndarray) -> AppliedMoves:
        """The same changes for a subset of the events (a boolean mask).

        The subset's projected order is the projected order restricted to it.
        """
        order = None
        if self.order is not None:
            rank = np.cumsum(keep) - 1
            order = rank[self.order[keep[self.order]]]
        return AppliedMoves(moved_to=self.moved_to[keep], keyed=self.keyed[keep],
                            kind=self.kind[keep], micros=self.micros[keep], order=order)


@dataclass(frozen=True, eq=False)
class MoveFrame:
    """The arrays of a canonical log the move engine needs, computed once per log."""

    events: pd.DataFrame
    case: np.ndarray  # int64 case codes, increasing in log order
    case_start: np.ndarray  # position of each event's case's first event
    same_case_prev: np.ndarray
    micros: np.ndarray
    party: np.ndarray  # party codes (-1 where none) of party_names
    party_names: np.ndarray
    internal_manual: np.ndarray
    actors: np.ndarray  # department-level actor codes, -1 where none
    actor_names: np.ndarray
    automated: np.ndarray
    planned: np.ndarray | None  # the order's planned date in force, µs (see planned_times)
    costs: CostModel
    seq: np.ndarray  # the last key of the canonical order
    group: np.ndarray  # (order, sub-object) codes; events without a sub-object: their own
    has_object: np.ndarray
    group_order: np.ndarray  # positions sorted by group, then log order
    parent: MoveFrame | None = None  # the whole log's frame, for a frame of some orders
    at: np.ndarray | None = None  # positions of these events in the parent

    @classmethod
    def of(cls, events: pd.DataFrame, costs: CostModel) -> MoveFrame:
        """The arrays of ``events`` (canonical, in log order)."""
        n = len(events)
        arrays = log_arrays(events)
        case = arrays.case
        same = np.zeros(n, dtype=bool)
        same[1:] = arrays.same_case
        positions = np.arange(n)
        case_start = np.maximum.accumulate(np.where(~same, positions, 0)) if n else positions
        party, party_names = arrays.codes(PARTY)
        party_names = np.asarray(party_names, dtype=object)
        manual = ~automated_flags(events)
        actors, names = arrays.actors("department")
        seq = (events[SEQ].to_numpy(dtype=np.int64) if SEQ in events.columns
               else positions.astype(np.int64))
        group, has_object, group_order = arrays.memo(("move groups",), _groups_of)
        internal = np.r_[party_names.astype(str) == "internal", False][party]
        return cls(
            events=events, case=case, case_start=case_start, same_case_prev=same,
            micros=arrays.micros, party=party, party_names=party_names,
            internal_manual=manual & internal,
            actors=actors, actor_names=names, automated=automated_flags(events),
            planned=planned_times(events, costs), costs=costs, seq=seq, group=group,
            has_object=has_object, group_order=group_order,
        )

    def step(self, move: Move) -> np.ndarray:
        """The events a move matches: manual internal events of its activity and department."""
        hit = np.zeros(len(self.case), dtype=bool)
        hit[self.step_positions(move)] = True
        return hit

    def step_positions(self, move: Move, *, among: np.ndarray | None = None) -> np.ndarray:
        """Positions (ascending) of the events :meth:`step` matches.

        Compared on the activity and department codes of the log; a move limited to
        some executions (``events``) looks only those up. ``among``: the positions of
        the move's ``events`` when the caller has them (each is still checked).
        """
        if self.parent is not None:
            raise TypeError("step_positions: a frame of some orders has no moves of its own")
        arrays = log_arrays(self.events)
        act_codes, act_names = arrays.codes(ACTIVITY)
        dept_codes, dept_names = arrays.codes(DEPARTMENT)
        act = np.flatnonzero(np.asarray(act_names, dtype=object) == move.activity)
        if move.department is None:
            dept = np.array([-1])
        else:
            dept = np.flatnonzero(np.asarray(dept_names, dtype=object) == move.department)
        if not len(act) or not len(dept):
            return np.zeros(0, dtype=np.int64)
        if move.events is None:
            if len(act) == 1 and len(dept) == 1:
                hit = self.internal_manual & (act_codes == act[0]) & (dept_codes == dept[0])
            else:
                hit = self.internal_manual & np.isin(act_codes, act) & np.isin(dept_codes, dept)
            return np.flatnonzero(hit)
        index = arrays.event_index
        if among is not None:
            pos = np.unique(np.asarray(among, dtype=np.int64))
        elif index.is_unique:
            pos = index.get_indexer(list(move.events))
            pos = np.unique(pos[pos >= 0])
        else:  # pragma: no cover - event ids are unique in a canonical log
            pos = np.flatnonzero(self.events[EVENT_ID].isin(move.events).to_numpy(dtype=bool))
        keep = (self.internal_manual[pos] & np.isin(act_codes[pos], act)
                & np.isin(dept_codes[pos], dept))
        return pos[keep].astype(np.int64)

    def orders(self, positions: np.ndarray) -> MoveFrame:
        """The frame of the whole orders of the events at ``positions``, in log order.

        A move changes nothing outside the orders it touches (its trigger, the
        shifted timeline, the handoffs and re-entry are all within an order), so
        measuring it on these orders gives each of their figures exactly. When they
        hold most of the events, the frame itself (the others measure as they are).
        """
        if self.parent is not None:
            raise TypeError("orders: take the orders from the whole log's frame")
        cases = _sorted_unique(self.case[np.sort(positions)])
        bounds = self._case_bounds
        total = int((bounds[cases + 1] - bounds[cases]).sum())
        if 2 * total > len(self.case):  # most of the log: the frame itself (measuring the
            return self  # few other orders again costs less than copying these)
        at, offsets, _ = self._case_rows(cases)
        return self._rows(at, cases, offsets)

    @functools.cached_property
    def _case_bounds(self) -> np.ndarray:
        """Position of the first event of case code ``c`` at ``[c]``, then the log's length
        (in a frame of some orders: of its ``c``-th order)."""
        return np.r_[np.flatnonzero(~self.same_case_prev), len(self.case)].astype(np.int64)

    @functools.cached_property
    def _any_object(self) -> bool:
        return bool(self.has_object.any())

    @functools.cached_property
    def _object_blocks(self) -> tuple[np.ndarray, np.ndarray]:
        """Where each order's events with a sub-object start in :attr:`group_order` (which
        lists them first, by order, sub-object, then log order), and how many it has."""
        n_cases = len(self._case_bounds) - 1
        counts = np.bincount(self.case[self.has_object], minlength=n_cases)
        return np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64), counts.astype(np.int64)

    def _rows(self, at: np.ndarray, cases: np.ndarray, offsets: np.ndarray) -> MoveFrame:
        """The frame of the events at ``at``: the whole orders ``cases`` (ascending), each
        starting at ``offsets`` in ``at``."""
        m = len(at)
        case = self.case[at]
        same = np.zeros(m, dtype=bool)
        same[1:] = case[1:] == case[:-1]
        positions = np.arange(m)
        case_start = np.maximum.accumulate(np.where(~same, positions, 0)) if m else positions
        if self._any_object:
            # group_order restricted to these orders, renumbered: each order's block of
            # events with a sub-object (whole orders, so the blocks keep their order),
            # then the events without one in log order (each a group of its own)
            first, counts = self._object_blocks
            block_first, block_len = first[cases], counts[cases]
            block_offsets = np.r_[0, np.cumsum(block_len)[:-1]] if len(cases) else block_len
            inner = np.arange(int(block_len.sum())) - np.repeat(block_offsets, block_len)
            blocks = self.group_order[np.repeat(block_first, block_len) + inner]
            begin = self._case_bounds[cases]
            local = blocks - np.repeat(begin - offsets, block_len)
            group_order = np.concatenate([local, np.flatnonzero(~self.has_object[at])])
        else:
            group_order = positions
        return replace(
            self, case=case, case_start=case_start, same_case_prev=same,
            micros=self.micros[at], party=self.party[at],
            internal_manual=self.internal_manual[at], actors=self.actors[at],
            automated=self.automated[at],
            planned=None if self.planned is None else self.planned[at],
            seq=self.seq[at], group=self.group[at], has_object=self.has_object[at],
            group_order=group_order, parent=self, at=at)

    def check(self, moves: Sequence[Move]) -> None:
        """Raise :class:`UsageError` for a move whose activity or department the log lacks.

        An empty log has nothing to misspell against, so it is not checked.
        """
        if not len(self.events):
            return
        arrays = log_arrays(self.events)
        check_names([m.activity for m in moves], set(arrays.codes(ACTIVITY)[1].tolist()),
                    what="activity", where="Move")
        departments = set(arrays.codes(DEPARTMENT)[1].tolist())
        check_names([m.department for m in moves if m.department is not None], departments,
                    what="department", where="Move")

    def apply(self, moves: Sequence[Move]) -> AppliedMoves:
        """Apply ``moves`` in turn; an event matched by an earlier move is left to it."""
        return self.apply_at([(move, self.step_positions(move)) for move in moves])

    def apply_at(self, steps: Sequence[tuple[Move, np.ndarray]]) -> AppliedMoves:
        """Apply each move to the events at its positions, in turn (an event matched by an
        earlier move is left to it)."""
        n = len(self.case)
        moved_to = np.full(n, None, dtype=object)
        moved = np.zeros(n, dtype=bool)
        keyed = np.zeros(n, dtype=bool)
        kind = np.full(n, None, dtype=object)
        taken = np.zeros(n, dtype=bool)
        for move, at in steps:
            at = np.asarray(at, dtype=np.int64)
            at = at[~taken[at]]
            taken[at] = True
            if move.party is None:
                keyed[at] = True
            else:
                moved_to[at] = move.party
                moved[at] = True
            kind[at] = move.kind
        micros, rows = self._timeline(moved_to, moved)
        order, resorted = self._order(micros, rows)
        applied = AppliedMoves(moved_to=moved_to, keyed=keyed, kind=kind, micros=micros,
                               order=order, resorted=resorted)
        applied.__dict__["moved"] = moved  # what the moved_to's would give, known here
        return applied

    def triggers(self, moved_to: np.ndarray) -> np.ndarray:
        """Position of each moved step's trigger, -1 where none (and for unmoved events).

        The trigger is the most recent earlier event (in log order) of the party
        taking the step over, in the same order, and about the same sub-object
        when both carry one (a package's hand-over is triggered by that
        package's pick-up scan), provided no staff worked on the order (on that
        sub-object, or on the order as a whole) in between: systems may run
        between the two (a shipping notification), but a manual internal step
        in between (Sales keying the order before a status enquiry the customer
        phoned in) means the step did not wait on the party's event.
        """
        moved = ~pd.isna(moved_to)
        step, found = self._trigger_pairs(moved_to, moved)
        trigger = np.full(len(moved_to), -1, dtype=np.int64)
        trigger[step] = found
        return trigger

    def _trigger_pairs(self, moved_to: np.ndarray, moved: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
        """The moved steps that have a trigger (ascending) and their triggers'
        positions (see :meth:`triggers`)."""
        query = np.flatnonzero(moved)  # only the moved steps need their latest events
        if not len(query):
            return query, query
        staff = self._latest_compatible(self.internal_manual & ~moved, query)
        parties = moved_to[query]
        trigger = np.full(len(query), -1, dtype=np.int64)
        for party in sorted(set(parties.tolist())):
            code = np.flatnonzero(self.party_names == party)
            latest = self._latest_compatible(np.isin(self.party, code), query)
            pick = (parties == party) & (latest > staff)
            trigger[pick] = latest[pick]
        hit = trigger >= 0
        return query[hit], trigger[hit]

    def _latest_compatible(self, mask: np.ndarray, query: np.ndarray) -> np.ndarray:
        """For the events at ``query``: the latest earlier event with ``mask`` in the same
        order and, when both carry one, about the same sub-object; -1 where none."""
        latest = _latest_before_at(mask, self.case, query)  # case codes: in log order
        if self._any_object:
            same = np.maximum(
                _latest_before_at(mask & ~self.has_object, self.case, query),
                _latest_before_at(mask & self.has_object, self.group, query,
                                  order=self.group_order, rank=self._group_rank))
            latest = np.where(self.has_object[query], same, latest)
        return latest

    @functools.cached_property
    def _working(self) -> np.ndarray:
        """Working time of each event's time (:func:`~procmine.analysis.handoffs.working_seconds`,
        kept per log): a figure of each time alone, so a frame of some orders takes its
        events' values."""
        if self.parent is not None and self.at is not None:
            return self.parent._working[self.at]
        return working_seconds(self.events, self.costs)

    @functools.cached_property
    def _group_rank(self) -> np.ndarray:
        """Each event's place in :attr:`group_order`."""
        rank = np.empty(len(self.group_order), dtype=np.int64)
        rank[self.group_order] = np.arange(len(self.group_order))
        return rank

    def _timeline(self, moved_to: np.ndarray, moved: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray | None]:
        """Projected times: a step moved to the party that triggered it happens with the trigger.

        Every later event of the order moves earlier by that step's own wait (the
        gap from the event before it in the log), so the other events keep their
        order; the step itself takes its trigger's projected time. Also the
        positions of the orders whose times may change (whole orders, ascending), or
        ``None``: none does (the times are then the log's own array), or they hold a
        quarter of the log or more (every order is then looked at again).
        """
        if moved is None:
            moved = ~pd.isna(moved_to)
        micros = self.micros
        if not moved.any():
            return micros, None
        step, trigger = self._trigger_pairs(moved_to, moved)
        if not len(step):
            return micros, None
        # the step's own wait, taken off it and every later event of its order: a
        # cumulative sum over the rows of the orders with a triggered step only
        wait = np.where(self.same_case_prev[step], micros[step] - micros[step - 1], 0)
        cases = _sorted_unique(self.case[step])  # step: ascending
        rows: np.ndarray | None = None
        if 4 * self._case_events(cases) > len(micros):  # much of the log: every event
            total = np.zeros(len(micros), dtype=np.int64)
            total[step] = wait
            np.cumsum(total, out=total)
            # within the order: less the sum up to its first event (never a moved step
            # with a trigger, which has an earlier event of the order)
            total -= total[self.case_start]
            out = micros - total
        else:
            rows, offsets, lengths = self._case_rows(cases)
            delta = np.zeros(len(rows), dtype=np.int64)
            delta[np.searchsorted(rows, step)] = wait
            total = np.cumsum(delta)
            before = np.r_[0, total][offsets]  # the sum before each order's first event
            out = micros.copy()
            out[rows] -= total - np.repeat(before, lengths)
        out[step] = out[trigger]  # a trigger is never a moved step
        return out, rows

    def _case_events(self, cases: np.ndarray) -> int:
        """How many events the orders ``cases`` (ascending case codes) have."""
        bounds = self._case_bounds
        if self.parent is not None:
            cases = np.searchsorted(self.case[bounds[:-1]], cases)
        return int((bounds[cases + 1] - bounds[cases]).sum())

    def _case_rows(self, cases: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The positions of the events of the orders ``cases`` (ascending case codes), each
        order's offset among them and its number of events."""
        bounds = self._case_bounds
        if self.parent is not None:  # a frame of some orders: their codes are the log's
            cases = np.searchsorted(self.case[bounds[:-1]], cases)
        begin, end = bounds[cases], bounds[cases + 1]
        lengths = end - begin
        offsets = np.r_[0, np.cumsum(lengths)[:-1]] if len(lengths) else lengths
        total = int(lengths.sum())
        rows = np.repeat(begin - offsets, lengths) + np.arange(total)
        return rows, offsets, lengths

    def _order(self, micros: np.ndarray, rows: np.ndarray | None = None
               ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The canonical order (case, time, seq) of the projected times, ``None`` if
        unchanged, and the positions it sorts again (whole orders, ascending).

        ``rows``: the positions of the orders whose times changed (the others are in
        canonical order already), ``None`` to look at every order.
        """
        if micros is self.micros or len(micros) < 2:
            return None, None
        # only orders with an event out of order are sorted again (case first: the
        # other orders keep their places)
        seq, case = self.seq, self.case
        if rows is None or 4 * len(rows) > len(micros):  # much of the log: every event
            m, s, c = micros, seq, case
        else:
            m, s, c = micros[rows], seq[rows], case[rows]
        back = (c[1:] == c[:-1]) & ((m[1:] < m[:-1]) | ((m[1:] == m[:-1]) & (s[1:] < s[:-1])))
        if not back.any():
            return None, None
        cases = np.unique(c[1:][back])
        resorted = self._case_rows(cases)[0]
        order = np.arange(len(micros))
        order[resorted] = resorted[np.lexsort((seq[resorted], micros[resorted],
                                               case[resorted]))]
        return order, resorted

    def planned_in(self, order: np.ndarray, *, rows: np.ndarray | None = None
                   ) -> np.ndarray | None:
        """The planned date in force at each event of the log taken in ``order``.

        As :func:`procmine.analysis.handoffs.planned_times` on the events in that
        order (each event's own date carried forward within the order), so a
        moved step that enters the date brings it forward with it. ``rows``: the
        positions (whole orders, ascending) outside which ``order`` is the log's own
        (:attr:`AppliedMoves.resorted`); only those orders are carried forward again.
        """
        own = self._own_planned
        if own is None:
            return None
        if rows is None or 4 * len(rows) > len(order):  # much of the log: every event
            # carried forward as planned_times does (an order keeps its rows, so each
            # event's order still starts at case_start), with few full-length arrays
            own = own[order]
            at = np.arange(len(own))
            at[own == _NO_DATE] = -1
            np.maximum.accumulate(at, out=at)  # the latest event that entered a date
            known = at >= self.case_start  # ... in the same order
            np.maximum(at, 0, out=at)
            out = own[at]
            out[~known] = _NO_DATE
            return out
        assert self.planned is not None
        out = self.planned.copy()  # the other orders: their dates in force as they are
        mine = own[order[rows]]
        entered = mine != _NO_DATE
        at = np.where(entered, np.arange(len(mine)), _latest_before(entered, self.case[rows]))
        out[rows] = np.where(at >= 0, mine[np.maximum(at, 0)], _NO_DATE)
        return out

    @functools.cached_property
    def _own_planned(self) -> np.ndarray | None:
        """The planned date each event enters itself (``planned_times`` with every event an
        order of its own, so nothing is carried forward), ``None`` without planned dates."""
        if self.planned is None:
            return None
        if self.parent is not None:
            own = self.parent._own_planned
            return None if own is None or self.at is None else own[self.at]
        return own_planned_times(self.events, self.costs)

    def actors_after(self, applied: AppliedMoves) -> np.ndarray:
        """Department-level actor codes after the moves: a moved event's actor is its party.

        The same codes :func:`procmine.log.actors.actor_codes` gives on the projected
        log, up to numbering (new parties get codes after the log's own actors).
        """
        codes = self.actors.copy()
        at = np.flatnonzero(applied.moved)
        if not len(at):
            return codes
        parties = applied.moved_to[at]
        names = {name: i for i, name in enumerate(self.actor_names.tolist())}
        for party in sorted(set(parties.tolist())):
            code = names.setdefault(party, len(names))
            codes[at[parties == party]] = code
        return codes

    def department_handoffs(self, applied: AppliedMoves | None = None) -> HandoffFigures:
        """Department handoffs as-is or after ``applied``: count, coordinated, queue time.

        The one handoff counter (:func:`procmine.log.actors.handoff_positions`) and
        the one pricing (:func:`procmine.analysis.handoffs.handoff_prices`) on the
        projected actors, times and automation: equal to
        ``handoffs(after, level="department")``.
        """
        return self.handoff_prices(applied).figures()

    def handoff_prices(self, applied: AppliedMoves | None = None) -> PricedHandoffs:
        """The priced department handoffs of :meth:`department_handoffs`, one per handoff
        in the (projected) log's order, with the case code of each."""
        case, planned, working = self.case, self.planned, self._working
        if applied is None:
            actors, micros, automated = self.actors, self.micros, self.automated
        else:
            actors, micros = self.actors_after(applied), applied.micros
            automated = self.automated | applied.changed
            working = self.working_after(applied)
            if applied.order is not None:  # the projected log's order (within each order:
                # the case codes stay where they are)
                actors, micros, automated, working = (
                    applied.in_order(a) for a in (actors, micros, automated, working))
                planned = (None if planned is None
                           else self.planned_in(applied.order, rows=applied.resorted))
        source, target = handoff_positions(case, actors)
        prices = handoff_prices(source, target, micros=micros, automated=automated,
                                planned=planned, costs=self.costs, working=working)
        return PricedHandoffs(case=case[source], system=prices.system,
                              queue_s=prices.queue_s, cost=prices.cost(self.costs))

    def working_after(self, applied: AppliedMoves) -> np.ndarray:
        """Working time of each event's projected time, in log order: the log's, computed
        again only for the times the moves shift (working time is a figure of each
        time alone)."""
        working, micros = self._working, applied.micros
        if micros is self.micros:
            return working
        shifted = np.flatnonzero(micros != self.micros)
        if not len(shifted):
            return working
        working = working.copy()
        working[shifted] = self.costs.calendar.working_seconds(micros[shifted])
        return working


@dataclass(frozen=True, eq=False)
class PricedHandoffs:
    """Department handoffs of a log as-is or projected, one per handoff in log order:
    the case code, system to system or not, priced queue time (s) and cost."""

    case: np.ndarray
    system: np.ndarray
    queue_s: np.ndarray
    cost: np.ndarray

    def figures(self) -> HandoffFigures:
        """Their count, how many are coordinated, total queue time and total cost."""
        return HandoffFigures(count=len(self.case), coordinated=int((~self.system).sum()),
                              queue_s=float(self.queue_s.sum()), cost=float(self.cost.sum()))

    def _merge(self, cases: np.ndarray, n_cases: int, sub: PricedHandoffs
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """How the handoffs of the orders ``cases`` are replaced by ``sub``'s: the mask of
        these handoffs kept, where sub's go in the merged order (after those of earlier
        orders), the merged positions of the kept ones, and the merged length."""
        touched = np.zeros(max(n_cases, 1), dtype=bool)
        touched[cases] = True
        keep = ~touched[self.case]
        kept_case = self.case[keep]
        at = np.searchsorted(kept_case, sub.case, side="left")
        at += np.arange(len(at))
        total = len(kept_case) + len(at)
        kept_at = np.ones(total, dtype=bool)
        kept_at[at] = False
        return keep, at, kept_at, total

    def with_orders(self, cases: np.ndarray, n_cases: int, sub: PricedHandoffs
                    ) -> PricedHandoffs:
        """These handoffs with those of the orders ``cases`` replaced by ``sub``'s (the
        same orders measured again), in log order: what the whole log's handoffs are
        when only those orders change."""
        keep, at, kept_at, total = self._merge(cases, n_cases, sub)

        def merged(mine: np.ndarray, theirs: np.ndarray) -> np.ndarray:
            out = np.empty(total, dtype=mine.dtype)  # as np.insert casts
            out[at] = theirs
            out[kept_at] = mine[keep]
            return out

        return PricedHandoffs(
            case=merged(self.case, sub.case), system=merged(self.system, sub.system),
            queue_s=merged(self.queue_s, sub.queue_s), cost=merged(self.cost, sub.cost))


    def figures_with_orders(self, cases: np.ndarray, n_cases: int, sub: PricedHandoffs
                            ) -> HandoffFigures:
        """``with_orders(cases, n_cases, sub).figures()``, merging only the two sums that
        depend on the order of their terms (the counts are added up directly)."""
        keep, at, kept_at, total = self._merge(cases, n_cases, sub)

        def merged_sum(mine: np.ndarray, theirs: np.ndarray) -> float:
            out = np.empty(total, dtype=mine.dtype)
            out[at] = theirs
            out[kept_at] = mine[keep]
            return float(out.sum())  # the sum of the merged terms, in log order

        coordinated = int((~self.system[keep]).sum()) + int((~sub.system).sum())
        return HandoffFigures(count=total, coordinated=coordinated,
                              queue_s=merged_sum(self.queue_s, sub.queue_s),
                              cost=merged_sum(self.cost, sub.cost))


@dataclass(frozen=True)
class HandoffFigures:
    """Department handoffs of a log as-is or projected: how many, how many coordinated
    (not system to system), their priced queue time (s) and their cost."""

    count: int
    coordinated: int
    queue_s: float
    cost: float


def _groups_of(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order, sub-object) codes, which events carry a sub-object, and the positions
    sorted by group, then log order."""
    group, has_object = _object_groups(events, log_arrays(events).case)
    return group, has_object, np.argsort(group, kind="stable")  # ties: log order


def _object_groups(events: pd.DataFrame, case: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of (order, sub-object) per event, and which events carry a sub-object.

    An event without a sub-object gets a code of its own, shared with no other event.
    """
    n = len(events)
    if OBJECT_ID not in events.columns or not n:
        return np.arange(n, dtype=np.int64), np.zeros(n, dtype=bool)
    codes, uniques = log_arrays(events).codes(OBJECT_ID)
    has = codes >= 0
    width = len(uniques) + 1
    keys = case.astype(np.int64) * width + np.asarray(codes, dtype=np.int64)
    top = (int(case.max()) + 1) * width  # beyond every (order, sub-object) key
    return np.where(has, keys, top + np.arange(n)), has


def _latest_before(mask: np.ndarray, group: np.ndarray, *, order: np.ndarray | None = None
                   ) -> np.ndarray:
    """Position of the latest earlier event (log order) with ``mask`` in the same group, or -1.

    ``order``: the positions sorted by group, then log order (``None``: the groups
    are already in log order, as case codes are).

    Examples
    --------
    >>> _latest_before(np.array([1, 0, 0, 1, 0], bool), np.array([0, 0, 1, 1, 1])).tolist()
    [-1, 0, -1, -1, 3]
    """
    n = len(mask)
    if not n:
        return np.zeros(0, dtype=np.int64)
    rank = np.arange(n)
    if order is None:  # the groups are in log order: no reordering
        latest = np.maximum.accumulate(np.where(mask, rank, -1))
        prior = np.empty(n, dtype=np.int64)
        prior[0] = -1
        prior[1:] = latest[:-1]
        same = (prior >= 0) & (group[np.maximum(prior, 0)] == group)
        return np.where(same, prior, -1)
    latest = np.maximum.accumulate(np.where(mask[order], rank, -1))
    prior = np.concatenate([[-1], latest[:-1]])
    sorted_group = group[order]
    same = (prior >= 0) & (sorted_group[np.maximum(prior, 0)] == sorted_group)
    out = np.full(n, -1, dtype=np.int64)
    out[order] = np.where(same, order[np.maximum(prior, 0)], -1)
    return out


def _latest_before_at(mask: np.ndarray, group: np.ndarray, query: np.ndarray, *,
                      order: np.ndarray | None = None, rank: np.ndarray | None = None
                      ) -> np.ndarray:
    """:func:`_latest_before` at the positions ``query`` only (``rank``: each event's place
    in ``order``), by a binary search among the events with ``mask``.

    Examples
    --------
    >>> mask, group = np.array([1, 0, 0, 1, 0], bool), np.array([0, 0, 1, 1, 1])
    >>> _latest_before_at(mask, group, np.array([1, 2, 4])).tolist()
    [0, -1, 3]
    """
    if not len(query):
        return np.zeros(0, dtype=np.int64)
    if order is None or rank is None:
        ranks, q_rank = np.flatnonzero(mask), query
    else:  # the places in ``order`` of the events with ``mask``, ascending (no sort)
        ranks, q_rank = np.flatnonzero(mask[order]), rank[query]
    i = np.searchsorted(ranks, q_rank, side="left") - 1
    found = ranks[np.maximum(i, 0)] if len(ranks) else np.zeros(len(query), dtype=np.int64)
    at = found if order is None or rank is None else order[found]
    ok = (i >= 0) & (group[at] == group[query])
    return np.where(ok, at, -1).astype(np.int64)


def projected_events(events: pd.DataFrame, applied: AppliedMoves) -> pd.DataFrame:
    """The projected events, canonical: same dtypes, in the projected order (case, time, seq)."""
    changed = applied.changed
    if not changed.any():
        return events.copy().reset_index(drop=True)
    order = applied.order
    # one copy of the events, already in the projected order
    out = (events.take(order) if order is not None else events.copy()).reset_index(drop=True)
    changed, moved, micros, moved_to = (applied.in_order(a) for a in (
        changed, applied.moved, applied.micros, applied.moved_to))
    if moved.any():
        stamps = pd.DatetimeIndex(np.asarray(micros, dtype=np.int64).view("datetime64[us]"))
        out[TIMESTAMP] = stamps.tz_localize("UTC").astype(events[TIMESTAMP].dtype)
        out.loc[moved, PARTY] = moved_to[moved]
        out.loc[moved, DEPARTMENT] = np.nan
        out.loc[moved, RESOURCE] = np.nan
    out[AUTOMATED] = out[AUTOMATED].astype("boolean")
    out.loc[changed, AUTOMATED] = True
    return out


def seed_projected(after: pd.DataFrame, frame: MoveFrame, applied: AppliedMoves) -> None:
    """Give the projected events (:func:`projected_events` of ``applied`` on ``frame``'s
    log) the arrays the engine already has for them: automation, the planned dates and
    the working time of every projected time, in the projected order, so the kernels
    run on the projected log compute none of them again."""
    arrays = log_arrays(after)
    arrays.seed(("automated",), applied.in_order(frame.automated | applied.changed))
    arrays.seed(("working", frame.costs.calendar),
                applied.in_order(frame.working_after(applied)))
    if frame.planned is not None:
        key = tuple(frame.costs.planned_dates)
        own = frame._own_planned
        if own is not None:
            arrays.seed(("planned own", key), applied.in_order(own))
        arrays.seed(("planned", key), frame.planned if applied.order is None
                    else frame.planned_in(applied.order, rows=applied.resorted))


# -- re-entry before and after -----------------------------------------------------------
def reentry_before(log: EventLog, costs: CostModel, given: Reentry | None) -> pd.DataFrame:
    """The log's re-entry events by department: ``given`` when usable, else detected."""
    if given is not None and given.level == "department" and given.signal == "values":
        return given.events
    return detect_reentry(log, level="department", costs=costs)[0]


def found_positions(log: EventLog, found: pd.DataFrame) -> np.ndarray:
    """Positions in the log of the events of a table with an ``event_id`` column (-1
    where the log has no such event), kept for as long as the table lives."""
    arrays = log_arrays(log.events)
    return arrays.memo_of(found, "event positions",
                          lambda _: arrays.event_index.get_indexer(found["event_id"]))


_positions = found_positions


@dataclass(frozen=True, eq=False)
class ReentryBase:
    """A log's re-entry events by department as arrays, to measure re-entry after moves.

    Re-entry is found within one order and one item, and a projection changes an
    (order, item) only through its changed events. Events automated by shared
    data keep their place and actor, so they simply stop re-entering. A step
    moved to an outside party changes its actor and its time, so the orders it
    carries a value of an item for are detected again for that item, by the one
    detector's rule (:func:`procmine.analysis.reentry.group_reentries`) on the
    projected actors, automation and order.
    """

    at: np.ndarray  # position of each re-entry event in the log
    case: np.ndarray  # its case code
    item: np.ndarray  # its item's index in ``items`` (-1: none of them)
    bad: np.ndarray  # a discrepancy
    cost: np.ndarray  # its discrepancy's rework cost (CostModel.discrepancy_cost)
    items: tuple[str, ...]  # the log's items with a column, by name
    keys: tuple[np.ndarray, ...]  # per item: key code of every event (-1: none)
    present: tuple[np.ndarray, ...]  # per item: the event carries a value
    event_cost: np.ndarray  # discrepancy cost of every event, at its department's rate
    groups: np.ndarray  # (order, sub-object) of every event: re-entry is found within one
    n: int
    n_cases: int

    @classmethod
    def of(cls, log: EventLog, frame: MoveFrame, found: pd.DataFrame, costs: CostModel,
           *, found_at: np.ndarray | None = None) -> ReentryBase:
        """The arrays of ``found``, the log's re-entry events by department."""
        events = log.events
        at = _positions(log, found) if found_at is None else found_at
        items = sorted((i for i in log.items if i.name in events.columns),
                       key=lambda i: i.name)
        names = tuple(i.name for i in items)
        item = pd.Index(names, dtype=object).get_indexer(
            found["item"].astype(object)).astype(np.int64)  # -1: none of them
        return cls(
            at=at, case=frame.case[at], item=item,
            bad=~found["same_value"].fillna(True).to_numpy(dtype=bool),
            cost=np.asarray(costs.discrepancy_cost(found["department"]), dtype=float),
            items=names,
            keys=tuple(item_keys(events, i.name, getattr(i, "type", "text")) for i in items),
            present=tuple(_present(events, i.name) for i in items),
            # CostModel.discrepancy_cost of every event's department
            event_cost=costs.discrepancy_minutes / 60.0 * costs.event_rates(events),
            groups=reentry_groups(events), n=len(events),
            n_cases=int(frame.case[-1]) + 1 if len(frame.case) else 0,
        )

    def figures(self, frame: MoveFrame, applied: AppliedMoves) -> tuple[float, float, float]:
        """Re-entries, discrepancies and rework cost after ``applied`` (on ``frame``: the
        whole log's, or the orders the moves touch), as :func:`rework_figures` of the
        projected log's re-entry events by department."""
        glob = frame.at  # positions in the log of the frame's events (None: the log)
        keyed = np.flatnonzero(applied.keyed)
        drop = _members(self.at, keyed if glob is None else glob[keyed])
        moved = np.flatnonzero(applied.moved)
        fresh_count, fresh_bad, fresh_cost = 0, 0, []
        if len(moved):
            manual = ~(frame.automated | applied.changed)
            actors = frame.actors_after(applied)
            for k in range(len(self.items)):
                present = self.present[k]
                carries = moved[present[moved if glob is None else glob[moved]]]
                if not len(carries):
                    continue
                cases = _sorted_unique(frame.case[carries])  # ascending
                drop |= (self.item == k) & _members(self.case, cases)
                if 4 * frame._case_events(cases) > len(frame.case):  # much of the log
                    touched = np.zeros(max(self.n_cases, 1), dtype=bool)
                    touched[cases] = True
                    keys = self.keys[k] if glob is None else self.keys[k][glob]
                    q = np.flatnonzero(touched[frame.case] & (keys >= 0) & (actors >= 0))
                    q_keys = keys[q]
                else:
                    rows = frame._case_rows(cases)[0]  # the events of those orders
                    keys = self.keys[k][rows if glob is None else glob[rows]]
                    pick = (keys >= 0) & (actors[rows] >= 0)
                    q, q_keys = rows[pick], keys[pick]
                if len(q) < 2:
                    continue
                rank = None if applied.order is None else applied.ranks(q)
                by = np.arange(len(q))
                if rank is not None:  # the projected log's order
                    by = by[np.argsort(rank, kind="stable")]
                groups = self.groups[q if glob is None else glob[q]]
                by = by[np.argsort(groups[by], kind="stable")]  # by (order, sub-object)
                hit, first = group_reentries(groups[by], actors[q[by]], manual[q[by]])
                if not hit.any():
                    continue
                at, first_at = by[hit], by[first[hit]]  # indices into q
                # the detector's order: by order, then in the projected log's order
                back = np.argsort(q[at] if rank is None else rank[at], kind="stable")
                at, first_at = at[back], first_at[back]
                bad = q_keys[at] != q_keys[first_at]
                fresh_count += len(at)
                fresh_bad += int(bad.sum())
                at_bad = q[at[bad]]
                fresh_cost.append(self.event_cost[at_bad if glob is None else glob[at_bad]])
        kept = ~drop
        kept_bad = kept & self.bad
        cost = np.concatenate([self.cost[kept_bad], *fresh_cost])
        return (float(int(kept.sum()) + fresh_count), float(int(kept_bad.sum()) + fresh_bad),
                float(cost.sum()))


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of values already in ascending order (case codes at ascending
    positions), without hashing or sorting.

    Examples
    --------
    >>> _sorted_unique(np.array([0, 0, 2, 3, 3])).tolist()
    [0, 2, 3]
    """
    if not len(values):
        return values
    return values[np.r_[True, values[1:] != values[:-1]]]


def _members(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which ``values`` are in ``sorted_set`` (ascending), by a binary search.

    Examples
    --------
    >>> _members(np.array([3, 1, 4, 1, 5]), np.array([1, 5])).tolist()
    [False, True, False, True, True]
    """
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    i = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[i] == values


def _present(events: pd.DataFrame, column: str) -> np.ndarray:
    """Which events carry a value in ``column``, kept per log."""
    def compute(frame: pd.DataFrame) -> np.ndarray:
        return frame[column].notna().to_numpy()
    return log_arrays(events).memo(("present", column), compute)


def rework_after(log: EventLog, frame: MoveFrame, applied: AppliedMoves, found: pd.DataFrame,
                 costs: CostModel) -> tuple[float, float, float]:
    """Re-entries, discrepancies and rework cost of the projected log, from the log's
    re-entry events by department ``found`` (see :class:`ReentryBase`)."""
    return ReentryBase.of(log, frame, found, costs).figures(frame, applied)


def rework_figures(found: pd.DataFrame, costs: CostModel) -> tuple[float, float, float]:
    """Re-entries, discrepancies and their rework cost, from re-entry events by department."""
    bad = found[~found["same_value"].fillna(True).to_numpy(dtype=bool)]
    cost = float(costs.discrepancy_cost(bad["department"]).sum())
    return float(len(found)), float(len(bad)), cost


def residual_labour_cost(events: pd.DataFrame, applied: AppliedMoves, costs: CostModel
                         ) -> float:
    """Labour of the changed steps that stays with staff (each kind's residual share)."""
    changed = np.flatnonzero(applied.changed)
    if not len(changed):
        return 0.0
    labour = costs.labour(events)[1][changed]
    kinds = applied.kind[changed]
    total = 0.0
    for kind in sorted(set(kinds.tolist())):
        total += costs.residual_share.get(kind, 0.0) * float(labour[kinds == kind].sum())
    return total


# -- one move at a time ------------------------------------------------------------------
#: Columns of :func:`move_effects`.
EFFECT_COLUMNS = (
    "step_events", "labour_minutes", "labour_cost", "residual_cost", "handoffs_removed",
    "coordinated_removed", "queue_s_removed", "handoff_cost_removed", "reentries_removed",
    "discrepancies_removed", "rework_cost",
)


def move_effects(log: EventLog, moves: Sequence[Move], *, costs: CostModel,
                 found: pd.DataFrame | None,
                 positions: Sequence[np.ndarray | None] | None = None) -> pd.DataFrame:
    """What ``project(log, [move])`` changes, for each move on its own (one row per move).

    Labour, residual labour, department handoffs (count and total wait) and
    re-entry (re-entries, discrepancies and rework removed; ``found`` is the log's
    re-entry events by department, ``None`` without item values) come from the
    same functions as the projection's, so they are exactly its changes. Each
    move is measured on the orders it touches (:meth:`MoveFrame.orders`): the
    other orders' handoffs and re-entries are the log's own. ``positions``: for each
    move limited to some executions, their positions in the log when the caller has
    them (else ``None``).
    """
    events = log.events
    frame = MoveFrame.of(events, costs)
    base_prices = frame.handoff_prices()
    base = base_prices.figures()
    minutes_all, labour_all = costs.labour(events)
    n_cases = int(frame.case[-1]) + 1 if len(frame.case) else 0
    before: Any = None
    found_base = None
    if found is not None:
        before = rework_figures(found, costs)
        found_base = ReentryBase.of(log, frame, found, costs)
    rows = []
    among = list(positions) if positions is not None else [None] * len(moves)
    for move, known in zip(moves, among, strict=True):
        at = frame.step_positions(move, among=known if move.events is not None else None)
        after_handoffs, after = base, before
        residual = 0.0
        if len(at):
            sub = frame.orders(at)
            local = at if sub.at is None else np.searchsorted(sub.at, at)
            applied = sub.apply_at([(move, local)])
            after_handoffs = base_prices.figures_with_orders(
                sub.case, n_cases, sub.handoff_prices(applied))
            residual += costs.residual_share.get(move.kind, 0.0) * float(labour_all[at].sum())
            if found_base is not None:
                after = found_base.figures(sub, applied)
        if found is None:
            reentries, discrepancies, rework = 0.0, 0.0, 0.0
        else:
            reentries, discrepancies, rework = (b - a for b, a in zip(before, after,
                                                                      strict=True))
        rows.append({
            "step_events": len(at), "labour_minutes": float(minutes_all[at].sum()),
            "labour_cost": float(labour_all[at].sum()),
            "residual_cost": residual, "handoffs_removed": base.count - after_handoffs.count,
            "coordinated_removed": base.coordinated - after_handoffs.coordinated,
            "queue_s_removed": base.queue_s - after_handoffs.queue_s,
            "handoff_cost_removed": base.cost - after_handoffs.cost,
            "reentries_removed": reentries,
            "discrepancies_removed": discrepancies, "rework_cost": rework,
        })
    return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))
