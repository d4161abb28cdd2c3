"""An event log held by an engine (DuckDB or Spark): the canonical schema, mapped once.

:func:`load` maps an extract once into the canonical columns of
:mod:`procmine.schema` inside the engine (a view ``pm_events``); the kernels of
:mod:`procmine.engine.kernels` run on it and return pandas tables. Beside the
canonical columns the engine table carries ``ts_us`` (the timestamp as integer
microseconds since the epoch, UTC: every kernel computes with it, so no engine's
timestamp arithmetic is involved) and ``seq`` (input order, the last key of every
sort).

What is read where:

- **Parquet** (a file, a folder of part files, Hive-partitioned or not
  (:mod:`procmine.engine._parts`), or a glob; on Spark also a lake folder such as
  ``s3a://lake/events/``), **CSV** (also ``.csv.gz``) and **Delta** tables (a
  folder with ``_delta_log``, or ``format="delta"``; ``delta_version=N`` for an older
  version) are read by the engine itself, so they may be larger than memory. A Spark
  session with Delta Lake configured reads Delta natively; otherwise (and in DuckDB)
  the table's current files are resolved from its transaction log with delta-rs
  (:mod:`procmine.engine._delta`) and read as Parquet, partition values from the log,
  and a table needing more than plain Parquet (deletion vectors, column mapping) is
  refused. ``seq`` is the file's position in read order (Parquet: by name; Delta: as
  the log records them) times 2**40 plus the row's position in the file, the same on
  both engines. Columns are the canonical names, or named by the mapping options
  (``case_id=``, ``activity=``, ``timestamp=``, ``resource=``, ``department=``,
  ``party_column=``, ``automated_column=`` with ``automated_values=``,
  ``object_column=``, ``timestamp_format=``, ``missing_values=``). Rows without a case
  id, activity or time are left out (``rows_dropped`` says how many).
- Everything else procmine reads (a sources file, XES, OCEL, Excel, a DataFrame or an
  :class:`~procmine.log.EventLog`) is loaded in memory by :func:`procmine.load` and
  handed to the engine: the same events, the same validation.
"""

# ruff: noqa: S608 - the queries are built from identifiers quoted by _quote and values
# quoted by _literal (both escape their quotes); no user text reaches SQL unquoted.

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from procmine._check import check_choice
from procmine.engine._backend import Backend, DuckDBBackend, SparkBackend
from procmine.engine._delta import DeltaFiles, local_path
from procmine.engine._dialect import ENGINES
from procmine.engine._parts import part_files
from procmine.errors import InputError, UsageError
from procmine.io.result import InformationItem, check_item_names
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
    SOURCE,
    TIMESTAMP,
)

__all__ = ["EVENTS", "EngineLog", "from_log", "load"]

#: Name of the canonical events view in the engine.
EVENTS: Final = "pm_events"
#: Mapping options the engine reads itself (Parquet, CSV, Delta).
_NATIVE_OPTIONS: Final = frozenset({
    "case_id", "activity", "timestamp", "resource", "department", "party_column",
    "automated_column", "automated_values", "object_column", "timestamp_format",
    "missing_values", "delimiter", "format", "timezone", "delta_version",
})
_NATIVE_SUFFIXES: Final = (".parquet", ".pq", ".csv", ".csv.gz")
_PLACEHOLDERS: Final = (
    "", "Empty", "EMPTY", "N/A", "NA", "n/a", "NULL", "null", "None", "none", "-", "?", "#",
)


def _quote(name: str) -> str:
    """A column name quoted for SQL (both engines read DuckDB's double quotes via sqlglot)."""
    return '"' + str(name).replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True, eq=False)
class EngineLog:
    """Canonical events in an engine; the kernels' input (see :mod:`procmine.engine`).

    Attributes
    ----------
    backend : Backend
        The DuckDB connection or Spark session holding the events.
    name : str
        The log's name.
    items : tuple of InformationItem
        The information items the log declares (re-entry compares their values).
    columns : tuple of str
        Columns of the engine's events view.
    rows_dropped : int
        Rows an engine-read file had without a case id, activity or time.
    """

    backend: Backend
    name: str = "log"
    items: tuple[InformationItem, ...] = ()
    columns: tuple[str, ...] = ()
    rows_dropped: int = 0
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def engine(self) -> str:
        """``"duckdb"`` or ``"spark"``."""
        return self.backend.name

    @property
    def relation(self) -> Any:
        """The canonical events as the engine's own object: a DuckDB relation or a Spark
        DataFrame (columns: the canonical ones, ``ts_us``, ``seq``, the attributes)."""
        if isinstance(self.backend, DuckDBBackend):
            return self.backend.con.table(EVENTS)
        assert isinstance(self.backend, SparkBackend)
        return self.backend.spark.table(EVENTS)

    def _facts(self) -> dict[str, Any]:
        if "facts" not in self._cache:
            facts = self.backend.sql(
                f"SELECT count(*) AS n_events, count(DISTINCT case_id) AS n_cases, "
                f"sum(CASE WHEN department IS NOT NULL THEN 1 ELSE 0 END) AS with_department, "
                f"sum(CASE WHEN automated IS NOT NULL THEN 1 ELSE 0 END) AS with_automated "
                f"FROM {EVENTS}")
            self._cache["facts"] = {k: int(v) if pd.notna(v) else 0
                                    for k, v in facts.iloc[0].items()}
        return dict(self._cache["facts"])

    @property
    def n_events(self) -> int:
        """Number of events."""
        return int(self._facts()["n_events"])

    @property
    def n_cases(self) -> int:
        """Number of cases (orders)."""
        return int(self._facts()["n_cases"])

    @property
    def has_departments(self) -> bool:
        """True when at least one event has a department."""
        return bool(self._facts()["with_department"])

    @property
    def has_automated(self) -> bool:
        """True when at least one event says whether it was automated."""
        return bool(self._facts()["with_automated"])

    @property
    def item_columns(self) -> list[InformationItem]:
        """The declared items that have a column with at least one value, by name."""
        if "items" not in self._cache:
            present = [i for i in sorted(self.items, key=lambda i: i.name)
                       if i.name in self.columns]
            if present:
                counts = self.backend.sql("SELECT " + ", ".join(
                    f"count({_quote(i.name)}) AS c{n}" for n, i in enumerate(present))
                    + f" FROM {EVENTS}").iloc[0].tolist()
                present = [i for i, c in zip(present, counts, strict=True) if int(c) > 0]
            self._cache["items"] = present
        return list(self._cache["items"])

    @property
    def has_item_values(self) -> bool:
        """True when at least one information item has a value in some event."""
        return bool(self.item_columns)

    def close(self) -> None:
        """Release the engine's resources (DuckDB's database and spill files)."""
        self.backend.close()

    def __enter__(self) -> EngineLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"EngineLog({self.name!r} on {self.engine})"


def _backend(engine: str, *, spark_master: str | None, temp_directory: str | None,
             memory_limit: str | None, spark_conf: dict[str, str] | None,
             max_spill: str | None = None) -> Backend:
    check_choice(engine, ENGINES, option="engine")
    if engine == "duckdb":
        if spark_master:
            raise UsageError("--spark-master is for --engine spark; DuckDB runs in-process.")
        return DuckDBBackend(temp_directory=temp_directory, memory_limit=memory_limit,
                             max_spill=max_spill)
    return SparkBackend(master=spark_master, conf=spark_conf)


def _engine_frame(events: pd.DataFrame) -> pd.DataFrame:
    """The canonical events as the engine holds them: ``ts_us``, ``seq``, text for the rest."""
    columns: dict[str, Any] = {}
    for column in events.columns:
        values = events[column]
        if column == TIMESTAMP:
            continue
        if column == PARTY:
            columns[column] = values.astype("str")
        elif column == AUTOMATED:
            columns[column] = values.astype("boolean")
        elif column == "seq":
            columns[column] = values.astype("int64")
        elif pd.api.types.is_datetime64_any_dtype(values.dtype):
            stamps = values.dt.tz_convert("UTC") if values.dt.tz is not None else values
            columns[column] = stamps.dt.strftime("%Y-%m-%d %H:%M:%S").astype("str")
        elif isinstance(values.dtype, pd.StringDtype):
            columns[column] = values
        else:
            text = values.astype("str")
            columns[column] = text.where(values.notna())
    columns["ts_us"] = events[TIMESTAMP].to_numpy(dtype="datetime64[us]").view("int64")
    if "seq" not in columns:
        # a canonical log is in order (case, time, input order): its row order is input order
        columns["seq"] = np.arange(len(events), dtype=np.int64)
    return pd.DataFrame(columns)


def from_log(log: EventLog, *, engine: str, spark_master: str | None = None,
             temp_directory: str | None = None, memory_limit: str | None = None,
             spark_conf: dict[str, str] | None = None, backend: Backend | None = None
             ) -> EngineLog:
    """Hand an in-memory :class:`~procmine.log.EventLog` to an engine.

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog
    >>> f = pd.DataFrame({"case_id": ["o1", "o1"], "activity": ["Enter", "Pick"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00"], utc=True)})
    >>> with from_log(EventLog.from_frame(f), engine="duckdb") as elog:
    ...     elog.n_events, elog.n_cases, elog.relation.columns[:3]
    (2, 1, ['case_id', 'activity', 'resource'])
    """
    if not isinstance(log, EventLog):
        raise UsageError(f"from_log expects an EventLog, got {type(log).__name__}")
    backend = backend or _backend(engine, spark_master=spark_master,
                                  temp_directory=temp_directory, memory_limit=memory_limit,
                                  spark_conf=spark_conf)
    frame = _engine_frame(log.events)
    backend.register(EVENTS, frame)
    return EngineLog(backend=backend, name=log.name, items=tuple(log.items),
                     columns=tuple(frame.columns))


def _native_kind(source: object, format: str | None) -> str | None:
    """``parquet``, ``csv`` or ``delta`` when the engine reads ``source`` itself."""
    if format in ("parquet", "csv", "delta"):
        return format
    if not isinstance(source, str | os.PathLike):
        return None
    text = str(source)
    lower = text.lower().rstrip("/")
    path = Path(text)
    if path.is_dir():
        if (path / "_delta_log").is_dir():
            return "delta"
        try:
            found = bool(_part_files(path))
        except InputError:  # Parquet in badly named folders: the read says what is wrong
            found = any(path.rglob("*.parquet"))
        return "parquet" if found else None
    if lower.endswith((".parquet", ".pq")) or (("*" in text) and ".parquet" in lower):
        return "parquet"
    if lower.endswith((".csv", ".csv.gz")):
        return "csv"
    if _is_uri(text) and "." not in lower.rsplit("/", 1)[-1]:
        return "parquet"  # a folder in a lake: Parquet part files (Delta: format="delta")
    return None


def _part_files(folder: Path) -> list[str]:
    """A folder's Parquet part files in read order (by path), Hive ``key=value``
    sub-folders included; Spark's and Hadoop's hidden files (``_SUCCESS``,
    ``.part-0.parquet.crc``) left out."""
    return part_files(folder).files


def _is_uri(source: str) -> bool:
    """True for a URI Spark resolves itself (``s3a://``, ``abfss://``, ``hdfs://``)."""
    return "://" in source and not source.startswith("file:")


def _files(source: str, kind: str) -> list[str]:
    """The local files ``source`` names (a file, a folder of part files, a glob), in
    read order: by name."""
    path = Path(source)
    if kind == "parquet" and path.is_dir():
        files = _part_files(path)
    elif "*" in source:
        files = sorted(str(p) for p in Path(path.anchor or ".").glob(
            str(path.relative_to(path.anchor)) if path.anchor else source)
            if not p.name.startswith(("_", ".")))
    else:
        files = [source]
    if not files or not all(Path(f).exists() for f in files):
        raise InputError(f"{source}: no such file (or no part files in the folder)")
    return files


def _placeholder_sql(column: str, missing: Sequence[str]) -> str:
    values = ", ".join(_literal(v) for v in missing if v != "")
    text = f"trim(CAST({_quote(column)} AS VARCHAR))"
    condition = f"{text} = ''" + (f" OR {text} IN ({values})" if values else "")
    return f"CASE WHEN {condition} THEN NULL ELSE CAST({_quote(column)} AS VARCHAR) END"


def _canonical_sql(raw: str, raw_columns: Sequence[str], *, name: str, engine: str,
                   mapping: dict[str, Any]) -> tuple[str, list[str]]:
    """The SELECT that maps a raw engine table to the canonical columns (and their names)."""
    def role(key: str, default: str | None) -> str | None:
        column = mapping.get(key) or default
        if column is not None and column not in raw_columns:
            if mapping.get(key):
                raise InputError(
                    f"{name}: column {column!r} (→ {key}) not found; columns present: "
                    f"{', '.join(map(repr, raw_columns))}")
            return None
        return column

    case, act, ts = role("case_id", CASE_ID), role("activity", ACTIVITY), role(
        "timestamp", TIMESTAMP)
    missing_roles = [k for k, c in (("case_id", case), ("activity", act), ("timestamp", ts))
                     if c is None]
    if missing_roles:
        raise InputError(
            f"{name}: required column(s) {', '.join(missing_roles)} not found; columns "
            f"present: {', '.join(map(repr, raw_columns))}. Map them with "
            + " ".join(f"--{k.replace('_', '-')} COL" for k in missing_roles) + ".")
    assert case is not None and act is not None and ts is not None
    missing = tuple(mapping.get("missing_values") or _PLACEHOLDERS)
    timezone = mapping.get("timezone")
    if timezone not in (None, "UTC", "utc", "Z"):
        raise UsageError(
            f"{name}: the engines read times as UTC; timezone={timezone!r} is for the in-memory "
            "reader (convert the column to UTC, or load without --engine).")
    fmt = mapping.get("timestamp_format")
    if fmt:
        ts_sql = f"epoch_us(strptime(CAST({_quote(ts)} AS VARCHAR), {_literal(fmt)}))"
    else:
        ts_sql = f"epoch_us(CAST({_quote(ts)} AS TIMESTAMP))"
    resource = role("resource", RESOURCE)
    department = role("department", DEPARTMENT)
    party = role("party_column", PARTY)
    automated = role("automated_column", AUTOMATED)
    obj = role("object_column", OBJECT_ID)
    seq_sql = "seq" if "seq" in raw_columns else "__seq"
    select = [
        f"CAST({_quote(case)} AS VARCHAR) AS case_id",
        f"CAST({_quote(act)} AS VARCHAR) AS activity",
        f"{ts_sql} AS ts_us",
        (f"{_placeholder_sql(resource, missing)} AS resource" if resource
         else "CAST(NULL AS VARCHAR) AS resource"),
        (f"{_placeholder_sql(department, missing)} AS department" if department
         else "CAST(NULL AS VARCHAR) AS department"),
        (f"COALESCE(lower({_placeholder_sql(party, missing)}), 'internal') AS party" if party
         else "'internal' AS party"),
    ]
    values = mapping.get("automated_values")
    if automated and values:
        text = _placeholder_sql(automated, missing)
        listed = ", ".join(_literal(v) for v in values)
        select.append(f"CASE WHEN {text} IS NULL THEN NULL WHEN trim({text}) IN ({listed}) "
                      "THEN TRUE ELSE FALSE END AS automated")
    elif automated:
        select.append(f"CAST({_quote(automated)} AS BOOLEAN) AS automated")
    else:
        select.append("CAST(NULL AS BOOLEAN) AS automated")
    select.append(f"CAST({_quote(SOURCE)} AS VARCHAR) AS source" if SOURCE in raw_columns
                  else f"{_literal(name)} AS source")
    select.append(f"CAST({_quote(EVENT_ID)} AS VARCHAR) AS event_id" if EVENT_ID in raw_columns
                  else f"{_literal(name + ':')} || CAST({seq_sql} AS VARCHAR) AS event_id")
    select.append(f"CAST({seq_sql} AS BIGINT) AS seq")
    if obj:
        select.append(f"CAST({_quote(obj)} AS VARCHAR) AS object_id")
    item_columns: dict[str, str] = {
        item.name: item.column_in(name, raw_columns) for item in mapping.get("items") or ()}
    for item, column in item_columns.items():
        if column not in raw_columns:
            raise InputError(f"{name}: column {column!r} (→ item {item!r}) not found; columns "
                             f"present: {', '.join(map(repr, raw_columns))}")
    check_item_names(item_columns, raw_columns, where=name)
    used = {case, act, ts, resource, department, party, automated, obj, SOURCE, EVENT_ID,
            "seq", "__seq", "ts_us", *CORE_COLUMNS, *item_columns.values()}
    extra = sorted([*(c for c in raw_columns if c not in used), *item_columns])
    select += [f"{_quote(item_columns[c])} AS {_quote(c)}" if c in item_columns
               else f"{_quote(c)}" for c in extra]
    names = [s.rsplit(" AS ", 1)[-1].strip('"') for s in select]
    where = (f"WHERE {_quote(case)} IS NOT NULL AND {_quote(act)} IS NOT NULL "
             f"AND {_quote(ts)} IS NOT NULL")
    return f"SELECT {', '.join(select)} FROM {raw} {where}", names


#: Rows per file in ``seq``: a file's position times this, plus the row's position in it.
_FILE_STRIDE: Final = 1 << 40


def _native(source: str, kind: str, *, backend: Backend, name: str,
            mapping: dict[str, Any]) -> tuple[list[str], int]:
    """Read ``source`` in the engine into the canonical view; (its columns, rows dropped)."""
    version = mapping.get("delta_version")
    if version is not None and kind != "delta":
        raise UsageError(f"{source}: delta_version is for Delta tables; this is read as {kind}.")
    if isinstance(backend, DuckDBBackend):
        _duckdb_raw(source, kind, backend=backend, mapping=mapping)
    else:
        assert isinstance(backend, SparkBackend)
        _spark_raw(source, kind, backend=backend, mapping=mapping)
    raw_columns = [c for c in backend.columns("pm_raw") if c not in ("__seq", "filename",
                                                                     "file_row_number")]
    select, names = _canonical_sql("pm_raw", raw_columns, name=name, engine=backend.name,
                                   mapping=mapping)
    backend.execute(f"CREATE OR REPLACE TEMP VIEW {EVENTS} AS {select}")
    counts = backend.sql(f"SELECT (SELECT count(*) FROM pm_raw) - (SELECT count(*) FROM "
                         f"{EVENTS}) AS dropped")
    return names, int(counts.iloc[0, 0])


def _delta(source: str, mapping: dict[str, Any]) -> DeltaFiles:
    """The Delta table's current files, resolved from its log (refused when a plain read
    would be wrong); an empty table is refused too (there is no event to load)."""
    from procmine.engine._delta import delta_files

    version = mapping.get("delta_version")
    found = delta_files(source, version=None if version is None else int(version))
    if not found.files:
        raise InputError(f"{source}: the Delta table (version {found.version}) holds no data "
                         "files: there are no events to load")
    return found


def _duckdb_raw(source: str, kind: str, *, backend: DuckDBBackend,
                mapping: dict[str, Any]) -> None:
    """``pm_raw`` in DuckDB: the file's rows and ``__seq`` (file, then row)."""
    backend.execute("SET TimeZone = 'UTC'")
    if kind == "csv":
        delimiter = mapping.get("delimiter")
        listed = "[" + ", ".join(_literal(f) for f in _files(source, kind)) + "]"
        options = f", delim = {_literal(delimiter)}" if delimiter else ""
        backend.execute("SET preserve_insertion_order = true")  # rowid = file order
        backend.execute(
            f"CREATE OR REPLACE TABLE pm_raw_table AS SELECT * FROM read_csv({listed}, "
            f"header = true, all_varchar = true{options})")
        backend.execute("SET preserve_insertion_order = false")
        backend.execute("CREATE OR REPLACE VIEW pm_raw AS SELECT *, rowid AS __seq "
                        "FROM pm_raw_table")
        return
    if kind == "parquet":
        if Path(source).is_dir():  # a table folder: Hive partition values from the paths
            parts = part_files(source)
            if parts.partition_columns:
                _duckdb_partitioned(backend, parts.files, parts.partitions,
                                    parts.partition_columns)
                return
        listed = "[" + ", ".join(_literal(f) for f in _files(source, kind)) + "]"
        backend.execute(
            "CREATE OR REPLACE VIEW pm_raw AS SELECT *, "
            f"(list_position({listed}, filename) - 1) * {_FILE_STRIDE} + file_row_number "
            f"AS __seq FROM read_parquet({listed}, filename = true, "
            "file_row_number = true, hive_partitioning = false)")
        return
    # Delta without a Delta reader: exactly the snapshot's files, partition values from
    # the log (they are not in the files)
    found = _delta(source, mapping)
    _duckdb_partitioned(backend, found.files, found.partitions, found.partition_columns)


def _duckdb_partitioned(backend: DuckDBBackend, files: Sequence[str], partitions: Any,
                        partition_columns: Sequence[str]) -> None:
    """``pm_raw`` over ``files`` with each file's partition values (a Delta log's or Hive
    paths') joined on by file; a partition column also stored in the files is taken from
    the partition values; columns added later are read by name (union_by_name)."""
    import pyarrow as pa

    lookup = partitions.append_column("__path", pa.array(list(files), pa.string()))
    backend.register("pm_part_files", lookup)
    listed = "[" + ", ".join(_literal(f) for f in files) + "]"
    read = (f"read_parquet({listed}, filename = true, file_row_number = true, "
            "union_by_name = true, hive_partitioning = false)")
    in_files = backend.columns(f"(SELECT * FROM {read} LIMIT 0)")
    hidden = ["filename", "file_row_number", *(c for c in partition_columns
                                               if c in in_files)]
    parts = "".join(f", p.{_quote(c)}" for c in partition_columns)
    backend.execute(
        f"CREATE OR REPLACE VIEW pm_raw AS SELECT r.* EXCLUDE ({', '.join(map(_quote, hidden))})"
        f"{parts}, p.__file * {_FILE_STRIDE} + r.file_row_number AS __seq "
        f"FROM {read} AS r JOIN pm_part_files AS p ON r.filename = p.__path")


def _delta_configured(spark: Any) -> bool:
    """True when the Spark session reads Delta itself (Delta Lake's SQL extension is set)."""
    try:
        extensions = spark.conf.get("spark.sql.extensions", "") or ""
    except Exception:
        return False
    return "io.delta.sql.DeltaSparkSessionExtension" in str(extensions)


def _spark_key(uri: str) -> str:
    """A Spark file URI in one spelling (``file:/x`` and ``file:///x`` alike)."""
    return "file:///" + uri[len("file:"):].lstrip("/") if uri.startswith("file:") else uri


def _spark_raw(source: str, kind: str, *, backend: SparkBackend,
               mapping: dict[str, Any]) -> None:
    """``pm_raw`` in Spark: the rows and ``__seq`` (file, then row: the file's position
    in read order, found by its path in ``_metadata``, times 2**40 plus the row's index)."""
    import pyarrow as pa
    from pyspark.sql import functions as F

    spark = backend.spark
    reader = spark.read
    partitions: Any = None
    if kind == "csv":
        delimiter = mapping.get("delimiter")
        frame = reader.options(header=True, sep=delimiter or ",").csv(
            [source] if _is_uri(source) else _files(source, kind))
        frame.withColumn("__seq", F.monotonically_increasing_id()).createOrReplaceTempView(
            "pm_raw")
        return
    if kind == "delta" and _delta_configured(spark):
        version = mapping.get("delta_version")
        if version is not None:
            reader = reader.option("versionAsOf", int(version))
        frame = reader.format("delta").load(source)
        order = sorted(frame.inputFiles())
    elif kind == "delta":
        found = _delta(source, mapping)
        frame = reader.option("mergeSchema", "true").parquet(*found.files)
        order = found.files
        partitions = found.partitions
    elif not _is_uri(source) and Path(source).is_dir():  # Hive values from the paths
        parts = part_files(source)
        frame = reader.option("mergeSchema", "true").parquet(*parts.files)
        order = parts.files
        if parts.partition_columns:
            partitions = parts.partitions
    else:
        frame = reader.parquet(source) if _is_uri(source) else reader.parquet(
            *_files(source, kind))
        order = sorted(frame.inputFiles()) if _is_uri(source) else _files(source, kind)
    position = {local_path(_spark_key(f)): n for n, f in enumerate(order)}
    keys, files = [], []
    for uri in frame.inputFiles():
        n = position.get(local_path(_spark_key(uri)))
        if n is None:
            raise InputError(f"{source}: Spark reads {uri}, which is not among the files "
                             f"resolved for it (first: {order[0]!r})")
        keys.append(_spark_key(uri))
        files.append(n)
    lookup = pa.table({"__key": pa.array(keys, pa.string()),
                       "__file": pa.array(files, pa.int64())})
    if partitions is not None:
        lookup = lookup.join(partitions, "__file")
        frame = frame.drop(*(c for c in partitions.column_names if c in frame.columns))
    file_path = F.regexp_replace(F.col("_metadata.file_path"), "^file:/+", "file:///")
    rows = frame.select("*", file_path.alias("__key"),
                        F.col("_metadata.row_index").alias("__row"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        files_frame = spark.createDataFrame(lookup)
    joined = rows.join(F.broadcast(files_frame), on="__key", how="inner")
    columns = [c for c in frame.columns] + [c for c in lookup.column_names
                                            if c not in ("__key", "__file")]
    joined.select(*(F.col(f"`{c}`") for c in columns),
                  (F.col("__file") * F.lit(_FILE_STRIDE) + F.col("__row")).alias("__seq")
                  ).createOrReplaceTempView("pm_raw")


def load(source: Any, *, engine: str, spark_master: str | None = None,
         temp_directory: str | None = None, memory_limit: str | None = None,
         spark_conf: dict[str, str] | None = None, name: str | None = None,
         items: Iterable[InformationItem] = (), max_spill: str | None = None,
         **mapping: Any) -> EngineLog:
    """Load an event log into DuckDB or Spark, mapped once into the canonical schema.

    Parameters
    ----------
    source : path, DataFrame or EventLog
        Parquet (file, folder of part files, glob), CSV and Delta tables are read by
        the engine itself; anything else :func:`procmine.load`
        reads (sources file, XES, OCEL, Excel, DataFrame) is loaded in memory and
        handed to the engine (see the module docstring).
    engine : {"duckdb", "spark"}, keyword-only
    spark_master : str, optional, keyword-only
        Spark master URL (``local[4]``, ``spark://host:7077``, ``yarn``) or a Spark
        Connect URL (``sc://host:15002``); default: an active session, else the
        standard Spark configuration (``spark-submit --master``), else ``local[*]``.
    temp_directory, memory_limit : str, optional, keyword-only
        DuckDB: where it spills beyond ``memory_limit`` (``"8GB"``; default 80% of RAM).
    max_spill : str, optional, keyword-only
        DuckDB: the most it may spill (``"30GB"``); beyond it a query fails instead of
        filling the disk.
    spark_conf : dict, optional, keyword-only
        Extra Spark settings.
    name : str, optional, keyword-only
        The log's name (default: the file's stem).
    items : iterable of InformationItem, keyword-only
        Information items of an engine-read file (a sources file declares its own).
    **mapping
        Column mapping options, as :func:`procmine.load` takes them; for a Delta table
        also ``delta_version`` (an older version of the table).

    Returns
    -------
    EngineLog

    Raises
    ------
    UsageError
        An unknown engine, or the engine's package (or Java, for Spark) is missing.
    InputError
        A mapped column is missing, the file does not exist, or a Delta table needs a
        reader feature plain Parquet cannot honour (the message names it).
    """
    check_choice(engine, ENGINES, option="engine")
    mapping = {k: v for k, v in mapping.items() if v is not None and k != "engine"}
    if isinstance(source, EngineLog):
        return source
    if isinstance(source, EventLog):
        return from_log(source, engine=engine, spark_master=spark_master,
                        temp_directory=temp_directory, memory_limit=memory_limit,
                        spark_conf=spark_conf)
    kind = _native_kind(source, mapping.get("format"))
    if kind is None:
        from procmine.log.load import load as load_in_memory

        log = load_in_memory(source, name=name, items=list(items) or None, **mapping)
        return from_log(log, engine=engine, spark_master=spark_master,
                        temp_directory=temp_directory, memory_limit=memory_limit,
                        spark_conf=spark_conf)
    unknown = sorted(set(mapping) - _NATIVE_OPTIONS)
    if unknown:
        raise UsageError(
            f"option(s) {', '.join(unknown)} are not read for a {kind} file loaded by the "
            f"engine; the engine reads: {', '.join(sorted(_NATIVE_OPTIONS))}.")
    backend = _backend(engine, spark_master=spark_master, temp_directory=temp_directory,
                       memory_limit=memory_limit, spark_conf=spark_conf, max_spill=max_spill)
    stem = name or _stem(str(source))
    declared = tuple(items)
    try:
        names, dropped = _native(str(source), kind, backend=backend, name=stem,
                                 mapping={**mapping, "items": declared})
    except BaseException:
        backend.close()
        raise
    declared = tuple(replace(i, columns={stem: i.column_in(stem, names)}) for i in declared)
    return EngineLog(backend=backend, name=stem, items=declared, columns=tuple(names),
                     rows_dropped=dropped)


def _stem(source: str) -> str:
    base = Path(source.rstrip("/")).name
    for suffix in (".csv.gz", *_NATIVE_SUFFIXES):
        if base.lower().endswith(suffix):
            return base[: -len(suffix)]
    return base.replace("*", "") or "log"
