"""The move engine's shortcuts against the plain computation they stand for.

The engine works on the orders a move touches, and puts arrays into the projected
order by gathering only the orders it sorts again. Each shortcut is checked here
against the direct computation on a generated log with sub-objects and moves that
re-order events: a stable sort, an inverse permutation, the kernels run afresh on the
projected events.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from procmine.analysis.candidates import candidates
from procmine.analysis.costs import CostModel, automated_flags
from procmine.analysis.handoffs import planned_times, working_seconds
from procmine.analysis.moves import MoveFrame, _members
from procmine.analysis.projection import project

COSTS = CostModel.default()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    import procmine

    out = tmp_path_factory.mktemp("generated")
    procmine.generate(300, seed=5, out=out)
    log = procmine.load(out / "sources.toml")
    found = candidates(log, costs=COSTS)
    return log, found


def test_every_move_of_the_candidates_reorders_and_the_log_has_sub_objects(generated):
    log, found = generated
    frame = MoveFrame.of(log.events, COSTS)
    applied = frame.apply(list(found.moves))
    assert frame.has_object.any()  # sub-object groups are exercised
    assert applied.order is not None  # some orders are sorted again
    assert applied.resorted is not None and len(applied.resorted) < len(log.events)


def test_projected_order_and_ranks_match_a_full_sort(generated):
    log, found = generated
    frame = MoveFrame.of(log.events, COSTS)
    applied = frame.apply(list(found.moves))
    # the canonical order (case, projected time, seq) of every event, sorted afresh
    full = np.lexsort((frame.seq, applied.micros, frame.case))
    assert np.array_equal(applied.order, full)
    # outside the re-sorted orders every event keeps its place
    outside = np.ones(len(full), dtype=bool)
    outside[applied.resorted] = False
    assert np.array_equal(applied.order[outside], np.flatnonzero(outside))
    # ranks: the inverse permutation
    inverse = np.argsort(full, kind="stable")
    everyone = np.arange(len(full))
    assert np.array_equal(applied.ranks(everyone), inverse)
    values = np.arange(len(full)) * 7 % 13
    assert np.array_equal(applied.in_order(values), values[full])


def test_planned_dates_in_the_projected_order_match_the_full_carry_forward(generated):
    log, found = generated
    frame = MoveFrame.of(log.events, COSTS)
    applied = frame.apply(list(found.moves))
    assert frame.planned is not None
    fast = frame.planned_in(applied.order, rows=applied.resorted)
    full = frame.planned_in(applied.order)
    assert np.array_equal(fast, full)
    # and the projected log's own planned dates, computed afresh from its events
    after = project(log, list(found.moves), costs=COSTS).after.events
    fresh = after.copy(deep=True)  # a new frame: nothing seeded, everything computed
    assert np.array_equal(fast, planned_times(fresh, COSTS))


def test_seeded_arrays_of_the_projected_log_equal_those_computed_afresh(generated):
    log, found = generated
    after = project(log, list(found.moves), costs=COSTS).after.events
    fresh = after.copy(deep=True)
    assert np.array_equal(working_seconds(after, COSTS), working_seconds(fresh, COSTS))
    assert np.array_equal(automated_flags(after), automated_flags(fresh))
    assert np.array_equal(planned_times(after, COSTS), planned_times(fresh, COSTS))


def test_a_frame_of_some_orders_is_the_log_restricted_to_them(generated):
    log, found = generated
    frame = MoveFrame.of(log.events, COSTS)
    measured = 0
    for move in found.moves:
        at = frame.step_positions(move)
        sub = frame.orders(at)
        if sub is frame:
            continue
        measured += 1
        assert sub.at is not None
        # group order: the events by (order, sub-object), then log order, as a stable sort
        assert np.array_equal(sub.group_order, np.argsort(sub.group, kind="stable"))
        # the rows of each order the frame holds
        cases = np.unique(sub.case)
        rows = sub._case_rows(cases)[0]
        assert np.array_equal(rows, np.arange(len(sub.case)))
        one = sub._case_rows(cases[1:2])[0]
        assert np.array_equal(one, np.flatnonzero(sub.case == cases[1]))
    assert measured >= 2  # moves on some orders were looked at


def test_members_is_isin():
    rng = np.random.default_rng(3)
    values = rng.integers(0, 50, 200)
    chosen = np.unique(rng.integers(0, 50, 12))
    assert np.array_equal(_members(values, chosen), np.isin(values, chosen))
    assert not _members(values, np.zeros(0, dtype=np.int64)).any()


def test_handoffs_with_orders_replaced_keep_log_order(generated):
    log, found = generated
    frame = MoveFrame.of(log.events, COSTS)
    base = frame.handoff_prices()
    n_cases = int(frame.case[-1]) + 1
    measured = 0
    for move in found.moves:
        at = frame.step_positions(move)
        sub = frame.orders(at)
        if sub is frame:
            continue
        measured += 1
        local = np.searchsorted(sub.at, at)
        mine = sub.handoff_prices(sub.apply_at([(move, local)]))
        merged = base.with_orders(sub.case, n_cases, mine)
        # the same as putting the handoffs of the untouched orders and the new ones
        # together and sorting them stably by order
        touched = np.isin(base.case, sub.case)
        case = np.concatenate([base.case[~touched], mine.case])
        cost = np.concatenate([base.cost[~touched], mine.cost])
        by = np.argsort(case, kind="stable")
        assert np.array_equal(merged.case, case[by])
        assert np.array_equal(merged.cost, cost[by])
        assert pd.Series(merged.queue_s).sum() == pytest.approx(
            base.queue_s[~touched].sum() + mine.queue_s.sum())
        # the figures of the merge, also taken without building it
        assert base.figures_with_orders(sub.case, n_cases, mine) == merged.figures()
    assert measured >= 2
