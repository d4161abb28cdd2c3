"""Stitch the extracts of a sources file into one canonical log, one case per order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from procmine.errors import InputError, ProcmineError
from procmine.io.archive import open_single_extract
from procmine.io.mapping import (
    PROBLEM,
    TEXT_DTYPE,
    MappedTable,
    Resolver,
    _arrow_text,
    _text,
    map_table,
)
from procmine.io.result import InformationItem, ReadResult, SourceStats
from procmine.io.sources import LookupSpec, SourcesConfig, SourceSpec, parse_sources
from procmine.io.tables import RawTable, read_table
from procmine.schema import (
    AUTOMATED,
    CASE_ID,
    DEPARTMENT,
    PARTY,
    REJECT_COLUMNS,
    RESOURCE,
    SEQ,
    TIMESTAMP,
    canonical_order,
    empty_rejects,
    validate_events,
)

__all__ = ["apply_source_settings", "read_sources", "stitch"]


def read_sources(path: str | Path) -> ReadResult:
    """Read every extract a sources file names and stitch them into one log.

    Parameters
    ----------
    path : str or Path
        The sources file (TOML); see the README section "Sources file".

    Returns
    -------
    ReadResult
        Validated events of all sources, ordered by order, then time, then
        ``seq`` (the input order: sources in the sources file's order, then
        rows in file order), the rejected rows, one
        :class:`SourceStats` per source and the information items.

    Raises
    ------
    InputError
        The sources file is wrong, an extract cannot be read or mapped, or a
        correlation is impossible (missing lookup column, nothing correlates).

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> _ = open(os.path.join(d, "sales.csv"), "w").write(
    ...     "Order,Act,At\\nSO-1,Enter,2024-01-01 09:00\\nSO-2,Enter,2024-01-01 10:00\\n")
    >>> _ = open(os.path.join(d, "wms.csv"), "w").write(
    ...     "PL,Act,At\\nP7,Pick,2024-01-01 11:00\\nP9,Pick,2024-01-01 12:00\\n")
    >>> _ = open(os.path.join(d, "pl.csv"), "w").write("PL,Order\\nP7,SO-1;SO-2\\n")
    >>> _ = open(os.path.join(d, "src.toml"), "w").write('''
    ... [lookups.pl]
    ... file = "pl.csv"
    ... key = "PL"
    ... value = "Order"
    ... separator = ";"
    ... [sources.sales]
    ... file = "sales.csv"
    ... columns = { case_id = "Order", activity = "Act", timestamp = "At" }
    ... [sources.wms]
    ... file = "wms.csv"
    ... columns = { activity = "Act", timestamp = "At" }
    ... case = { column = "PL", via = ["pl"] }
    ... ''')
    >>> result = read_sources(os.path.join(d, "src.toml"))
    >>> result.events[["case_id", "activity", "event_id"]].values.tolist()
    [['SO-1', 'Enter', 'sales:2'], ['SO-1', 'Pick', 'wms:2:1'], ['SO-2', 'Enter', 'sales:3'],
     ['SO-2', 'Pick', 'wms:2:2']]
    >>> [(s.name, s.rows_read, s.rows_loaded, s.events, dict(s.reasons)) for s in result.sources]
    [('sales', 2, 2, 2, {}), ('wms', 2, 1, 2, {'no correlation to an order': 1})]
    """
    return stitch(parse_sources(path))


def stitch(config: SourcesConfig) -> ReadResult:
    """Read and stitch the sources of a parsed sources file (see :func:`read_sources`)."""
    tables: dict[str, RawTable] = {}

    def table_of(spec: SourceSpec) -> RawTable:
        if spec.name not in tables:
            looked_up = [column for lookup in config.lookups.values()
                         if lookup.source == spec.name for column in (lookup.key, lookup.value)]
            with _extract(spec) as (file, shown):
                table = read_table(
                    file, format=spec.format, delimiter=spec.delimiter,  # type: ignore[arg-type]
                    encoding=spec.encoding, quotechar=spec.quotechar, sheet=spec.sheet,
                    name=spec.name, fix_hint=config.hint(spec.name),
                    times=() if spec.mapping is None
                    else spec.mapping.offset_times(also_read=looked_up),
                )
            tables[spec.name] = table if shown is None else replace(table, path=shown)
        return tables[spec.name]

    by_name = {s.name: s for s in config.sources}
    lookup_frames: dict[str, pd.DataFrame] = {}

    def lookup_frame(name: str) -> pd.DataFrame:
        if name not in lookup_frames:
            spec = config.lookups[name]
            raw = (table_of(by_name[spec.source]) if spec.source is not None
                   else _read_lookup_file(spec, config))
            lookup_frames[name] = _lookup_pairs(raw, spec, config)
        return lookup_frames[name]

    frames: list[pd.DataFrame] = []
    rejects: list[pd.DataFrame] = []
    stats: list[SourceStats] = []
    ids_unique = True  # every id built from a row number of its source (name:row[:k])
    mapped: MappedTable | None = None
    for at, spec in enumerate(config.sources):
        if spec.is_table:
            resolve = (_resolver([lookup_frame(n) for n in spec.via], list(spec.via),
                                 config.max_orders_per_key) if spec.via else None)
            assert spec.mapping is not None
            mapped = map_table(table_of(spec), spec.mapping, source=spec.name,
                               fix_hint=config.hint(spec.name), resolve=resolve,
                               canonical=True)
            events, source_rejects, source_stats = mapped.events, mapped.rejects, [mapped.stats]
            ids_unique = ids_unique and mapped.ids_unique
            if not _read_again(spec.name, config, lookup_frames, after=at):
                tables.pop(spec.name, None)  # its text is not held to the end (peak memory)
        else:
            result = _read_log_file(spec)
            events = apply_source_settings(
                result.events, party=spec.party, department=spec.department,
                department_by_resource=spec.department_by_resource,
                automated_resources=spec.automated_resources)
            source_rejects, source_stats = result.rejects, list(result.sources)
            ids_unique = False
        frames.append(_numbered_after(events, sum(len(f) for f in frames)))
        if len(source_rejects):
            rejects.append(source_rejects)
        stats.extend(source_stats)

    order = {s.name: i for i, s in enumerate(config.sources)}
    nonempty = [f for f in frames if len(f)] or frames[:1]
    mapped = events = None  # the last source's frame: held by ``nonempty`` alone
    frames = []
    combined = _merged(nonempty) if len(nonempty) > 1 else nonempty[0]
    del nonempty
    # source names hold no ':', so ids of different sources never meet
    events = validate_events(combined, source=config.path.name, ids_unique=ids_unique)
    if rejects:
        all_rejects = pd.concat(rejects, ignore_index=True)[list(REJECT_COLUMNS)]
        rank = all_rejects["source"].map(order).fillna(len(order)).to_numpy()
        sequence = np.lexsort((all_rejects["row"].to_numpy(), rank))
        all_rejects = all_rejects.take(sequence).reset_index(drop=True)
    else:
        all_rejects = empty_rejects()
    items = tuple(
        InformationItem(
            name=item.name, owner=item.owner, type=item.type,
            columns={s.name: s.mapping.items[item.name] for s in config.sources
                     if s.mapping is not None and item.name in s.mapping.items},
        )
        for item in config.items.values()
    )
    return ReadResult(events=events, rejects=all_rejects, sources=tuple(stats), items=items,
                      name=config.name)


def _merged(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The events of several sources, each in the canonical order, in the log's canonical
    order, as ``pd.concat(frames)`` sorted by (case, timestamp, seq) would give them.

    Each source being sorted already, the log's order is a merge of those runs, so every
    column is gathered by a few forward-moving streams (a random gather of text costs
    several times more per value at 5M events than at 1M: cache misses). The columns are
    gathered one at a time, and each source's copy of a column is let go once gathered:
    the sources' frames and the log are not all held at once (peak memory). The frames
    are emptied.
    """
    key = pd.concat([f[[CASE_ID, TIMESTAMP, SEQ]] for f in frames], ignore_index=True)
    if str(key[TIMESTAMP].dtype) != "datetime64[us, UTC]" or key[SEQ].dtype != "int64":
        return pd.concat(frames, ignore_index=True)  # validate_events converts and sorts
    codes = pd.factorize(key[CASE_ID], sort=True)[0]
    ts = key[TIMESTAMP].to_numpy(dtype="datetime64[us]").view("int64")
    order = canonical_order(codes, ts, key[SEQ].to_numpy())
    del key, codes, ts
    columns = pd.concat([f.iloc[:0] for f in frames], ignore_index=True).columns
    out: dict[str, Any] = {}
    for column in columns:
        # the column alone, concatenated as the frames would be (missing where absent)
        part = pd.concat([f[[column]] if column in f.columns else f[[]] for f in frames],
                         ignore_index=True)[column]
        out[column] = part if order is None else pd.Series(part.array.take(order))
        del part
        for frame in frames:
            if column in frame.columns:
                del frame[column]
    return pd.DataFrame(out)


def _read_again(name: str, config: SourcesConfig, built: Mapping[str, pd.DataFrame], *,
                after: int) -> bool:
    """Whether a lookup not built yet, of a source after position ``after``, reads the
    table of source ``name``."""
    return any(config.lookups[lookup].source == name and lookup not in built
               for spec in config.sources[after + 1:] for lookup in spec.via)


def _numbered_after(events: pd.DataFrame, offset: int) -> pd.DataFrame:
    """A source's events, in the canonical order they come in, numbered in the log's input
    order: ``seq`` is ``offset`` (the events of the sources before) plus the event's place
    in its source's input order.

    A table's events come from :func:`procmine.io.mapping.map_table` with their place in
    row order; an XES or OCEL source arrives validated, with its own ``seq`` (ranked
    here, as its numbers need not start at 0 nor follow one another).
    """
    seq = events[SEQ].to_numpy(dtype="int64")
    n = len(seq)
    if n and not (int(seq.min()) == 0 and int(seq.max()) == n - 1
                  and int(np.bincount(seq).max()) == 1):
        rank = np.empty(n, dtype="int64")
        rank[np.argsort(seq, kind="stable")] = np.arange(n, dtype="int64")
        seq = rank
    events = events.copy(deep=False)
    events[SEQ] = seq + offset
    return events


def _read_lookup_file(spec: LookupSpec, config: SourcesConfig) -> RawTable:
    assert spec.file is not None
    hint = f"in [lookups.{spec.name}] of {config.path.name}"
    table = read_table(spec.file, format=spec.format, delimiter=spec.delimiter,  # type: ignore[arg-type]
                       encoding=spec.encoding, quotechar=spec.quotechar, sheet=spec.sheet,
                       name=spec.name, fix_hint=hint)
    if len(table.rejects):
        first = table.rejects.iloc[0]
        raise InputError(f"{spec.file}: row {first['row']} has {first['column']}; a lookup file "
                         "must be well formed: fix the row (quote values holding the "
                         f"delimiter) {hint}")
    return table


def _lookup_pairs(table: RawTable, spec: LookupSpec, config: SourcesConfig) -> pd.DataFrame:
    """Distinct (key, value) pairs of a lookup; several values per key allowed."""
    where = f"[lookups.{spec.name}] of {config.path.name}"
    missing = [(role, col) for role, col in (("key", spec.key), ("value", spec.value))
               if col not in table.columns]
    if missing:
        named = ", ".join(f"{role} column {col!r}" for role, col in missing)
        raise InputError(
            f"{table.path}: {named} of lookup {spec.name!r} not found; columns present: "
            f"{', '.join(map(repr, table.columns)) or 'none'}; set key/value to existing "
            f"columns in {where}"
        )
    keys = _text(table.frame[spec.key])
    values = _text(table.frame[spec.value])
    key_text, value_text = _arrow_text(keys), _arrow_text(values)
    if key_text is None or value_text is None:  # pragma: no cover - _text gives Arrow text
        return _lookup_pairs_pandas(keys, values, spec.separator)
    import pyarrow as pa
    import pyarrow.compute as pc

    key_text, value_text = _one_chunk(key_text), _one_chunk(value_text)
    if spec.separator is not None:  # one pair per part, each part stripped, empty missing
        parts = pc.split_pattern(value_text, spec.separator)
        key_text = key_text.take(pc.list_parent_indices(parts))
        value_text = pc.utf8_trim_whitespace(pc.list_flatten(parts))
        value_text = pc.if_else(pc.equal(pc.binary_length(value_text), 0),
                                pa.scalar(None, value_text.type), value_text)
    both = pc.and_(pc.is_valid(key_text), pc.is_valid(value_text))
    key_text, value_text = key_text.filter(both), value_text.filter(both)
    # distinct pairs, first occurrences in input order
    key_codes = pd.factorize(pd.array(key_text, dtype=TEXT_DTYPE))[0].astype("int64")
    value_codes = pd.factorize(pd.array(value_text, dtype=TEXT_DTYPE))[0].astype("int64")
    pair = key_codes * (int(value_codes.max(initial=0)) + 1) + value_codes
    first = np.sort(np.unique(pair, return_index=True)[1])
    return pd.DataFrame({"key": pd.array(key_text.take(first), dtype=TEXT_DTYPE),
                         "value": pd.array(value_text.take(first), dtype=TEXT_DTYPE)})


def _lookup_pairs_pandas(keys: pd.Series, values: pd.Series,
                         separator: str | None) -> pd.DataFrame:
    pairs = pd.DataFrame({"key": keys.to_numpy(), "value": values.to_numpy()})
    if separator is not None:
        pairs["value"] = pairs["value"].str.split(separator, regex=False)
        pairs = pairs.explode("value", ignore_index=True)
        pairs["value"] = _text(pairs["value"].astype("str"))
    pairs = pairs.dropna().drop_duplicates(ignore_index=True)
    return pairs.astype("str")


def _one_chunk(values: Any) -> Any:
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    return values


def _resolver(chain: list[pd.DataFrame], names: list[str], limit: int) -> Resolver:
    """Follow the lookups in order: key -> value -> ... -> order id (vectorised joins).

    Work stays bounded: before each join, a row whose values would fan out
    to more than ``limit`` values (``[log] max_orders_per_key``) is taken
    out and returned with a ``problem`` naming the lookup and the key, so
    no join ever grows beyond ``limit`` values per row.

    Each join is an inner join on hashed codes: a row's matches follow one
    another in the lookup's order, rows stay in their order.
    """
    joins = [_Join(pairs) for pairs in chain]

    def resolve(keys: pd.Series) -> pd.DataFrame:
        pos = keys.index.to_numpy(dtype="int64")
        value = keys.reset_index(drop=True)
        refused: list[pd.DataFrame] = []
        for join, name in zip(joins, names, strict=True):
            at = join.positions(value)
            per_value = join.counts[at]  # a key not in the lookup: at = -1, count 0
            size = int(pos.max(initial=-1)) + 1
            per_row = np.bincount(pos, weights=per_value, minlength=size).astype("int64")[pos]
            over = per_row > limit
            if over.any():
                rows = pd.DataFrame({"pos": pos[over], "value": value[over].to_numpy(),
                                     "n": per_value[over], "total": per_row[over]})
                first = rows.sort_values("n", ascending=False, kind="stable")
                first = first.drop_duplicates("pos")
                refused.append(pd.DataFrame({
                    "pos": first["pos"].to_numpy(dtype="int64"),
                    CASE_ID: pd.Series([None] * len(first), dtype="str"),
                    PROBLEM: [f"{v!s} gives {t} values via lookup {name!r} (more than "
                              f"max_orders_per_key = {limit}; raise it in [log])"
                              for v, t in zip(first["value"], first["total"], strict=True)],
                }))
                keep = ~over
                pos, at, per_value = pos[keep], at[keep], per_value[keep]
            # row i's matches: the lookup's rows starts[at[i]] .. + counts - 1, in order
            rows_out = np.repeat(np.arange(len(pos)), per_value)
            first_match = np.repeat(join.starts[at] - np.cumsum(per_value)
                                    + per_value, per_value)
            match = join.order[first_match + np.arange(len(rows_out))]
            pos = pos[rows_out]
            value = join.values.iloc[match].reset_index(drop=True)
        found = pd.DataFrame({"pos": pos, CASE_ID: value})
        if not refused:
            return found
        found[PROBLEM] = pd.Series([None] * len(found), dtype="str")
        return pd.concat([found, *refused], ignore_index=True)

    return resolve


class _Join:
    """A lookup's pairs indexed for joins: distinct keys, their counts, rows by key."""

    def __init__(self, pairs: pd.DataFrame) -> None:
        codes, uniques = pd.factorize(pairs["key"])
        self.index = pd.Index(uniques)
        counts = np.bincount(codes, minlength=len(uniques)).astype("int64")
        # one extra slot, count 0, for keys the lookup does not have (index -1)
        self.counts = np.append(counts, 0)
        self.starts = np.append(np.cumsum(counts) - counts, 0)
        self.order = np.argsort(codes, kind="stable")
        self.values = pairs["value"].reset_index(drop=True)

    def positions(self, keys: pd.Series) -> np.ndarray:
        """Each key's place among the distinct keys, -1 for a key the lookup lacks
        (``Index.get_indexer``; for Arrow text, Arrow's hash lookup, with no Python
        object per key)."""
        arrow, known = _arrow_text(keys), _arrow_text(pd.Series(self.index.array))
        if arrow is None or known is None or not len(keys):
            return self.index.get_indexer(keys)
        import pyarrow as pa
        import pyarrow.compute as pc

        found = pc.index_in(arrow, value_set=_one_chunk(known).cast(arrow.type))
        found = _one_chunk(found) if isinstance(found, pa.ChunkedArray) else found
        return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)


@contextmanager
def _extract(spec: SourceSpec) -> Iterator[tuple[Path, str | None]]:
    """The source's file, or the extract its zip holds (with the name to show for it).

    Messages about the temporary copy name ``<zip>/<member>`` instead.
    """
    if spec.member is None:
        yield spec.file, None
        return
    with open_single_extract(spec.file, format=spec.format) as (plain, member):
        shown = f"{spec.file}/{member}"
        try:
            yield plain, shown
        except ProcmineError as problem:
            message = str(problem).replace(str(plain.resolve()), shown).replace(str(plain),
                                                                                 shown)
            raise type(problem)(message) from None


def _read_log_file(spec: SourceSpec) -> ReadResult:
    with _extract(spec) as (file, shown):
        if spec.format == "xes":
            from procmine.io.xes import read_xes

            result = read_xes(file, name=spec.name, missing_values=spec.missing_values)
        else:
            from procmine.io.ocel import read_ocel

            result = read_ocel(file, object_type=spec.object_type, name=spec.name,
                               missing_values=spec.missing_values,
                               resource_qualifiers=spec.resource_qualifier or None,
                               object_types=spec.object_types)
    if shown is None:
        return result
    return replace(result, sources=tuple(replace(s, path=shown) for s in result.sources))


def apply_source_settings(
    events: pd.DataFrame,
    *,
    party: str | None = None,
    department: str | None = None,
    department_by_resource: Mapping[str, str] | None = None,
    automated_resources: Iterable[str] = (),
) -> pd.DataFrame:
    """Source-level settings of an XES/OCEL source: party, department, system accounts.

    ``party`` replaces the party of every event; ``department_by_resource``
    and then ``department`` fill missing departments; events whose resource
    is one of ``automated_resources`` become automated, other events with a
    resource manual (a flag the reader set stays where no rule applies).
    The frame is copied, never modified.

    Examples
    --------
    >>> f = pd.DataFrame({"resource": ["EDI", "ann", None], "department": [None, None, "X"],
    ...                   "automated": pd.array([pd.NA] * 3, dtype="boolean"),
    ...                   "party": ["internal"] * 3})
    >>> out = apply_source_settings(f, department="Sales", automated_resources=["EDI"])
    >>> out["department"].tolist(), out["automated"].tolist()
    (['Sales', 'Sales', 'X'], [True, False, <NA>])
    """
    automated_resources = tuple(automated_resources)
    if not (party or department or department_by_resource or automated_resources):
        return events
    events = events.copy()
    if party:
        events[PARTY] = party
    if department_by_resource:
        mapped = events[RESOURCE].map({str(k): str(v)
                                       for k, v in department_by_resource.items()})
        events[DEPARTMENT] = events[DEPARTMENT].fillna(mapped)
    if department:
        events[DEPARTMENT] = events[DEPARTMENT].fillna(department)
    if automated_resources:
        system = events[RESOURCE].isin(set(automated_resources)).to_numpy()
        flags = events[AUTOMATED].astype("boolean").copy()
        flags[system] = True
        flags[flags.isna().to_numpy() & events[RESOURCE].notna().to_numpy()] = False
        events[AUTOMATED] = flags
    return events
