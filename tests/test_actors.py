"""The actor of an event and the handoff counter: handoff targets, department actors.

Checked against plain pandas walks over tiny hand-built frames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from procmine.log.actors import actor, actor_codes, handoff_positions, handoff_targets

FRAME = pd.DataFrame({
    "case_id": ["o1", "o1", "o1", "o1", "o2", "o2", "o2", "o3"],
    "department": ["Sales", None, None, "Warehouse", None, "Sales", "Sales", None],
    "party": pd.Categorical(["internal", "customer", "internal", "internal", "supplier",
                             "internal", "internal", "carrier"]),
})


def _plain_targets(frame: pd.DataFrame, who: pd.Series) -> list[int]:
    """Independent: per case, the events with an actor; a change of actor is a handoff."""
    known = frame.assign(who=who).loc[who.notna()]
    previous = known.groupby("case_id")["who"].shift()
    return known.index[previous.notna() & (known["who"] != previous)].tolist()


def test_department_actors_fill_outside_parties_only():
    codes, names = actor_codes(FRAME, "department")
    strings = actor(FRAME, "department")
    assert [names[c] if c >= 0 else None for c in codes] == [
        None if pd.isna(s) else s for s in strings]
    assert strings.isna().tolist() == [False, False, True, False, False, False, False, False]


@pytest.mark.parametrize("level", ["department", "party"])
def test_handoff_targets_are_the_targets_of_handoff_positions(level):
    cases = pd.factorize(FRAME["case_id"])[0]
    codes, _ = actor_codes(FRAME, level)
    _, target = handoff_positions(cases, codes)
    mask = handoff_targets(cases, codes)
    assert np.flatnonzero(mask).tolist() == target.tolist()
    assert target.tolist() == _plain_targets(FRAME, actor(FRAME, level))
    same = cases[1:] == cases[:-1]
    assert handoff_targets(cases, codes, same=same).tolist() == mask.tolist()
    keep = np.array([True, True, False, True, True, True, True, True])
    kept = handoff_targets(cases, codes, keep=keep)
    expected = _plain_targets(FRAME[keep], actor(FRAME, level)[keep])
    assert np.flatnonzero(kept).tolist() == expected


def test_handoff_targets_of_no_and_one_event():
    for n in (0, 1):
        assert handoff_targets(np.zeros(n, np.int64), np.zeros(n, np.int64)).tolist() == [
            False] * n
