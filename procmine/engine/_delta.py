"""A Delta table's current Parquet files, from its transaction log (delta-rs), for a plain read.

An engine without Delta Lake (DuckDB; Spark without the Delta jars) reads a Delta
table correctly by reading exactly the Parquet files the log's snapshot holds, in a
fixed order, and adding the partition values the log records for each file (they are
not in the files). :func:`delta_files` resolves them with the ``deltalake`` package
(delta-rs) and refuses a table whose reader protocol asks for what a plain Parquet
read cannot give: deletion vectors in use (deleted rows would come back), column
mapping (the files name columns by physical ids), or a reader feature it does not
know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import unquote

from procmine.engine._require import require
from procmine.errors import InputError

__all__ = ["DeltaFiles", "delta_files", "local_path"]

#: Reader features a plain Parquet read of the resolved files honours as they are:
#: they concern the log (checkpoints, vacuum) or a type Parquet holds natively.
_PLAIN_FEATURES: Final = frozenset({
    "timestampNtz", "v2Checkpoint", "vacuumProtocolCheck", "checkpointProtection",
})
#: Reader features checked for actual use: plain Parquet is right while they are not used.
_CHECKED_FEATURES: Final = frozenset({"deletionVectors", "columnMapping", "variantType"})
_CONFIGURE: Final = (
    "read it with a Spark session that has Delta Lake configured "
    "(--packages io.delta:delta-spark_2.13:<version> --conf "
    "spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension --conf "
    "spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog)")


@dataclass(frozen=True)
class DeltaFiles:
    """The files of one snapshot of a Delta table, in read order.

    Attributes
    ----------
    version : int
        The table version read.
    files : list of str
        The data files: local paths for a local table, else URIs; ordered by the
        ``modificationTime`` their add action records, then path (the order they were
        committed in, fixed by the log, so ``seq`` is the same on every read).
    partition_columns : list of str
        Columns whose values the log holds per file.
    partitions : pyarrow.Table
        One row per file, in the order of ``files``: ``__file`` (its position) and the
        partition columns, typed as the table's schema says.
    """

    version: int
    files: list[str]
    partition_columns: list[str]
    partitions: Any


def local_path(uri: str) -> str:
    """A ``file:`` URI as a local path; other URIs and paths unchanged.

    Examples
    --------
    >>> local_path("file:///tmp/t%204/part-0.parquet")
    '/tmp/t 4/part-0.parquet'
    >>> local_path("s3://bucket/t/part-0.parquet")
    's3://bucket/t/part-0.parquet'
    """
    if uri.startswith("file:"):
        return unquote(re.sub(r"^file:/+", "/", uri))
    return uri


def _data_file(root: str, path: str) -> str:
    """An add action's ``path`` (a URI, relative to the table's root unless absolute) as
    the file's path or URI."""
    if "://" in path or path.startswith("file:"):
        return local_path(path) if path.startswith("file:") else path
    return root + "/" + unquote(path)


def _refuse(source: str, feature: str, why: str, fix: str) -> InputError:
    return InputError(
        f"{source}: this Delta table uses {feature} ({why}), which a plain Parquet read of "
        f"its files cannot honour; {_CONFIGURE}, or {fix}.")


def _check_protocol(table: Any, source: str) -> None:
    protocol = table.protocol()
    reader = int(protocol.min_reader_version)
    features = set(protocol.reader_features or ())
    configuration = dict(table.metadata().configuration or {})
    if reader > 3:
        raise _refuse(source, f"reader protocol version {reader}", "newer than procmine knows",
                      "upgrade procmine")
    mode = configuration.get("delta.columnMapping.mode", "none")
    if mode != "none" and (reader == 2 or "columnMapping" in features):
        raise _refuse(source, f"column mapping (mode {mode!r})",
                      "its Parquet files name the columns by physical ids, not by their names",
                      "rewrite it without column mapping")
    unknown = sorted(features - _PLAIN_FEATURES - _CHECKED_FEATURES)
    if unknown:
        raise _refuse(source, "the reader feature(s) " + ", ".join(unknown),
                      "its files are read by the Delta protocol's rules, not as they are",
                      "rewrite it without them")
    if "variantType" in features and '"variant"' in table.schema().to_json():
        raise _refuse(source, "variant columns", "semi-structured values Parquet holds "
                      "encoded", "leave the variant columns out of the extract")
    if "deletionVectors" in features:
        deleted = table.deletion_vectors().read_all()
        if deleted.num_rows:
            raise _refuse(source, "deletion vectors",
                          f"{deleted.num_rows} file(s) have rows deleted without being "
                          "rewritten, and a plain read would bring them back",
                          "purge them first (REORG TABLE ... APPLY (PURGE))")


def delta_files(source: str, *, version: int | None = None) -> DeltaFiles:
    """Resolve the current (or ``version``'s) data files of the Delta table at ``source``.

    Parameters
    ----------
    source : str
        The table's folder (the one holding ``_delta_log``) or URI.
    version : int, optional, keyword-only
        A table version to read (time travel); default the latest.

    Returns
    -------
    DeltaFiles

    Raises
    ------
    UsageError
        ``deltalake`` is not installed.
    InputError
        Not a Delta table, no such version, or a reader feature a plain Parquet read
        cannot honour (the message names it and what to do).

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from deltalake import write_deltalake
    >>> path = tempfile.mkdtemp() + "/orders"
    >>> write_deltalake(path, pd.DataFrame({"case_id": ["o1"], "dept": ["Sales"]}),
    ...                 partition_by=["dept"])
    >>> found = delta_files(path)
    >>> found.version, found.partition_columns, found.partitions.column("dept").to_pylist()
    (0, ['dept'], ['Sales'])
    """
    deltalake = require("deltalake", "deltalake", "delta")
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        table = deltalake.DeltaTable(source, version=version)
    except Exception as error:  # delta-rs raises its own error types, by message
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        if version is not None and "version" in text.lower():
            raise InputError(f"{source}: Delta table has no version {version} ({text})"
                             ) from None
        raise InputError(f"{source}: not a readable Delta table ({text})") from None
    _check_protocol(table, source)
    partition_columns = [str(c) for c in table.metadata().partition_columns]
    actions = pa.table(table.get_add_actions(flatten=True))
    order = pc.sort_indices(pa.table({
        "t": actions.column("modification_time"), "p": actions.column("path")}),
        sort_keys=[("t", "ascending"), ("p", "ascending")])
    ordered = actions.take(order)
    root = local_path(str(table.table_uri)).rstrip("/")
    files = [_data_file(root, str(path)) for path in ordered.column("path").to_pylist()]
    columns: dict[str, Any] = {"__file": pa.array(range(len(files)), type=pa.int64())}
    for column in partition_columns:
        columns[column] = ordered.column(f"partition.{column}")
    return DeltaFiles(version=int(table.version()), files=files,
                      partition_columns=partition_columns, partitions=pa.table(columns))
