"""Write a canonical event log as XES or as OCEL 2.0 (XML, JSON, SQLite), through pm4py."""

from __future__ import annotations

import gzip
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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
    ocel = _pm4py_io.make_ocel(ev, obj, rel)
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
