"""Write a canonical event log as XES or as OCEL 2.0 (XML, JSON, SQLite), through pm4py."""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal, get_args

import numpy as np
import pandas as pd

from procmine.errors import UsageError
from procmine.io import _pm4py_io
from procmine.io.xmlchars import xml_frame, xml_text
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
    validate_events,
)

__all__ = ["write_ocel", "write_xes"]

OcelFormat = Literal["xml", "json", "sqlite"]
_SUFFIXES: Final = {".xml": "xml", ".jsonocel": "json", ".json": "json", ".sqlite": "sqlite",
                    ".sqlite3": "sqlite", ".db": "sqlite"}


def _events_of(log: object) -> pd.DataFrame:
    """Accept an EventLog (anything with ``.events``) or a canonical DataFrame."""
    frame = getattr(log, "events", log)
    if not isinstance(frame, pd.DataFrame):
        raise UsageError(f"expected an EventLog or a pandas DataFrame, got {type(log).__name__}")
    return validate_events(frame, source="log")


def write_xes(events: pd.DataFrame, path: str | Path) -> Path:
    """Write canonical events (or an ``EventLog``) as a XES file.

    Roles go to the XES standard keys: ``case_id`` → ``case:concept:name``,
    ``activity`` → ``concept:name``, ``timestamp`` → ``time:timestamp``,
    ``resource`` → ``org:resource``, ``department`` → ``org:group``; every
    event gets ``lifecycle:transition = complete``. ``party``,
    ``automated``, ``source`` and ``event_id`` are written as
    ``procmine:party`` ... (``party`` and ``automated`` are read back into their
    columns by :func:`procmine.io.xes.read_xes`); further columns keep their
    names. A path ending in ``.gz`` is gzip-compressed by pm4py. Characters
    XML 1.0 forbids (NUL, ESC, vertical tab ...) in names and values are
    written as visible stand-ins (:func:`procmine.io.xmlchars.xml_text`), so
    the file always parses.

    Parameters
    ----------
    events : pandas.DataFrame or EventLog
        Canonical events.
    path : str or Path
        Target ``.xes`` or ``.xes.gz`` file (overwritten).

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> frame = pd.DataFrame({"case_id": ["o1", "o1"], "activity": ["Enter", "Pick"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00"], utc=True),
    ...     "resource": ["ann", "bob"], "department": ["Sales", "Warehouse"]})
    >>> out = write_xes(frame, pathlib.Path(tempfile.mkdtemp()) / "o.xes")
    >>> from procmine.io.xes import read_xes
    >>> read_xes(out).events[["case_id", "activity", "department"]].values.tolist()
    [['o1', 'Enter', 'Sales'], ['o1', 'Pick', 'Warehouse']]
    """
    frame = xml_frame(_events_of(events))
    target = Path(path)
    out = pd.DataFrame({
        "case:concept:name": frame[CASE_ID].to_numpy(),
        "concept:name": frame[ACTIVITY].to_numpy(),
        "time:timestamp": frame[TIMESTAMP].to_numpy(),
        "lifecycle:transition": "complete",
    })
    out["time:timestamp"] = pd.to_datetime(out["time:timestamp"], utc=True)
    if frame[RESOURCE].notna().any():
        out["org:resource"] = frame[RESOURCE].to_numpy()
    if frame[DEPARTMENT].notna().any():
        out["org:group"] = frame[DEPARTMENT].to_numpy()
    out["procmine:party"] = frame[PARTY].astype("str").to_numpy()
    if frame[AUTOMATED].notna().any():
        out["procmine:automated"] = frame[AUTOMATED].astype("object").to_numpy()
    out["procmine:source"] = frame[SOURCE].to_numpy()
    out["procmine:event_id"] = frame[EVENT_ID].to_numpy()
    for column in frame.columns:
        if column not in CORE_COLUMNS:
            out[str(column)] = frame[column].to_numpy()
    target.parent.mkdir(parents=True, exist_ok=True)
    _pm4py_io.write_xes(out, target)
    return target


def write_ocel(
    events: pd.DataFrame,
    path: str | Path,
    *,
    format: OcelFormat | None = None,
    object_type: str = "orders",
    resource_type: str | None = "employees",
) -> Path:
    """Write canonical events (or an ``EventLog``) as an OCEL 2.0 log.

    Each case becomes an object of ``object_type`` related to its events
    (qualifier ``order``). With ``resource_type`` set, each resource becomes
    an object of that type related to its events (qualifier ``resource``),
    carrying its department as the attribute ``role`` (its most frequent
    department; ties go to the first by name), so that
    :func:`procmine.io.ocel.read_ocel` reads resource and department back.
    Event ids are the canonical ``event_id``; extra columns become event
    attributes. In the XML format, characters XML 1.0 forbids (NUL, ESC ...)
    are written as visible stand-ins (:func:`procmine.io.xmlchars.xml_text`).

    Parameters
    ----------
    events : pandas.DataFrame or EventLog
    path : str or Path
        Target file (overwritten).
    format : {"xml", "json", "sqlite"}, optional, keyword-only
        Default from the suffix (``.xml``, ``.jsonocel``/``.json``,
        ``.sqlite``/``.sqlite3``/``.db``); any other suffix needs ``format``.
    object_type : str, keyword-only
        Object type of the cases.
    resource_type : str or None, keyword-only
        Object type of the resources; None leaves resources out.

    Returns
    -------
    Path

    Raises
    ------
    UsageError
        Unknown ``format``, or a suffix that does not say the format.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> frame = pd.DataFrame({"case_id": ["o1", "o1"], "activity": ["Enter", "Pick"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00"], utc=True),
    ...     "resource": ["ann", "bob"], "department": ["Sales", "Warehouse"]})
    >>> out = write_ocel(frame, pathlib.Path(tempfile.mkdtemp()) / "o.jsonocel")
    >>> from procmine.io.ocel import read_ocel
    >>> read_ocel(out).events[["case_id", "activity", "department"]].values.tolist()
    [['o1', 'Enter', 'Sales'], ['o1', 'Pick', 'Warehouse']]
    """
    target = Path(path)
    kind = _ocel_format(target, format)
    frame = _events_of(events)
    if kind == "xml":
        frame = xml_frame(frame)
        object_type = xml_text(object_type)
        resource_type = None if resource_type is None else xml_text(resource_type)
    ev = pd.DataFrame({
        "ocel:eid": frame[EVENT_ID].to_numpy(),
        "ocel:activity": frame[ACTIVITY].to_numpy(),
        "ocel:timestamp": frame[TIMESTAMP].to_numpy(),
    })
    ev["ocel:timestamp"] = pd.to_datetime(ev["ocel:timestamp"], utc=True)
    for column in frame.columns:
        if column not in CORE_COLUMNS:
            ev[str(column)] = frame[column].to_numpy()
    order_rel = pd.DataFrame({
        "ocel:eid": ev["ocel:eid"], "ocel:activity": ev["ocel:activity"],
        "ocel:timestamp": ev["ocel:timestamp"], "ocel:oid": frame[CASE_ID].to_numpy(),
        "ocel:type": object_type, "ocel:qualifier": "order",
    })
    cases = pd.unique(frame[CASE_ID].to_numpy())
    objects = [pd.DataFrame({"ocel:oid": cases, "ocel:type": object_type})]
    relations = [order_rel]
    if resource_type is not None and frame[RESOURCE].notna().any():
        has = frame[RESOURCE].notna().to_numpy()
        relations.append(pd.DataFrame({
            "ocel:eid": ev["ocel:eid"][has], "ocel:activity": ev["ocel:activity"][has],
            "ocel:timestamp": ev["ocel:timestamp"][has],
            "ocel:oid": frame[RESOURCE].to_numpy()[has],
            "ocel:type": resource_type, "ocel:qualifier": "resource",
        }))
        objects.append(_resource_objects(frame, resource_type))
    obj = pd.concat(objects, ignore_index=True)
    rel = pd.concat(relations, ignore_index=True)
    ocel = _pm4py_io.make_ocel(ev, obj, rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    _pm4py_io.write_ocel(ocel, target, kind=kind)
    return target


def _ocel_format(path: Path, given: str | None) -> OcelFormat:
    allowed = get_args(OcelFormat)
    if given is not None:
        if given not in allowed:
            raise UsageError(f"format must be one of {', '.join(allowed)}; got {given!r}")
        return given  # type: ignore[return-value]
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise UsageError(
            f"{path}: cannot tell the OCEL format from the suffix {suffix or '(none)'!r}; "
            f"use .xml, .jsonocel, .sqlite or pass format= one of {', '.join(allowed)}."
        )
    return _SUFFIXES[suffix]  # type: ignore[return-value]


def _resource_objects(frame: pd.DataFrame, resource_type: str) -> pd.DataFrame:
    pairs = frame.loc[frame[RESOURCE].notna(), [RESOURCE, DEPARTMENT]]
    resources = np.sort(pd.unique(pairs[RESOURCE].to_numpy()))
    out = pd.DataFrame({"ocel:oid": resources, "ocel:type": resource_type})
    known = pairs.dropna(subset=[DEPARTMENT])
    if known.empty:
        return out
    counts = known.value_counts([RESOURCE, DEPARTMENT]).rename("n").reset_index()
    counts = counts.sort_values([RESOURCE, "n", DEPARTMENT], ascending=[True, False, True],
                                kind="stable")
    role = counts.drop_duplicates(RESOURCE).set_index(RESOURCE)[DEPARTMENT]
    out["role"] = pd.Series(resources).map(role).to_numpy()
    return out
