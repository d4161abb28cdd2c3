"""Rework: the same step done again in an order (repeat, redo) and change activities.

Following edeaR's repetition metrics (bupaR; Janssenswillen et al., 2019), an
event of an order is **rework** when

- its activity is a *change* activity (its name matches :data:`CHANGE_PATTERN`:
  "Change delivery date", "Quantity updated", "Address correction", ...), kind
  ``"change"``; or else
- an earlier event of the same order did the same activity for the same
  sub-object (the optional ``object_id`` column; none means the order itself):
  kind ``"repeat"`` when the previous such event had the same actor at the chosen
  level (both known), ``"redo"`` otherwise. The first occurrence is not rework, and
  doing a step for another sub-object (a second package, a split delivery) is not
  rework either.

The actor is :func:`procmine.log.actors.actor` (the one definition); labour is
:meth:`procmine.analysis.costs.CostModel.labour` (the one definition: only manual
internal events cost labour). Vectorised: no Python loop over events or cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal, get_args

import numpy as np
import pandas as pd

from procmine._check import check_choice
from procmine._display import repr_html
from procmine._regex import check_pattern, search_each
from procmine.analysis.costs import CostModel
from procmine.errors import UsageError
from procmine.log._require import require_log
from procmine.log.actors import LEVELS, Level, log_arrays
from procmine.log.eventlog import EventLog
from procmine.schema import ACTIVITY, AUTOMATED, CASE_ID, DEPARTMENT, EVENT_ID, OBJECT_ID, PARTY

__all__ = [
    "BY_KIND_COLUMNS",
    "CHANGE_PATTERN",
    "EVENT_COLUMNS",
    "KINDS",
    "TABLE_COLUMNS",
    "Rework",
    "ReworkKind",
    "rework",
]

#: Activities whose name says something was changed (case-insensitive, whole words).
CHANGE_PATTERN: Final = (
    r"(?i)\b(?:change[sd]?|changing|update[sd]?|updating|correct(?:ed|ion|s)?"
    r"|amend(?:ed|ment|s)?)\b"
)

ReworkKind = Literal["repeat", "redo", "change"]
#: Kinds of rework, in the order :attr:`Rework.by_kind` lists them.
KINDS: Final[tuple[str, ...]] = get_args(ReworkKind)

#: Columns of :attr:`Rework.events`, one row per rework event.
EVENT_COLUMNS: Final = (
    "case_id", "event_id", "activity", "level_value", "kind", "previous_event_id",
    "object_id", "labour_minutes", "labour_cost",
)
#: Columns of :attr:`Rework.table` (the first seven are ``tables/rework.csv``).
TABLE_COLUMNS: Final = (
    "activity", "level_value", "kind", "events", "cases", "share_of_orders", "labour_cost",
    "labour_minutes",
)
#: Columns of :attr:`Rework.by_kind`.
BY_KIND_COLUMNS: Final = (
    "kind", "events", "cases", "share_of_orders", "labour_cost", "labour_minutes",
)


def _compile(pattern: object, *, option: str) -> re.Pattern[str]:
    """``pattern`` compiled, or a :class:`UsageError` naming ``option``; it must also be one
    that linear-time matching takes (:func:`procmine._regex.check_pattern`)."""
    if not isinstance(pattern, str):
        raise UsageError(
            f"{option}: expected a regular expression as text, got {type(pattern).__name__} "
            f"{pattern!r}"
        )
    try:
        check_pattern(pattern, option=option)
        return re.compile(pattern)
    except re.error as exc:
        raise UsageError(
            f"{option}: {pattern!r} is not a valid regular expression ({exc}); "
            "fix it or leave the option out for the default"
        ) from None


def _share(cases: np.ndarray | pd.Series, orders: int) -> np.ndarray:
    """``cases / orders`` (0 for a log without orders)."""
    values = np.asarray(cases, dtype="float64")
    return values / orders if orders else np.zeros(len(values))


@dataclass(frozen=True, eq=False)
class Rework:
    """Rework in a log: one row per rework event, and its summaries.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (activity, level_value, kind), columns :data:`TABLE_COLUMNS`:
        ``events``, ``cases`` (orders with such rework), ``share_of_orders``
        (``cases`` / orders in the log), ``labour_cost``, ``labour_minutes``.
        Sorted by labour cost (descending), then activity, level value, kind.
    events : pandas.DataFrame
        One row per rework event, columns :data:`EVENT_COLUMNS`, in log order.
    by_kind : pandas.DataFrame
        One row per kind (:data:`KINDS`, all three always), columns
        :data:`BY_KIND_COLUMNS`.
    level : str
        The level at which actors are compared.
    orders : int
        Orders in the log.
    change_pattern : str
        The pattern that marks change activities.
    """

    table: pd.DataFrame
    events: pd.DataFrame
    by_kind: pd.DataFrame
    level: str
    orders: int
    change_pattern: str

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name: ``table``, ``events`` and ``by_kind``."""
        return {"table": self.table, "events": self.events, "by_kind": self.by_kind}

    @property
    def count(self) -> int:
        """Number of rework events."""
        return len(self.events)

    @property
    def cases(self) -> int:
        """Orders with at least one rework event."""
        return int(self.events["case_id"].nunique())

    @property
    def share_of_orders(self) -> float:
        """Share of the log's orders with at least one rework event (0 for an empty log)."""
        return self.cases / self.orders if self.orders else 0.0

    @property
    def labour_cost(self) -> float:
        """Labour cost of all rework events."""
        return float(self.events["labour_cost"].sum())

    def __repr__(self) -> str:
        counts = dict(zip(self.by_kind["kind"], self.by_kind["events"], strict=True))
        kinds = ", ".join(f"{int(counts[k])} {k}" for k in KINDS)
        return (
            f"Rework(level={self.level!r}: {self.count} rework events ({kinds}) in "
            f"{self.cases} of {self.orders} orders, labour cost {self.labour_cost:,.2f})"
        )

    def _repr_html_(self) -> str:
        return repr_html(self)


def rework(
    log: EventLog,
    *,
    level: Level = "department",
    change_pattern: str = CHANGE_PATTERN,
    costs: CostModel | None = None,
) -> Rework:
    """Find the steps done again in each order (repeat, redo) and the change activities.

    Every event is read in log order (by case, then time, ties in input order):

    - its activity matches ``change_pattern``: kind ``"change"`` (even the first
      time it happens in the order; ``previous_event_id`` is then missing);
    - otherwise, an earlier event of the same order has the same activity and the
      same ``object_id`` (a missing value, or no such column, meaning the order
      itself): kind ``"repeat"`` when the previous such event's actor at
      ``level`` equals this event's, both known; ``"redo"`` when they differ or
      either is unknown. The first occurrence is not rework; the same step for
      another sub-object is not rework.

    Parameters
    ----------
    log : EventLog
    level : {"resource", "department", "party"}, keyword-only
        The actor compared (see :func:`procmine.log.actors.actor`).
    change_pattern : str, keyword-only
        Regular expression (searched in each activity name) marking change
        activities. Default :data:`CHANGE_PATTERN`.
    costs : CostModel, optional, keyword-only
        Prices labour with :meth:`CostModel.labour` (automated and outside-party
        events cost none); default :meth:`CostModel.default`.

    Returns
    -------
    Rework
        ``table`` (per activity, actor and kind), ``events`` (one row per
        rework event), ``by_kind``.

    Raises
    ------
    UsageError
        ``log`` is not an EventLog, ``level`` is unknown, ``change_pattern`` is
        not a valid regular expression.

    References
    ----------
    .. [1] G. Janssenswillen, B. Depaire, M. Swennen, M. Jans, K. Vanhoof (2019).
       bupaR: Enabling reproducible business process analysis. Knowledge-Based
       Systems 163, 927–930 (edeaR's ``number_of_repetitions``: repeat and redo).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"case_id": ["o1"] * 4 + ["o2"],
    ...     "activity": ["Pick", "Pick", "Change date", "Pick", "Pick"],
    ...     "timestamp": pd.to_datetime([1, 2, 3, 4, 1], unit="h", utc=True),
    ...     "department": ["Warehouse", "Warehouse", "Sales", "Shipping", "Warehouse"]})
    >>> flat = CostModel(department_rates={}, default_rate=60.0, default_minutes=6.0)
    >>> r = rework(EventLog.from_frame(f), costs=flat)
    >>> r.events[["activity", "level_value", "kind"]].values.tolist()
    [['Pick', 'Warehouse', 'repeat'], ['Change date', 'Sales', 'change'], \
['Pick', 'Shipping', 'redo']]
    >>> r.table[["activity", "kind", "events", "share_of_orders", "labour_cost"]].values.tolist()
    [['Change date', 'change', 1, 0.5, 6.0], ['Pick', 'redo', 1, 0.5, 6.0], \
['Pick', 'repeat', 1, 0.5, 6.0]]
    """
    log = require_log(log, where="rework")
    check_choice(level, LEVELS, option="level")
    pattern = _compile(change_pattern, option="change_pattern")
    costs = CostModel.default() if costs is None else costs
    events = log.events
    arrays = log_arrays(events)
    orders = len(arrays.case_starts)

    activity_codes, activity_names = arrays.activity_codes
    is_change_activity = search_each(np.asarray(activity_names, dtype=object), pattern.pattern,
                                     option="change_pattern")
    change = is_change_activity[activity_codes] if len(activity_names) else np.zeros(0, bool)
    previous = _previous_same_step(events, activity_codes, arrays.case)
    actors, actor_names = arrays.actors(level)

    pos = np.flatnonzero(change | (previous >= 0))
    prev = previous[pos]
    known = prev >= 0
    same_actor = np.zeros(len(pos), dtype=bool)
    same_actor[known] = (actors[pos][known] >= 0) & (actors[pos][known] == actors[prev[known]])
    kind = np.where(change[pos], "change", np.where(same_actor, "repeat", "redo"))

    columns = [CASE_ID, EVENT_ID, ACTIVITY, DEPARTMENT, PARTY, AUTOMATED]
    if OBJECT_ID in events.columns:
        columns.append(OBJECT_ID)
    found = events[columns].take(pos)
    minutes, cost = costs.labour(found)
    level_value = np.full(len(pos), np.nan, dtype=object)
    has_actor = actors[pos] >= 0
    level_value[has_actor] = actor_names[actors[pos][has_actor]]
    previous_id = np.full(len(pos), np.nan, dtype=object)
    previous_id[known] = events[EVENT_ID].take(prev[known]).to_numpy(dtype=object)
    if OBJECT_ID in events.columns:
        object_id = found[OBJECT_ID].reset_index(drop=True)
        object_id = object_id.astype("str").where(object_id.notna())
    else:
        object_id = pd.Series(np.full(len(pos), np.nan, dtype=object))
    table_events = pd.DataFrame({
        "case_id": found[CASE_ID].reset_index(drop=True).astype("str"),
        "event_id": found[EVENT_ID].reset_index(drop=True).astype("str"),
        "activity": found[ACTIVITY].reset_index(drop=True).astype("str"),
        "level_value": pd.Series(level_value, dtype="str"),
        "kind": pd.Series(kind, dtype="str"),
        "previous_event_id": pd.Series(previous_id, dtype="str"),
        "object_id": object_id.astype("str"),
        "labour_minutes": np.asarray(minutes, dtype="float64"),
        "labour_cost": np.asarray(cost, dtype="float64"),
    })
    return Rework(
        table=_table(table_events, orders),
        events=table_events,
        by_kind=_by_kind(table_events, orders),
        level=level,
        orders=orders,
        change_pattern=pattern.pattern,
    )


def _previous_same_step(events: pd.DataFrame, activity_codes: np.ndarray,
                        cases: np.ndarray) -> np.ndarray:
    """Position of the previous event of the same case, activity and object (-1 if none).

    Orders positions by (case, activity, object, position), packed into one int64
    when they fit (one sort of plain integers; a lexsort otherwise), and links each
    to its neighbour in the same group: no loop over events.
    """
    n = len(events)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if OBJECT_ID in events.columns:
        objects = np.asarray(log_arrays(events).codes(OBJECT_ID)[0], dtype=np.int64)  # -1: none
    else:
        objects = None
    n_act = int(activity_codes.max()) + 1
    n_obj = int(objects.max()) + 2 if objects is not None else 1
    pos_bits = int(n - 1).bit_length()
    group_bits = int(max(int(cases[-1]) + 1, 1) * n_act * n_obj - 1).bit_length()
    if pos_bits + group_bits <= 63:
        group = cases * n_act
        group += activity_codes
        if objects is not None:
            group *= n_obj
            group += objects + 1
        key = np.left_shift(group, pos_bits)
        key |= np.arange(n, dtype=np.int64)
        key.sort()
        order = key & ((1 << pos_bits) - 1)
        key >>= pos_bits
        same = key[1:] == key[:-1]
    else:
        position = np.arange(n)
        objects = np.full(n, -1, dtype=np.int64) if objects is None else objects
        order = np.lexsort((position, objects, activity_codes, cases))
        c, a, o = cases[order], activity_codes[order], objects[order]
        same = (c[1:] == c[:-1]) & (a[1:] == a[:-1]) & (o[1:] == o[:-1])
    previous = np.full(n, -1, dtype=np.int64)
    previous[order[1:][same]] = order[:-1][same]
    return previous


def _table(found: pd.DataFrame, orders: int) -> pd.DataFrame:
    keys = ["activity", "level_value", "kind"]
    if found.empty:
        table = pd.DataFrame({
            "activity": pd.Series([], dtype="str"),
            "level_value": pd.Series([], dtype="str"),
            "kind": pd.Series([], dtype="str"),
            "events": pd.Series([], dtype="int64"),
            "cases": pd.Series([], dtype="int64"),
            "share_of_orders": pd.Series([], dtype="float64"),
            "labour_cost": pd.Series([], dtype="float64"),
            "labour_minutes": pd.Series([], dtype="float64"),
        })
        return table[list(TABLE_COLUMNS)]
    table = found.groupby(keys, sort=False, dropna=False).agg(
        events=("event_id", "size"),
        cases=("case_id", "nunique"),
        labour_cost=("labour_cost", "sum"),
        labour_minutes=("labour_minutes", "sum"),
    ).reset_index()
    table["events"] = table["events"].astype("int64")
    table["cases"] = table["cases"].astype("int64")
    table["share_of_orders"] = _share(table["cases"], orders)
    for key in keys:
        table[key] = table[key].astype("str")
    table = table.sort_values(
        ["labour_cost", *keys], ascending=[False, True, True, True], kind="stable",
        na_position="last",
    )
    return table[list(TABLE_COLUMNS)].reset_index(drop=True)


def _by_kind(found: pd.DataFrame, orders: int) -> pd.DataFrame:
    grouped = found.groupby("kind", sort=False)
    kinds = pd.Index(KINDS, name="kind")
    events = grouped.size().reindex(kinds, fill_value=0).astype("int64")
    cases = grouped["case_id"].nunique().reindex(kinds, fill_value=0).astype("int64")
    frame = pd.DataFrame({
        "kind": pd.Series(KINDS, dtype="str"),
        "events": events.to_numpy(),
        "cases": cases.to_numpy(),
        "share_of_orders": _share(cases.to_numpy(), orders),
        "labour_cost": grouped["labour_cost"].sum().reindex(kinds, fill_value=0.0)
        .to_numpy(dtype="float64"),
        "labour_minutes": grouped["labour_minutes"].sum().reindex(kinds, fill_value=0.0)
        .to_numpy(dtype="float64"),
    })
    return frame[list(BY_KIND_COLUMNS)]
