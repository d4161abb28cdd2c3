"""Read OCEL 2.0 logs (XML, JSON, SQLite) through pm4py, and flatten them to the order view."""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd

from procmine.errors import InputError, UsageError
from procmine.io import _pm4py_io
from procmine.io.mapping import (
    DEFAULT_MISSING_VALUES,
    _text,
    drop_placeholders,
    placeholder_stats,
)
from procmine.io.result import ReadResult, SourceStats
from procmine.io.xmlsafety import MAX_UNCOMPRESSED_BYTES, is_gzip, safe_plain_copy
from procmine.schema import (
    ACTIVITY,
    CASE_ID,
    CORE_COLUMNS,
    DEPARTMENT,
    EVENT_ID,
    OBJECT_ID,
    RESOURCE,
    SOURCE,
    TIMESTAMP,
    empty_rejects,
    validate_events,
)

__all__ = [
    "SUB_OBJECT_SHARE",
    "OcelLog",
    "flatten_ocel",
    "load_ocel",
    "read_ocel",
    "sub_object_types",
]

#: A type is a sub-object type of the case notion when at least this share of its objects
#: relate to at most one case object (and the median object relates to exactly one).
SUB_OBJECT_SHARE: Final = 0.9

Include = Literal["related", "direct"]
OcelFormat = Literal["xml", "json", "sqlite"]

_SQLITE_MAGIC: Final = b"SQLite format 3\x00"


@dataclass(frozen=True, eq=False)
class OcelLog:
    """An object-centric event log (OCEL 2.0) as plain pandas tables.

    Build it with :func:`load_ocel`. The tables use procmine's column names,
    never pm4py's ``ocel:`` keys; attribute names have ``:`` replaced by ``_``.

    Attributes
    ----------
    events : pandas.DataFrame
        ``event_id, activity, timestamp, row`` (1-based position in the file),
        then event attributes.
    objects : pandas.DataFrame
        ``object_id, object_type``, then object attributes (their first value:
        later changes of an attribute are not applied).
    relations : pandas.DataFrame
        Event-to-object: ``event_id, activity, timestamp, object_id, object_type, qualifier``.
    o2o : pandas.DataFrame
        Object-to-object: ``object_id, related_object_id, qualifier``.
    name, path, format : str
        Source name, the file, and ``xml``/``json``/``sqlite``.
    """

    events: pd.DataFrame
    objects: pd.DataFrame
    relations: pd.DataFrame
    o2o: pd.DataFrame
    name: str
    path: str
    format: str
    _ocel: Any = field(default=None, repr=False)

    @property
    def object_types(self) -> list[str]:
        """Distinct object types, sorted."""
        return sorted(self.objects["object_type"].dropna().unique().tolist())

    @property
    def activities(self) -> list[str]:
        """Distinct activities, sorted."""
        return sorted(self.events["activity"].dropna().unique().tolist())

    def __repr__(self) -> str:
        return (
            f"OcelLog({self.name!r}: {len(self.events)} events, {len(self.objects)} objects, "
            f"{len(self.object_types)} object types)"
        )

    def _repr_html_(self) -> str:
        counts = self.objects["object_type"].value_counts().sort_index()
        rows = "".join(
            f"<tr><td>{html.escape(str(t))}</td><td>{n:,}</td></tr>" for t, n in counts.items()
        )
        return (
            f"<div class='procmine-ocel'><strong>OCEL {html.escape(self.name)}</strong>: "
            f"{len(self.events):,} events, {len(self.objects):,} objects, "
            f"{len(self.relations):,} event-object relations"
            f"<table><tr><th>object type</th><th>objects</th></tr>{rows}</table></div>"
        )


def load_ocel(path: str | Path, *, name: str | None = None) -> OcelLog:
    """Read an OCEL 2.0 file (XML, JSON, SQLite; plain or gzip) into an :class:`OcelLog`.

    The format is recognised from the content (gzip and SQLite magic bytes,
    ``<`` for XML, ``{`` for JSON). XML is checked by
    :mod:`procmine.io.xmlsafety` before pm4py parses it.

    Parameters
    ----------
    path : str or Path
        ``.xml``, ``.jsonocel``/``.json`` or ``.sqlite`` file, each also gzip
    (``.xml.gz``, ``.jsonocel.gz``, ...; a gzip file without a JSON or SQLite
    name is taken as XML).
    name : str, optional, keyword-only
        Source name; default the file name without its suffixes.

    Returns
    -------
    OcelLog

    Raises
    ------
    InputError
        Missing, hostile or unreadable file, or a file with no events.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny.jsonocel"
    >>> _ = p.write_text('''{"objectTypes": [{"name": "orders", "attributes": []}],
    ...  "eventTypes": [{"name": "place order", "attributes": []}],
    ...  "objects": [{"id": "o1", "type": "orders"}],
    ...  "events": [{"id": "e1", "type": "place order", "time": "2024-01-01T10:00:00Z",
    ...              "relationships": [{"objectId": "o1", "qualifier": "order"}]}]}''')
    >>> ocel = load_ocel(p)
    >>> ocel
    OcelLog('tiny': 1 events, 1 objects, 1 object types)
    >>> ocel.relations[["event_id", "object_id", "qualifier"]].values.tolist()
    [['e1', 'o1', 'order']]
    """
    source = Path(path)
    name = name or _default_name(source)
    if not source.is_file():
        raise InputError(f"{source}: no such file; expected an OCEL 2.0 file (XML, JSON, SQLite).")
    if source.stat().st_size == 0:
        raise InputError(f"{source}: the file is empty; expected an OCEL 2.0 file.")
    if is_gzip(source) or source.name.lower().endswith(".gz"):
        stem = source.name.lower().removesuffix(".gz")
        if stem.endswith((".json", ".jsonocel", ".sqlite", ".sqlite3", ".db")):
            kind: OcelFormat = "json" if stem.endswith(("json", "jsonocel")) else "sqlite"
            suffix = ".jsonocel" if kind == "json" else ".sqlite"
            with safe_plain_copy(source, kind=f"OCEL 2.0 {kind.upper()}", suffix=suffix,
                                 xml=False) as (plain, _):
                _check_events(source, plain, kind)
                ocel = _read_pm4py(source, plain, kind, None)
            return _wrap(ocel, source=source, name=name, fmt=kind)
        with safe_plain_copy(source, kind="OCEL 2.0 XML", suffix=".xml") as (plain, facts):
            _check_root(source, facts.root)
            _check_events(source, plain, "xml")
            ocel = _read_pm4py(source, plain, "xml", facts.root)
        return _wrap(ocel, source=source, name=name, fmt="xml")
    kind = _sniff(source)
    if kind == "xml":
        with safe_plain_copy(source, kind="OCEL 2.0 XML", suffix=".xml") as (plain, facts):
            _check_root(source, facts.root)
            _check_events(source, plain, "xml")
            ocel = _read_pm4py(source, plain, "xml", facts.root)
    else:
        if source.stat().st_size > MAX_UNCOMPRESSED_BYTES:
            raise InputError(
                f"{source}: larger than {MAX_UNCOMPRESSED_BYTES:,} bytes; split the log first."
            )
        _check_events(source, source, kind)
        ocel = _read_pm4py(source, source, kind, None)
    return _wrap(ocel, source=source, name=name, fmt=kind)


def read_ocel(
    path: str | Path,
    *,
    object_type: str = "orders",
    name: str | None = None,
    include: Include = "related",
    resource_type: str | None = "employees",
    department_attribute: str | None = "role",
    resource_qualifiers: Sequence[str] | None = None,
    missing_values: Sequence[str] = DEFAULT_MISSING_VALUES,
    object_types: Sequence[str] | None = None,
) -> ReadResult:
    """Read an OCEL 2.0 file and flatten it on one object type (the order view).

    Shorthand for ``flatten_ocel(load_ocel(path, name=name), ...)``; see
    :func:`flatten_ocel` for the parameters and how rows are counted.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny.jsonocel"
    >>> _ = p.write_text('''{"objectTypes": [{"name": "orders", "attributes": []},
    ...   {"name": "employees", "attributes": [{"name": "role", "type": "string"}]}],
    ...  "eventTypes": [{"name": "place order", "attributes": []}],
    ...  "objects": [{"id": "o1", "type": "orders"},
    ...     {"id": "ann", "type": "employees",
    ...      "attributes": [{"name": "role", "value": "Sales", "time": "1970-01-01T00:00:00Z"}]}],
    ...  "events": [{"id": "e1", "type": "place order", "time": "2024-01-01T10:00:00Z",
    ...     "relationships": [{"objectId": "o1", "qualifier": "order"},
    ...                       {"objectId": "ann", "qualifier": "sales person"}]}]}''')
    >>> cols = ["case_id", "activity", "resource", "department", "event_id"]
    >>> read_ocel(p).events[cols].values.tolist()
    [['o1', 'place order', 'ann', 'Sales', 'e1']]
    """
    return flatten_ocel(
        load_ocel(path, name=name),
        object_type=object_type,
        include=include,
        resource_type=resource_type,
        department_attribute=department_attribute,
        resource_qualifiers=resource_qualifiers,
        missing_values=missing_values,
        object_types=object_types,
    )


def flatten_ocel(
    ocel: OcelLog,
    *,
    object_type: str = "orders",
    include: Include = "related",
    resource_type: str | None = "employees",
    department_attribute: str | None = "role",
    resource_qualifiers: Sequence[str] | None = None,
    missing_values: Sequence[str] = DEFAULT_MISSING_VALUES,
    object_types: Sequence[str] | None = None,
) -> ReadResult:
    """Flatten an object-centric log on one object type: one case per object of that type.

    Which events belong to a case (an order):

    - ``include="direct"``: the events related to the order itself (what
      ``pm4py.ocel_flattening`` does);
    - ``include="related"`` (default): also the events of the objects the
      order points to in the object-to-object relations (one hop, order →
      object: an order's items, so picking, packing and shipping its items
      belong to the order's flow). An event reached both ways counts once.

    An event that belongs to several orders becomes one event per order, with
    ``event_id`` ``"<OCEL id>:<k>"`` (k = 1, 2, ... in order of the order ids);
    an event of one order keeps its OCEL id.

    Resource and department: an object of ``resource_type`` related to the
    event is the resource, and its ``department_attribute`` (e.g. an
    employee's ``role``) the department. When several are related (the
    order-management log's ``send package`` has a ``forwarder`` and a
    ``shipper``), the one whose qualifier comes first in
    ``resource_qualifiers`` wins, otherwise the first by qualifier, then by
    object id (pm4py does not keep the file's order of relations, so that
    order cannot be used). Both stay missing when the log has no such
    objects or attribute. A resource or department that is a placeholder
    (one of ``missing_values``: ``Empty``, ``N/A``, ``-``, ...) is missing,
    counted per column in ``SourceStats.missing_values``.

    Counting: rows are the events of the file that belong to at least one
    order; events that belong to no order are outside the order view and not
    counted. ``row`` is the event's 1-based position in the file. Events with
    no activity or time are rejected (``missing activity``, ``missing
    timestamp``). Rows read = rows loaded + rows rejected; ``events`` counts
    the flattened events (one per order an event belongs to).

    Sub-objects (``object_id``): the objects of the order's sub-object
    types (its items, packages, deliveries: see :func:`sub_object_types`, or
    ``object_types`` to name them) that the event relates to. A sub-object
    known to belong to other orders only (through shared events or
    object-to-object relations) is left out for this order. When an event
    relates to objects of several sub-object types, the type with the fewest
    objects in the log wins (the container: ``create package`` is about its
    package, not the items packed); several objects of that type are sorted
    and joined with ``;``. Events with none keep ``object_id`` missing (they
    are about the order itself), and so do events of the order itself that
    relate to every sub-object the order has of that type (``place order``
    with all its items). The column is absent when there are no
    sub-object types (``object_types=[]``, or none found).

    Extra columns: event attributes, and the order's own attributes as
    ``case_<attribute>``.

    Parameters
    ----------
    ocel : OcelLog
    object_type : str, keyword-only
        The case notion (default ``orders``).
    include : {"related", "direct"}, keyword-only
    resource_type : str or None, keyword-only
        Object type whose objects are the resources (default ``employees``).
    department_attribute : str or None, keyword-only
        Attribute of those objects giving the department (default ``role``).
    resource_qualifiers : sequence of str, optional, keyword-only
        Qualifiers in order of preference when an event has several resources
        (``["shipper", "forwarder"]``: the shipper sends the package); events
        with none of them keep the rule above.
    missing_values : sequence of str, keyword-only
        Placeholders read as missing (default
        :data:`procmine.io.mapping.DEFAULT_MISSING_VALUES`).
    object_types : sequence of str, optional, keyword-only
        The order's sub-object types; default: found by
        :func:`sub_object_types`; ``[]`` for none.

    Returns
    -------
    ReadResult

    Raises
    ------
    InputError
        The log has no object of ``object_type``, or ``object_types`` names a
        type the log does not have (the messages list the types).
    UsageError
        ``include`` is not an allowed value, or ``object_types`` lists the
        case notion itself.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "parcels.jsonocel"
    >>> _ = p.write_text('''{"objectTypes": [{"name": "orders", "attributes": []},
    ...   {"name": "packages", "attributes": []}],
    ...  "eventTypes": [{"name": "place order", "attributes": []},
    ...                 {"name": "send package", "attributes": []}],
    ...  "objects": [{"id": "o1", "type": "orders", "relationships": [
    ...     {"objectId": "p1", "qualifier": "ships"}, {"objectId": "p2", "qualifier": "ships"}]},
    ...     {"id": "p1", "type": "packages"}, {"id": "p2", "type": "packages"}],
    ...  "events": [{"id": "e1", "type": "place order", "time": "2024-01-01T10:00:00Z",
    ...              "relationships": [{"objectId": "o1", "qualifier": "order"}]},
    ...    {"id": "e2", "type": "send package", "time": "2024-01-02T10:00:00Z",
    ...     "relationships": [{"objectId": "p1", "qualifier": "package"}]},
    ...    {"id": "e3", "type": "send package", "time": "2024-01-03T10:00:00Z",
    ...     "relationships": [{"objectId": "p2", "qualifier": "package"}]}]}''')
    >>> log = flatten_ocel(load_ocel(p)).events
    >>> log[["case_id", "activity", "object_id"]].values.tolist()
    [['o1', 'place order', nan], ['o1', 'send package', 'p1'], ['o1', 'send package', 'p2']]
    """
    if include not in get_args(Include):
        raise UsageError(f"include must be one of {', '.join(get_args(Include))}; got {include!r}")
    name = ocel.name
    case_objects = ocel.objects.loc[ocel.objects["object_type"] == object_type, "object_id"]
    if case_objects.empty:
        raise InputError(
            f"{ocel.path}: no objects of type {object_type!r}; the log has "
            f"{', '.join(map(repr, ocel.object_types)) or 'no objects'}. "
            "Choose the case notion with object_type= (on the command line --object-type)."
        )
    rel = ocel.relations
    case_set = pd.Index(case_objects.unique())
    direct = rel.loc[rel["object_id"].isin(case_set), ["event_id", "object_id"]]
    pairs = direct.rename(columns={"object_id": CASE_ID})
    if include == "related":
        hop = ocel.o2o.loc[ocel.o2o["object_id"].isin(case_set), ["object_id", "related_object_id"]]
        hop = hop.rename(columns={"object_id": CASE_ID, "related_object_id": "object_id"})
        via = rel[["event_id", "object_id"]].merge(hop, on="object_id", how="inner")
        pairs = pd.concat([pairs, via[["event_id", CASE_ID]]], ignore_index=True)
    pairs = pairs.drop_duplicates(["event_id", CASE_ID])

    events = ocel.events
    view = events.loc[events["event_id"].isin(pd.Index(pairs["event_id"].unique()))]
    missing_act = view["activity"].isna() | (view["activity"].astype("str").str.strip() == "")
    missing_ts = view["timestamp"].isna()
    reason = np.where(
        missing_act, "missing activity", np.where(missing_ts, "missing timestamp", "")
    )
    rejected = reason != ""
    rejects = _rejects(view, reason, rejected, name)
    good = view.loc[~rejected]

    flat = pairs.merge(good, on="event_id", how="inner")
    flat = flat.sort_values(["row", CASE_ID], kind="stable").reset_index(drop=True)
    k = flat.groupby("event_id", sort=False).cumcount() + 1
    many = flat.groupby("event_id", sort=False)["event_id"].transform("size") > 1
    ocel_id = flat["event_id"].astype("str")
    flat[EVENT_ID] = ocel_id.where(~many, ocel_id + ":" + k.astype("str"))
    flat = flat.drop(columns=["row"])
    chosen = _chosen_types(ocel, object_type, object_types)
    if chosen:
        flat[OBJECT_ID] = _sub_objects(ocel, object_type, chosen, ocel_id, flat[CASE_ID])

    resource, department = _resources(
        ocel, resource_type, department_attribute, resource_qualifiers
    )
    found: dict[str, pd.Series] = {}
    for role, by_event in ((RESOURCE, resource), (DEPARTMENT, department)):
        if by_event is None:
            flat[role] = np.nan
        else:
            values, found[role] = drop_placeholders(_text(ocel_id.map(by_event)),
                                                    missing_values)
            flat[role] = values.to_numpy(dtype=object)
    flat[SOURCE] = name

    case_attrs = _case_attributes(ocel.objects, object_type)
    if not case_attrs.empty:
        flat = flat.merge(case_attrs, left_on=CASE_ID, right_index=True, how="left")
    flat = _rename_extras(flat)
    validated = validate_events(flat, source=name)
    reasons = {str(k): int(v) for k, v in pd.Series(reason[rejected]).value_counts().items()}
    counts, seen = placeholder_stats(found)
    stats = SourceStats(
        name=name, path=ocel.path, format="ocel", rows_read=len(view),
        rows_loaded=int((~rejected).sum()), rows_rejected=int(rejected.sum()),
        events=len(validated), reasons=reasons, rows_outside_view=len(events) - len(view),
        missing_values=counts, placeholders=seen,
    )
    return ReadResult(events=validated, rejects=rejects, sources=(stats,), name=name)


def sub_object_types(ocel: OcelLog, *, object_type: str = "orders") -> pd.DataFrame:
    """Which object types are sub-objects of the case notion (an order's items, packages).

    An object relates to a case object (an order) when they share an event,
    or when an object-to-object relation links them (either direction). A
    type is a **sub-object type** when the median object of the type relates
    to exactly one case object and at least :data:`SUB_OBJECT_SHARE` (90%) of
    its objects relate to at most one: its objects are parts of one order,
    not master data shared by many (customers, products, employees).

    On the order-management log of the OCEL 2.0 standard (2,000 orders), items
    relate to exactly one order each (median 1, 100%) and are sub-objects;
    customers (median 131 orders), products (350) and employees (median 0,
    72% at most one) are not; packages share no event and no object-to-object
    relation with an order (median 0) and each holds the items of about four
    orders, so they are not sub-objects of one order: name them with
    ``object_types`` when package events should be told apart.

    Parameters
    ----------
    ocel : OcelLog
    object_type : str, keyword-only
        The case notion.

    Returns
    -------
    pandas.DataFrame
        One row per other object type, sorted by type: ``object_type``,
        ``objects``, ``median_cases`` (case objects the median object relates
        to), ``share_at_most_one`` (objects relating to at most one), and
        ``sub_object`` (the rule above).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "shop.jsonocel"
    >>> _ = p.write_text('''{"objectTypes": [{"name": "orders", "attributes": []},
    ...   {"name": "items", "attributes": []}, {"name": "customers", "attributes": []}],
    ...  "eventTypes": [{"name": "place order", "attributes": []}],
    ...  "objects": [{"id": "o1", "type": "orders"}, {"id": "o2", "type": "orders"},
    ...     {"id": "i1", "type": "items"}, {"id": "i2", "type": "items"},
    ...     {"id": "c1", "type": "customers"}],
    ...  "events": [{"id": "e1", "type": "place order", "time": "2024-01-01T10:00:00Z",
    ...     "relationships": [{"objectId": "o1", "qualifier": "order"},
    ...        {"objectId": "i1", "qualifier": "item"}, {"objectId": "c1", "qualifier": "by"}]},
    ...    {"id": "e2", "type": "place order", "time": "2024-01-01T11:00:00Z",
    ...     "relationships": [{"objectId": "o2", "qualifier": "order"},
    ...        {"objectId": "i2", "qualifier": "item"},
    ...        {"objectId": "c1", "qualifier": "by"}]}]}''')
    >>> sub_object_types(load_ocel(p))[["object_type", "median_cases", "sub_object"]]
      object_type  median_cases  sub_object
    0   customers           2.0       False
    1       items           1.0        True
    """
    pairs = _object_cases(ocel, object_type)
    objects = ocel.objects.drop_duplicates("object_id")
    others = objects.loc[objects["object_type"] != object_type, ["object_id", "object_type"]]
    per_object = pairs.groupby("object_id")[CASE_ID].nunique()
    cases = others["object_id"].map(per_object).fillna(0).to_numpy(dtype="int64")
    frame = pd.DataFrame({"object_type": others["object_type"].to_numpy(), "cases": cases,
                          "one": cases <= 1})
    table = frame.groupby("object_type", sort=True).agg(
        objects=("cases", "size"), median_cases=("cases", "median"),
        share_at_most_one=("one", "mean")).reset_index()
    table["median_cases"] = table["median_cases"].astype("float64")
    table["sub_object"] = ((table["median_cases"] == 1)
                           & (table["share_at_most_one"] >= SUB_OBJECT_SHARE))
    return table


def _object_cases(ocel: OcelLog, object_type: str) -> pd.DataFrame:
    """Distinct (object_id, case_id): objects sharing an event or an o2o relation with a case."""
    objects = ocel.objects
    case_set = pd.Index(objects.loc[objects["object_type"] == object_type, "object_id"].unique())
    rel = ocel.relations[["event_id", "object_id"]]
    is_case = rel["object_id"].isin(case_set)
    by_event = rel.loc[~is_case].merge(
        rel.loc[is_case].rename(columns={"object_id": CASE_ID}), on="event_id")
    o2o = ocel.o2o
    forward = o2o.loc[o2o["object_id"].isin(case_set), ["object_id", "related_object_id"]]
    forward = forward.rename(columns={"object_id": CASE_ID, "related_object_id": "object_id"})
    backward = o2o.loc[o2o["related_object_id"].isin(case_set),
                       ["object_id", "related_object_id"]]
    backward = backward.rename(columns={"related_object_id": CASE_ID})
    pairs = pd.concat([by_event[["object_id", CASE_ID]], forward[["object_id", CASE_ID]],
                       backward[["object_id", CASE_ID]]], ignore_index=True)
    pairs = pairs.loc[~pairs["object_id"].isin(case_set)]
    return pairs.drop_duplicates(ignore_index=True)


def _chosen_types(ocel: OcelLog, object_type: str,
                  object_types: Sequence[str] | None) -> list[str]:
    if object_types is None:
        table = sub_object_types(ocel, object_type=object_type)
        return table.loc[table["sub_object"], "object_type"].tolist()
    if isinstance(object_types, str) or not all(isinstance(t, str) for t in object_types):
        raise UsageError(f"object_types must be a list of object types, e.g. "
                         f"['items', 'packages']; got {object_types!r}")
    if object_type in object_types:
        raise UsageError(f"object_types lists {object_type!r}, the case notion (object_type); "
                         "list the order's sub-object types only")
    known = ocel.object_types
    unknown = [t for t in object_types if t not in known]
    if unknown:
        raise InputError(
            f"{ocel.path}: object type(s) {', '.join(map(repr, unknown))} not in the log; the "
            f"log has {', '.join(map(repr, known)) or 'no objects'}. Name the order's "
            "sub-object types with object_types= (on the command line --object-types T,T; in a "
            "sources file object_types = [...])")
    return list(dict.fromkeys(object_types))


def _sub_objects(ocel: OcelLog, object_type: str, types: list[str], event_ids: pd.Series,
                 cases: pd.Series) -> np.ndarray:
    """The object_id of each flattened (event, case): see :func:`flatten_ocel`."""
    objects = ocel.objects.drop_duplicates("object_id")
    sizes = objects.loc[objects["object_type"].isin(types), "object_type"].value_counts()
    rank = {t: i for i, t in enumerate(sorted(types, key=lambda t: (int(sizes.get(t, 0)), t)))}
    keys = pd.DataFrame({"event_id": event_ids.to_numpy(), CASE_ID: cases.to_numpy()})
    rel = ocel.relations
    sub = rel.loc[rel["object_type"].isin(types), ["event_id", "object_id", "object_type"]]
    sub = sub.drop_duplicates(["event_id", "object_id"])
    sub = keys.drop_duplicates().merge(sub, on="event_id")
    owners = _object_cases(ocel, object_type)
    owners = owners.loc[owners["object_id"].isin(pd.Index(sub["object_id"].unique()))]
    own = sub[["object_id", CASE_ID]].merge(owners.assign(_own=True), how="left",
                                            on=["object_id", CASE_ID])["_own"]
    owned_elsewhere = sub["object_id"].isin(pd.Index(owners["object_id"].unique()))
    sub = sub.loc[own.fillna(False).to_numpy(dtype=bool) | ~owned_elsewhere.to_numpy()]
    sub = sub.assign(_rank=sub["object_type"].map(rank).to_numpy(dtype="int64"))
    best = sub.groupby(["event_id", CASE_ID], sort=False)["_rank"].transform("min")
    sub = sub.loc[sub["_rank"] == best]
    # an event of the order itself that lists all its sub-objects of a type (place order and
    # its items) is about the order as a whole
    direct = rel.loc[rel["object_type"] == object_type, ["event_id", "object_id"]]
    direct = direct.rename(columns={"object_id": CASE_ID}).drop_duplicates()
    of_case = owners.merge(objects[["object_id", "object_type"]], on="object_id")
    of_case = of_case.groupby([CASE_ID, "object_type"]).size().rename("_all").reset_index()
    sub = sub.merge(of_case, on=[CASE_ID, "object_type"], how="left")
    sub = sub.merge(direct.assign(_direct=True), on=["event_id", CASE_ID], how="left")
    listed = sub.groupby(["event_id", CASE_ID], sort=False)["object_id"].transform("size")
    whole = (listed.to_numpy() == sub["_all"].to_numpy()) & sub["_direct"].notna().to_numpy()
    sub = sub.loc[~whole].sort_values(["event_id", CASE_ID, "object_id"], kind="stable")
    joined = _join_sorted(sub, ["event_id", CASE_ID], "object_id")
    found = keys.merge(joined, on=["event_id", CASE_ID], how="left")
    return found["object_id"].to_numpy(dtype=object)


def _join_sorted(frame: pd.DataFrame, by: list[str], column: str) -> pd.DataFrame:
    """One row per group of ``by``: its ``column`` values, in frame order, joined with ';'.

    Vectorised over the groups: one string concatenation per position within a
    group (a loop over the largest group's size, never over rows).
    """
    k = frame.groupby(by, sort=False).cumcount().to_numpy()
    values = frame[column].astype("str").to_numpy(dtype=object)
    head = frame.loc[k == 0, by].reset_index(drop=True)
    code = frame.groupby(by, sort=False).ngroup().to_numpy()
    text = pd.Series(values[k == 0], index=code[k == 0], dtype=object)
    for position in range(1, int(k.max()) + 1 if len(k) else 1):
        at = k == position
        more = pd.Series(values[at], index=code[at], dtype=object)
        text.loc[more.index] = text.loc[more.index] + ";" + more
    head[column] = text.to_numpy(dtype=object)
    return head


# -- internals ------------------------------------------------------------------------------


def _default_name(path: Path) -> str:
    stem = path.name
    for ending in (".gz", ".xml", ".jsonocel", ".json", ".sqlite3", ".sqlite", ".db"):
        if stem.lower().endswith(ending):
            stem = stem[: -len(ending)]
    return stem or "ocel"


def _sniff(path: Path) -> OcelFormat:
    with open(path, "rb") as handle:
        head = handle.read(64)
    if head.startswith(_SQLITE_MAGIC):
        return "sqlite"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return "xml"
    if text.startswith((b"{", b"[")):
        return "json"
    raise InputError(
        f"{path}: not an OCEL 2.0 file: it is neither XML, JSON nor SQLite "
        f"(starts with {head[:8]!r}). Export the log as OCEL 2.0 XML, JSON or SQLite."
    )


def _check_root(source: Path, root: str | None) -> None:
    if root is not None and root != "log":
        raise InputError(
            f"{source}: the root element is <{root}>, expected <log>; this is not OCEL 2.0 XML."
        )


def _read_pm4py(source: Path, plain: Path, kind: OcelFormat, root: str | None) -> Any:
    _check_root(source, root)
    try:
        ocel = _pm4py_io.read_ocel(plain, kind=kind)
    except Exception as error:  # pm4py raises bare Exceptions/KeyErrors; make them one line
        raise InputError(
            f"{source}: pm4py could not read it as OCEL 2.0 {kind.upper()} "
            f"({type(error).__name__}: {error}). Is it an OCEL 2.0 export?"
        ) from None
    if ocel is None or len(ocel.events) == 0:
        raise InputError(
            f"{source}: no events found; expected an OCEL 2.0 {kind.upper()} log with events "
            "(OCEL 1.0 and other JSON/XML are not supported)."
        )
    return ocel


def _check_events(source: Path, plain: Path, kind: OcelFormat) -> None:
    """Refuse what pm4py would silently merge or drop, naming the file and the event.

    pm4py's importers keep an event id that repeats (XML: both copies, so
    their relations multiply; JSON: the last one only), drop an event whose
    activity (``type``) is empty, and drop relations to objects the log does
    not declare (an event related to such objects only disappears). Each of
    these is an :class:`InputError` here, read from the file itself before pm4py
    reads it (a file that is not JSON or XML at all is left to pm4py's message).
    """
    if kind == "sqlite":
        return  # primary and foreign keys of the OCEL 2.0 SQLite schema
    seen: set[str] = set()
    declared, events = _scan_json(plain) if kind == "json" else _scan_xml(plain)
    for position, (event_id, activity, related) in enumerate(events, start=1):
        where = f"{source}: event {_quote(event_id)} (event {position:,} in the file)"
        if event_id in seen:
            raise InputError(
                f"{where} repeats an event id; OCEL 2.0 event ids must be unique. "
                "Fix the export (pm4py would merge or drop the copies)."
            )
        seen.add(event_id)
        if activity is None or not str(activity):
            raise InputError(
                f"{where} has an empty activity (type); every OCEL 2.0 event needs one."
            )
        unknown = [o for o in related if o not in declared]
        if unknown:
            raise InputError(
                f"{where} relates to object {_quote(unknown[0])}, which the log does not "
                f"declare ({len(unknown)} undeclared); add it to the objects or remove the "
                "relation."
            )


def _quote(value: object) -> str:
    """A value for a one-line message: repr, control characters escaped, at most 80 chars."""
    text = repr(str(value))
    return text if len(text) <= 80 else text[:77] + "...'"


_Scanned = tuple[set[str], list[tuple[str, object, list[str]]]]


def _scan_json(path: Path) -> _Scanned:
    import json

    try:
        with open(path, "rb") as handle:
            doc = json.load(handle)
    except (ValueError, RecursionError):
        return set(), []  # not JSON: pm4py's reading names the fault
    if not isinstance(doc, dict):
        return set(), []
    declared = {str(o.get("id")) for o in _list(doc.get("objects")) if isinstance(o, dict)}
    events = []
    for event in _list(doc.get("events")):
        if not isinstance(event, dict) or event.get("id") is None:
            continue  # not an event: pm4py's reading names the fault
        related = [str(r.get("objectId")) for r in _list(event.get("relationships"))
                   if isinstance(r, dict) and r.get("objectId") is not None]
        events.append((str(event.get("id")), event.get("type"), related))
    return declared, events


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _scan_xml(path: Path) -> _Scanned:
    from xml.etree.ElementTree import ParseError

    from defusedxml.ElementTree import iterparse

    # the file passed procmine.io.xmlsafety (no DTD, no entities) before this scan
    try:
        return _scan_xml_events(iterparse(path, events=("start", "end")))
    except ParseError:
        return set(), []  # malformed: pm4py's reading names the fault


def _scan_xml_events(parsed: Iterator[tuple[str, Any]]) -> _Scanned:
    declared: set[str] = set()
    events: list[tuple[str, object, list[str]]] = []
    parents: list[str] = []
    related: list[str] = []
    for what, element in parsed:
        tag = element.tag
        if what == "start":
            parents.append(tag)
            if tag == "event":
                related = []
            continue
        parents.pop()
        if tag == "object" and parents[-1:] == ["objects"]:
            declared.add(str(element.get("id")))
            element.clear()
        elif tag == "relationship" and "event" in parents:
            if element.get("object-id") is not None:
                related.append(str(element.get("object-id")))
        elif tag == "event" and parents[-1:] == ["events"] and element.get("id") is not None:
            events.append((str(element.get("id")), element.get("type"), related))
            element.clear()
    return declared, events


def _wrap(ocel: Any, *, source: Path, name: str, fmt: str) -> OcelLog:
    eid, act, ts = ocel.event_id_column, ocel.event_activity, ocel.event_timestamp
    oid, otype, qual = ocel.object_id_column, ocel.object_type_column, ocel.qualifier
    raw_events = ocel.events
    index = raw_events.index.to_numpy()
    if len(index) and np.array_equal(np.sort(index), np.arange(len(index))):
        position = index + 1  # pm4py keeps the file position in the index
    else:  # pragma: no cover - depends on pm4py internals
        position = np.arange(1, len(index) + 1)
    events = pd.DataFrame({
        "event_id": raw_events[eid].astype("str").to_numpy(),
        "activity": raw_events[act].to_numpy(),
        "timestamp": pd.to_datetime(raw_events[ts], utc=True).to_numpy(),
        "row": position.astype("int64"),
    })
    events["timestamp"] = pd.to_datetime(events["timestamp"], utc=True)
    for column in raw_events.columns:
        if column not in (eid, act, ts):
            events[_clean(column)] = raw_events[column].to_numpy()
    events = events.sort_values("row", kind="stable").reset_index(drop=True)

    raw_objects = ocel.objects
    objects = pd.DataFrame({
        "object_id": raw_objects[oid].astype("str").to_numpy(),
        "object_type": raw_objects[otype].astype("str").to_numpy(),
    })
    for column in raw_objects.columns:
        if column not in (oid, otype):
            objects[_clean(column)] = raw_objects[column].to_numpy()

    raw_rel = ocel.relations.sort_index(kind="stable")
    relations = pd.DataFrame({
        "event_id": raw_rel[eid].astype("str").to_numpy(),
        "activity": raw_rel[act].to_numpy(),
        "timestamp": pd.to_datetime(raw_rel[ts], utc=True).to_numpy(),
        "object_id": raw_rel[oid].astype("str").to_numpy(),
        "object_type": raw_rel[otype].astype("str").to_numpy(),
        "qualifier": raw_rel[qual].to_numpy() if qual in raw_rel.columns else np.nan,
    })
    relations["timestamp"] = pd.to_datetime(relations["timestamp"], utc=True)
    raw_o2o = getattr(ocel, "o2o", None)
    if raw_o2o is not None and len(raw_o2o):
        o2o = pd.DataFrame({
            "object_id": raw_o2o[oid].astype("str").to_numpy(),
            "related_object_id": raw_o2o[oid + "_2"].astype("str").to_numpy(),
            "qualifier": raw_o2o[qual].to_numpy() if qual in raw_o2o.columns else np.nan,
        })
    else:
        o2o = pd.DataFrame({c: pd.Series([], dtype="str")
                            for c in ("object_id", "related_object_id", "qualifier")})
    return OcelLog(events=events, objects=objects, relations=relations, o2o=o2o,
                   name=name, path=str(source), format=fmt, _ocel=ocel)


def _clean(column: object) -> str:
    return str(column).replace(":", "_")


def _rejects(
    view: pd.DataFrame, reason: np.ndarray, rejected: np.ndarray, name: str
) -> pd.DataFrame:
    if not rejected.any():
        return empty_rejects()
    bad = view.loc[rejected]
    why = reason[rejected]
    return pd.DataFrame({
        "source": pd.Series([name] * len(bad), dtype="str"),
        "row": bad["row"].to_numpy(dtype="int64"),
        "reason": pd.Series(why, dtype="str"),
        "column": pd.Series(np.where(why == "missing activity", "activity", "timestamp"),
                            dtype="str"),
        "value": pd.Series([""] * len(bad), dtype="str"),
    }).sort_values("row", kind="stable").reset_index(drop=True)


def _resources(
    ocel: OcelLog,
    resource_type: str | None,
    department_attribute: str | None,
    resource_qualifiers: Sequence[str] | None,
) -> tuple[pd.Series | None, pd.Series | None]:
    """Event id -> first related resource object; event id -> its department."""
    if resource_type is None:
        return None, None
    rel = ocel.relations
    res = rel.loc[rel["object_type"] == resource_type, ["event_id", "object_id", "qualifier"]]
    if res.empty:
        return None, None
    # pm4py does not keep the file's order of an event's relations (its JSON importer sorts
    # them), so the choice must not depend on it: preferred qualifiers first, then by
    # qualifier and object id.
    preference = {q: i for i, q in enumerate(resource_qualifiers or ())}
    rank = res["qualifier"].map(preference).fillna(len(preference))
    res = res.assign(_rank=rank.to_numpy(), _q=res["qualifier"].fillna("").astype("str"))
    res = res.sort_values(["_rank", "_q", "object_id"], kind="stable")
    first = res.drop_duplicates("event_id", keep="first").set_index("event_id")["object_id"]
    if department_attribute is None:
        return first, None
    attribute = _clean(department_attribute)
    if attribute not in ocel.objects.columns:
        return first, None
    objects = ocel.objects.loc[ocel.objects["object_type"] == resource_type]
    role = objects.drop_duplicates("object_id").set_index("object_id")[attribute]
    return first, first.map(role)


def _case_attributes(objects: pd.DataFrame, object_type: str) -> pd.DataFrame:
    own = objects.loc[objects["object_type"] == object_type].drop_duplicates("object_id")
    own = own.set_index("object_id").drop(columns=["object_type"])
    own = own.dropna(axis=1, how="all")
    return own.add_prefix("case_")


def _rename_extras(frame: pd.DataFrame) -> pd.DataFrame:
    taken = {*CORE_COLUMNS, OBJECT_ID}
    names: dict[str, str] = {}
    for column in frame.columns:
        if column in (CASE_ID, ACTIVITY, TIMESTAMP, RESOURCE, DEPARTMENT, SOURCE, EVENT_ID,
                      OBJECT_ID):
            continue
        clean = _clean(column)
        while clean in taken:
            clean = f"attr_{clean}"
        taken.add(clean)
        names[column] = clean
    return frame.rename(columns=names)
