"""Write a canonical event log as XES or as OCEL 2.0 (XML, JSON, SQLite) that other tools accept.

procmine writes the files itself (vectorised, deterministic: same input, same bytes)
so that each format follows its standard: no attribute for a missing value, each
value with its type, and OCEL 2.0 SQLite with the relational keys of the standard.
pm4py reads them back in the tests.
"""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd

from procmine.errors import UsageError
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

    Roles go to the XES standard keys: ``case_id`` → the trace's
    ``concept:name`` (read back as ``case:concept:name``), ``activity`` →
    ``concept:name``, ``timestamp`` → ``time:timestamp``, ``resource`` →
    ``org:resource``, ``department`` → ``org:group``; every event gets
    ``lifecycle:transition = complete``. ``party``, ``automated``, ``source``
    and ``event_id`` are written as ``procmine:party`` ... (``party`` and
    ``automated`` are read back into their columns by
    :func:`procmine.io.xes.read_xes`); further columns keep their names (one
    that would repeat a key written above gets the prefix ``attr_``).

    **Missing values are left out**, event by event: an event carries only
    the attributes it has a value for, never ``<float value="nan">``. Each
    column keeps its type: text as ``<string>``, datetimes as ``<date>``
    (ISO 8601; tz-aware ones in UTC with ``+00:00``), integers as ``<int>``,
    other numbers as ``<float>`` (``INF``/``-INF`` as in XML Schema), true or
    false as ``<boolean>``; a column of mixed Python objects is written as
    text. Characters XML 1.0 forbids (NUL, ESC, vertical tab ...) in names
    and values are written as visible stand-ins
    (:func:`procmine.io.xmlchars.xml_text`), so the file always parses.

    A path ending in ``.gz`` is gzip-compressed (no file name or time in the
    gzip header). Same input, same bytes out. The file is written beside the
    target and moved into place, so a reader never sees half a file.

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
    ...     "resource": ["ann", "bob"], "department": ["Sales", "Warehouse"],
    ...     "amount": [10.5, None]})
    >>> out = write_xes(frame, pathlib.Path(tempfile.mkdtemp()) / "o.xes")
    >>> from procmine.io.xes import read_xes
    >>> read_xes(out).events[["case_id", "activity", "department"]].values.tolist()
    [['o1', 'Enter', 'Sales'], ['o1', 'Pick', 'Warehouse']]
    >>> "nan" in out.read_text()
    False
    """
    frame = _events_of(events)
    target = Path(path)
    n = len(frame)
    core: list[tuple[str, pd.Series]] = [
        ("concept:name", frame[ACTIVITY]),
        ("time:timestamp", frame[TIMESTAMP]),
        ("lifecycle:transition", pd.Series(np.full(n, "complete", dtype=object))),
        ("org:resource", frame[RESOURCE]),
        ("org:group", frame[DEPARTMENT]),
        ("procmine:party", frame[PARTY]),
        ("procmine:automated", frame[AUTOMATED]),
        ("procmine:source", frame[SOURCE]),
        ("procmine:event_id", frame[EVENT_ID]),
    ]
    taken = {key for key, _ in core}
    for column in frame.columns:
        if column not in CORE_COLUMNS:
            key = xml_text(str(column))
            while key in taken:
                key = f"attr_{key}"
            taken.add(key)
            core.append((key, frame[column]))
    case = frame[CASE_ID].reset_index(drop=True)
    first = (case != case.shift()).to_numpy()
    last = (case != case.shift(-1)).to_numpy()
    # one column of text per attribute, joined row by row in one go (no string grows per column)
    parts = np.empty((n, len(core) + 2), dtype=object)
    parts[:, 0] = np.where(first, "<trace>" + _xes_attributes("concept:name", case) + "\n",
                           "") + "<event>"
    for column, (key, values) in enumerate(core, start=1):
        parts[:, column] = _xes_attributes(key, values.reset_index(drop=True))
    parts[:, -1] = np.where(last, "</event>\n</trace>\n", "</event>\n")
    target.parent.mkdir(parents=True, exist_ok=True)
    compress = target.name.lower().endswith(".gz")
    with _staged(target) as staged:
        raw = staged.open("wb")
        stream = (gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)
                  if compress else raw)
        try:
            stream.write(_XES_HEAD.encode("utf-8"))
            for lo in range(0, n, _CHUNK):
                stream.write("".join(parts[lo:lo + _CHUNK].ravel()).encode("utf-8"))
            stream.write(b"</log>\n")
        finally:
            stream.close()
            raw.close()
    return target


_CHUNK: Final = 50_000
_XES_HEAD: Final = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<log xes.version="1849-2016" xmlns="http://www.xes-standard.org/">\n'
    '<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n'
    '<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n'
    '<extension name="Lifecycle" prefix="lifecycle" '
    'uri="http://www.xes-standard.org/lifecycle.xesext"/>\n'
    '<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>\n'
    '<classifier name="Activity" keys="concept:name"/>\n'
)
#: Escapes for a double-quoted XML attribute value (tab, newline and CR kept as references).
_ESCAPES: Final = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;",
                   ord("\t"): "&#9;", ord("\n"): "&#10;", ord("\r"): "&#13;"}


def _xes_kind(values: pd.Series) -> str:
    """The XES type of a column: string, date, int, float or boolean."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if dtype.kind == "O":
        inferred = pd.api.types.infer_dtype(values, skipna=True)
        return {"boolean": "boolean", "integer": "int", "floating": "float",
                "mixed-integer-float": "float", "datetime": "date"}.get(inferred, "string")
    return "string"


#: A character that needs escaping or replacing in an attribute value (checked on all at once).
_SPECIAL: Final = '[&<>"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]'


def _value_text(value: object, kind: str) -> str:
    """One distinct value as XES value text, escaped for a double-quoted attribute."""
    if kind == "boolean":
        return "true" if bool(value) else "false"
    if kind == "int":
        return str(int(value))  # type: ignore[call-overload]
    if kind == "float":
        number = float(value)  # type: ignore[arg-type]
        return "INF" if number == np.inf else "-INF" if number == -np.inf else repr(number)
    return xml_text(str(value)).translate(_ESCAPES)


def _xes_attributes(key: str, values: pd.Series) -> np.ndarray:
    """One ``<type key=".." value=".."/>`` per event, ``""`` where the value is missing.

    Each distinct value is written once (most columns hold few: activities,
    departments, resources), then spread to its events by its code; dates are
    formatted for all events at once.
    """
    kind = _xes_kind(values)
    head = f'<{kind} key="{xml_text(key).translate(_ESCAPES)}" value="'
    if kind == "date":
        present = values.notna().to_numpy(dtype=bool)
        stamps = pd.to_datetime(values, utc=values.dtype.kind == "O"
                                or getattr(values.dtype, "tz", None) is not None)
        aware = getattr(stamps.dtype, "tz", None) is not None
        raw = (stamps.dt.tz_convert("UTC").dt.tz_localize(None) if aware else stamps)
        text = np.datetime_as_string(raw.to_numpy(dtype="datetime64[us]"), unit="us")
        text = text.astype(object) + ("+00:00" if aware else "")
        return np.where(present, head + text + '"/>', "").astype(object)
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists ...): written as their text
        codes, uniques = pd.factorize(values.map(str, na_action="ignore"), use_na_sentinel=True)
    distinct = np.asarray(uniques, dtype=object)
    if kind == "string":
        text = pd.Series(distinct, dtype="str")
        plain = ~text.str.contains(_SPECIAL, regex=True).to_numpy(dtype=bool)
        shown = text.to_numpy(dtype=object)
        shown[~plain] = [_value_text(u, kind) for u in shown[~plain]]
        elements = (head + shown + '"/>') if len(shown) else shown
    else:
        elements = np.asarray([head + _value_text(u, kind) + '"/>' for u in distinct],
                              dtype=object)
    return np.concatenate([elements.astype(object), np.array([""], dtype=object)])[codes]


@contextmanager
def _staged(target: Path) -> Iterator[Path]:
    """A temporary file in the target's folder, moved onto ``target`` on success."""
    handle, name = tempfile.mkstemp(prefix=".procmine-", suffix=".part", dir=target.parent)
    os.close(handle)
    staged = Path(name)
    try:
        yield staged
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)


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
    attributes, declared per activity (only those it has a value for) with the
    standard's types: ``string``, ``time``, ``integer``, ``float``,
    ``boolean``. A missing value is left out of its event (NULL in SQLite);
    JSON, which has no infinity, leaves out infinite numbers too. In the XML
    format, characters XML 1.0 forbids (NUL, ESC ...) are written as visible
    stand-ins (:func:`procmine.io.xmlchars.xml_text`).

    SQLite follows the relational format of the OCEL 2.0 standard with its
    keys: ``event``/``object`` (primary key ``ocel_id``, ``ocel_type`` a
    foreign key into ``event_map_type``/``object_map_type``), ``event_object``
    and ``object_object`` (primary key on all three columns, foreign keys into
    ``event`` and ``object``), ``event_<type>`` (primary key ``ocel_id``, a
    foreign key into ``event``) and ``object_<type>`` tables.

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
        Unknown ``format``, a suffix that does not say the format, or a resource
        with the id of an order (object ids are unique across types).

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
    clash = np.intersect1d(cases.astype(str), obj["ocel:oid"].iloc[len(cases):].astype(str))
    if len(clash):
        raise UsageError(
            f"{target}: {len(clash)} resource(s) have the same id as an order (first "
            f"{clash[0]!r}); OCEL object ids are unique across types. Pass resource_type=None "
            "to leave resources out, or rename them."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        with _staged(target) as staged:
            _write_ocel_sqlite(ev, obj, rel, staged)
        return target
    with _staged(target) as staged:
        _write_ocel_document(ev, obj, rel, staged, kind=kind)
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


# -- OCEL 2.0 relational (SQLite) ---------------------------------------------------------
#: The type-independent tables of the OCEL 2.0 relational format, with their keys.
_OCEL_SCHEMA: Final = """
CREATE TABLE event_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT NOT NULL UNIQUE);
CREATE TABLE object_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT NOT NULL UNIQUE);
CREATE TABLE event (
  ocel_id TEXT PRIMARY KEY,
  ocel_type TEXT NOT NULL REFERENCES event_map_type (ocel_type));
CREATE TABLE object (
  ocel_id TEXT PRIMARY KEY,
  ocel_type TEXT NOT NULL REFERENCES object_map_type (ocel_type));
CREATE TABLE event_object (
  ocel_event_id TEXT NOT NULL REFERENCES event (ocel_id),
  ocel_object_id TEXT NOT NULL REFERENCES object (ocel_id),
  ocel_qualifier TEXT NOT NULL,
  PRIMARY KEY (ocel_event_id, ocel_object_id, ocel_qualifier));
CREATE TABLE object_object (
  ocel_source_id TEXT NOT NULL REFERENCES object (ocel_id),
  ocel_target_id TEXT NOT NULL REFERENCES object (ocel_id),
  ocel_qualifier TEXT NOT NULL,
  PRIMARY KEY (ocel_source_id, ocel_target_id, ocel_qualifier));
"""
#: The time of a static object attribute in the relational format (the standard's epoch).
_STATIC_TIME: Final = "1970-01-01 00:00:00"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _type_maps(names: list[str]) -> dict[str, str]:
    """A table-name suffix per type: its letters and digits, unique (``_2``... on a clash)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = "".join(ch for ch in name.title() if ch.isalnum()) or "Type"
        candidate, n = base, 1
        while candidate.lower() in used:
            n += 1
            candidate = f"{base}_{n}"
        used.add(candidate.lower())
        out[name] = candidate
    return out


def _sql_type(values: pd.Series) -> str:
    kind = _xes_kind(values)
    return {"boolean": "BOOLEAN", "date": "TIMESTAMP", "int": "INTEGER", "float": "REAL"}.get(
        kind, "TEXT")


def _sql_values(values: pd.Series) -> list[object]:
    """Python values for sqlite3: missing as None, datetimes as UTC text, numbers as numbers."""
    kind = _xes_kind(values)
    present = values.notna().to_numpy(dtype=bool)
    out = np.full(len(values), None, dtype=object)
    known = values[present]
    if kind == "date":
        stamps = pd.to_datetime(known, utc=True).dt.tz_localize(None)
        text = np.datetime_as_string(stamps.to_numpy(dtype="datetime64[us]"), unit="us")
        out[present] = np.char.replace(text, "T", " ").tolist()
    elif kind == "boolean":
        out[present] = known.astype(bool).astype("int64").tolist()
    elif kind == "int":
        out[present] = known.astype("int64").tolist()
    elif kind == "float":
        out[present] = known.astype("float64").tolist()
    else:
        out[present] = known.astype(str).tolist()
    return out.tolist()


def _write_ocel_sqlite(ev: pd.DataFrame, obj: pd.DataFrame, rel: pd.DataFrame,
                       path: Path) -> None:
    """OCEL 2.0 relational format with the keys of the standard (Berti et al. 2023, sec. 5).

    ``event``, ``object`` (primary key ``ocel_id``; ``ocel_type`` a foreign key into
    ``event_map_type``/``object_map_type``), ``event_object`` and ``object_object``
    (primary key on all three columns; foreign keys into ``event``/``object``), one
    ``event_<type>`` table per activity (primary key ``ocel_id``, a foreign key into
    ``event``; ``ocel_time``; the attributes that activity has) and one
    ``object_<type>`` table per object type (``ocel_id`` a foreign key into
    ``object``, ``ocel_time``, ``ocel_changed_field``; static attributes at the
    epoch). Foreign keys are enforced while writing, so a broken reference fails
    here rather than in the reader.
    """
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA foreign_keys = ON")
        con.executescript(_OCEL_SCHEMA)
        activities = sorted(pd.unique(ev["ocel:activity"].astype(str)))
        object_types = sorted(pd.unique(obj["ocel:type"].astype(str)))
        event_maps, object_maps = _type_maps(activities), _type_maps(object_types)
        with con:
            con.executemany("INSERT INTO event_map_type VALUES (?, ?)", event_maps.items())
            con.executemany("INSERT INTO object_map_type VALUES (?, ?)", object_maps.items())
            con.executemany("INSERT INTO event VALUES (?, ?)", zip(
                ev["ocel:eid"].astype(str), ev["ocel:activity"].astype(str), strict=True))
            con.executemany("INSERT INTO object VALUES (?, ?)", zip(
                obj["ocel:oid"].astype(str), obj["ocel:type"].astype(str), strict=True))
            pairs = rel[["ocel:eid", "ocel:oid", "ocel:qualifier"]].astype(str).drop_duplicates()
            con.executemany("INSERT INTO event_object VALUES (?, ?, ?)",
                            pairs.itertuples(index=False, name=None))
            attributes = [c for c in ev.columns
                          if c not in ("ocel:eid", "ocel:activity", "ocel:timestamp")]
            times = pd.Series(_sql_values(ev["ocel:timestamp"]), index=ev.index)
            groups = ev.groupby(ev["ocel:activity"].astype(str), sort=True).indices
            for activity in activities:
                rows = ev.iloc[groups[activity]]
                kept = [c for c in attributes if rows[c].notna().any()]
                table = _quoted("event_" + event_maps[activity])
                columns = ", ".join(f"{_quoted(c)} {_sql_type(ev[c])}" for c in kept)
                con.execute(f"CREATE TABLE {table} (ocel_id TEXT PRIMARY KEY "
                            f"REFERENCES event (ocel_id), ocel_time TIMESTAMP NOT NULL"
                            f"{', ' + columns if columns else ''})")
                values = [rows["ocel:eid"].astype(str).tolist(), times[rows.index].tolist()]
                values += [_sql_values(rows[c]) for c in kept]
                marks = ", ".join("?" * len(values))
                # the table name is "event_"/"object_" + letters and digits (_type_maps), quoted
                con.executemany(f"INSERT INTO {table} VALUES ({marks})",  # noqa: S608
                                zip(*values, strict=True))
            object_attributes = [c for c in obj.columns if c not in ("ocel:oid", "ocel:type")]
            by_type = obj["ocel:type"].astype(str)
            for object_type in object_types:
                rows = obj[(by_type == object_type).to_numpy()]
                kept = [c for c in object_attributes if rows[c].notna().any()]
                table = _quoted("object_" + object_maps[object_type])
                columns = ", ".join(f"{_quoted(c)} {_sql_type(obj[c])}" for c in kept)
                con.execute(f"CREATE TABLE {table} (ocel_id TEXT NOT NULL "
                            "REFERENCES object (ocel_id), ocel_time TIMESTAMP NOT NULL, "
                            f"ocel_changed_field TEXT{', ' + columns if columns else ''})")
                n = len(rows)
                values = [rows["ocel:oid"].astype(str).tolist(), [_STATIC_TIME] * n, [None] * n]
                values += [_sql_values(rows[c]) for c in kept]
                marks = ", ".join("?" * len(values))
                # the table name is "event_"/"object_" + letters and digits (_type_maps), quoted
                con.executemany(f"INSERT INTO {table} VALUES ({marks})",  # noqa: S608
                                zip(*values, strict=True))
    finally:
        con.close()


# -- OCEL 2.0 XML and JSON ----------------------------------------------------------------
#: OCEL 2.0 attribute types by XES kind (the standard's ``string, time, integer, float, boolean``).
_OCEL_TYPES: Final = {"string": "string", "date": "time", "int": "integer", "float": "float",
                      "boolean": "boolean"}
_OCEL_EPOCH: Final = "1970-01-01T00:00:00Z"


def _ocel_times(values: pd.Series) -> np.ndarray:
    """ISO 8601 UTC times ending in ``Z`` (whole seconds unless some event has a fraction)."""
    stamps = pd.to_datetime(values, utc=True).dt.tz_localize(None)
    raw = stamps.to_numpy(dtype="datetime64[us]")
    fraction = bool((raw.astype("int64") % 1_000_000 != 0).any()) if len(raw) else False
    text = np.datetime_as_string(raw, unit="us" if fraction else "s")
    return text.astype(object) + "Z"


def _ocel_value_texts(values: pd.Series, kind: str, *, json_format: bool) -> np.ndarray:
    """Each event's value as OCEL text (XML element text or a JSON value), None if missing."""
    out = np.full(len(values), None, dtype=object)
    present = values.notna().to_numpy(dtype=bool).copy()
    if kind == "float":  # JSON has no infinity: a non-finite number is left out there
        number = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
        present &= np.isfinite(number) | (not json_format)
    if kind == "date":
        out[present] = _ocel_times(values[present])
        if json_format:
            out[present] = '"' + out[present] + '"'
        return out
    codes, uniques = pd.factorize(values.where(present), use_na_sentinel=True)
    texts = []
    for value in np.asarray(uniques, dtype=object):
        if kind == "boolean":
            texts.append("true" if bool(value) else "false")
        elif kind == "int":
            texts.append(str(int(value)))
        elif kind == "float":
            number_ = float(value)
            texts.append("INF" if number_ == np.inf else "-INF" if number_ == -np.inf
                         else repr(number_))
        elif json_format:
            texts.append(json.dumps(str(value), ensure_ascii=False))
        else:
            texts.append(xml_text(str(value)).translate(_ESCAPES))
    table = np.asarray([*texts, None], dtype=object)
    return table[codes]


def _wrap(prefix: str, text: np.ndarray, suffix: str) -> np.ndarray:
    """``prefix + text + suffix`` per row, None where ``text`` is missing."""
    missing = np.asarray(pd.isna(text), dtype=bool)
    out = np.full(len(text), None, dtype=object)
    out[~missing] = prefix + text[~missing].astype(object) + suffix
    return out


def _rows(head: np.ndarray, pieces: list[np.ndarray], middle: str,
          more: list[np.ndarray], tail: str, *, comma: bool) -> np.ndarray:
    """A grid (one row per record) of text cells: head, pieces, middle, more pieces, tail.

    Missing pieces are empty cells. With ``comma``, each piece starts with ``", "``
    (a JSON list item), and the first present piece of each list loses it.
    """
    n = len(head)
    grid = np.full((n, len(pieces) + len(more) + 3), "", dtype=object)
    grid[:, 0] = head
    grid[:, len(pieces) + 1] = middle
    grid[:, -1] = tail
    for offset, group in ((1, pieces), (len(pieces) + 2, more)):
        seen = np.zeros(n, dtype=bool)
        for k, piece in enumerate(group):
            present = np.asarray(pd.notna(piece), dtype=bool)
            cell = np.asarray(piece, dtype=object).copy()
            first = present & ~seen
            if comma and first.any():
                cell[first] = pd.Series(cell[first], dtype="str").str.slice(2).to_numpy(
                    dtype=object)
            grid[present, offset + k] = cell[present]
            seen |= present
    return grid


def _write_rows(out: Any, grid: np.ndarray, *, separator: str) -> None:
    """Write a grid of text cells, each row joined, rows separated by ``separator``."""
    width = grid.shape[1] if grid.ndim == 2 else 0
    for lo in range(0, len(grid), _CHUNK):
        chunk = grid[lo:lo + _CHUNK]
        if width:
            sep = np.full((len(chunk), 1), separator, dtype=object)
            if lo + _CHUNK >= len(grid):
                sep[-1, 0] = ""
            out.write("".join(np.hstack([chunk, sep]).ravel()))


def _declared(frame: pd.DataFrame, by: pd.Series, columns: list[str]) -> dict[str, list[str]]:
    """Type name -> the attributes that have a value for at least one of its rows (sorted)."""
    if not columns:
        return {str(t): [] for t in pd.unique(by)}
    seen = frame[columns].notna().groupby(by.to_numpy()).any()
    return {str(t): [c for c in columns if seen.loc[t, c]] for t in seen.index}


def _write_ocel_document(ev: pd.DataFrame, obj: pd.DataFrame, rel: pd.DataFrame, path: Path,
                         *, kind: str) -> None:
    """OCEL 2.0 XML or JSON: types declared with the standard's type names, an attribute only
    where its value is present, each event with its relationships (order, then resource)."""
    as_json = kind == "json"
    n = len(ev)
    attributes = [c for c in ev.columns if c not in ("ocel:eid", "ocel:activity",
                                                       "ocel:timestamp")]
    object_attributes = [c for c in obj.columns if c not in ("ocel:oid", "ocel:type")]
    kinds = {c: _xes_kind(ev[c]) for c in attributes}
    object_kinds = {c: _xes_kind(obj[c]) for c in object_attributes}
    activity = ev["ocel:activity"].astype(str)
    event_types = _declared(ev, activity, attributes)
    object_types = _declared(obj, obj["ocel:type"].astype(str), object_attributes)

    def quote(text: str) -> str:
        return (json.dumps(text, ensure_ascii=False) if as_json
                else xml_text(text).translate(_ESCAPES))

    def type_list(declared: dict[str, list[str]], types: dict[str, str]) -> str:
        if as_json:
            return ", ".join(
                '{"name": ' + quote(t) + ', "attributes": ['
                + ", ".join('{"name": ' + quote(a) + ', "type": "' + _OCEL_TYPES[types[a]] + '"}'
                            for a in names) + "]}"
                for t, names in sorted(declared.items()))
        return "".join(
            f'<{"{tag}"} name="{quote(t)}"><attributes>'
            + "".join(f'<attribute name="{quote(a)}" type="{_OCEL_TYPES[types[a]]}"/>'
                      for a in names) + f"</attributes></{'{tag}'}>\n"
            for t, names in sorted(declared.items()))

    # events: a head, the attributes present, the relationships, a tail; one column each,
    # joined row by row in one pass when written (no string grows column by column)
    pieces = []
    for column in attributes:
        text = _ocel_value_texts(ev[column], kinds[column], json_format=as_json)
        name = quote(str(column))
        if as_json:
            pieces.append(_wrap(', {"name": ' + name + ', "value": ', text, "}"))
        else:
            pieces.append(_wrap(f'<attribute name="{name}">', text, "</attribute>"))
    position = pd.Index(ev["ocel:eid"].astype(str)).get_indexer(rel["ocel:eid"].astype(str))
    order = np.argsort(position, kind="stable")
    targets = _ocel_value_texts(rel["ocel:oid"].astype(str), "string", json_format=as_json)
    qualifiers = _ocel_value_texts(rel["ocel:qualifier"].astype(str), "string",
                                   json_format=as_json)
    if as_json:
        links = ', {"objectId": ' + targets + ', "qualifier": ' + qualifiers + "}"
    else:
        links = '<relationship object-id="' + targets + '" qualifier="' + qualifiers + '"/>'
    sorted_position = position[order]
    starts = np.searchsorted(sorted_position, np.arange(n))
    rank = np.arange(len(order)) - starts[sorted_position] if len(order) else order
    width = int(rank.max()) + 1 if len(order) else 0
    link_grid = np.full((n, width), None, dtype=object)
    link_grid[sorted_position, rank] = links[order]
    link_pieces = [link_grid[:, k] for k in range(width)]
    ids = _ocel_value_texts(ev["ocel:eid"].astype(str), "string", json_format=as_json)
    types = _ocel_value_texts(activity, "string", json_format=as_json)
    times = _ocel_times(ev["ocel:timestamp"])
    if as_json:
        head = '{"id": ' + ids + ', "type": ' + types + ', "time": "' + times + '", "attributes": ['
        middle, tail = "], \"relationships\": [", "]}"
    else:
        head = '<event id="' + ids + '" type="' + types + '" time="' + times + '"><attributes>'
        middle, tail = "</attributes><objects>", "</objects></event>"
    events = _rows(head, pieces, middle, link_pieces, tail, comma=as_json)
    # objects: static attributes at the epoch, no object-to-object relationships
    opieces = []
    for column in object_attributes:
        text = _ocel_value_texts(obj[column], object_kinds[column], json_format=as_json)
        name = quote(str(column))
        if as_json:
            opieces.append(_wrap(', {"name": ' + name + ', "value": ', text,
                                 f', "time": "{_OCEL_EPOCH}"}}'))
        else:
            opieces.append(_wrap(f'<attribute name="{name}" time="{_OCEL_EPOCH}">', text,
                                 "</attribute>"))
    oids = _ocel_value_texts(obj["ocel:oid"].astype(str), "string", json_format=as_json)
    otypes = _ocel_value_texts(obj["ocel:type"].astype(str), "string", json_format=as_json)
    if as_json:
        objects = _rows('{"id": ' + oids + ', "type": ' + otypes + ', "attributes": [',
                        opieces, '], "relationships": []}', [], "", comma=True)
    else:
        objects = _rows('<object id="' + oids + '" type="' + otypes + '"><attributes>',
                        opieces, "</attributes><objects/></object>", [], "", comma=False)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        if as_json:
            out.write('{"objectTypes": [' + type_list(object_types, object_kinds)
                      + '],\n"eventTypes": [' + type_list(event_types, kinds)
                      + '],\n"objects": [\n')
            _write_rows(out, objects, separator=",\n")
            out.write('\n],\n"events": [\n')
            _write_rows(out, events, separator=",\n")
            out.write("\n]}\n")
        else:
            out.write('<?xml version="1.0" encoding="UTF-8"?>\n<log>\n<object-types>\n'
                      + type_list(object_types, object_kinds).replace("{tag}", "object-type")
                      + "</object-types>\n<event-types>\n"
                      + type_list(event_types, kinds).replace("{tag}", "event-type")
                      + "</event-types>\n<objects>\n")
            _write_rows(out, objects, separator="\n")
            out.write("\n</objects>\n<events>\n")
            _write_rows(out, events, separator="\n")
            out.write("\n</events>\n</log>\n")
