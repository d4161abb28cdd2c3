"""The Parquet part files of a folder, Hive-partitioned or not, and their partition values.

A data lake's event table is usually a folder of part files; when it was written with
``partitionBy`` (Spark, Hive, pyarrow's ``partitioning="hive"``, DuckDB's
``PARTITION_BY``) the files sit in ``key=value`` folders and the partition column is
*only* in the path: ``events/source_system=SAP/event_date=2024-01-31/part-0.parquet``
holds no ``source_system`` or ``event_date`` column. :func:`part_files` lists such a
folder in read order (by relative path) and gives each file's partition values, so both
engines bring the columns back from the paths the same way, as Delta's partition values
come back from its log (:mod:`procmine.engine._delta`).

Values are text, as they are in the path: ``%XX`` escapes are decoded (Hive escapes
``/``, ``=``, ``%``, ``:`` and others so), and Hive's ``__HIVE_DEFAULT_PARTITION__``
(a null value) is null. Engines that infer a type from the path (Spark's own discovery,
DuckDB's ``hive_types``) are not asked to: ``event_date=2024-01-31`` and a department
code ``007`` come back as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote

from procmine.errors import InputError

#: How Hive writes a null partition value.
HIVE_NULL: Final = "__HIVE_DEFAULT_PARTITION__"


@dataclass(frozen=True)
class PartFiles:
    """The part files of a folder, in read order, and their partition values.

    Attributes
    ----------
    files : list of str
        The Parquet files, ordered by their path relative to the folder.
    partition_columns : list of str
        The ``key`` of each ``key=value`` folder level, outermost first (empty for a flat
        folder of part files).
    partitions : pyarrow.Table
        One row per file, in the order of ``files``: ``__file`` (its position) and the
        partition columns, as text.
    """

    files: list[str]
    partition_columns: list[str]
    partitions: Any


def _hidden(name: str) -> bool:
    """Spark's and Hadoop's bookkeeping (``_SUCCESS``, ``_temporary``, ``.crc`` files)."""
    return name.startswith(("_", "."))


def part_files(folder: str | Path) -> PartFiles:
    """The Parquet part files under ``folder`` and each one's partition values.

    Files directly in the folder are a flat table; files in ``key=value`` sub-folders
    (any depth) are a Hive-partitioned one. Mixing the two, or folders that partition by
    different keys, is refused: the table's columns would differ from file to file.

    Raises
    ------
    InputError
        A sub-folder that is not ``key=value``, files at different partition depths or
        keys, or a key repeated in one path (the message names the path).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for dept in ("Sales", "Warehouse"):
    ...     (root / f"dept={dept}").mkdir()
    ...     pd.DataFrame({"case_id": ["o1"]}).to_parquet(root / f"dept={dept}" / "part-0.parquet")
    >>> found = part_files(root)
    >>> found.partition_columns, found.partitions.column("dept").to_pylist()
    (['dept'], ['Sales', 'Warehouse'])
    >>> part_files(pathlib.Path(tempfile.mkdtemp())).files
    []
    """
    import pyarrow as pa

    root = Path(folder)
    files: list[Path] = []
    values: list[list[str | None]] = []
    keys: list[str] | None = None

    def visit(directory: Path, path_keys: list[str], path_values: list[str | None]) -> None:
        nonlocal keys
        for entry in sorted(directory.iterdir(), key=lambda p: p.name):
            if _hidden(entry.name):
                continue
            if entry.is_dir():
                key, sep, value = entry.name.partition("=")
                if not sep or not key:
                    raise InputError(
                        f"{entry}: a folder inside a Parquet table must be a Hive partition "
                        "named key=value (as written by partitionBy); move it out of the "
                        "table or name its files instead")
                key = unquote(key)
                if key in path_keys:
                    raise InputError(f"{entry}: partition column {key!r} appears twice in "
                                     "this path")
                visit(entry, [*path_keys, key],
                      [*path_values, None if value == HIVE_NULL else unquote(value)])
            elif entry.is_file() and entry.name.lower().endswith((".parquet", ".pq")):
                if keys is None:
                    keys = path_keys
                elif keys != path_keys:
                    raise InputError(
                        f"{entry}: partitioned by {_spelt(path_keys)}, but {files[0]} by "
                        f"{_spelt(keys)}; every file of a table sits at the same partition "
                        "levels")
                files.append(entry)
                values.append(path_values)

    if root.is_dir():
        visit(root, [], [])
    columns = keys or []
    table: dict[str, Any] = {"__file": pa.array(range(len(files)), type=pa.int64())}
    for n, column in enumerate(columns):
        table[column] = pa.array([v[n] for v in values], type=pa.string())
    return PartFiles(files=[str(f) for f in files], partition_columns=list(columns),
                     partitions=pa.table(table))


def _spelt(keys: list[str]) -> str:
    return ", ".join(keys) if keys else "nothing (files directly in the table's folder)"
