"""The sources file (TOML): which extracts make up the log, and how each maps and correlates."""

from __future__ import annotations

import difflib
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from procmine.errors import InputError
from procmine.io.archive import is_zip_name, single_member
from procmine.io.mapping import DEFAULT_MISSING_VALUES, ColumnMapping
from procmine.io.result import ITEM_TYPES
from procmine.io.tables import _one_line, infer_format
from procmine.schema import PARTIES

__all__ = [
    "FORMATS",
    "ItemSpec",
    "LookupSpec",
    "SourceSpec",
    "SourcesConfig",
    "parse_sources",
]

#: Formats a source may have.
FORMATS = ("csv", "parquet", "excel", "xes", "ocel")

_TOP_KEYS = ("log", "items", "lookups", "sources")
_LOG_KEYS = ("name", "timezone", "missing_values", "allow_outside", "max_orders_per_key")
_ITEM_KEYS = ("owner", "description", "type")
_CSV_KEYS = ("delimiter", "encoding", "decimal", "quotechar", "sheet")
_LOOKUP_KEYS = ("file", "source", "key", "value", "separator", "format", "delimiter",
                "encoding", "quotechar", "sheet")
_TABLE_SOURCE_KEYS = (
    "file", "format", *_CSV_KEYS, "timezone", "timestamp_format", "dayfirst", "party",
    "party_column", "department", "department_column", "department_by_resource",
    "automated_resources", "automated_column", "automated_values", "missing_values",
    "object_column", "columns", "case", "items", "attributes",
)
_XES_SOURCE_KEYS = ("file", "format", "party", "department", "department_by_resource",
                    "automated_resources", "missing_values")
_OCEL_SOURCE_KEYS = (*_XES_SOURCE_KEYS, "object_type", "object_types", "resource_qualifier")
_FORMAT_KEYS = {"csv": _TABLE_SOURCE_KEYS, "parquet": _TABLE_SOURCE_KEYS,
                "excel": _TABLE_SOURCE_KEYS, "xes": _XES_SOURCE_KEYS, "ocel": _OCEL_SOURCE_KEYS}
_COLUMN_KEYS = ("case_id", "activity", "timestamp", "resource", "event_id")
_CASE_KEYS = ("column", "via", "normalize")
_NORMALIZE_KEYS = ("pattern", "replace")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
#: Default of ``[log] max_orders_per_key``: a key that correlates to more orders is rejected.
MAX_ORDERS_PER_KEY = 1000
#: Tables and arrays nest at most this deep; the deepest a valid sources file needs is 4.
_MAX_DEPTH = 16
# A reference to a group in a replacement: \1 .. \99, \g<1>, \g<name>; or another escape.
_GROUP_REF = re.compile(r"\\(?:(\d{1,2})|g<([^>]*)>|(.))", re.DOTALL)


@dataclass(frozen=True)
class ItemSpec:
    """An information item declared in ``[items.<name>]``."""

    name: str
    owner: str = "internal"
    description: str = ""
    type: str = "text"


@dataclass(frozen=True)
class LookupSpec:
    """A correlation table ``[lookups.<name>]``: key -> order id (or the next key)."""

    name: str
    key: str
    value: str
    file: Path | None = None
    source: str | None = None
    separator: str | None = None
    format: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    quotechar: str = '"'
    sheet: str | None = None


@dataclass(frozen=True)
class SourceSpec:
    """One extract ``[sources.<name>]`` with its column mapping and correlation.

    ``file`` may be a ``.zip`` holding the extract: ``member`` is then the
    archived file's name (its suffix gave ``format`` unless that was set).
    ``object_types`` (OCEL) names the order's sub-object types; ``None``
    lets :func:`procmine.io.ocel.flatten_ocel` find them.
    """

    name: str
    file: Path
    format: str
    mapping: ColumnMapping | None = None
    via: tuple[str, ...] = ()
    delimiter: str | None = None
    encoding: str | None = None
    decimal: str | None = None
    quotechar: str = '"'
    sheet: str | None = None
    object_type: str = "orders"
    party: str | None = None
    department: str | None = None
    department_by_resource: Mapping[str, str] | None = None
    automated_resources: tuple[str, ...] = ()
    missing_values: tuple[str, ...] = DEFAULT_MISSING_VALUES
    resource_qualifier: tuple[str, ...] = ()
    object_types: tuple[str, ...] | None = None
    member: str | None = None

    @property
    def is_table(self) -> bool:
        """True for CSV, Parquet and Excel extracts (mapped by columns)."""
        return self.format in ("csv", "parquet", "excel")


@dataclass(frozen=True)
class SourcesConfig:
    """A parsed, checked sources file. Sources keep the order of the file.

    ``allow_outside`` lets ``file =`` paths leave the sources file's folder;
    ``max_orders_per_key`` bounds how many orders one key may correlate to.
    """

    path: Path
    name: str
    timezone: str = "UTC"
    missing_values: tuple[str, ...] = DEFAULT_MISSING_VALUES
    allow_outside: bool = False
    max_orders_per_key: int = MAX_ORDERS_PER_KEY
    items: Mapping[str, ItemSpec] = field(default_factory=dict)
    lookups: Mapping[str, LookupSpec] = field(default_factory=dict)
    sources: tuple[SourceSpec, ...] = ()

    def hint(self, source: str) -> str:
        """Where to fix a setting of a source, for messages."""
        return f"in [sources.{source}] of {self.path.name}"


def parse_sources(path: str | Path) -> SourcesConfig:
    """Read and check a sources file; nothing is loaded yet.

    Every key is checked: an unknown key is an error naming the file, the
    table and the key, and listing the allowed keys. Paths are relative to
    the sources file and must exist.

    Parameters
    ----------
    path : str or Path
        The ``.toml`` file.

    Returns
    -------
    SourcesConfig

    Raises
    ------
    InputError
        Syntax error, unknown or misspelt key, wrong value type, a file that
        does not exist, a lookup or item that is not declared.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> _ = open(os.path.join(d, "s.csv"), "w").write("Order,Act,At\\n1,a,2024-01-01\\n")
    >>> toml = '[sources.sales]\\nfile = "s.csv"\\n[sources.sales.columns]\\n'
    >>> toml += 'case_id = "Order"\\nactivity = "Act"\\ntimestamp = "At"\\n'
    >>> _ = open(os.path.join(d, "src.toml"), "w").write(toml)
    >>> config = parse_sources(os.path.join(d, "src.toml"))
    >>> [(s.name, s.format, s.mapping.case_id) for s in config.sources]
    [('sales', 'csv', 'Order')]
    >>> _ = open(os.path.join(d, "bad.toml"), "w").write(toml.replace("file", "fiel"))
    >>> parse_sources(os.path.join(d, "bad.toml"))
    Traceback (most recent call last):
    ...
    procmine.errors.InputError: bad.toml: [sources.sales]: unknown key 'fiel' (did you mean ...
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: sources file not found (looked for {path.resolve()})")
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as problem:
        raise InputError(f"{path.name}: not valid TOML ({_one_line(problem)})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path.name}: not UTF-8 text; save the sources file as UTF-8") from None
    except RecursionError:
        raise InputError(f"{path.name}: tables or arrays are nested too deeply to read; a "
                         f"sources file nests at most {_MAX_DEPTH} levels") from None
    _check_depth(path, data)
    check = _Checker(path)
    check.keys(data, _TOP_KEYS, "top level")
    log = check.table(data.get("log", {}), "[log]")
    check.keys(log, _LOG_KEYS, "[log]")
    allow_outside = log.get("allow_outside", False)
    if not isinstance(allow_outside, bool):
        check.fail("[log]", f"allow_outside must be true or false, got {allow_outside!r}")
    check.allow_outside = allow_outside
    max_orders = log.get("max_orders_per_key", MAX_ORDERS_PER_KEY)
    if isinstance(max_orders, bool) or not isinstance(max_orders, int) or max_orders < 1:
        check.fail("[log]", f"max_orders_per_key must be a whole number of at least 1, got "
                   f"{max_orders!r}")
    name = check.string(log, "name", "[log]") or path.stem
    timezone = _timezone(check, log, "[log]") or "UTC"
    missing = check.strings(log, "missing_values", "[log]")
    missing_values = DEFAULT_MISSING_VALUES if missing is None else missing

    items: dict[str, ItemSpec] = {}
    for item, body in check.table(data.get("items", {}), "[items]").items():
        where = f"[items.{item}]"
        body = check.table(body, where)
        check.keys(body, _ITEM_KEYS, where)
        owner = check.string(body, "owner", where) or "internal"
        if owner not in PARTIES:
            check.fail(where, f"owner {owner!r} is not a party; expected one of "
                       f"{', '.join(PARTIES)}")
        kind = check.string(body, "type", where) or "text"
        if kind not in ITEM_TYPES:
            check.fail(where, f"type {kind!r} is unknown; expected one of "
                       f"{', '.join(ITEM_TYPES)} (text: compared ignoring case and spacing; "
                       "code: exactly, so leading zeros count)")
        items[item] = ItemSpec(item, owner, check.string(body, "description", where) or "",
                               kind)

    sources_data = check.table(data.get("sources", {}), "[sources]")
    if not sources_data:
        raise InputError(f"{path.name}: no [sources.<name>] table; declare at least one "
                         "extract (see README, 'Sources file')")
    lookups: dict[str, LookupSpec] = {}
    for lookup, body in check.table(data.get("lookups", {}), "[lookups]").items():
        lookups[lookup] = _lookup(check, lookup, body, sources_data)

    sources = tuple(_source(check, source, body, timezone, missing_values, items, lookups)
                    for source, body in sources_data.items())
    for spec in lookups.values():
        if spec.source is not None:
            target = next(s for s in sources if s.name == spec.source)
            if not target.is_table:
                check.fail(f"[lookups.{spec.name}]", f"source {spec.source!r} is "
                           f"{target.format}; a lookup reads the columns of a CSV, Parquet or "
                           "Excel source")
    return SourcesConfig(path=path, name=name, timezone=timezone,
                         missing_values=missing_values, allow_outside=allow_outside,
                         max_orders_per_key=max_orders, items=items, lookups=lookups,
                         sources=sources)


def _check_depth(path: Path, data: Any) -> None:
    """Refuse absurd nesting up front (iteratively: no recursion on hostile input)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > _MAX_DEPTH:
            raise InputError(f"{path.name}: tables or arrays are nested more than {_MAX_DEPTH} "
                             "levels deep; a sources file needs at most 4")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


# -- one table at a time -------------------------------------------------------------------------
def _lookup(check: _Checker, name: str, body: Any, sources: Mapping[str, Any]) -> LookupSpec:
    where = f"[lookups.{name}]"
    body = check.table(body, where)
    check.keys(body, _LOOKUP_KEYS, where)
    key = check.required(body, "key", where)
    value = check.required(body, "value", where)
    file_text = check.string(body, "file", where)
    source = check.string(body, "source", where)
    if (file_text is None) == (source is None):
        check.fail(where, "give either file = \"...\" (a separate correlation file) or "
                   "source = \"...\" (columns of another source's extract), not "
                   + ("both" if file_text else "neither"))
    if source is not None and source not in sources:
        check.fail(where, f"source {source!r} is not declared; sources: "
                   f"{', '.join(map(repr, sources))}")
    separator = check.string(body, "separator", where)
    if separator == "":
        check.fail(where, "separator must not be empty")
    fmt = check.string(body, "format", where)
    file = None
    if file_text is not None:
        file = check.existing(file_text, where)
        fmt = fmt or infer_format(file) or "csv"
        if fmt not in ("csv", "parquet", "excel"):
            check.fail(where, f"format {fmt!r} cannot hold a lookup; expected csv, parquet "
                       "or excel")
    return LookupSpec(
        name=name, key=key, value=value, file=file, source=source, separator=separator,
        format=fmt, delimiter=check.string(body, "delimiter", where),
        encoding=check.string(body, "encoding", where),
        quotechar=check.string(body, "quotechar", where) or '"',
        sheet=check.string(body, "sheet", where),
    )


def _source(check: _Checker, name: str, body: Any, log_timezone: str,
            log_missing: tuple[str, ...], items: Mapping[str, ItemSpec],
            lookups: Mapping[str, LookupSpec]) -> SourceSpec:
    where = f"[sources.{name}]"
    if not _NAME.match(name):
        check.fail(where, "a source name uses letters, digits, '_', '-' and '.', and starts "
                   "with a letter")
    body = check.table(body, where)
    check.keys(body, tuple(dict.fromkeys(_TABLE_SOURCE_KEYS + _OCEL_SOURCE_KEYS)), where)
    file_text = check.required(body, "file", where)
    file = check.existing(file_text, where)
    fmt = check.string(body, "format", where)
    member = None
    if is_zip_name(file):
        if fmt is not None and fmt not in FORMATS:
            check.fail(where, f"format {fmt!r} is unknown; expected one of "
                       f"{', '.join(map(repr, FORMATS))}")
        member = single_member(file, format=fmt)
        fmt = fmt or infer_format(member)
        if fmt is None:  # pragma: no cover - single_member only accepts extract suffixes
            check.fail(where, f"cannot tell the format of {member!r} in {file_text!r}; set "
                       f"format = one of {', '.join(map(repr, FORMATS))}")
    fmt = fmt or infer_format(file)
    if fmt is None:
        check.fail(where, f"cannot tell the format of {file_text!r} from its suffix; set "
                   f"format = one of {', '.join(map(repr, FORMATS))}")
    if fmt not in FORMATS:
        check.fail(where, f"format {fmt!r} is unknown; expected one of "
                   f"{', '.join(map(repr, FORMATS))}")
    allowed = _FORMAT_KEYS[fmt]
    check.keys(body, allowed, where, context=f" for format {fmt!r}")
    party = check.string(body, "party", where)
    if party is not None and party not in PARTIES:
        check.fail(where, f"party {party!r} is unknown; expected one of {', '.join(PARTIES)}")
    by_resource = body.get("department_by_resource")
    if by_resource is not None:
        by_resource = check.table(by_resource, f"{where} department_by_resource")
        for resource, department in by_resource.items():
            if not isinstance(department, str):
                check.fail(where, f"department_by_resource[{resource!r}] must be a string, "
                           f"got {department!r}")
    exclusive = [k for k in ("department", "department_column", "department_by_resource")
                 if k in body]
    if len(exclusive) > 1:
        check.fail(where, f"give one of department, department_column, department_by_resource; "
                   f"got {', '.join(exclusive)}")
    for pair in (("party", "party_column"), ("automated_resources", "automated_column"),
                 ("timestamp_format", "dayfirst")):
        if all(k in body for k in pair):
            check.fail(where, f"give {pair[0]} or {pair[1]}, not both")
    automated = body.get("automated_resources", [])
    if not isinstance(automated, list) or not all(isinstance(a, str) for a in automated):
        check.fail(where, f"automated_resources must be a list of strings, got {automated!r}")
    department = check.string(body, "department", where)
    missing = check.strings(body, "missing_values", where)
    missing_values = log_missing if missing is None else missing
    common = {
        "name": name, "file": file, "format": fmt, "party": party, "department": department,
        "department_by_resource": by_resource, "automated_resources": tuple(automated),
        "missing_values": missing_values, "member": member,
    }
    if fmt in ("xes", "ocel"):
        object_types = check.strings(body, "object_types", where)
        case_type = check.string(body, "object_type", where) or "orders"
        if object_types is not None and case_type in object_types:
            check.fail(where, f"object_types lists {case_type!r}, the case notion "
                       "(object_type); list the order's sub-object types only, e.g. "
                       "[\"items\", \"packages\"]")
        return SourceSpec(**common, object_type=case_type,
                          resource_qualifier=check.strings(body, "resource_qualifier", where)
                          or (), object_types=object_types)
    automated_values = check.strings(body, "automated_values", where)
    if automated_values is not None and "automated_column" not in body:
        check.fail(where, "automated_values names values of automated_column; set "
                   "automated_column = \"<column>\" too")
    if automated_values is not None and not automated_values:
        check.fail(where, "automated_values must list at least one value, e.g. "
                   "[\"Robot\", \"System\"]")

    columns = check.table(body.get("columns"), f"{where[:-1]}.columns]", required=True)
    check.keys(columns, _COLUMN_KEYS, f"{where[:-1]}.columns]")
    for key in _COLUMN_KEYS:
        check.string(columns, key, f"{where[:-1]}.columns]")
    case = check.table(body.get("case", {}), f"{where[:-1]}.case]")
    check.keys(case, _CASE_KEYS, f"{where[:-1]}.case]")
    case_column = check.string(case, "column", f"{where[:-1]}.case]")
    if (case_column is None) == ("case_id" not in columns):
        both = "both" if case_column else "neither"
        check.fail(where, "say where the order id comes from: columns.case_id = \"...\" (a "
                   f"direct order column) or [sources.{name}.case] column = \"...\" with via "
                   f"(lookups), not {both}")
    for role in ("activity", "timestamp"):
        if role not in columns:
            check.fail(f"{where[:-1]}.columns]", f"{role} = \"<column>\" is required")
    via = case.get("via", [])
    if not isinstance(via, list) or not all(isinstance(v, str) for v in via):
        check.fail(f"{where[:-1]}.case]", f"via must be a list of lookup names, got {via!r}")
    if case_column is not None and not via:
        check.fail(f"{where[:-1]}.case]", "via = [\"<lookup>\", ...] is required with column; "
                   "for a direct order column use columns.case_id")
    for lookup in via:
        if lookup not in lookups:
            check.fail(f"{where[:-1]}.case]", f"via names lookup {lookup!r}, which is not "
                       f"declared; lookups: {', '.join(map(repr, lookups)) or 'none'} "
                       f"(declare it as [lookups.{lookup}])")
    repeated = sorted({v for v in via if via.count(v) > 1})
    if repeated:
        check.fail(f"{where[:-1]}.case]", f"via uses lookup {repeated[0]!r} twice: a cycle "
                   "can never reach an order; list each lookup once, in the order "
                   "key -> ... -> order id")
    normalize = None
    if "normalize" in case:
        rule = check.table(case["normalize"], f"{where[:-1]}.case] normalize")
        check.keys(rule, _NORMALIZE_KEYS, f"{where[:-1]}.case] normalize")
        pattern = check.required(rule, "pattern", f"{where[:-1]}.case] normalize")
        replace = check.required(rule, "replace", f"{where[:-1]}.case] normalize")
        normalize = _normalize_rule(check, f"{where[:-1]}.case]", pattern, replace)
    source_items = check.string_table(body.get("items", {}), f"{where[:-1]}.items]")
    for item in source_items:
        if item not in items:
            check.fail(f"{where[:-1]}.items]", f"item {item!r} is not declared; declare it as "
                       f"[items.{item}] with its owner (declared: "
                       f"{', '.join(map(repr, items)) or 'none'})")
    attributes = check.string_table(body.get("attributes", {}), f"{where[:-1]}.attributes]")
    dayfirst = body.get("dayfirst", False)
    if not isinstance(dayfirst, bool):
        check.fail(where, f"dayfirst must be true or false, got {dayfirst!r}")
    for option in ("delimiter", "quotechar", "decimal"):
        value = check.string(body, option, where)
        if value is not None and len(value) != 1:
            check.fail(where, f"{option} must be one character, got {value!r}")
    mapping = ColumnMapping(
        case_id=str(columns.get("case_id") or case_column),
        activity=columns["activity"],
        timestamp=columns["timestamp"],
        resource=columns.get("resource"),
        event_id=columns.get("event_id"),
        department=department,
        department_column=check.string(body, "department_column", where),
        department_by_resource=by_resource,
        party=party,
        party_column=check.string(body, "party_column", where),
        automated_resources=tuple(automated),
        automated_column=check.string(body, "automated_column", where),
        automated_values=automated_values,
        object_column=check.string(body, "object_column", where),
        missing_values=missing_values,
        timestamp_format=check.string(body, "timestamp_format", where),
        dayfirst=dayfirst,
        timezone=_timezone(check, body, where) or log_timezone,
        items=source_items,
        attributes=attributes,
        normalize=normalize,
        decimal=check.string(body, "decimal", where) or ".",
    )
    return SourceSpec(
        **common, mapping=mapping, via=tuple(via),
        delimiter=check.string(body, "delimiter", where),
        encoding=check.string(body, "encoding", where),
        decimal=check.string(body, "decimal", where),
        quotechar=check.string(body, "quotechar", where) or '"',
        sheet=check.string(body, "sheet", where),
    )


def _normalize_rule(check: _Checker, where: str, pattern: str, replace: str) -> tuple[str, str]:
    """Check a ``normalize`` rule; return it in the linear-time engine's syntax.

    Ids are rewritten by RE2 (through Arrow), whose matching time is linear in
    the input, so no pattern can hang a run (``(a+)+$`` included). RE2 has no
    lookaround and no backreferences inside a pattern: such a pattern is
    refused here. Group references in the replacement (``\\1``, ``\\g<1>``,
    ``\\g<name>``) must name groups of the pattern.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        compiled = re.compile(pattern)
    except re.error as problem:
        check.fail(where, f"normalize pattern {pattern!r} is not a valid regular expression "
                   f"({_one_line(problem)})")
    parts: list[str] = []
    at = 0
    for ref in _GROUP_REF.finditer(replace):
        number, name, other = ref.groups()
        parts.append(replace[at:ref.start()])
        at = ref.end()
        if other is not None:
            if other != "\\":
                check.fail(where, f"normalize replace {replace!r} has the escape "
                           f"'\\{other}'; use \\1 or \\g<name> for a group, \\\\ for "
                           "a backslash")
            parts.append("\\\\")
            continue
        if number is not None and number.startswith("0"):
            check.fail(where, f"normalize replace {replace!r} has the escape '\\{number}'; "
                       "use \\g<0> for the whole match")
        group = name if number is None else number
        if group.isdigit():
            index = int(group)
        elif group in compiled.groupindex:
            index = compiled.groupindex[group]
        else:
            index = -1
        if not 0 <= index <= compiled.groups:
            check.fail(where, f"normalize replace {replace!r} refers to group {group!r}, "
                       f"which pattern {pattern!r} does not have (it has "
                       f"{compiled.groups} group{'s' if compiled.groups != 1 else ''})")
        if index > 9:
            check.fail(where, f"normalize replace {replace!r} refers to group {index}; "
                       "at most 9 groups can be used")
        parts.append(f"\\{index}")
    parts.append(replace[at:])
    engine = "".join(parts)
    try:
        pc.replace_substring_regex(pa.array(["0"], pa.string()), pattern=pattern,
                                   replacement=engine)
    except pa.ArrowInvalid as problem:
        check.fail(where, f"normalize pattern {pattern!r} uses a construct that linear-time "
                   f"matching does not support ({_one_line(problem)}); lookaround and "
                   "backreferences such as (?=...) or \\1 inside the pattern are not "
                   "available")
    return pattern, engine


def _timezone(check: _Checker, body: Mapping[str, Any], where: str) -> str | None:
    zone = check.string(body, "timezone", where)
    if zone is None or zone.upper() == "UTC":
        return zone and "UTC"
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        check.fail(where, f"timezone {zone!r} is unknown; use an IANA name such as "
                   "'Europe/Amsterdam' or 'UTC'")
    return zone


class _Checker:
    """Type and key checks that name the file and the table."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.allow_outside = False

    def fail(self, where: str, message: str) -> NoReturn:
        raise InputError(f"{self.path.name}: {where}: {message}")

    def keys(self, body: Mapping[str, Any], allowed: tuple[str, ...], where: str,
             context: str = "") -> None:
        for key in body:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                guess = f" (did you mean {close[0]!r}?)" if close else ""
                self.fail(where, f"unknown key {key!r}{guess}{context}; allowed keys: "
                          f"{', '.join(allowed)}")

    def table(self, value: Any, where: str, *, required: bool = False) -> dict[str, Any]:
        if value is None and required:
            self.fail(where, "this table is required")
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(where, f"expected a table, got {value!r}")
        return value

    def required(self, body: Mapping[str, Any], key: str, where: str) -> str:
        value = self.string(body, key, where, required=True)
        assert value is not None
        return value

    def string(self, body: Mapping[str, Any], key: str, where: str, *,
               required: bool = False) -> str | None:
        value = body.get(key)
        if value is None:
            if required:
                self.fail(where, f"{key} = \"...\" is required")
            return None
        if not isinstance(value, str):
            self.fail(where, f"{key} must be a string, got {value!r}")
        return value

    def strings(self, body: Mapping[str, Any], key: str, where: str) -> tuple[str, ...] | None:
        value = body.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(where, f"{key} must be a list of strings, e.g. {key} = [\"a\", \"b\"]; "
                      f"got {value!r}")
        return tuple(value)

    def string_table(self, value: Any, where: str) -> dict[str, str]:
        body = self.table(value, where)
        for key, column in body.items():
            if not isinstance(column, str):
                self.fail(where, f"{key} must name a column (a string), got {column!r}")
        return dict(body)

    def existing(self, file_text: str, where: str) -> Path:
        """The file a ``file =`` key names; inside the sources file's folder unless allowed.

        The check comes before the file is opened or even tested, and follows
        symlinks: a link inside the folder that points out of it is outside.
        """
        file = Path(file_text)
        if not file.is_absolute():
            file = self.path.parent / file
        if not self.allow_outside:
            folder = self.path.parent.resolve()
            try:
                inside = file.resolve().is_relative_to(folder)
            except (OSError, RuntimeError):  # a symlink loop
                inside = False
            if not inside:
                self.fail(where, f"file {file_text!r} is outside the folder of "
                          f"{self.path.name} ({folder}); move it there, or set "
                          "allow_outside = true in [log] to read files outside it")
        if not file.is_file():
            self.fail(where, f"file {file_text!r} not found (looked for {file.resolve()})")
        return file
