"""Read XES event logs (``.xes``, ``.xes.gz``) into the canonical schema, through pm4py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Final, Literal, get_args

import numpy as np
import pandas as pd

from procmine.errors import InputError, UsageError
from procmine.io import _pm4py_io
from procmine.io.mapping import DEFAULT_MISSING_VALUES, drop_placeholders, placeholder_stats
from procmine.io.result import ReadResult, SourceStats
from procmine.io.xmlsafety import safe_plain_copy
from procmine.schema import (
    ACTIVITY,
    AUTOMATED,
    CASE_ID,
    CORE_COLUMNS,
    DEPARTMENT,
    EVENT_ID,
    PARTY,
    RESOURCE,
    SOURCE,
    TIMESTAMP,
    empty_rejects,
    validate_events,
)

__all__ = ["read_xes"]

Lifecycle = Literal["complete", "all"]

#: XES standard extension keys and the canonical role they default to.
XES_DEFAULTS: Final = {
    CASE_ID: "case:concept:name",
    ACTIVITY: "concept:name",
    TIMESTAMP: "time:timestamp",
    RESOURCE: "org:resource",
    DEPARTMENT: "org:group",
}
#: procmine's own attributes, written by :func:`procmine.io.writers.write_xes`.
_PROCMINE_KEYS: Final = {"procmine:party": PARTY, "procmine:automated": AUTOMATED}
_LIFECYCLE: Final = "lifecycle:transition"
_IDENTITY: Final = "identity:id"
_VALUE_CHARS: Final = 200


def read_xes(
    path: str | Path,
    *,
    name: str | None = None,
    case_id: str | None = None,
    activity: str | None = None,
    timestamp: str | None = None,
    resource: str | None = None,
    department: str | None = None,
    lifecycle: Lifecycle = "complete",
    missing_values: Sequence[str] = DEFAULT_MISSING_VALUES,
) -> ReadResult:
    """Read a XES log (plain or gzip) into canonical events.

    The file is checked by :mod:`procmine.io.xmlsafety` first (no DTD
    entities, no external references, no gzip bombs), then parsed by pm4py.

    XES standard attributes map to the canonical roles unless another
    attribute key is given: ``case:concept:name`` → ``case_id``,
    ``concept:name`` → ``activity``, ``time:timestamp`` → ``timestamp``,
    ``org:resource`` → ``resource`` and ``org:group`` → ``department`` (each
    only when present). Every other attribute is kept as an extra column with
    ``:`` replaced by ``_`` (``case:channel`` → ``case_channel``); a name that
    would clash with a canonical column gets the prefix ``attr_``.

    Lifecycle: the canonical timestamp is when an activity *completed*. With
    ``lifecycle="complete"`` (the default), when the log carries
    ``lifecycle:transition`` and at least one ``complete`` event, only events
    whose transition is ``complete`` (any case) or missing form the log; the
    ``start``/``schedule``/... events are not part of this view and are not
    counted as rows read. A log without any ``complete`` transition is read
    whole. ``lifecycle="all"`` reads every event and keeps the transition as
    the column ``lifecycle_transition``.

    Placeholders: resource, department and ``procmine:party`` values that
    are one of ``missing_values`` (``EMPTY``, ``N/A``, ``-``, ...) are
    missing; how many, per column, is in ``SourceStats.missing_values``.

    Times: a timestamp without offset is taken as UTC. pm4py drops ``<date>``
    values it cannot parse (it only logs them), so an unparseable
    ``time:timestamp`` is rejected as ``missing timestamp``.

    Accounting: ``row`` is the 1-based position of the event in the file's
    event order, ``event_id`` is ``"<name>:<row>"``. Events without a case id,
    activity or timestamp go to the rejects (``missing case id``, ``missing
    activity``, ``missing timestamp``); rows read = rows loaded + rows rejected.
    When every loaded event has a unique ``identity:id`` (the XES identity
    extension), that is the ``event_id`` instead.

    Parameters
    ----------
    path : str or Path
        ``.xes`` or ``.xes.gz`` file (gzip is recognised by content).
    name : str, optional, keyword-only
        Source name; default the file name without ``.xes``/``.gz``.
    case_id, activity, timestamp, resource, department : str, optional, keyword-only
        XES attribute keys playing these roles (default: the standard keys above).
    lifecycle : {"complete", "all"}, keyword-only
        Which events form the log, see above.
    missing_values : sequence of str, keyword-only
        Placeholders read as missing (default
        :data:`procmine.io.mapping.DEFAULT_MISSING_VALUES`; ``()`` for none).

    Returns
    -------
    ReadResult

    Raises
    ------
    InputError
        The file is missing, hostile, not XES, has no events, or a mapped
        attribute does not exist (the message lists those that do).
    UsageError
        ``lifecycle`` is not one of the allowed values.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> xes = pathlib.Path(tempfile.mkdtemp()) / "tiny.xes"
    >>> _ = xes.write_text('''<log xes.version="1.0">
    ...   <trace><string key="concept:name" value="o1"/>
    ...     <event><string key="concept:name" value="Enter order"/>
    ...            <date key="time:timestamp" value="2024-01-01T09:00:00+01:00"/>
    ...            <string key="org:resource" value="ann"/></event>
    ...     <event><string key="concept:name" value="Pick"/></event>
    ...   </trace></log>''')
    >>> result = read_xes(xes)
    >>> result.events[["case_id", "activity", "resource", "event_id"]].values.tolist()
    [['o1', 'Enter order', 'ann', 'tiny:1']]
    >>> result.rejects[["row", "reason"]].values.tolist()
    [[2, 'missing timestamp']]
    >>> s = result.sources[0]
    >>> (s.rows_read, s.rows_loaded, s.rows_rejected)
    (2, 1, 1)
    """
    if lifecycle not in get_args(Lifecycle):
        raise UsageError(
            f"lifecycle must be one of {', '.join(get_args(Lifecycle))}; got {lifecycle!r}"
        )
    source = Path(path)
    name = name or _default_name(source)
    with safe_plain_copy(source, kind="XES", suffix=".xes") as (plain, facts):
        if facts.root != "log":
            raise InputError(
                f"{source}: the root element is <{facts.root}>, expected <log>; "
                "this is not a XES file."
            )
        try:
            raw = _pm4py_io.read_xes_frame(plain)
        except Exception as error:  # pm4py raises bare Exceptions; turn them into one line
            raise InputError(
                f"{source}: pm4py could not read it as XES ({type(error).__name__}: {error})."
            ) from None
    if len(raw) == 0:
        raise InputError(
            f"{source}: the XES log has no events (no <trace> holding an <event>); "
            "nothing to analyse. Check that the export is complete."
        )
    mapping = _resolve_mapping(
        raw, source,
        {CASE_ID: case_id, ACTIVITY: activity, TIMESTAMP: timestamp,
         RESOURCE: resource, DEPARTMENT: department},
    )
    raw = raw.reset_index(drop=True)
    raw.insert(0, "__row", np.arange(1, len(raw) + 1))
    in_file = len(raw)
    raw = _apply_lifecycle(raw, lifecycle)
    result = _to_result(raw, mapping, source=source, name=name,
                        missing_values=tuple(missing_values))
    stats = replace(result.sources[0], rows_outside_view=in_file - len(raw))
    return replace(result, sources=(stats,))


def _default_name(path: Path) -> str:
    stem = path.name
    for ending in (".gz", ".xes"):
        if stem.lower().endswith(ending):
            stem = stem[: -len(ending)]
    return stem or "xes"


def _resolve_mapping(
    raw: pd.DataFrame, source: Path, given: dict[str, str | None]
) -> dict[str, str]:
    mapping: dict[str, str] = {}
    available = [c for c in raw.columns if c != "__row"]
    for role, key in given.items():
        if key is not None:
            if key not in raw.columns:
                raise InputError(
                    f"{source}: attribute {key!r} (→ {role}) not found; the log has "
                    f"{', '.join(map(repr, available))}."
                )
            mapping[role] = key
        elif XES_DEFAULTS[role] in raw.columns:
            mapping[role] = XES_DEFAULTS[role]
        elif role in (CASE_ID, ACTIVITY, TIMESTAMP):
            raise InputError(
                f"{source}: no {XES_DEFAULTS[role]!r} attribute for {role}; the log has "
                f"{', '.join(map(repr, available))}. Name the attribute to use, e.g. "
                f"--{role.replace('_', '-')} KEY."
            )
    return mapping


def _apply_lifecycle(raw: pd.DataFrame, lifecycle: Lifecycle) -> pd.DataFrame:
    if _LIFECYCLE not in raw.columns or lifecycle == "all":
        return raw
    transition = raw[_LIFECYCLE].str.strip().str.lower()
    complete = transition.eq("complete").fillna(False).astype(bool)
    if not complete.any():
        return raw
    keep = complete | transition.isna()
    return raw.loc[keep.to_numpy()].drop(columns=[_LIFECYCLE])


def _to_result(
    raw: pd.DataFrame, mapping: dict[str, str], *, source: Path, name: str,
    missing_values: tuple[str, ...] = DEFAULT_MISSING_VALUES,
) -> ReadResult:
    rows = raw["__row"].to_numpy()
    case = _text(raw[mapping[CASE_ID]])
    act = _text(raw[mapping[ACTIVITY]])
    ts_raw = raw[mapping[TIMESTAMP]]
    if pd.api.types.is_datetime64_any_dtype(ts_raw.dtype):
        ts = ts_raw if ts_raw.dt.tz is not None else ts_raw.dt.tz_localize("UTC")
        unparseable = pd.Series(False, index=raw.index)
    else:  # a user-mapped string attribute: parse ISO 8601
        text = _text(ts_raw)
        ts = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
        unparseable = text.notna() & ts.isna()
    checks = [
        (case.isna(), "missing case id", mapping[CASE_ID]),
        (act.isna(), "missing activity", mapping[ACTIVITY]),
        (ts_raw.isna(), "missing timestamp", mapping[TIMESTAMP]),
        (unparseable, "unparseable timestamp", mapping[TIMESTAMP]),
    ]
    reason = pd.Series(pd.NA, index=raw.index, dtype="object")
    column = pd.Series(pd.NA, index=raw.index, dtype="object")
    for mask, why, col in checks:
        fresh = mask.to_numpy(dtype=bool) & reason.isna().to_numpy()
        reason[fresh] = why
        column[fresh] = col
    rejected = reason.notna().to_numpy()
    values = pd.Series("", index=raw.index, dtype="object")
    bad_text = (reason == "unparseable timestamp").to_numpy()
    if bad_text.any():
        values[bad_text] = ts_raw.astype("str")[bad_text].str.slice(0, _VALUE_CHARS).to_numpy()
    rejects = pd.DataFrame({
        "source": pd.Series([name] * int(rejected.sum()), dtype="str"),
        "row": rows[rejected].astype("int64"),
        "reason": pd.Series(reason[rejected].to_numpy(), dtype="str"),
        "column": pd.Series(column[rejected].to_numpy(), dtype="str"),
        "value": pd.Series(values[rejected].to_numpy(), dtype="str"),
    }) if rejected.any() else empty_rejects()

    keep = ~rejected
    frame = pd.DataFrame({
        CASE_ID: case[keep].to_numpy(),
        ACTIVITY: act[keep].to_numpy(),
        TIMESTAMP: ts[keep].to_numpy(),
    })
    frame[TIMESTAMP] = pd.to_datetime(frame[TIMESTAMP], utc=True)
    used = set(mapping.values()) | {"__row"}
    found: dict[str, pd.Series] = {}
    for role in (RESOURCE, DEPARTMENT):
        if role in mapping:
            text, found[role] = drop_placeholders(_text(raw[mapping[role]])[keep],
                                                  missing_values)
            frame[role] = text.to_numpy()
    for key, role in _PROCMINE_KEYS.items():
        if key in raw.columns:
            values_ = raw[key][keep]
            if role == PARTY:
                values_, found[role] = drop_placeholders(_text(values_), missing_values)
            if role == AUTOMATED:
                values_ = values_.map({True: True, False: False, "true": True, "false": False,
                                       "True": True, "False": False}).astype("boolean")
            frame[role] = values_.to_numpy()
            used.add(key)
    frame[SOURCE] = name
    frame[EVENT_ID] = (name + ":" + pd.Series(rows[keep], dtype="int64").astype("str")).to_numpy()
    if _IDENTITY in raw.columns:
        own = _text(raw[_IDENTITY])[keep]
        if own.notna().all() and own.is_unique:
            frame[EVENT_ID] = own.to_numpy()
            used.add(_IDENTITY)
    extras = {out: raw[key][keep].to_numpy()
              for key, out in _extra_names([c for c in raw.columns if c not in used]).items()}
    events = _with_extras(validate_events(frame, source=name), frame[EVENT_ID], extras)
    reasons = (
        pd.Series(reason[rejected]).value_counts().sort_index().astype(int).to_dict()
        if rejected.any() else {}
    )
    counts, seen = placeholder_stats(found)
    stats = SourceStats(
        name=name, path=str(source), format="xes", rows_read=len(raw),
        rows_loaded=int(keep.sum()), rows_rejected=int(rejected.sum()), events=len(events),
        reasons={str(k): int(v) for k, v in reasons.items()},
        missing_values=counts, placeholders=seen,
    )
    return ReadResult(events=events, rejects=rejects, sources=(stats,), name=name)


def _with_extras(
    events: pd.DataFrame, ids: pd.Series, extras: dict[str, np.ndarray]
) -> pd.DataFrame:
    """The validated canonical ``events`` with the extra columns, sorted by name, after them.

    ``ids`` are the event ids in the order of the ``extras`` arrays (unique:
    :func:`procmine.schema.validate_events` checks it); the extras follow the
    validated order through them. One concatenation, never one insert per
    column: an event with 50,000 attributes loads in time linear in its size.
    """
    if not extras:
        return events
    position = pd.Index(ids.astype("str")).get_indexer(events[EVENT_ID])
    names = sorted(extras)
    block = pd.DataFrame({n: extras[n][position] for n in names}, index=events.index)
    return pd.concat([events, block], axis=1)


def _text(values: pd.Series) -> pd.Series:
    """Strings; missing and blank become missing."""
    mask = values.isna()
    text = values.astype("str").str.strip()
    return text.mask(mask | (text == ""))


def _extra_names(keys: list[str]) -> dict[str, str]:
    """Attribute key -> extra column name: ':' -> '_', clashes prefixed with 'attr_'."""
    taken = set(CORE_COLUMNS)
    out: dict[str, str] = {}
    for key in sorted(keys):
        clean = str(key).replace(":", "_")
        while clean in taken:
            clean = f"attr_{clean}"
        taken.add(clean)
        out[key] = clean
    return out
