"""Independent computations the tests compare procmine against (plain pandas, no procmine)."""

from __future__ import annotations

import pandas as pd


def plain_department_handoffs(events: pd.DataFrame) -> int:
    """Department handoffs counted by plain pandas: the actor is the department, else an
    outside party (customer, supplier, carrier); events with neither are skipped."""
    party = events["party"].astype(str)
    who = events["department"].astype(object).where(
        events["department"].notna(), party.where(party != "internal"))
    known = events.assign(who=who).dropna(subset=["who"])
    previous = known.groupby("case_id", sort=False)["who"].shift()
    return int((previous.notna() & (previous != known["who"])).sum())
