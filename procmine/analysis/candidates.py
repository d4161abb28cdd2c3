"""Candidates: steps that could move to the information's owner, or disappear by shared data."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from procmine._display import repr_html
from procmine._regex import check_pattern, search_each
from procmine.analysis.costs import KIND_PARTY, CostModel
from procmine.analysis.moves import Move, found_positions, move_effects, reentry_before
from procmine.analysis.reentry import Reentry, item_keys, reentry
from procmine.errors import UsageError
from procmine.log._require import require_log
from procmine.log.actors import log_arrays
from procmine.log.eventlog import EventLog
from procmine.schema import (
    ACTIVITY,
    CASE_ID,
    DEPARTMENT,
    EVENT_ID,
    PARTY,
)

__all__ = ["DEFAULT_REQUEST_KEYWORDS", "OWNER_KIND", "TABLE_COLUMNS", "Candidates", "candidates"]

#: Kind of change that moves an item's entry to its owner.
OWNER_KIND: dict[str, str] = {
    "customer": "customer_self_service",
    "supplier": "supplier_portal_edi",
    "carrier": "carrier_api",
}

#: Activity-name patterns (regular expressions, case-insensitive) of manual steps
#: that answer a customer's request the customer could serve themselves: status
#: look-ups ("where is my order"), address changes, return requests.
DEFAULT_REQUEST_KEYWORDS: tuple[str, ...] = (
    r"\bstatus\b.*\b(?:enquir|inquir|request|question|call)",
    r"\b(?:enquir|inquir)\w*\b.*\bstatus\b",
    r"where is my order|\bwismo\b",
    r"\baddress change\b|\bchange\b.*\baddress\b",
    r"\breturn request\b|\brequest\w*\b.*\breturn\b",
)

#: Minimum support of a ranked candidate: share of the log's orders, and events.
MIN_SHARE: Final = 0.01
MIN_EVENTS: Final = 20
#: Support from which values or owner evidence is strong.
STRONG_SHARE: Final = 0.05

#: Share of an activity's executions that must directly follow a customer event
#: for it to count as handling the customer's request.
REQUEST_SHARE = 0.8

TABLE_COLUMNS = (
    "activity", "department", "kind", "item", "owner", "evidence", "evidence_kind", "strength",
    "events", "cases", "support", "executions", "step_events", "handoffs_removed",
    "coordinated_removed", "median_wait_s", "labour_minutes", "discrepancies",
    "labour_cost", "handoff_cost", "waiting_cost", "rework_cost", "current_cost",
    "current_cost_annual", "implementation_cost", "running_cost_annual", "annual_saving",
    "payback_months", "rationale",
)

_KIND_TEXT = {
    "customer_self_service": "customer self-service (web shop or portal)",
    "supplier_portal_edi": "a supplier portal or EDI",
    "carrier_api": "the carrier's API",
    "shared_data": "sharing the data between the internal systems",
}


@dataclass(frozen=True, eq=False)
class Candidates:
    """Ranked candidates for moving or removing steps, with evidence and costs.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per candidate (activity, department, kind), columns
        :data:`TABLE_COLUMNS`, sorted by annual saving (descending), then
        activity, department, kind. Money in ``currency``; ``*_annual`` and
        ``annual_saving`` per year, the other costs over the log's period.
    weak : pandas.DataFrame
        Candidates below the minimum support (``min_share`` of the orders or
        ``min_events`` events), same columns: listed as weak evidence, never ranked.
    events : pandas.DataFrame
        The evidence: one row per (candidate, event): ``activity, department,
        kind, event_id, case_id, item, evidence``.
    moves : tuple of Move
        The move of each ranked candidate (aligned with ``table``), limited to the
        executions that carry its evidence: ``project(log, candidates)`` applies
        exactly these.
    currency : str
    annual_factor : float
        Multiplier from the log's period to a year (:meth:`CostModel.annual_basis`).
    """

    table: pd.DataFrame
    events: pd.DataFrame
    currency: str
    annual_factor: float
    weak: pd.DataFrame = field(default_factory=lambda: _empty_table())
    moves: tuple[Move, ...] = ()

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name: ``table`` (ranked), ``weak`` (below the minimum support)
        and ``events`` (the evidence)."""
        return {"table": self.table, "weak": self.weak, "events": self.events}

    def move(self, rank: int) -> Move:
        """The move of the candidate ranked ``rank`` (1 = first), limited to its evidence."""
        if not 1 <= rank <= len(self.moves):
            raise UsageError(f"candidates: rank must be 1 to {len(self.moves)}, got {rank!r}")
        return self.moves[rank - 1]

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        saving = float(self.table["annual_saving"].clip(lower=0).sum())
        return (f"Candidates({len(self.table)} candidates, annual saving up to "
                f"{saving:,.0f} {self.currency}; {len(self.weak)} on weak evidence)")

    def _repr_html_(self) -> str:
        return repr_html(self)


def candidates(
    log: EventLog,
    *,
    reentry: Reentry | None = None,
    costs: CostModel | None = None,
    keywords: Iterable[str] | None = None,
    min_share: float = MIN_SHARE,
    min_events: int = MIN_EVENTS,
) -> Candidates:
    """Find steps that could move to the information's owner, or disappear.

    Candidates come from evidence in the log, not from activity names alone:

    1. **Keying an outside party's information**: a manual internal step that
       re-enters an item owned by the customer, a supplier or a carrier while
       only that party had entered it so far (re-keying an e-mail, a scan, a
       supplier's confirmation; see :func:`procmine.analysis.reentry.reentry`),
       or that is the first entry of such an item in an order, could be done
       by the owner: ``customer_self_service``, ``supplier_portal_edi`` or
       ``carrier_api``.
    2. **Re-entry of information already inside the company**: a manual
       internal step that re-enters an internally owned item, or any item an
       internal event of the order had entered before, by another department
       or system, disappears when the systems share the data (``shared_data``).
    3. **Handling a customer's request**: a manual internal step that at least
       80 % of the time directly follows an event of the customer (a call, an
       e-mail, a web form) and enters no information item, or whose name
       matches one of ``keywords`` (status enquiries, address changes, return
       requests): ``customer_self_service``.
    4. Without item values, activities repeated by another department
       (``redo``) are ``shared_data`` candidates on the weaker signal.

    Automated events (system and robot accounts) and outside parties' events are
    never evidence: an automated step is not moved to a customer, supplier or
    carrier, and costs no labour.

    Evidence per candidate: the events and orders that show it (``events``,
    ``cases``, ``support`` = cases / orders), its kind (``evidence_kind``:
    ``values`` — re-keyed item values; ``owner`` — first entry of an outside
    owner's information; ``redo`` — the step repeated by another department,
    without values; ``request keyword`` or ``follows request`` — answering a
    customer's request), its ``strength`` (``strong``: values or owner evidence
    in at least 5% of the orders; ``moderate``: otherwise at or above the minimum
    support; ``weak``: below it), the median wait before those events and their
    discrepancies. Below the minimum support (``min_share`` of the orders or
    ``min_events`` events) a candidate goes to :attr:`Candidates.weak`, not into
    the ranked table.

    **Priced on its evidence**: what the move changes is measured the way
    :func:`procmine.analysis.projection.project` measures it, by applying the
    move on its own to the executions of the step that carry its evidence
    (``step_events``; all ``executions`` of the step only when every one is
    evidence), ``project(log, [candidates.move(rank)])``:

    - ``handoffs_removed``: department handoffs before minus after. This is
      the *net* change: for a step X between departments A and B, A→X→B
      becomes A→B, one handoff fewer, not two; A→X→A loses both. Shared data
      keeps the step in its department (it is automated, not moved), so it
      removes none.
    - ``labour_minutes``, ``labour_cost``: the step's manual labour.
    - ``handoff_cost`` (coordination of the handoffs removed; system-to-system
      handoffs cost none) and ``waiting_cost`` (the priced queue time that
      disappears with the projection's shifted timeline: working time after the
      planned date, capped; lead time is never credited), as the handoff table
      prices them (:func:`procmine.analysis.handoffs.handoff_prices`).
    - ``rework_cost``: the discrepancy rework that disappears: the step's own
      re-entries stop (it is no longer keyed by hand), and where the owner now
      enters an item first, a later keying by the department may become a
      re-entry (then the figure can be negative).

    ``current_cost`` adds these up over the log's period,
    ``current_cost_annual`` annualises it (:meth:`CostModel.annual_basis`);
    ``implementation_cost`` is the one-off cost of the candidate's kind of change
    (the rule everywhere: each kind is implemented once, so a candidate tried on
    its own carries its kind's full cost, and candidates of one kind made
    together share it, as the joint projection charges it); ``running_cost_annual`` the
    kind's monthly running cost × 12 plus the residual share of the labour;
    ``annual_saving`` the difference and ``payback_months`` the
    implementation cost over the monthly saving (``inf`` when it never pays
    back). ``annual_saving`` equals minus the change in ``total_cost_annual``
    of the single-move projection (the same functions compute both).

    Parameters
    ----------
    log : EventLog
    reentry : Reentry, optional, keyword-only
        A re-entry result by department; computed when not given.
    costs : CostModel, optional, keyword-only
        Default :meth:`CostModel.default`.
    keywords : iterable of str, optional, keyword-only
        Regular expressions (case-insensitive) for request-handling activity
        names; default :data:`DEFAULT_REQUEST_KEYWORDS`. Pass ``()`` to use
        the evidence of the log only.
    min_share, min_events : keyword-only
        Minimum support to be ranked: the share of the log's orders with
        evidence (default 0.01) and the evidence events (default 20);
        ``procmine report --min-support 0.01,20``.

    Returns
    -------
    Candidates

    Raises
    ------
    UsageError
        A keyword is not a valid regular expression; ``log`` is not an EventLog.

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog, InformationItem
    >>> f = pd.DataFrame({
    ...     "case_id": ["o1", "o1", "o1"],
    ...     "activity": ["Supplier confirms", "Enter confirmation", "Receive goods"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 15:00",
    ...                                  "2024-01-03 09:00"], utc=True),
    ...     "department": [None, "Purchasing", "Warehouse"],
    ...     "party": ["supplier", "internal", "internal"],
    ...     "delivery_date": ["2024-01-03", "03.01.2024", None],
    ... })
    >>> log = EventLog.from_frame(f, items=[InformationItem("delivery_date", "supplier",
    ...                                                       type="date")])
    >>> c = candidates(log, min_events=1)
    >>> c.table[["activity", "department", "kind", "events", "handoffs_removed"]].values.tolist()
    [['Enter confirmation', 'Purchasing', 'supplier_portal_edi', 1, 1]]
    >>> c.table[["evidence_kind", "strength"]].values.tolist()
    [['values', 'strong']]
    >>> len(candidates(log).table), len(candidates(log).weak)  # 1 event < 20: weak evidence
    (0, 1)

    Moving the order entry to the customer removes no handoff here: Sales→Credit
    becomes customer→Credit (at department level the customer is an actor too):

    >>> f = pd.DataFrame({
    ...     "case_id": ["o1"] * 3,
    ...     "activity": ["Enter order", "Enter credit limit", "Invoice"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00",
    ...                                  "2024-01-01 11:00"], utc=True),
    ...     "department": ["Sales", "Credit", "Billing"],
    ...     "party": ["internal"] * 3,
    ...     "requested_date": ["2024-02-01", "01.02.2024", None],
    ... })
    >>> log = EventLog.from_frame(f, items=[InformationItem("requested_date", "customer")])
    >>> c = candidates(log, keywords=(), min_events=1)
    >>> t = c.table.set_index("activity")
    >>> t.loc[["Enter order", "Enter credit limit"], ["kind", "handoffs_removed"]].values.tolist()
    [['customer_self_service', 0], ['shared_data', 0]]
    """
    log = require_log(log, where="candidates")
    if not 0.0 <= float(min_share) <= 1.0:
        raise UsageError(f"candidates: min_share must be between 0 and 1, got {min_share!r}")
    if int(min_events) < 0:
        raise UsageError(f"candidates: min_events must be 0 or more, got {min_events!r}")
    costs = costs if costs is not None else CostModel.default()
    patterns = _compile(DEFAULT_REQUEST_KEYWORDS if keywords is None else keywords)
    factor = costs.annual_factor(log)
    if reentry is None:
        found = _reentry(log, costs=costs)
    else:
        found = reentry
    evidence = _evidence(log, found, patterns)
    rows = reentry_before(log, costs, found) if log.has_item_values else None
    table, moves = _table(log, evidence, rows, costs, factor)
    n_cases = log.n_cases
    supported = ((table["cases"] >= min_share * n_cases)
                 & (table["events"] >= int(min_events))).to_numpy(dtype=bool)
    table["strength"] = np.where(
        ~supported, "weak",
        np.where(table["evidence_kind"].str.contains("values|owner")
                 & (table["support"] >= STRONG_SHARE), "strong", "moderate"))
    ranked = table.loc[supported].reset_index(drop=True)
    weak = table.loc[~supported].reset_index(drop=True)
    kept = tuple(m for m, ok in zip(moves, supported, strict=True) if ok)
    return Candidates(table=ranked, events=evidence.drop(columns="_pos"), currency=costs.currency,
                      annual_factor=factor, weak=weak, moves=kept)


_reentry = reentry


def _compile(keywords: Iterable[str]) -> list[re.Pattern[str]]:
    out = []
    for word in keywords:
        try:
            check_pattern(word, option=f"candidates: keyword {word!r}")
            out.append(re.compile(word, re.IGNORECASE))
        except re.error as exc:
            raise UsageError(f"candidates: keyword {word!r} is not a regular expression: {exc}"
                             ) from None
    return out


# -- evidence ---------------------------------------------------------------------------
_EVIDENCE_COLUMNS = ("activity", "department", "kind", "event_id", "case_id", "item",
                     "evidence", "discrepancy")


def _internal_manual(events: pd.DataFrame) -> pd.Series:
    """Manual internal events: the labour of :meth:`CostModel.labour_mask`."""
    return pd.Series(CostModel.labour_mask(events), index=events.index)


def _evidence(log: EventLog, found: Reentry, patterns: list[re.Pattern[str]]) -> pd.DataFrame:
    events = log.events
    internal = _internal_manual(events)
    parts: list[pd.DataFrame] = []
    owners = {i.name: i.owner for i in log.items}
    re_events = found.events
    re_at = found_positions(log, re_events)
    keep = re_at >= 0
    re_events, re_at = re_events[keep], re_at[keep]
    if found.signal == "values" and not re_events.empty:
        re_events = re_events[internal.to_numpy()[re_at]]
        owner = re_events["item"].map(owners).fillna("internal")
        # the owner's information keyed from the owner's message -> the owner enters it;
        # information already in an internal system keyed again -> share the data
        to_owner = (owner != "internal") & ~re_events["internal_before"]
        kind = owner.map(OWNER_KIND).where(to_owner, "shared_data")
        parts.append(pd.DataFrame({
            "event_id": re_events["event_id"].to_numpy(),
            "item": re_events["item"].to_numpy(),
            "kind": kind.to_numpy(),
            "evidence": "re-entry",
            "discrepancy": ~re_events["same_value"].fillna(True).to_numpy(dtype=bool),
            "_pos": re_at[internal.to_numpy()[re_at]],
        }))
    if found.signal == "values":
        parts.append(_first_entries(log, internal))
    if found.signal == "redo" and not re_events.empty:
        re_events = re_events[internal.to_numpy()[re_at]]
        parts.append(pd.DataFrame({
            "event_id": re_events["event_id"].to_numpy(),
            "item": np.nan,
            "kind": "shared_data",
            "evidence": "redo (weaker signal)",
            "discrepancy": False,
            "_pos": re_at[internal.to_numpy()[re_at]],
        }))
    parts.append(_requests(log, internal, patterns))
    parts = [p for p in parts if not p.empty]
    if not parts:
        empty = pd.DataFrame({c: pd.Series([], dtype="str") for c in _EVIDENCE_COLUMNS})
        return empty.astype({"discrepancy": bool}).assign(_pos=pd.Series([], dtype="int64"))
    ev = pd.concat(parts, ignore_index=True)
    at = ev["_pos"].to_numpy(dtype=np.int64)
    ev["activity"] = events[ACTIVITY].take(at).to_numpy()
    ev["department"] = events[DEPARTMENT].take(at).to_numpy()
    ev["case_id"] = events[CASE_ID].take(at).to_numpy()
    ev["_pos"] = at
    ev = ev.sort_values(["activity", "department", "kind", "_pos", "item"], kind="stable",
                        na_position="last")
    for column in ("activity", "department", "kind", "event_id", "case_id", "item", "evidence"):
        ev[column] = ev[column].astype("str")
    return ev[[*_EVIDENCE_COLUMNS, "_pos"]].reset_index(drop=True)


def _first_entries(log: EventLog, internal: pd.Series) -> pd.DataFrame:
    """Manual internal first entries of an outside party's item (rule 1, first keying)."""
    events = log.events
    case = log_arrays(events).case
    parts = []
    for item in sorted(log.items, key=lambda i: i.name):
        if item.owner == "internal" or item.name not in events.columns:
            continue
        # a value that is not blank: the item's key (re-entry's reading of it) exists
        pos = np.flatnonzero(item_keys(events, item.name, getattr(item, "type", "text")) >= 0)
        at_case = case[pos]
        first = pos[np.r_[True, at_case[1:] != at_case[:-1]]] if len(pos) else pos
        first = first[internal.to_numpy()[first]]
        parts.append(pd.DataFrame({
            "event_id": events[EVENT_ID].take(first).to_numpy(),
            "item": item.name,
            "kind": OWNER_KIND[item.owner],
            "evidence": "keys the owner's information",
            "discrepancy": False,
            "_pos": first,
        }))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _requests(log: EventLog, internal: pd.Series, patterns: list[re.Pattern[str]]
              ) -> pd.DataFrame:
    """Manual internal steps that answer a customer's request (rule 3)."""
    events = log.events
    n = len(events)
    if n == 0:
        return pd.DataFrame()
    arrays = log_arrays(events)
    party_codes, party_names = arrays.codes(PARTY)
    customer = np.r_[np.asarray(party_names, dtype=object).astype(str) == "customer",
                     False][party_codes]
    after_customer = np.zeros(n, dtype=bool)
    after_customer[1:] = arrays.same_case & customer[:-1]
    enters_item = np.zeros(n, dtype=bool)
    for item in log.items:
        if item.name in events.columns:
            enters_item |= events[item.name].notna().to_numpy()
    act_codes, act_names = arrays.codes(ACTIVITY)
    dept_codes = arrays.codes(DEPARTMENT)[0] + 1  # 0: no department
    key = act_codes.astype(np.int64) * (int(dept_codes.max()) + 1) + dept_codes
    is_internal = internal.to_numpy()
    frame = pd.DataFrame({"key": key[is_internal], "after": after_customer[is_internal],
                          "item": enters_item[is_internal]})
    stats = frame.groupby("key", sort=True).agg(share=("after", "mean"),
                                                 items=("item", "any"))
    chosen = stats.index[(stats["share"] >= REQUEST_SHARE) & ~stats["items"]].to_numpy()
    by_share = np.isin(key, chosen)
    if patterns:
        names = np.asarray(act_names, dtype=object)
        named = np.zeros(len(names), dtype=bool)
        for p in patterns:  # each pattern once over the distinct names, in linear time
            named |= search_each(names, p.pattern, option="keywords", ignore_case=True)
        by_name = named[act_codes] if len(named) else np.zeros(n, dtype=bool)
    else:
        by_name = np.zeros(n, dtype=bool)
    hit = internal.to_numpy() & (by_share | by_name)
    at = np.flatnonzero(hit)
    evidence = np.where(by_share[at], "follows customer request", "request keyword")
    return pd.DataFrame({
        "event_id": events[EVENT_ID].take(at).to_numpy(),
        "item": np.nan,
        "kind": "customer_self_service",
        "evidence": evidence,
        "discrepancy": False,
        "_pos": at,
    })


# -- table ------------------------------------------------------------------------------
_EVIDENCE_KIND = {
    "re-entry": "values", "keys the owner's information": "owner",
    "redo (weaker signal)": "redo", "request keyword": "request keyword",
    "follows customer request": "follows request",
}


def _table(log: EventLog, ev: pd.DataFrame, found: pd.DataFrame | None, costs: CostModel,
           factor: float) -> tuple[pd.DataFrame, list[Move]]:
    if ev.empty:
        return _empty_table(), []
    events = log.events
    owners = {i.name: i.owner for i in log.items}
    arrays = log_arrays(events)
    n_cases = log.n_cases
    micros = arrays.micros
    case = arrays.case
    keys = ["activity", "department", "kind"]
    groups = list(ev.groupby(keys, sort=True, dropna=False))
    # executions of each step: its manual internal events (what a move could change)
    executions = _Executions(events, costs.labour_mask(events))
    ids = events[EVENT_ID]
    moves, positions = [], []
    for (a, d, k), group in groups:
        dept = None if pd.isna(d) else d
        pos = np.unique(group["_pos"].to_numpy(dtype=np.int64))
        every = len(pos) >= executions.of(a, dept)
        moves.append(Move(a, dept, k, events=None if every else frozenset(ids.take(pos).tolist())))
        positions.append(None if every else pos)
    # what each move changes on its own, measured as the projection measures it
    effects = move_effects(log, moves, costs=costs, found=found, positions=positions)
    rows = []
    for ((activity, department, kind), group), effect in zip(
            groups, effects.itertuples(index=False), strict=True):
        pos = np.unique(group["_pos"].to_numpy())
        items = sorted(set(group["item"].dropna().unique().tolist()))
        kinds_of_evidence = set(group["evidence"].unique().tolist())
        owner = KIND_PARTY[kind] or (
            "internal" if not items else ", ".join(sorted({owners.get(i, "internal")
                                                           for i in items})))
        # the wait before each evidence event, from the event before it in its order
        prev = np.maximum(pos - 1, 0)
        same = (pos > 0) & (case[prev] == case[pos])
        waits = (micros[pos[same]] - micros[prev[same]]) / 1e6
        # discrepancies: evidence events with at least one discrepant re-entry
        discrepancies = int(group.loc[group["discrepancy"], "event_id"].nunique())
        dept = None if pd.isna(department) else department
        handoffs_removed = int(effect.handoffs_removed)
        # the projection's own pricing: coordination of the handoffs removed (system to
        # system ones cost none) and only the priced queue time that goes
        handoff_cost = float(costs.handoff_price(effect.coordinated_removed))
        waiting_cost = float(effect.handoff_cost_removed) - handoff_cost
        current = effect.labour_cost + handoff_cost + waiting_cost + effect.rework_cost
        current_annual = current * factor
        running_annual = costs.running_cost_annual([kind]) + effect.residual_cost * factor
        saving = current_annual - running_annual
        implementation = costs.implementation_cost([kind])
        payback = implementation / (saving / 12.0) if saving > 0 else np.inf
        rows.append({
            "activity": activity, "department": dept, "kind": kind,
            "item": ", ".join(items) if items else None, "owner": owner,
            "evidence": ", ".join(sorted(kinds_of_evidence)),
            "evidence_kind": ", ".join(sorted({_EVIDENCE_KIND.get(e, e)
                                               for e in kinds_of_evidence})),
            "strength": "",
            "events": len(pos), "cases": int(pd.unique(case[pos]).size),
            "support": pd.unique(case[pos]).size / max(n_cases, 1),
            "executions": int(executions.of(activity, dept)),
            "step_events": int(effect.step_events),
            "handoffs_removed": handoffs_removed,
            "coordinated_removed": int(effect.coordinated_removed),
            "median_wait_s": float(np.median(waits)) if len(waits) else np.nan,
            "labour_minutes": effect.labour_minutes, "discrepancies": discrepancies,
            "labour_cost": effect.labour_cost, "handoff_cost": handoff_cost,
            "waiting_cost": waiting_cost, "rework_cost": effect.rework_cost,
            "current_cost": current, "current_cost_annual": current_annual,
            "implementation_cost": implementation, "running_cost_annual": running_annual,
            "annual_saving": saving, "payback_months": payback,
        })
    table = pd.DataFrame(rows)
    table["rationale"] = [_rationale(r, n_cases, costs.currency)
                          for r in table.itertuples(index=False)]
    order = table.sort_values(
        ["annual_saving", "activity", "department", "kind"],
        ascending=[False, True, True, True], kind="stable", na_position="last",
    ).index.to_numpy()
    table = table.loc[order].reset_index(drop=True)
    moves = [moves[i] for i in order]
    for column in ("activity", "department", "kind", "item", "owner", "evidence",
                   "evidence_kind", "strength", "rationale"):
        table[column] = table[column].astype("str")
    return table[list(TABLE_COLUMNS)], moves


class _Executions:
    """Executions of each step (activity, department): its events among ``mask``."""

    def __init__(self, events: pd.DataFrame, mask: np.ndarray) -> None:
        arrays = log_arrays(events)
        act, act_names = arrays.codes(ACTIVITY)
        dept, dept_names = arrays.codes(DEPARTMENT)
        self._acts = {name: i for i, name in enumerate(act_names.tolist())}
        self._depts = {name: i for i, name in enumerate(dept_names.tolist())}
        self._width = len(dept_names) + 1
        pair = act[mask] * self._width + (dept[mask] + 1)
        self._counts = np.bincount(pair[act[mask] >= 0],
                                   minlength=max(len(act_names), 1) * self._width)

    def of(self, activity: str, department: str | None) -> int:
        """How many manual internal events the step has."""
        a = self._acts.get(activity)
        d = -1 if department is None else self._depts.get(department)
        if a is None or d is None:
            return 0
        return int(self._counts[a * self._width + d + 1])


def _empty_table() -> pd.DataFrame:
    ints = ("events", "cases", "executions", "step_events", "handoffs_removed",
            "coordinated_removed", "discrepancies")
    text = ("activity", "department", "kind", "item", "owner", "evidence", "evidence_kind",
            "strength", "rationale")
    return pd.DataFrame({
        c: pd.Series([], dtype="str" if c in text else ("int64" if c in ints else "float64"))
        for c in TABLE_COLUMNS
    })


def _rationale(r, n_cases: int, currency: str) -> str:
    who = r.department if isinstance(r.department, str) else "staff"
    share = f"{r.cases / n_cases:.0%} of orders" if n_cases else "no orders"
    if r.kind == "shared_data":
        if "redo" in r.evidence:
            why = (f"{who} repeats '{r.activity}' after another department did it "
                   f"({r.events:,} times, {share}); the log has no item values, so this rests "
                   "on the weaker 'redo' signal")
        else:
            why = (f"{who} keys {r.item} again in '{r.activity}' although it was already "
                   f"in an internal system earlier in the order ({r.events:,} times, {share})")
        how = "Share the data between the systems so it is entered once"
    elif "re-entry" in r.evidence or "owner's information" in r.evidence:
        why = (f"{r.item} belongs to the {r.owner}, yet {who} keys it in '{r.activity}' "
               f"({r.events:,} times, {share})")
        how = f"Let the {r.owner} enter it once through {_KIND_TEXT[r.kind]}"
    else:
        why = (f"{who} does '{r.activity}' to answer a customer's request "
               f"({r.events:,} times, {share})")
        how = f"Let the customer serve themselves through {_KIND_TEXT[r.kind]}"
    n, people = int(r.handoffs_removed), int(r.coordinated_removed)
    if n:
        facts = [f"{abs(n)} department handoff{'' if abs(n) == 1 else 's'} "
                 f"{'fewer' if n > 0 else 'more'}"]
    else:
        facts = ["no department handoff removed"]
    if people != n:
        facts.append(f"{abs(people)} {'fewer' if people > 0 else 'more'} that need a person "
                     "(between two automated actors a handoff needs no coordination)")
    if r.discrepancies:
        differ = "entry differs" if r.discrepancies == 1 else "entries differ"
        facts.append(f"{r.discrepancies} {differ} from the first value")
    if r.annual_saving > 0:
        money = (f"saves about {r.annual_saving:,.0f} {currency} a year; pays back in "
                 f"{r.payback_months:.1f} months")
    else:
        money = "does not pay back at the assumed costs"
    return f"{why}; {', '.join(facts)}. {how}: {money}."
