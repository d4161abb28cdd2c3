"""Redundant re-entry: information keyed in again by another department, system or party."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from procmine._check import check_choice
from procmine._display import repr_html
from procmine.analysis.costs import CostModel, automated_flags
from procmine.io.result import ITEM_TYPES
from procmine.log._groups import distinct_per_group
from procmine.log._require import require_log
from procmine.log.actors import ACTOR_LEVELS, ActorLevel, log_arrays, value_codes
from procmine.log.eventlog import EventLog
from procmine.schema import (
    ACTIVITY,
    AUTOMATED,
    CASE_ID,
    DEPARTMENT,
    EVENT_ID,
    OBJECT_ID,
    PARTY,
    TIMESTAMP,
)

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Reentry", "normalize_values", "reentry"]

EVENT_COLUMNS = (
    "case_id", "item", "event_id", "first_event_id", "first_by", "by", "same_value",
    "first_value", "value", "activity", "department", "timestamp", "internal_before",
    "labour_minutes", "cost",
)
SUMMARY_COLUMNS = (
    "item", "first_by", "by", "count", "cases", "discrepancies", "discrepancy_rate",
    "labour_minutes", "cost",
)
BY_ITEM_COLUMNS = (
    "item", "owner", "cases", "entries", "reentries", "cases_with_reentry", "discrepancies",
    "discrepancy_rate", "labour_minutes", "cost",
)

_VALUES_NOTE = (
    "Re-entry from information item values: an event re-enters an item when an earlier "
    "event of the same order entered it by another {by}; text values compared after folding "
    "whitespace and case, codes exactly, numbers, dates and amounts by their value (each "
    "item's declared type)."
)
_REDO_NOTE = (
    "The log carries no information-item values, so re-entry falls back to repeated "
    "activities by another {by} (edeaR's 'redo'). This is a weaker signal: it shows work "
    "done again, not that the same information was keyed in again, and it cannot tell "
    "redundant entries from discrepancies."
)


@dataclass(frozen=True, eq=False)
class Reentry:
    """Re-entry found in a log: one row per re-entering event, and summaries.

    Attributes
    ----------
    events : pandas.DataFrame
        One row per re-entry: ``case_id, item, event_id, first_event_id, first_by, by,
        same_value, first_value, value``, then ``activity, department, timestamp,
        internal_before`` (an earlier entry of the item in the order was by an internal
        event, so the information was already inside the company), ``labour_minutes,
        cost``. Sorted by case, item, then log order (time, ties in input order).
    summary : pandas.DataFrame
        Per item and (first_by, by) pair: ``count, cases, discrepancies,
        discrepancy_rate, labour_minutes, cost``.
    by_item : pandas.DataFrame
        Per item: owner, cases where it was entered, entries, re-entries, cases with
        re-entry, discrepancies, discrepancy rate, labour minutes, cost.
    graph : networkx.MultiDiGraph
        Information flow: actor → item edges with key ``"enters first"`` (count of
        orders) or ``"re-enters"`` (count, cases, discrepancies). Nodes carry
        ``kind`` (``"item"`` or ``"actor"``) and ``bipartite`` (0 items, 1 actors).
    signal : {"values", "redo"}
        ``"values"`` when item values were compared, ``"redo"`` for the fallback.
    level : {"department", "source", "party", "resource"}
        Who counts as "another" enterer.
    note : str
        Plain-language statement of what was measured.
    """

    events: pd.DataFrame
    summary: pd.DataFrame
    by_item: pd.DataFrame
    graph: nx.MultiDiGraph
    signal: Literal["values", "redo"]
    level: str
    note: str

    @property
    def table(self) -> pd.DataFrame:
        """The main table: :attr:`summary` (per item and who entered / re-entered it)."""
        return self.summary

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name: ``summary``, ``by_item`` and ``events``."""
        return {"summary": self.summary, "by_item": self.by_item, "events": self.events}

    @property
    def count(self) -> int:
        """Number of re-entry events."""
        return len(self.events)

    def __repr__(self) -> str:
        return (
            f"Reentry(signal={self.signal!r}, level={self.level!r}: {self.count} re-entries, "
            f"{int(self.events['case_id'].nunique())} cases)"
        )

    def _repr_html_(self) -> str:
        return repr_html(self)


def reentry(
    log: EventLog,
    *,
    level: ActorLevel = "department",
    costs: CostModel | None = None,
) -> Reentry:
    """Find information keyed in again by another department, system or party.

    For each order and each information item the log declares (``log.items``;
    an item's values sit in the attribute column named after it), the first
    event with a value *enters* it. A later event with a value is a
    **re-entry** when some earlier event of the order entered the item by
    another actor (department, source system, party or resource, per
    ``level``; see :func:`procmine.log.actors.actor`) and the event is manual
    (``automated`` not true: a system copying a value is data flowing, not
    keying). It is *redundant* when its value equals the first value, a
    *discrepancy* otherwise, comparing values after :func:`normalize_values`
    with the item's declared ``type``.

    With ``level="department"`` an event without a department counts under its
    party when that is an outside party (``customer``, ...); events with no
    actor are skipped. ``level="source"`` also finds re-entry within one
    department across two systems.

    When the log has no item values at all, falls back to edeaR's "redo": an
    activity executed again in the same order by another actor; ``signal``
    is then ``"redo"`` and ``note`` says this is the weaker signal.

    Parameters
    ----------
    log : EventLog
        The log.
    level : {"department", "source", "party", "resource"}, keyword-only
        Who counts as another enterer.
    costs : CostModel, optional, keyword-only
        Prices labour (:meth:`CostModel.labour`) and discrepancy rework
        (:meth:`CostModel.discrepancy_cost`); default :meth:`CostModel.default`.

    Returns
    -------
    Reentry

    Raises
    ------
    UsageError
        ``level`` is not one of the allowed values; ``log`` is not an EventLog.

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog, InformationItem
    >>> frame = pd.DataFrame({
    ...     "case_id": ["o1", "o1", "o1"],
    ...     "activity": ["Enter order", "Book transport", "Invoice"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 11:00",
    ...                                  "2024-01-02 09:00"], utc=True),
    ...     "department": ["Sales", "Shipping", "Billing"],
    ...     "delivery_address": ["Main St 1", "MAIN  st 1", None],
    ... })
    >>> log = EventLog.from_frame(frame, items=[InformationItem("delivery_address", "customer")])
    >>> r = reentry(log)
    >>> r.events[["item", "first_by", "by", "same_value"]].values.tolist()
    [['delivery_address', 'Sales', 'Shipping', True]]
    >>> r.signal
    'values'

    References
    ----------
    .. [1] G. Janssenswillen et al., "bupaR: Enabling reproducible business process
       analysis", Knowledge-Based Systems 163 (2019) — edeaR's redo/repeat metrics.
    """
    log = require_log(log, where="reentry")
    check_choice(level, ACTOR_LEVELS, option="level")
    costs = costs if costs is not None else CostModel.default()
    found, actors, keys = _detect(log, level=level, costs=costs)
    if keys:
        signal: Literal["values", "redo"] = "values"
        note = _VALUES_NOTE.format(by=level)
    else:
        signal = "redo"
        note = _REDO_NOTE.format(by=level)
    summary = _summary(found)
    by_item = _by_item(log, found, actors, keys)
    graph = _graph(log, found, actors, keys, signal)
    return Reentry(found, summary, by_item, graph, signal, level, note)


def detect_reentry(log: EventLog, *, level: str, costs: CostModel
                   ) -> tuple[pd.DataFrame, pd.Series, dict[str, pd.Series]]:
    """The priced re-entry events, the actor of every event, and the item keys.

    The one detector behind :func:`reentry` and the move engine's projected
    re-entry (:mod:`procmine.analysis.moves`); the keys are empty when the log
    has no item values and re-entry falls back to redo.
    """
    found, (codes, names), keys = _detect(log, level=level, costs=costs)
    events = log.events
    actors = pd.Series(_names_at(names, codes), index=events.index, dtype="str")
    return found, actors, {name: _key_series(k, events.index) for name, k in keys.items()}


#: Item keys as integer codes: (code per event, -1 where missing; key text per code).
Keys = tuple[np.ndarray, np.ndarray]


def _detect(log: EventLog, *, level: str, costs: CostModel
            ) -> tuple[pd.DataFrame, tuple[np.ndarray, np.ndarray], dict[str, Keys]]:
    """:func:`detect_reentry` on integer codes: found, (actor codes, names), key codes."""
    events = log.events
    actors = log_arrays(events).actors(level)
    keys: dict[str, Keys] = {}
    if log.has_item_values:
        keys = {
            item.name: item_key_codes(events, item.name, getattr(item, "type", "text"))
            for item in sorted(log.items, key=lambda i: i.name)
            if item.name in events.columns
        }
        found, at = _value_reentries(log, actors, keys)
    else:
        found, at = _redo_reentries(events, actors)
    priced = _priced(found, events, costs, at)
    # the positions of its events, for whoever looks them up (the move engine)
    log_arrays(events).memo_of(priced, "event positions", lambda _: np.asarray(at))
    return priced, actors, keys


def _names_at(names: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``names[codes]``, NaN where a code is -1 (object array)."""
    return np.r_[np.asarray(names, dtype=object), np.nan][codes]


def _key_series(keys: Keys, index: pd.Index) -> pd.Series:
    codes, texts = keys
    return pd.Series(_names_at(texts, codes), index=index, dtype="str")


# -- normalisation ----------------------------------------------------------------------
_ISO_DATE = r"\d{4}-\d{1,2}-\d{1,2}(?:[ t]\d{1,2}:\d{2}(?::\d{2})?)?"
_DMY_DATE = r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})"
_NUMBER = r"[+-]?\d(?:[\d.,' ]*\d)?"
_GROUPED = r"[+-]?[1-9]\d{0,2}(?:SEP\d{3})+"


def normalize_values(values: pd.Series, *, kind: str = "text") -> pd.Series:
    """Comparable keys for item values: same key means the same information.

    How values compare depends on the item's declared ``type`` (``kind``):

    - ``text`` (default): stripped, runs of whitespace (non-breaking spaces
      too) collapse to one space, case folded: ``"Main  ST 1"`` is
      ``"main st 1"``.
    - ``code`` (postal codes, customer and article numbers): exactly, after
      trimming surrounding whitespace: ``"05022"`` and ``"5022"`` differ.
    - ``date``: values that read as dates (``2024-03-05``, or day first
      ``05.03.2024``, ``5/3/2024``) become ``date:YYYY-MM-DDTHH:MM:SS``; others
      compare as text.
    - ``number``: values that read as numbers become ``num:<float>``, so
      leading zeros, thousands separators (spaces and apostrophes inside a
      number too) and decimal commas do not matter: when both ``.`` and ``,``
      occur the last one is the decimal mark; a single kind occurring several
      times, or once as a thousands group (``1.234``, ``12,500``), separates
      thousands; otherwise it is the decimal mark. Others compare as text.
    - ``money``: as ``number`` after dropping a currency sign or code
      (``€ 1.234,50``, ``1234.50 EUR``).

    Datetime columns always compare as dates. Missing and blank values stay
    missing. Vectorised (pandas string methods, each distinct value once).

    Parameters
    ----------
    values : pandas.Series
        Raw values of one item.
    kind : {"text", "code", "number", "date", "money"}, keyword-only
        The item's type.

    Returns
    -------
    pandas.Series
        Keys (``str`` dtype), same index, missing where the value is missing.

    Raises
    ------
    UsageError
        ``kind`` is not one of :data:`procmine.io.result.ITEM_TYPES`.

    Examples
    --------
    >>> s = pd.Series([" 05022", "5022", "Main\u00a0 ST 1", None])
    >>> normalize_values(s).tolist()
    ['05022', '5022', 'main st 1', nan]
    >>> normalize_values(s, kind="code").tolist()
    ['05022', '5022', 'Main\xa0 ST 1', nan]
    >>> normalize_values(pd.Series(["1.234,50", "1234.5", "€ 1234,50"]), kind="money").tolist()
    ['num:1234.5', 'num:1234.5', 'num:1234.5']
    >>> normalize_values(pd.Series(["05.03.2024", "2024-03-05"]), kind="date").tolist()
    ['date:2024-03-05T00:00:00', 'date:2024-03-05T00:00:00']
    """
    return _key_series(_key_codes(values, kind=kind), values.index)


def _key_codes(values: pd.Series, *, kind: str = "text") -> Keys:
    """:func:`normalize_values` as codes: one code per distinct key (-1: missing), the keys.

    Each distinct value is normalised once; equal keys get equal codes.
    """
    check_choice(kind, ITEM_TYPES, option="item type")
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        present = values.notna().to_numpy()
        stamps = values[present]
        if stamps.dt.tz is not None:
            stamps = stamps.dt.tz_convert("UTC")
        texts = np.full(len(values), np.nan, dtype=object)
        texts[present] = ("date:" + stamps.dt.strftime("%Y-%m-%dT%H:%M:%S")).to_numpy(
            dtype=object)
        codes, uniques = pd.factorize(texts, use_na_sentinel=True)
        return np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object)
    codes, uniques = value_codes(values)
    if not len(uniques):
        return codes, np.zeros(0, dtype=object)
    unique_keys = _text_keys(pd.Series(uniques, dtype=object).astype("str"), kind)
    key_codes, keys = pd.factorize(unique_keys.to_numpy(dtype=object), use_na_sentinel=True)
    lookup = np.r_[np.asarray(key_codes, dtype=np.int64), -1]  # a missing value reads -1
    return lookup[codes], np.asarray(keys, dtype=object)


_CURRENCY = r"^(?:[€$£¥]|[a-z]{3})\s*|\s*(?:[€$£¥]|[a-z]{3})$"


def item_keys(events: pd.DataFrame, name: str, kind: str = "text") -> np.ndarray:
    """The key code of every event's value of the item in column ``name`` (-1: none),
    equal codes for equal keys (:func:`normalize_values` with ``kind``); kept per log.
    """
    return item_key_codes(events, name, kind)[0]


def item_key_codes(events: pd.DataFrame, name: str, kind: str) -> Keys:
    """The key codes of a column's values (-1: none) and the key each code stands for:
    :func:`normalize_values` with ``kind``, each distinct value read once; kept per log."""
    return log_arrays(events).memo(("item keys", name, kind),
                                   lambda frame: _key_codes(frame[name], kind=kind))


def _text_keys(text: pd.Series, kind: str) -> pd.Series:
    """Keys of distinct non-missing values (missing where blank)."""
    out = pd.Series(np.full(len(text), np.nan, dtype=object), index=text.index, dtype="str")
    text = text.str.strip()
    text = text[text != ""]
    if text.empty:
        return out
    if kind == "code":
        out[text.index] = text
        return out
    # runs of whitespace to one space, only where there is one to fold (several spaces,
    # a tab, a newline, a non-breaking space: not plain ASCII text with single spaces)
    fold = ~text.str.isascii() | text.str.contains(r"[\t\n\r\f\v\x1c-\x1f]|  ", regex=True)
    if fold.any():
        text = text.copy()
        text[fold] = text[fold].str.replace(r"\s+", " ", regex=True)
    text = text.str.casefold()
    key = text.copy()
    if kind == "text":
        out[key.index] = key
        return out
    if kind == "money":
        text = text.str.replace(_CURRENCY, "", regex=True)
    if kind != "date":
        number = text.str.fullmatch(_NUMBER)
        if number.any():
            key.update(_number_keys(text[number]))
        out[key.index] = key
        return out
    # dates first: '05.03.2024' must not read as a number
    iso = text.str.fullmatch(_ISO_DATE)
    if iso.any():
        parsed = pd.to_datetime(text[iso].str.replace("t", " "), format="ISO8601",
                                errors="coerce", utc=True)
        ok = parsed.notna()
        key[ok[ok].index] = "date:" + parsed[ok].dt.strftime("%Y-%m-%dT%H:%M:%S")
    dmy = text.str.fullmatch(_DMY_DATE)
    if dmy.any():
        parts = text[dmy].str.extract(_DMY_DATE)
        iso_text = parts[2] + "-" + parts[1].str.zfill(2) + "-" + parts[0].str.zfill(2)
        parsed = pd.to_datetime(iso_text, format="%Y-%m-%d", errors="coerce", utc=True)
        ok = parsed.notna()
        key[ok[ok].index] = "date:" + parsed[ok].dt.strftime("%Y-%m-%dT%H:%M:%S")
    out[key.index] = key
    return out


def _number_keys(text: pd.Series) -> pd.Series:
    """num:<float> for number-looking text; unparseable ones keep their text."""
    t = text.str.replace(r"[' ]", "", regex=True)
    n_dot = t.str.count(r"\.")
    n_comma = t.str.count(",")
    last_dot = t.str.rfind(".")
    last_comma = t.str.rfind(",")
    both = (n_dot > 0) & (n_comma > 0)
    comma_decimal = both & (last_comma > last_dot)
    dot_decimal = both & (last_dot > last_comma)
    only_comma = (n_comma > 0) & (n_dot == 0)
    only_dot = (n_dot > 0) & (n_comma == 0)
    comma_thousands = only_comma & (
        (n_comma > 1) | t.str.fullmatch(_GROUPED.replace("SEP", ","))
    )
    dot_thousands = only_dot & ((n_dot > 1) | t.str.fullmatch(_GROUPED.replace("SEP", r"\.")))
    plain = t.copy()
    # comma as decimal mark: drop dots, comma -> dot
    sel = comma_decimal | (only_comma & ~comma_thousands)
    plain[sel] = t[sel].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    sel = dot_decimal | comma_thousands
    plain[sel] = t[sel].str.replace(",", "", regex=False)
    plain[dot_thousands] = t[dot_thousands].str.replace(".", "", regex=False)
    parsed = pd.to_numeric(plain, errors="coerce")
    ok = parsed.notna() & (plain.str.count(r"\.") <= 1)
    keys = text.copy()
    keys[ok] = "num:" + parsed[ok].astype("float64").astype("str")
    return keys


# -- detection --------------------------------------------------------------------------
def _manual(events: pd.DataFrame) -> np.ndarray:
    return ~automated_flags(events)


def _internal(events: pd.DataFrame) -> np.ndarray:
    codes, names = log_arrays(events).codes(PARTY)
    return np.r_[names.astype(str) == "internal", False][codes]


def _group_runs(group_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For rows ordered in contiguous groups: group starts, each row's run number and
    the position of its group's first row."""
    n = len(group_codes)
    start = np.ones(n, dtype=bool)
    start[1:] = group_codes[1:] != group_codes[:-1]
    run = np.cumsum(start) - 1
    first = np.flatnonzero(start)[run]
    return start, run, first


def _cummax_within(values: np.ndarray, run: np.ndarray, width: int) -> np.ndarray:
    """Running maximum of ``values`` (ints in [0, width)) restarting at each new run."""
    base = run.astype(np.int64) * width
    return np.maximum.accumulate(base + values) - base


def group_reentries(
    group_codes: np.ndarray, actor_codes: np.ndarray, manual: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For rows already ordered within contiguous groups: which rows re-enter, and
    the position of each row's group's first row.

    A row re-enters when an earlier row of its group has another actor code,
    and it is manual: the one rule of re-entry, used by :func:`reentry` and by the
    move engine's re-entry after a move. Running minimum and maximum within groups
    in numpy: the run number times a width added to each value makes one running
    maximum restart at every group.
    """
    n = len(group_codes)
    if n == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64)
    start, run, first = _group_runs(group_codes)
    width = int(actor_codes.max()) + 2
    codes = actor_codes.astype(np.int64) + 1  # -1 (none) -> 0
    prev_max = np.empty(n, dtype=np.int64)
    prev_min = np.empty(n, dtype=np.int64)
    prev_max[1:] = _cummax_within(codes, run, width)[:-1]
    prev_min[1:] = width - 1 - _cummax_within(width - 1 - codes, run, width)[:-1]
    prev_max[0] = prev_min[0] = -1
    other_before = (prev_min != codes) | (prev_max != codes)
    return (~start) & other_before & manual, first


def _value_reentries(log: EventLog, actors: tuple[np.ndarray, np.ndarray],
                     keys_by_item: dict[str, Keys]) -> tuple[pd.DataFrame, np.ndarray]:
    events = log.events
    case_codes = log_arrays(events).case
    groups = _object_groups(events, case_codes)
    actor_codes, actor_names = actors
    manual = _manual(events)
    internal = _internal(events)
    frames = []
    for name, (keys, _) in keys_by_item.items():
        mask = (keys >= 0) & (actor_codes >= 0)
        pos = np.flatnonzero(mask)
        if len(pos) < 2:
            continue
        # within one order and one sub-object, in log order (a stable sort by group)
        if groups is not case_codes:
            pos = pos[np.argsort(groups[pos], kind="stable")]
        hit, first = group_reentries(groups[pos], actor_codes[pos], manual[pos])
        if not hit.any():
            continue
        at = pos[hit]
        first_at = pos[first[hit]]
        _, run, _ = _group_runs(groups[pos])
        inside = _cummax_within(internal[pos].astype(np.int64), run, 2)
        internal_before = np.zeros(len(pos), dtype=bool)
        internal_before[1:] = (inside[:-1] > 0) & (run[1:] == run[:-1])
        raw = events[name]
        raw_text = raw.take(np.concatenate([first_at, at]))
        raw_text = raw_text.astype("str").where(raw_text.notna()).to_numpy(dtype=object)
        frames.append(pd.DataFrame({
            "_at": at,
            "_first_at": first_at,
            "item": name,
            "same_value": keys[at] == keys[first_at],
            "first_value": raw_text[: len(at)],
            "value": raw_text[len(at):],
            "internal_before": internal_before[hit],
        }))
    if not frames:
        return _finish_events([], events), np.zeros(0, dtype=np.int64)
    hits = pd.concat(frames, ignore_index=True)
    # case, then item, then log order (the log is ordered by case, then time)
    item_codes = pd.factorize(hits["item"], sort=True)[0]
    order = np.lexsort((hits["_at"].to_numpy(), item_codes, case_codes[hits["_at"].to_numpy()]))
    hits = hits.take(order).reset_index(drop=True)
    at = hits["_at"].to_numpy()
    first_at = hits["_first_at"].to_numpy()

    def take(column: str, pos: np.ndarray) -> pd.Series:
        return events[column].take(pos).reset_index(drop=True)

    frame = pd.DataFrame({
        "case_id": take(CASE_ID, at),
        "item": hits["item"],
        "event_id": take(EVENT_ID, at),
        "first_event_id": take(EVENT_ID, first_at),
        "first_by": _names_at(actor_names, actor_codes[first_at]),
        "by": _names_at(actor_names, actor_codes[at]),
        "same_value": hits["same_value"],
        "first_value": hits["first_value"],
        "value": hits["value"],
        "activity": take(ACTIVITY, at),
        "department": take(DEPARTMENT, at),
        "timestamp": take(TIMESTAMP, at),
        "internal_before": hits["internal_before"],
    })
    return _finish_events([frame], events), at


def reentry_groups(events: pd.DataFrame) -> np.ndarray:
    """The group of every event within which re-entry is found: its order and its
    sub-object (see :func:`_object_groups`); kept per log."""
    return log_arrays(events).memo(("reentry groups",),
                                   lambda f: _object_groups(f, log_arrays(f).case))


def _object_groups(events: pd.DataFrame, case_codes: np.ndarray) -> np.ndarray:
    """Group code per event: its order and its sub-object (``object_id``; missing: the
    order itself). Entries for another sub-object (a second package's tracking number)
    are never compared: doing a step for another sub-object is not re-entry."""
    if OBJECT_ID not in events.columns:
        return np.asarray(case_codes, dtype=np.int64)
    codes, names = log_arrays(events).codes(OBJECT_ID)
    if not len(names):
        return np.asarray(case_codes, dtype=np.int64)
    # a blank sub-object is none, as a missing one (code 0); the key's order is the
    # order (case, then sub-object), and only which events share a key matters
    # which events carry a blank one, read on the column (vectorised) rather than by
    # turning every distinct sub-object into a Python string
    blank = (events[OBJECT_ID] == "").to_numpy(dtype=bool, na_value=False)
    objects = codes + 1
    if blank.any():
        objects = np.where(blank, 0, objects)
    return case_codes.astype(np.int64) * (len(names) + 1) + objects


def _redo_reentries(events: pd.DataFrame, actors: tuple[np.ndarray, np.ndarray]
                    ) -> tuple[pd.DataFrame, np.ndarray]:
    arrays = log_arrays(events)
    actor_codes, actor_names = actors
    keep = np.flatnonzero(actor_codes >= 0)
    if len(keep) < 2:
        return _finish_events([], events), np.zeros(0, dtype=np.int64)
    case_codes = _object_groups(events, arrays.case)[keep]
    act_codes = arrays.activity_codes[0][keep]
    # group = (case, activity); order rows by group, stable in time order
    width = int(act_codes.max()) + 1
    group = case_codes.astype(np.int64) * width + act_codes
    order = np.argsort(group, kind="stable")
    group = group[order]
    hit, first = group_reentries(group, actor_codes[keep][order], _manual(events)[keep][order])
    if not hit.any():
        return _finish_events([], events), np.zeros(0, dtype=np.int64)
    at = keep[order[hit]]
    first_at = keep[order[first[hit]]]
    # case, then activity (by name), then log order
    names = arrays.activity_codes[1]
    rank = np.empty(len(names), dtype=np.int64)
    rank[np.argsort(names.astype(str), kind="stable")] = np.arange(len(names))
    resort = np.lexsort((at, rank[arrays.activity_codes[0][at]], arrays.case[at]))
    at, first_at = at[resort], first_at[resort]
    missing = np.full(len(at), np.nan, dtype=object)

    def take(column: str, pos: np.ndarray) -> pd.Series:
        return events[column].take(pos).reset_index(drop=True)

    frame = pd.DataFrame({
        "case_id": take(CASE_ID, at),
        "item": take(ACTIVITY, at),
        "event_id": take(EVENT_ID, at),
        "first_event_id": take(EVENT_ID, first_at),
        "first_by": _names_at(actor_names, actor_codes[first_at]),
        "by": _names_at(actor_names, actor_codes[at]),
        "same_value": pd.array([pd.NA] * len(at), dtype="boolean"),
        "first_value": missing,
        "value": missing,
        "activity": take(ACTIVITY, at),
        "department": take(DEPARTMENT, at),
        "timestamp": take(TIMESTAMP, at),
        "internal_before": _internal(events)[first_at],
    })
    return _finish_events([frame], events), at


def _finish_events(frames: list[pd.DataFrame], events: pd.DataFrame) -> pd.DataFrame:
    columns = EVENT_COLUMNS[:-2]
    if frames:
        frame = pd.concat(frames, ignore_index=True)
    else:
        frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    for column in ("case_id", "item", "event_id", "first_event_id", "first_by", "by",
                   "first_value", "value", "activity", "department"):
        frame[column] = frame[column].astype("str")
    frame["same_value"] = frame["same_value"].astype("boolean")
    frame["internal_before"] = frame["internal_before"].astype(bool)
    if not frames:
        frame["timestamp"] = pd.Series([], dtype=events[TIMESTAMP].dtype)
    return frame[list(columns)].reset_index(drop=True)


def _priced(found: pd.DataFrame, events: pd.DataFrame, costs: CostModel, at: np.ndarray
            ) -> pd.DataFrame:
    """Add labour minutes and cost (labour plus discrepancy rework) per re-entry.

    Labour is :meth:`CostModel.labour` of the re-entering event (none for an
    outside party's own entry); a discrepancy adds :meth:`CostModel.discrepancy_cost`.
    """
    found = found.copy()
    columns = [ACTIVITY, DEPARTMENT, PARTY, AUTOMATED]
    minutes, labour = (costs.labour(events[columns].take(at)) if len(at)
                       else (np.zeros(0), np.zeros(0)))
    discrepancy = (~found["same_value"].fillna(True)).to_numpy(dtype=float)
    found["labour_minutes"] = minutes.astype("float64")
    found["cost"] = labour + discrepancy * costs.discrepancy_cost(found["department"])
    return found


# -- summaries --------------------------------------------------------------------------
def _summary(found: pd.DataFrame) -> pd.DataFrame:
    if found.empty:
        return pd.DataFrame({c: pd.Series([], dtype="float64" if c in (
            "discrepancy_rate", "labour_minutes", "cost") else ("int64" if c in (
                "count", "cases", "discrepancies") else "str")) for c in SUMMARY_COLUMNS})
    work = found.assign(discrepancy=~found["same_value"].fillna(True),
                        known=found["same_value"].notna())
    grouped = work.groupby(["item", "first_by", "by"], sort=True)
    table = grouped.agg(
        count=("event_id", "size"),
        cases=("case_id", "nunique"),
        discrepancies=("discrepancy", "sum"),
        known=("known", "sum"),
        labour_minutes=("labour_minutes", "sum"),
        cost=("cost", "sum"),
    ).reset_index()
    table["discrepancies"] = table["discrepancies"].astype("int64")
    table["discrepancy_rate"] = (table["discrepancies"] / table["known"]).where(
        table["known"] > 0
    )
    return table[list(SUMMARY_COLUMNS)]


def _runs_of(cases: np.ndarray) -> np.ndarray:
    """Positions (into ``cases``, non-decreasing) where a new case starts."""
    start = np.ones(len(cases), dtype=bool)
    start[1:] = cases[1:] != cases[:-1]
    return np.flatnonzero(start)


def _by_item(log: EventLog, found: pd.DataFrame, actors: tuple[np.ndarray, np.ndarray],
             keys_by_item: dict[str, Keys]) -> pd.DataFrame:
    events = log.events
    arrays = log_arrays(events)
    known_actor = actors[0] >= 0
    rows = []
    signal = "values" if keys_by_item else "redo"
    if keys_by_item:
        owners = {i.name: i.owner for i in log.items}
        for name, (keys, _) in keys_by_item.items():
            entered = np.flatnonzero((keys >= 0) & known_actor)
            rows.append({
                "item": name,
                "owner": owners[name],
                "cases": len(_runs_of(arrays.case[entered])),
                "entries": len(entered),
            })
        base = pd.DataFrame(rows, columns=["item", "owner", "cases", "entries"])
    else:
        act, names = arrays.activity_codes
        n_act = len(names)
        known = np.flatnonzero(known_actor)
        entries = np.bincount(act[known], minlength=n_act)
        cases = distinct_per_group(act[known], arrays.case[known], n_act)
        present = np.flatnonzero(entries)
        base = pd.DataFrame({"item": pd.Series(names[present], dtype="str"),
                             "cases": cases[present], "entries": entries[present]})
        base = base.sort_values("item", kind="stable").reset_index(drop=True)
        base.insert(1, "owner", np.nan)
        base["owner"] = base["owner"].astype("str")
    work = found.assign(discrepancy=~found["same_value"].fillna(True),
                        known=found["same_value"].notna())
    agg = work.groupby("item", sort=True).agg(
        reentries=("event_id", "size"),
        cases_with_reentry=("case_id", "nunique"),
        discrepancies=("discrepancy", "sum"),
        known=("known", "sum"),
        labour_minutes=("labour_minutes", "sum"),
        cost=("cost", "sum"),
    ).reset_index()
    table = base.merge(agg, on="item", how="left")
    for column in ("reentries", "cases_with_reentry", "discrepancies", "known"):
        table[column] = table[column].fillna(0).astype("int64")
    for column in ("labour_minutes", "cost"):
        table[column] = table[column].fillna(0.0).astype("float64")
    table["discrepancy_rate"] = (table["discrepancies"] / table["known"]).where(
        table["known"] > 0
    )
    if signal == "redo":
        table = table[table["reentries"] > 0]
    return table[list(BY_ITEM_COLUMNS)].sort_values("item").reset_index(drop=True)


def _graph(log: EventLog, found: pd.DataFrame, actors: tuple[np.ndarray, np.ndarray],
           keys_by_item: dict[str, Keys], signal: str) -> nx.MultiDiGraph:
    import networkx as nx

    case = log_arrays(log.events).case
    actor_codes, actor_names = actors
    graph = nx.MultiDiGraph(signal=signal)
    if signal == "values":
        owners = {i.name: i.owner for i in log.items}
        firsts = []
        for name, (keys, _) in keys_by_item.items():
            graph.add_node(name, kind="item", bipartite=0, owner=owners[name])
            entered = np.flatnonzero((keys >= 0) & (actor_codes >= 0))
            first = entered[_runs_of(case[entered])]  # the first entry of each order
            count = np.bincount(actor_codes[first], minlength=len(actor_names))
            present = np.flatnonzero(count)
            firsts.append(pd.DataFrame({"actor": pd.Series(actor_names[present], dtype="str"),
                                        "count": count[present], "item": name}))
        first_table = (pd.concat(firsts, ignore_index=True) if firsts
                       else pd.DataFrame(columns=["actor", "count", "item"]))
    else:
        first_table = pd.DataFrame(columns=["actor", "count", "item"])
        for name in sorted(found["item"].unique()):
            graph.add_node(name, kind="item", bipartite=0, owner=None)
    for row in first_table.sort_values(["item", "actor"]).itertuples(index=False):
        graph.add_node(row.actor, kind="actor", bipartite=1)
        graph.add_edge(row.actor, row.item, key="enters first", count=int(row.count))
    if not found.empty:
        pairs = found.assign(discrepancy=~found["same_value"].fillna(True)).groupby(
            ["by", "item"], sort=True
        ).agg(count=("event_id", "size"), cases=("case_id", "nunique"),
              discrepancies=("discrepancy", "sum"), cost=("cost", "sum")).reset_index()
        for row in pairs.itertuples(index=False):
            graph.add_node(row.by, kind="actor", bipartite=1)
            graph.add_edge(row.by, row.item, key="re-enters", count=int(row.count),
                           cases=int(row.cases), discrepancies=int(row.discrepancies),
                           cost=float(row.cost))
    return graph
