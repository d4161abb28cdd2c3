"""Load an event log from a sources file or one log file (CSV, Parquet, Excel, XES, OCEL)."""

from __future__ import annotations

import warnings
from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pandas as pd

from procmine.errors import InputError, ProcmineError, ProcmineWarning, UsageError
from procmine.io._memory import with_reused_memory
from procmine.io.mapping import DEFAULT_MISSING_VALUES, ColumnMapping, map_table
from procmine.io.result import InformationItem, ReadResult, check_item_names
from procmine.io.stitch import apply_source_settings, read_sources
from procmine.io.tables import RawTable, infer_format, read_table
from procmine.log.eventlog import EventLog
from procmine.schema import (
    ACTIVITY,
    AUTOMATED,
    CASE_ID,
    CORE_COLUMNS,
    DEPARTMENT,
    EVENT_ID,
    OBJECT_ID,
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
               "--timestamp-format, --timezone, --delimiter, --encoding, --format, "
               "--automated-column, --automated-values, --missing-values, --object-column)")
_FRAME_HINT = "(procmine.load options)"
_FILE_HINT = "in a sources file (see the README section 'Sources file')"
_FRAME_PATH = "<DataFrame>"


@with_reused_memory
def load(
    path: str | Path | pd.DataFrame,
    *,
    case_id: str | None = None,
    activity: str | None = None,
    timestamp: str | None = None,
    resource: str | None = None,
    department: str | None = None,
    party_column: str | None = None,
    automated_column: str | None = None,
    automated_values: Sequence[str] | None = None,
    automated_resources: Sequence[str] | None = None,
    missing_values: Sequence[str] | None = None,
    object_column: str | None = None,
    timestamp_format: str | None = None,
    timezone: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    object_type: str = "orders",
    object_types: Sequence[str] | None = None,
    resource_qualifier: Sequence[str] | None = None,
    format: LogFormat | None = None,
    name: str | None = None,
    items: Sequence[InformationItem] | None = None,
    engine: Literal["pandas"] = "pandas",
    spark_master: None = None,
) -> EventLog:
    """Load an event log: a sources file, one CSV, Parquet, Excel, XES or OCEL file, or a DataFrame.

    The input's kind comes from ``format`` or else from the suffix:
    ``.toml`` (sources file), ``.csv``/``.csv.gz``, ``.parquet``, ``.xlsx``,
    ``.xes``/``.xes.gz``, and OCEL 2.0 ``.xml``/``.xml.gz``/``.jsonocel``/
    ``.json``/``.sqlite``. A ``.zip`` holding exactly one such file is read
    as that file (its suffix, or ``format``, decides how).

    For one table -- a file or a pandas DataFrame -- the mapping options
    name the columns; without them the canonical names (``case_id``,
    ``activity``, ``timestamp``, and if present ``resource``,
    ``department``, ``party``, ``automated``, ``event_id``) are used. Every
    other column is kept as a data attribute. Bad rows are rejected with a
    reason, never dropped silently: see ``log.rejects`` and
    ``log.source_table()``; rows read = rows loaded + rows rejected. A
    DataFrame is never modified; its rejected rows are numbered by position
    (``df.iloc[row]``).

    Placeholders (``Empty``, ``N/A``, ``NULL``, ``-``, ... see
    :data:`procmine.io.mapping.DEFAULT_MISSING_VALUES`) in the resource,
    department, party and automated columns are missing values, in every
    kind of input; ``log.sources[i].missing_values`` counts them per column.

    Parameters
    ----------
    path : str, Path or pandas.DataFrame
        The input.
    case_id, activity, timestamp, resource, department : str, keyword-only
        Columns of a table that play these roles (XES: attribute keys).
    party_column : str, keyword-only
        Table only: column holding the party (internal, customer, supplier, carrier).
    automated_column : str, keyword-only
        Table only: column saying whether a system or robot did the step:
        true/false, yes/no, 1/0, or the values in ``automated_values``.
    automated_values : sequence of str, keyword-only
        Values of ``automated_column`` that mean automated, case-insensitive,
        e.g. ``["Robot", "System"]``; every other value present means manual.
    automated_resources : sequence of str, keyword-only
        Resource values that are system accounts (their events are automated,
        other events with a resource manual). Tables, XES and OCEL.
    missing_values : sequence of str, keyword-only
        Placeholders read as missing, replacing the default list; ``[]`` for
        none (an empty cell is always missing).
    object_column : str, keyword-only
        Table only: column holding the sub-object of the order the event is
        about (a package, a delivery, an order line), read into ``object_id``
        (stripped text; empty cells and placeholders missing). Default: a
        column named ``object_id``, if present.
    timestamp_format : str, keyword-only
        strftime format of the times (default ISO 8601), e.g. ``"%d/%m/%Y %H:%M"``.
    timezone : str, keyword-only
        IANA zone of times written without an offset (default UTC).
    delimiter, encoding : str, keyword-only
        CSV only: the field separator (default ``,``) and the text encoding
        (default UTF-8), e.g. ``delimiter=";", encoding="cp1252"``.
    object_type : str, keyword-only
        OCEL only: the object type that is the case.
    object_types : sequence of str, keyword-only
        OCEL only: the order's sub-object types whose related objects give
        ``object_id`` (e.g. ``["items", "packages"]``); default: found from
        the data (:func:`procmine.io.ocel.sub_object_types`); ``[]`` for none.
    resource_qualifier : sequence of str, keyword-only
        OCEL only: when an event relates to several employee objects, the
        qualifiers that win, in order (``["shipper", "forwarder"]``); events
        with none of them keep the default rule (first by qualifier, then id).
    format : {"sources", "csv", "parquet", "excel", "xes", "ocel"}, keyword-only
        Override the suffix (on the command line ``--format``).
    name : str, keyword-only
        Name of the log and of its source (default: the file stem, or
        ``"dataframe"``).
    items : sequence of InformationItem, keyword-only
        Table only: the information items its columns carry (a delivery address, a
        requested date), with the party best placed to enter each first, so that
        re-entry compares their values (a sources file declares its own in
        ``[items.<name>]``). An item's column is the one its ``columns`` names
        (:meth:`InformationItem.column_in`), else the column named like the item; in
        the log the values sit in a column named after the item.
    engine : {"pandas"}, keyword-only
        This loader holds the log in memory. DuckDB and Spark load through
        :func:`procmine.engine.load` (which ``procmine.load`` is).
    spark_master : None, keyword-only
        For the same signature as :func:`procmine.engine.load`; Spark is not
        this loader's.

    Returns
    -------
    EventLog

    Raises
    ------
    InputError
        The file is missing or cannot be used (message names file, row, column).
    UsageError
        Unknown format, or options given for an input they do not apply to.

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

    A DataFrame goes through the same mapping:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"Order": ["SO-1", "SO-1", "SO-2"],
    ...                    "Step": ["Enter order", "Pick", "Enter order"],
    ...                    "At": ["2024-01-01 09:00", "2024-01-01 11:00", None],
    ...                    "Dept": ["Sales", "Empty", "Sales"],
    ...                    "UserType": ["Human", "Robot", "Human"]})
    >>> log = load(df, case_id="Order", activity="Step", timestamp="At", department="Dept",
    ...            automated_column="UserType", automated_values=["Robot"])
    >>> log.events[["activity", "department", "automated"]].values.tolist()
    [['Enter order', 'Sales', False], ['Pick', nan, True]]
    >>> s = log.sources[0]
    >>> (s.name, s.rows_read, s.rows_loaded, s.rows_rejected, dict(s.missing_values))
    ('dataframe', 3, 2, 1, {'department': 1})

    Information items, here the delivery address in column ``ShipTo``:

    >>> from procmine.io.result import InformationItem
    >>> df = df.assign(ShipTo=["Dam 1", "Dam 1", "Dam 2"])
    >>> address = InformationItem("delivery_address", "customer",
    ...                           columns={"dataframe": "ShipTo"})
    >>> log = load(df, case_id="Order", activity="Step", timestamp="At", items=[address])
    >>> log.events["delivery_address"].tolist(), [i.columns for i in log.items]
    (['Dam 1', 'Dam 1'], [{'dataframe': 'ShipTo'}])
    """
    if engine != "pandas" or spark_master is not None:
        raise UsageError(f"engine {engine!r} is not available here: this step loads the log in "
                         "memory (engine='pandas'). The DuckDB and Spark engines run through "
                         "procmine.load / procmine.engine.load and, on the command line, "
                         "procmine handoffs, map and report --engine; run this command "
                         "without --engine")
    if isinstance(path, pd.DataFrame):
        if format is not None:
            raise UsageError(f"format={format!r} applies to files; a DataFrame is read as a "
                             "table")
        _refuse(_FRAME_PATH, "a DataFrame", delimiter=delimiter, encoding=encoding,
                resource_qualifier=resource_qualifier, object_types=object_types,
                object_type=None if object_type == "orders" else object_type)
        return _load_table(
            _frame_table(path, name or "dataframe"), source=name or "dataframe",
            fix_hint=_FRAME_HINT, case_id=case_id, activity=activity, timestamp=timestamp,
            resource=resource, department=department, party_column=party_column,
            automated_column=automated_column,
            automated_values=_strings(automated_values, "automated_values"),
            automated_resources=_strings(automated_resources, "automated_resources"),
            missing_values=_strings(missing_values, "missing_values"),
            object_column=object_column, timestamp_format=timestamp_format,
            timezone=timezone, items=_items(items))
    path = Path(path)
    if str(format) == "delta" or path.is_dir():
        engines = ("--engine duckdb or --engine spark (procmine.load(..., engine='duckdb')), "
                   "which read Delta tables and folders of Parquet part files themselves")
        if path.is_dir():
            folder = "a Delta table" if (path / "_delta_log").is_dir() else "a folder"
            raise InputError(f"{path}: is a folder, not a file ({folder}); give the path of one "
                             f"file or a sources.toml, or read the folder with {engines}")
        raise UsageError(f"{path}: a Delta table is read by an engine, not in memory: pass "
                         f"{engines}")
    if format is not None and format not in get_args(LogFormat):
        raise UsageError(f"format {format!r} is unknown; expected one of "
                         f"{', '.join(get_args(LogFormat))}")
    options: dict[str, Any] = {
        "case_id": case_id, "activity": activity, "timestamp": timestamp,
        "resource": resource, "department": department, "party_column": party_column,
        "automated_column": automated_column, "automated_values": automated_values,
        "automated_resources": automated_resources, "missing_values": missing_values,
        "timestamp_format": timestamp_format, "timezone": timezone,
        "delimiter": delimiter, "encoding": encoding, "object_type": object_type,
        "resource_qualifier": resource_qualifier, "object_column": object_column,
        "object_types": object_types, "items": items,
    }
    from procmine.io.archive import is_zip_name

    if is_zip_name(path):
        return _load_zip(path, format=format, name=name, options=options)
    kind = format or infer_format(path)
    if kind is None:
        raise UsageError(
            f"{path}: cannot tell the kind of input from its suffix; expected .toml, .csv, "
            ".csv.gz, .parquet, .xlsx, .xes, .xes.gz, .xml, .jsonocel, .json, .sqlite or "
            ".zip, or pass format= (on the command line --format csv|parquet|excel|xes|ocel|"
            "sources)"
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
    if kind != "ocel" and object_types is not None:
        raise UsageError(f"{path}: object_types applies to OCEL logs only (the order's "
                         "sub-object types); for a table name the column with object_column; "
                         f"this input is {kind}")
    if kind != "ocel" and resource_qualifier is not None:
        raise UsageError(f"{path}: resource_qualifier applies to OCEL logs only (which "
                         f"employee of an event is its resource); this input is {kind}")
    if items is not None and kind in ("sources", "xes", "ocel"):
        where = {"sources": "a sources file declares its own in [items.<name>]",
                 "xes": "XES logs name their attributes; declare items in a sources file",
                 "ocel": "OCEL logs are read with their attributes as they are"}
        raise UsageError(f"{path}: items apply to one table (CSV, Parquet, Excel, a "
                         f"DataFrame); {where[kind]}")
    if kind == "sources":
        _refuse(path, "a sources file (set them in its [log] or [sources.<name>] tables)",
                party_column=party_column, automated_column=automated_column,
                automated_values=automated_values, automated_resources=automated_resources,
                missing_values=missing_values, object_column=object_column)
        result = read_sources(path)
        if name is not None:
            result = ReadResult(result.events, result.rejects, result.sources, result.items,
                                name)
        return EventLog.from_result(result)
    missing = _strings(missing_values, "missing_values")
    system = _strings(automated_resources, "automated_resources")
    if kind in ("xes", "ocel"):
        _refuse(path, f"{kind.upper()} (automation by resource: automated_resources"
                + ("; sub-objects: object_types)" if kind == "ocel" else ")"),
                party_column=party_column, automated_column=automated_column,
                automated_values=automated_values, object_column=object_column)
    if kind == "xes":
        from procmine.io.xes import read_xes

        result = read_xes(path, name=name, missing_values=_or_default(missing),
                          case_id=case_id, activity=activity, timestamp=timestamp,
                          resource=resource, department=department)
        return _with_system_accounts(result, system)
    if kind == "ocel":
        from procmine.io.ocel import read_ocel

        result = read_ocel(path, object_type=object_type, name=name,
                           missing_values=_or_default(missing),
                           resource_qualifiers=_strings(resource_qualifier,
                                                        "resource_qualifier"),
                           object_types=_strings(object_types, "object_types"))
        return _with_system_accounts(result, system)
    # the raw table is handed over, not kept here: _load_table lets it go once mapped
    return _load_table(
        read_table(path, format=kind, name=name,  # type: ignore[arg-type]
                   delimiter=delimiter, encoding=encoding, fix_hint=_TABLE_HINT,
                   times=ColumnMapping(  # the roles' columns as named, or by default
                       case_id=case_id or CASE_ID, activity=activity or ACTIVITY,
                       timestamp=timestamp or TIMESTAMP, resource=resource or RESOURCE,
                       department_column=department or DEPARTMENT,
                       party_column=party_column or PARTY,
                       automated_column=automated_column or AUTOMATED,
                       object_column=object_column or OBJECT_ID, event_id=EVENT_ID,
                       items=_item_columns(_items(items), name or _stem(path)),
                       timestamp_format=timestamp_format).offset_times()),
        source=name or _stem(path), fix_hint=_TABLE_HINT,
        case_id=case_id, activity=activity, timestamp=timestamp, resource=resource,
        department=department, party_column=party_column, automated_column=automated_column,
        automated_values=_strings(automated_values, "automated_values"),
        automated_resources=system, missing_values=missing, object_column=object_column,
        timestamp_format=timestamp_format, timezone=timezone, items=_items(items))


@with_reused_memory
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


# -- helpers -------------------------------------------------------------------------------------
def _strings(value: Sequence[str] | None, option: str) -> tuple[str, ...] | None:
    """A list option as a tuple of str; a bare string is a usage error (it is not a list)."""
    if value is None:
        return None
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{option} must be a list of strings, e.g. {option}=['a', 'b']; "
                         f"got {value!r}")
    return tuple(value)


def _or_default(values: tuple[str, ...] | None) -> tuple[str, ...]:
    return DEFAULT_MISSING_VALUES if values is None else values


def _refuse(path: str | Path, what: str, **options: object) -> None:
    given = [k for k, v in options.items() if v is not None]
    if given:
        raise UsageError(f"{path}: option(s) {', '.join(given)} do not apply to {what}")


def _with_system_accounts(result: ReadResult, system: tuple[str, ...] | None) -> EventLog:
    if system:
        result = replace(result, events=apply_source_settings(result.events,
                                                              automated_resources=system))
    return EventLog.from_result(result)


def _frame_table(df: pd.DataFrame, source: str) -> RawTable:
    """A DataFrame as a raw table: same values (never modified), rows numbered by position."""
    names = [str(c) for c in df.columns]
    repeated = sorted({c for c in names if names.count(c) > 1})
    if repeated:
        raise InputError(f"{_FRAME_PATH}: column name {repeated[0]!r} appears more than once; "
                         "rename the columns so that each is unique")
    frame = df.reset_index(drop=True)
    frame.columns = names
    rows = np.arange(len(frame), dtype="int64")
    return RawTable(frame=frame, rows=rows, path=_FRAME_PATH, format="dataframe")


def _items(items: Sequence[InformationItem] | None) -> tuple[InformationItem, ...]:
    """The ``items`` option as a tuple of :class:`InformationItem`, each named once."""
    if items is None:
        return ()
    if isinstance(items, (str, InformationItem)) or not isinstance(items, Sequence):
        raise UsageError("items must be a list of procmine.InformationItem, e.g. "
                         "[InformationItem('delivery_address', 'customer')]")
    found = tuple(items)
    for item in found:
        if not isinstance(item, InformationItem):
            raise UsageError(f"items must hold procmine.InformationItem values, got "
                             f"{type(item).__name__} ({item!r})")
    names = [item.name for item in found]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise UsageError(f"items name {', '.join(map(repr, repeated))} more than once; "
                         "give each information item once")
    return found


def _item_columns(items: tuple[InformationItem, ...], source: str,
                  present: Collection[str] | None = None) -> dict[str, str]:
    """Item name -> the column of this table that carries it
    (:meth:`InformationItem.column_in`)."""
    return {item.name: item.column_in(source, present) for item in items}


def _load_table(table: RawTable, *, source: str, fix_hint: str, case_id: str | None,
                activity: str | None, timestamp: str | None, resource: str | None,
                department: str | None, party_column: str | None,
                automated_column: str | None, automated_values: tuple[str, ...] | None,
                automated_resources: tuple[str, ...] | None,
                missing_values: tuple[str, ...] | None, object_column: str | None,
                timestamp_format: str | None, timezone: str | None,
                items: tuple[InformationItem, ...] = ()) -> EventLog:
    present = set(table.columns)
    item_columns = _item_columns(items, source, present)
    check_item_names(item_columns, present, where=table.path or source)

    def default(given: str | None, canonical: str) -> str | None:
        return given if given is not None else (canonical if canonical in present else None)

    flags = default(automated_column, AUTOMATED)
    if automated_values is not None and flags is None:
        raise UsageError(f"{table.path}: automated_values names values of a column; give "
                         "automated_column too (on the command line --automated-column COL)")
    if automated_values is not None and not automated_values:
        raise UsageError(f"{table.path}: automated_values must list at least one value, "
                         "e.g. ['Robot']")
    mapping = ColumnMapping(
        case_id=case_id or CASE_ID,
        activity=activity or ACTIVITY,
        timestamp=timestamp or TIMESTAMP,
        resource=default(resource, RESOURCE),
        department_column=default(department, DEPARTMENT),
        party_column=default(party_column, PARTY),
        automated_column=flags,
        automated_values=automated_values,
        automated_resources=automated_resources or (),
        missing_values=_or_default(missing_values),
        object_column=default(object_column, OBJECT_ID),
        event_id=EVENT_ID if EVENT_ID in present else None,
        timestamp_format=timestamp_format,
        timezone=timezone,
        items=item_columns,
    )
    used = set(mapping.columns().values())
    mapping = replace(mapping, attributes=_attributes(table, used))
    mapped = map_table(table, mapping, source=source, fix_hint=fix_hint, canonical=True)
    del table  # its text is not held while the log is validated and used (peak memory)
    events = validate_events(mapped.events, source=source, ids_unique=mapped.ids_unique)
    declared = tuple(replace(item, columns={source: item_columns[item.name]}) for item in items)
    return EventLog.from_result(ReadResult(events=events, rejects=mapped.rejects,
                                           sources=(mapped.stats,), items=declared,
                                           name=source))


def _attributes(table: RawTable, used: set[str]) -> dict[str, str]:
    """Every column no role uses, as an attribute; a canonical name gets ``_column`` added.

    A column called ``source`` (say, the order channel) cannot keep its name,
    which the log's own ``source`` column holds: it is kept as
    ``source_column`` (``source_column_2`` if that is taken too) with a
    :class:`ProcmineWarning`, never dropped.
    """
    taken = {*CORE_COLUMNS, OBJECT_ID, *table.columns}
    attributes: dict[str, str] = {}
    renamed: list[str] = []
    for column in table.columns:
        if column in used:
            continue
        name = column
        if column in CORE_COLUMNS or column == OBJECT_ID:
            name, n = f"{column}_column", 1
            while name in taken:
                n += 1
                name = f"{column}_column_{n}"
            taken.add(name)
            renamed.append(f"{column!r} as {name!r}")
        attributes[name] = column
    if renamed:
        warnings.warn(f"{table.path}: column{'s' if len(renamed) > 1 else ''} "
                      f"{', '.join(renamed)} kept under another name: the log's own columns "
                      "use those names (map the column to its role to use it as one)",
                      ProcmineWarning, stacklevel=3)
    return attributes


def _load_zip(path: Path, *, format: LogFormat | None, name: str | None,
              options: dict[str, Any]) -> EventLog:
    """Load the one extract of a zip; messages and the source path name the zip's member."""
    from procmine.io.archive import open_single_extract

    if format == "sources":
        raise UsageError(f"{path}: a sources file names other files and cannot be read from "
                         "a zip; unzip the folder and load its .toml")
    with open_single_extract(path, format=format) as (plain, member):
        shown = f"{path}/{member}"
        try:
            log = load(plain, format=format, name=name or _stem(plain), **options)
        except ProcmineError as problem:
            message = str(problem).replace(str(plain.resolve()), shown).replace(str(plain), shown)
            raise type(problem)(message) from None
    sources = tuple(replace(s, path=shown) if s.path == str(plain) else s for s in log.sources)
    return replace(log, sources=sources)


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
