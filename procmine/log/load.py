"""Load an event log from a sources file or one log file (CSV, Parquet, Excel, XES, OCEL)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from procmine.errors import InputError, UsageError
from procmine.io.mapping import ColumnMapping, map_table
from procmine.io.result import ReadResult
from procmine.io.stitch import read_sources
from procmine.io.tables import infer_format, read_table
from procmine.log.eventlog import EventLog
from procmine.schema import (
    ACTIVITY,
    AUTOMATED,
    CASE_ID,
    CORE_COLUMNS,
    DEPARTMENT,
    EVENT_ID,
    PARTY,
    RESOURCE,
    TIMESTAMP,
    validate_events,
)

if TYPE_CHECKING:
    from procmine.io.ocel import OcelLog

__all__ = ["LogFormat", "flatten_ocel", "load", "load_sources"]

LogFormat = Literal["sources", "csv", "parquet", "excel", "xes", "ocel"]

_TABLE_HINT = ("(procmine.load options; on the command line --case-id, --activity, --timestamp, "
               "--timestamp-format, --timezone, --delimiter, --encoding)")
_FILE_HINT = "in a sources file (see the README section 'Sources file')"


def load(
    path: str | Path,
    *,
    case_id: str | None = None,
    activity: str | None = None,
    timestamp: str | None = None,
    resource: str | None = None,
    department: str | None = None,
    timestamp_format: str | None = None,
    timezone: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    object_type: str = "orders",
    format: LogFormat | None = None,
    name: str | None = None,
) -> EventLog:
    """Load an event log: a sources file, or one CSV, Parquet, Excel, XES or OCEL file.

    The input's kind comes from ``format`` or else from the suffix:
    ``.toml`` (sources file), ``.csv``/``.csv.gz``, ``.parquet``, ``.xlsx``,
    ``.xes``/``.xes.gz``, and OCEL 2.0 ``.xml``/``.xml.gz``/``.jsonocel``/
    ``.json``/``.sqlite``.

    For one table, the mapping options name the columns; without them the
    canonical names (``case_id``, ``activity``, ``timestamp``, and if present
    ``resource``, ``department``, ``party``, ``automated``, ``event_id``) are
    used. Every other column is kept as a data attribute. Bad rows are
    rejected with a reason, never dropped silently: see ``log.rejects`` and
    ``log.source_table()``.

    Parameters
    ----------
    path : str or Path
        The input.
    case_id, activity, timestamp, resource, department : str, keyword-only
        Columns of a table that play these roles.
    timestamp_format : str, keyword-only
        strftime format of the times (default ISO 8601), e.g. ``"%d/%m/%Y %H:%M"``.
    timezone : str, keyword-only
        IANA zone of times written without an offset (default UTC).
    delimiter, encoding : str, keyword-only
        CSV only: the field separator (default ``,``) and the text encoding
        (default UTF-8), e.g. ``delimiter=";", encoding="cp1252"``.
    object_type : str, keyword-only
        OCEL only: the object type that is the case.
    format : {"sources", "csv", "parquet", "excel", "xes", "ocel"}, keyword-only
        Override the suffix.
    name : str, keyword-only
        Name of the log and of its source (default: the file stem).

    Returns
    -------
    EventLog

    Raises
    ------
    InputError
        The file is missing or cannot be used (message names file, row, column).
    UsageError
        Unknown format, or mapping options given for an input that maps itself.

    See Also
    --------
    load_sources : several extracts stitched by a sources file.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "orders.csv")
    >>> _ = open(p, "w").write("Order,Step,At,User\\n"
    ...     "SO-1,Enter order,2024-01-01 09:00,ann\\n"
    ...     "SO-1,Pick,2024-01-01 11:00+01:00,bob\\n"
    ...     "SO-2,Enter order,not a date,ann\\n")
    >>> log = load(p, case_id="Order", activity="Step", timestamp="At", resource="User")
    >>> log
    EventLog('orders': 2 events, 1 cases, 2 activities)
    >>> log.rejects[["row", "reason", "value"]].values.tolist()
    [[4, 'unparseable timestamp', 'not a date']]
    """
    path = Path(path)
    if format is not None and format not in get_args(LogFormat):
        raise UsageError(f"format {format!r} is unknown; expected one of "
                         f"{', '.join(get_args(LogFormat))}")
    kind = format or infer_format(path)
    if kind is None:
        raise UsageError(
            f"{path}: cannot tell the kind of input from its suffix; expected .toml, .csv, "
            ".csv.gz, .parquet, .xlsx, .xes, .xes.gz, .xml, .jsonocel, .json or .sqlite, "
            "or pass format="
        )
    if not path.exists():
        raise InputError(f"{path}: file not found (looked for {path.resolve()})")
    table_options = {
        "case_id": case_id, "activity": activity, "timestamp": timestamp,
        "resource": resource, "department": department,
        "timestamp_format": timestamp_format, "timezone": timezone,
    }
    given = [k for k, v in table_options.items() if v is not None]
    if kind == "xes":  # XES names its attributes; only these mapping options apply
        given = [k for k in given if k in ("timestamp_format", "timezone")]
    if kind in ("sources", "xes", "ocel") and given:
        what = {"sources": "a sources file maps its own columns",
                "xes": "XES times carry their offsets",
                "ocel": "OCEL uses its standard attributes; choose the case with object_type"}
        raise UsageError(f"{path}: option(s) {', '.join(given)} do not apply: {what[kind]}")
    csv_options = [k for k, v in (("delimiter", delimiter), ("encoding", encoding))
                   if v is not None]
    if csv_options and kind != "csv":
        raise UsageError(f"{path}: option(s) {', '.join(csv_options)} apply to CSV files only; "
                         f"this input is {kind}")
    if kind != "ocel" and object_type != "orders":
        raise UsageError(f"{path}: object_type applies to OCEL logs only; this input is {kind}")
    if kind == "sources":
        result = read_sources(path)
        if name is not None:
            result = ReadResult(result.events, result.rejects, result.sources, result.items,
                                name)
        return EventLog.from_result(result)
    if kind == "xes":
        from procmine.io.xes import read_xes

        columns = {"case_id": case_id, "activity": activity, "timestamp": timestamp,
                   "resource": resource, "department": department}
        return EventLog.from_result(read_xes(
            path, name=name, **{k: v for k, v in columns.items() if v is not None}))
    if kind == "ocel":
        from procmine.io.ocel import read_ocel

        return EventLog.from_result(read_ocel(path, object_type=object_type, name=name))
    return _load_table(path, kind, name=name, delimiter=delimiter, encoding=encoding,
                       **table_options)


def load_sources(path: str | Path) -> EventLog:
    """Load the extracts a sources file names, stitched into one log per order.

    Parameters
    ----------
    path : str or Path
        The sources file (TOML); see the README section "Sources file".

    Returns
    -------
    EventLog
        With one :class:`procmine.SourceStats` per source and the declared
        information items.

    Raises
    ------
    InputError
        The sources file or an extract cannot be used; the message names
        the file, table, key, row or column.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> _ = open(os.path.join(d, "sales.csv"), "w").write(
    ...     "Order,Act,At\\n1,Enter,2024-01-01T09:00\\n")
    >>> _ = open(os.path.join(d, "log.toml"), "w").write(
    ...     '[sources.sales]\\nfile = "sales.csv"\\n'
    ...     'columns = { case_id = "Order", activity = "Act", timestamp = "At" }\\n')
    >>> load_sources(os.path.join(d, "log.toml")).source_table()[["source", "rows_loaded"]]
      source  rows_loaded
    0  sales            1
    """
    return EventLog.from_result(read_sources(path))


def _load_table(path: Path, kind: str, *, name: str | None, case_id: str | None,
                activity: str | None, timestamp: str | None, resource: str | None,
                department: str | None, timestamp_format: str | None,
                timezone: str | None, delimiter: str | None, encoding: str | None) -> EventLog:
    table = read_table(path, format=kind, name=name,  # type: ignore[arg-type]
                       delimiter=delimiter, encoding=encoding, fix_hint=_TABLE_HINT)
    source = name or _stem(path)
    present = set(table.columns)

    def default(given: str | None, canonical: str) -> str | None:
        return given if given is not None else (canonical if canonical in present else None)

    mapping = ColumnMapping(
        case_id=case_id or CASE_ID,
        activity=activity or ACTIVITY,
        timestamp=timestamp or TIMESTAMP,
        resource=default(resource, RESOURCE),
        department_column=default(department, DEPARTMENT),
        party_column=PARTY if PARTY in present else None,
        automated_column=AUTOMATED if AUTOMATED in present else None,
        event_id=EVENT_ID if EVENT_ID in present else None,
        timestamp_format=timestamp_format,
        timezone=timezone,
    )
    used = set(mapping.columns().values())
    mapping = ColumnMapping(**{
        **{f: getattr(mapping, f) for f in mapping.__dataclass_fields__},
        "attributes": {str(c): str(c) for c in table.columns
                       if c not in used and c not in CORE_COLUMNS},
    })
    mapped = map_table(table, mapping, source=source, fix_hint=_TABLE_HINT)
    events = validate_events(mapped.events, source=source)
    return EventLog.from_result(ReadResult(events=events, rejects=mapped.rejects,
                                           sources=(mapped.stats,), name=source))


def _stem(path: Path) -> str:
    return Path(path.name.removesuffix(".gz")).stem


def flatten_ocel(
    ocel: OcelLog,
    *,
    object_type: str = "orders",
    include: Literal["related", "direct"] = "related",
    resource_type: str | None = "employees",
    department_attribute: str | None = "role",
) -> EventLog:
    """Flatten an object-centric log (from :func:`procmine.load_ocel`) on one object type.

    One case per object of ``object_type``. ``include="direct"`` takes the
    events related to the object itself (as ``pm4py.ocel_flattening``);
    ``include="related"`` (the default) also takes the events of the objects
    it points to (an order's items: picking, packing, shipping). Employees'
    ``role`` becomes the department. The rules, in full, are in
    :func:`procmine.io.ocel.flatten_ocel`.

    Parameters
    ----------
    ocel : OcelLog
        What :func:`procmine.load_ocel` returned.
    object_type, include, resource_type, department_attribute : keyword-only
        See above.

    Returns
    -------
    EventLog
        The order view, with rows read / loaded / rejected and the events
        outside the view counted in its source statistics.
    """
    from procmine.io.ocel import flatten_ocel as _flatten

    return EventLog.from_result(_flatten(
        ocel, object_type=object_type, include=include, resource_type=resource_type,
        department_attribute=department_attribute,
    ))
