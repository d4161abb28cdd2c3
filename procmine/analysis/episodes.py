"""Episodes: a status opened and later closed in an order (a block set and removed, a hold
and its release), how long it lasted, who closed it, and what the delay cost.

An activity *opens* or *closes* a status when its name matches one of the
(open, close) regular-expression pairs (:data:`DEFAULT_PAIRS`). Within each order
and status, an open starts an episode when none is open (a second open while one is
open is ignored), the next close ends it, a close with nothing open is a *stray
close* (ignored, counted), and an episode still open when its order's events end is
*open*: right-censored, with no duration and no price, counted apart and never in the
medians. This is edeaR's view of an order's states (bupaR; Janssenswillen et al.,
2019) applied to status flags.

Vectorised: the activities and the pairs are few, so they are looped over; events
and cases never are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from procmine._check import check_choice
from procmine._display import repr_html
from procmine._regex import extract_each, search_each
from procmine.analysis.costs import CostModel
from procmine.analysis.rework import _compile, _share
from procmine.errors import UsageError
from procmine.log._require import require_log
from procmine.log.actors import LEVELS, Level, log_arrays
from procmine.log.eventlog import EventLog
from procmine.schema import ACTIVITY, CASE_ID, EVENT_ID, TIMESTAMP

__all__ = [
    "BY_STATUS_COLUMNS",
    "DEFAULT_PAIRS",
    "EVENT_COLUMNS",
    "TABLE_COLUMNS",
    "Episodes",
    "episodes",
    "status_name",
]

#: (open, close) patterns, searched in activity names. The first pair whose two patterns
#: both match an activity claims it as a close ("Credit block released", "Hold released");
#: otherwise the first pair that matches it at all (close winning over open). A named group
#: ``status`` names the status from the activity ("Credit Block Set" / "Credit Block
#: Removed": "credit block"); without one the pair's :func:`status_name` is used.
DEFAULT_PAIRS: Final[tuple[tuple[str, str], ...]] = (
    (r"(?i)^(?P<status>.+?)\s+set$", r"(?i)^(?P<status>.+?)\s+removed$"),
    (r"(?i)\bblock(?:ed)?\b", r"(?i)\b(?:release[sd]?|unblock(?:ed)?)\b"),
    (r"(?i)\b(?:on\s+)?hold\b", r"(?i)\brelease[sd]?\b"),
)

#: Columns of :attr:`Episodes.events`, one row per episode.
EVENT_COLUMNS: Final = (
    "case_id", "status", "open_event_id", "close_event_id", "open_activity",
    "close_activity", "opened_by", "closed_by", "start", "end", "duration_s", "open", "cost",
)
#: Columns of :attr:`Episodes.table` (the first seven are ``tables/episodes.csv``).
TABLE_COLUMNS: Final = (
    "opened_by", "closed_by", "orders", "episodes", "median_s", "p90_s", "cost",
    "status", "open_episodes", "open_activity", "close_activity",
)
#: Columns of :attr:`Episodes.by_status`.
BY_STATUS_COLUMNS: Final = (
    "status", "orders", "episodes", "open_episodes", "median_s", "p90_s", "cost",
    "share_of_orders", "stray_closes",
)

_OPEN: Final = 1
_CLOSE: Final = 2


def status_name(open_pattern: str) -> str:
    """The fixed status name of a pair without a ``status`` group, read from its open pattern.

    The pattern's text without its regular-expression syntax: inline flags,
    anchors and ``\\b`` dropped, ``\\s`` read as a space, an optional group kept
    when it extends a word (``block(?:ed)?`` → "blocked") and dropped when it
    precedes one (``(?:on\\s+)?hold`` → "hold"), the first alternative of any
    other group; lower case.

    Examples
    --------
    >>> status_name(r"(?i)\\bblock(?:ed)?\\b"), status_name(r"(?i)\\b(?:on\\s+)?hold\\b")
    ('blocked', 'hold')
    >>> status_name(r"^Quality (?:check|inspection) pending$")
    'quality check pending'
    """
    text = re.sub(r"\(\?[aiLmsux]+\)", "", open_pattern)
    text = re.sub(r"\\[bBAZ]|[\^$]", "", text)
    text = re.sub(r"\\s[+*?]?|\[ \][+*?]?", " ", text)

    def optional(match: re.Match[str]) -> str:
        before = match.string[: match.start()]
        return match.group(1) if before[-1:].isalnum() else ""

    def first(match: re.Match[str]) -> str:
        return match.group(1).split("|")[0]

    previous = None
    while previous != text:
        previous = text
        text = re.sub(r"\((?:\?:)?([^()]*)\)\?", optional, text)
        text = re.sub(r"\((?:\?:|\?P<\w+>)?([^()]*)\)", first, text)
    text = re.sub(r"\\(.)", r"\1", text)
    text = re.sub(r"[.*+?{}\[\]|()]", "", text)
    return " ".join(text.split()).lower()


def _normal_status(text: str) -> str:
    return " ".join(text.split()).lower()


@dataclass(frozen=True)
class _Pair:
    open: re.Pattern[str]
    close: re.Pattern[str]
    name: str | None  # fixed status; None when the patterns carry a status group


def _pairs(pairs: object) -> list[_Pair]:
    if isinstance(pairs, str | bytes) or not isinstance(pairs, Sequence | tuple | list):
        raise UsageError(
            f"pairs: expected a sequence of (open_regex, close_regex) pairs, got {pairs!r}"
        )
    compiled = []
    for i, pair in enumerate(pairs):
        if (not isinstance(pair, Sequence) or isinstance(pair, str | bytes) or len(pair) != 2
                or not all(isinstance(p, str) for p in pair)):
            raise UsageError(
                f"pairs[{i}]: expected two regular expressions (open, close) as text, "
                f"got {pair!r}; e.g. (r'(?i)\\bblocked\\b', r'(?i)\\breleased\\b')"
            )
        opened = _compile(pair[0], option=f"pairs[{i}] (open)")
        closed = _compile(pair[1], option=f"pairs[{i}] (close)")
        grouped = ["status" in p.groupindex for p in (opened, closed)]
        if grouped[0] != grouped[1]:
            raise UsageError(
                f"pairs[{i}]: only one of the two patterns has a (?P<status>...) group; "
                "give it to both (the status then comes from the activity) or to neither "
                "(one fixed status per pair)"
            )
        name = None if grouped[0] else (status_name(pair[0]) or f"status {i + 1}")
        compiled.append(_Pair(opened, closed, name))
    return compiled


def _classify(names: np.ndarray, pairs: list[_Pair]) -> list[tuple[int, str | None]]:
    """Role (0 none, 1 open, 2 close) and status of each distinct activity name.

    The first pair whose open *and* close patterns both match claims it, as a close
    (it names the status and its ending: "Hold released"); otherwise the first pair
    that matches at all. Every pattern is matched once over all the names, in linear
    time (RE2, :mod:`procmine._regex`).
    """
    hits = []
    for i, pair in enumerate(pairs):
        opens = search_each(names, pair.open.pattern, option=f"pairs[{i}] (open)")
        closes = search_each(names, pair.close.pattern, option=f"pairs[{i}] (close)")
        groups: tuple[list[str | None], list[str | None]] | None = None
        if pair.name is None:
            groups = (_extract(names, pair.open.pattern, f"pairs[{i}] (open)"),
                      _extract(names, pair.close.pattern, f"pairs[{i}] (close)"))
        hits.append((pair, opens, closes, groups))
    out: list[tuple[int, str | None]] = []
    for k in range(len(names)):
        both = [h for h in hits if h[1][k] and h[2][k]]
        either = both or [h for h in hits if h[1][k] or h[2][k]]
        if not either:
            out.append((0, None))
            continue
        pair, _, closes, groups = either[0]
        role = _CLOSE if closes[k] else _OPEN
        status = pair.name
        if status is None:
            assert groups is not None
            found = groups[1][k] if role == _CLOSE else groups[0][k]
            if not found or not found.strip():
                out.append((0, None))
                continue
            status = _normal_status(found)
        out.append((role, status))
    return out


def _extract(names: np.ndarray, pattern: str, option: str) -> list[str | None]:
    try:
        return extract_each(names, pattern, "status", option=option)
    except (ValueError, TypeError, KeyError) as problem:  # Arrow refuses unnamed groups
        raise UsageError(f"{option}: the pattern {pattern!r} cannot give the status "
                         f"({problem}); name every capturing group, or use (?:...)") from None


@dataclass(frozen=True, eq=False)
class Episodes:
    """Status episodes of a log: one row per episode, and its summaries.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (status, opened_by, closed_by), columns :data:`TABLE_COLUMNS`:
        ``orders`` (with such an episode), ``episodes`` (all, open ones included),
        ``median_s`` and ``p90_s`` (durations of the closed ones, linear
        interpolation as ``numpy.percentile``), ``cost`` (delay cost of the
        closed ones), ``open_episodes``, and the distinct ``open_activity`` and
        ``close_activity`` names (joined with ``"; "``). Sorted by cost
        (descending), then status, opened_by, closed_by.
    events : pandas.DataFrame
        One row per episode, columns :data:`EVENT_COLUMNS`, by case then start.
    by_status : pandas.DataFrame
        One row per status, columns :data:`BY_STATUS_COLUMNS`.
    level : str
        The level of ``opened_by`` / ``closed_by``.
    orders : int
        Orders in the log.
    stray_closes : int
        Closes with no episode open (ignored).
    """

    table: pd.DataFrame
    events: pd.DataFrame
    by_status: pd.DataFrame
    level: str
    orders: int
    stray_closes: int

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name: ``table``, ``events`` and ``by_status``."""
        return {"table": self.table, "events": self.events, "by_status": self.by_status}

    @property
    def count(self) -> int:
        """Number of episodes (open ones included)."""
        return len(self.events)

    @property
    def open_count(self) -> int:
        """Episodes still open at the end of their order."""
        return int(self.events["open"].sum())

    @property
    def cost(self) -> float:
        """Delay cost of all closed episodes."""
        return float(self.events["cost"].sum())

    def __repr__(self) -> str:
        return (
            f"Episodes(level={self.level!r}: {self.count} episodes of "
            f"{len(self.by_status)} statuses in {int(self.events['case_id'].nunique())} of "
            f"{self.orders} orders, {self.open_count} open, {self.stray_closes} stray "
            f"closes, cost {self.cost:,.2f})"
        )

    def _repr_html_(self) -> str:
        return repr_html(self)


def episodes(
    log: EventLog,
    *,
    pairs: Sequence[tuple[str, str]] = DEFAULT_PAIRS,
    level: Level = "department",
    costs: CostModel | None = None,
) -> Episodes:
    """Find the status episodes of each order: opened, closed, how long, by whom, at what cost.

    Each distinct activity is classified once (``re.search``): by the first pair
    of ``pairs`` whose open and close patterns both match it, as a close
    ("Credit block released" closes "blocked", "Hold released" closes "hold");
    otherwise by the first pair with a pattern that matches it, as a close when
    the close pattern matches ("Released" closes "blocked"). Its status is the pair's
    ``status`` group, lower case with spaces folded, or the pair's fixed
    :func:`status_name`. Then, per order and status, in log order:

    - an open starts an episode when none is open; a second open is ignored;
    - the next close ends it; a close with nothing open is a stray close;
    - an episode open when the order's events end is ``open``: no end, no
      duration, no cost, never in the medians.

    Parameters
    ----------
    log : EventLog
    pairs : sequence of (str, str), keyword-only
        (open, close) regular expressions. Default :data:`DEFAULT_PAIRS`.
    level : {"resource", "department", "party"}, keyword-only
        Who opened and closed (see :func:`procmine.log.actors.actor`).
    costs : CostModel, optional, keyword-only
        Prices the delay of each closed episode with :meth:`CostModel.delay_cost`;
        default :meth:`CostModel.default`.

    Returns
    -------
    Episodes

    Raises
    ------
    UsageError
        ``log`` is not an EventLog; ``level`` is unknown; a pair is not two
        strings, a pattern is not a valid regular expression, or only one
        pattern of a pair has a ``status`` group.

    Notes
    -----
    Why a pair matching both patterns comes first: with the first match alone,
    the default block pair's close (any "release") would claim "Hold released",
    and no hold could ever close.

    References
    ----------
    .. [1] G. Janssenswillen, B. Depaire, M. Swennen, M. Jans, K. Vanhoof (2019).
       bupaR: Enabling reproducible business process analysis. Knowledge-Based
       Systems 163, 927–930.

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine.analysis.costs import CostModel
    >>> f = pd.DataFrame({"case_id": ["o1", "o1", "o1", "o2"],
    ...     "activity": ["Credit Block Set", "Ship", "Credit Block Removed",
    ...                  "Order blocked"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00",
    ...         "2024-01-01 12:00", "2024-01-01 09:00"], utc=True),  # a Monday
    ...     "department": ["Sales", "Shipping", "Credit", "Sales"]})
    >>> e = episodes(EventLog.from_frame(f), costs=CostModel(wait_cost_per_hour=1.0))
    >>> e.events[["case_id", "status", "closed_by", "duration_s", "open", "cost"]]
      case_id        status closed_by  duration_s   open  cost
    0      o1  credit block    Credit     10800.0  False   3.0
    1      o2       blocked       NaN         NaN   True   NaN
    >>> e.table[["opened_by", "closed_by", "orders", "episodes", "median_s", "cost"]]
      opened_by closed_by  orders  episodes  median_s  cost
    0     Sales    Credit       1         1   10800.0   3.0
    1     Sales       NaN       1         1       NaN   0.0
    """
    log = require_log(log, where="episodes")
    check_choice(level, LEVELS, option="level")
    compiled = _pairs(pairs)
    costs = CostModel.default() if costs is None else costs
    events = log.events
    arrays = log_arrays(events)
    orders = len(arrays.case_starts)

    activity_codes, activity_names = arrays.activity_codes
    classified = _classify(np.asarray(activity_names, dtype=object), compiled)
    status_names = sorted({s for _, s in classified if s is not None})
    status_index = {s: i for i, s in enumerate(status_names)}
    role_of = np.array([r for r, _ in classified] + [0], dtype=np.int64)
    status_of = np.array([-1 if s is None else status_index[s] for _, s in classified] + [-1],
                         dtype=np.int64)
    role = role_of[activity_codes]
    status = status_of[activity_codes]

    # events that open or close, grouped by (case, status), in log order within a group
    pos = np.flatnonzero(role > 0)
    cases = arrays.case
    order = np.lexsort((pos, status[pos], cases[pos]))
    pos = pos[order]
    r, c, s = role[pos], cases[pos], status[pos]
    same = np.zeros(len(pos), dtype=bool)
    same[1:] = (c[1:] == c[:-1]) & (s[1:] == s[:-1])
    # the state before an event is open exactly when the group's previous event opened
    was_open = np.zeros(len(pos), dtype=bool)
    was_open[1:] = same[1:] & (r[:-1] == _OPEN)
    starts = (r == _OPEN) & ~was_open
    ends = (r == _CLOSE) & was_open
    stray = (r == _CLOSE) & ~was_open
    # kept events alternate open, close, open, ... within a group: pair each start with
    # the kept event after it when that is a close of the same group
    kept = np.flatnonzero(starts | ends)
    k_start = starts[kept]
    next_is_end = np.zeros(len(kept), dtype=bool)
    next_is_end[:-1] = ends[kept[1:]] & same[kept[1:]]
    # (a kept close always follows its group's start directly: `same` on a close that
    #  was_open is true, and the previous event of the group is the open it closes)
    open_at = pos[kept[k_start]]
    closed = next_is_end[k_start]
    close_at = np.full(len(open_at), -1, dtype=np.int64)
    close_at[closed] = pos[kept[np.flatnonzero(k_start)[closed] + 1]]
    # log order: by case, then start
    resort = np.lexsort((open_at, cases[open_at]))
    open_at, close_at, closed = open_at[resort], close_at[resort], closed[resort]

    found = _episode_frame(events, open_at, close_at, closed, status[open_at],
                           np.asarray(status_names, dtype=object), level, costs)
    stray_by_status = np.bincount(s[stray], minlength=len(status_names))
    return Episodes(
        table=_table(found),
        events=found,
        by_status=_by_status(found, status_names, stray_by_status, orders),
        level=level,
        orders=orders,
        stray_closes=int(stray.sum()),
    )


def _episode_frame(events: pd.DataFrame, open_at: np.ndarray, close_at: np.ndarray,
                   closed: np.ndarray, status: np.ndarray, status_names: np.ndarray,
                   level: str, costs: CostModel) -> pd.DataFrame:
    n = len(open_at)
    arrays = log_arrays(events)
    actors, actor_names = arrays.actors(level)
    micros = arrays.micros

    def text(column: str, at: np.ndarray, where: np.ndarray | None = None) -> pd.Series:
        out = np.full(n, np.nan, dtype=object)
        mask = np.ones(n, dtype=bool) if where is None else where
        out[mask] = events[column].take(at[mask]).to_numpy(dtype=object)
        return pd.Series(out, dtype="str")

    def who(at: np.ndarray, where: np.ndarray) -> pd.Series:
        codes = np.full(n, -1, dtype=np.int64)
        codes[where] = actors[at[where]]
        out = np.full(n, np.nan, dtype=object)
        out[codes >= 0] = actor_names[codes[codes >= 0]]
        return pd.Series(out, dtype="str")

    start_us = micros[open_at]
    end_us = np.zeros(n, dtype=np.int64)
    end_us[closed] = micros[close_at[closed]]
    duration = np.full(n, np.nan)
    duration[closed] = (end_us[closed] - start_us[closed]) / 1e6
    cost = np.full(n, np.nan)
    if closed.any():
        cost[closed] = costs.delay_cost(start_us[closed], end_us[closed])
    every = np.ones(n, dtype=bool)
    end = pd.Series(pd.NaT, index=range(n), dtype="datetime64[us, UTC]")
    if closed.any():
        end[closed] = events[TIMESTAMP].take(close_at[closed]).to_numpy()
    return pd.DataFrame({
        "case_id": text(CASE_ID, open_at),
        "status": pd.Series(status_names[status] if n else [], dtype="str"),
        "open_event_id": text(EVENT_ID, open_at),
        "close_event_id": text(EVENT_ID, close_at, closed),
        "open_activity": text(ACTIVITY, open_at),
        "close_activity": text(ACTIVITY, close_at, closed),
        "opened_by": who(open_at, every),
        "closed_by": who(close_at, closed),
        "start": events[TIMESTAMP].take(open_at).reset_index(drop=True),
        "end": end,
        "duration_s": duration,
        "open": ~closed,
        "cost": cost,
    })[list(EVENT_COLUMNS)]


def _joined(found: pd.DataFrame, keys: list[str], column: str) -> pd.Series:
    """Distinct values of ``column`` per group of ``keys``, sorted, joined with "; "."""
    distinct = found[[*keys, column]].dropna(subset=[column]).drop_duplicates()
    distinct = distinct.sort_values(column, kind="stable")
    return distinct.groupby(keys, sort=False, dropna=False)[column].agg("; ".join)


def _table(found: pd.DataFrame) -> pd.DataFrame:
    keys = ["status", "opened_by", "closed_by"]
    if found.empty:
        empty = {c: pd.Series([], dtype="str") for c in TABLE_COLUMNS}
        for c in ("orders", "episodes", "open_episodes"):
            empty[c] = pd.Series([], dtype="int64")
        for c in ("median_s", "p90_s", "cost"):
            empty[c] = pd.Series([], dtype="float64")
        return pd.DataFrame(empty)[list(TABLE_COLUMNS)]
    grouped = found.groupby(keys, sort=False, dropna=False)
    table = grouped.agg(
        orders=("case_id", "nunique"),
        episodes=("case_id", "size"),
        open_episodes=("open", "sum"),
        median_s=("duration_s", "median"),
        cost=("cost", "sum"),
    )
    table["p90_s"] = grouped["duration_s"].quantile(0.9)
    table["open_activity"] = _joined(found, keys, "open_activity")
    table["close_activity"] = _joined(found, keys, "close_activity")
    table = table.reset_index()
    for c in ("orders", "episodes", "open_episodes"):
        table[c] = table[c].astype("int64")
    for c in (*keys, "open_activity", "close_activity"):
        table[c] = table[c].astype("str")
    table = table.sort_values(["cost", *keys], ascending=[False, True, True, True],
                              kind="stable", na_position="last")
    return table[list(TABLE_COLUMNS)].reset_index(drop=True)


def _by_status(found: pd.DataFrame, status_names: list[str], stray: np.ndarray,
               orders: int) -> pd.DataFrame:
    names = pd.Index(status_names, name="status", dtype="str")
    grouped = found.groupby("status", sort=False)
    frame = pd.DataFrame({
        "orders": grouped["case_id"].nunique(),
        "episodes": grouped.size(),
        "open_episodes": grouped["open"].sum(),
        "median_s": grouped["duration_s"].median(),
        "p90_s": grouped["duration_s"].quantile(0.9),
        "cost": grouped["cost"].sum(),
    }).reindex(names)
    for c in ("orders", "episodes", "open_episodes"):
        frame[c] = frame[c].fillna(0).astype("int64")
    frame["cost"] = frame["cost"].fillna(0.0).astype("float64")
    frame["share_of_orders"] = _share(frame["orders"].to_numpy(), orders)
    frame["stray_closes"] = np.asarray(stray, dtype="int64")
    frame = frame.reset_index()
    frame["status"] = frame["status"].astype("str")
    frame = frame.sort_values(["cost", "status"], ascending=[False, True], kind="stable")
    return frame[list(BY_STATUS_COLUMNS)].reset_index(drop=True)
