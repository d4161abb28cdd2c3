"""Delta tables and Parquet inputs read by the engines (DuckDB; Spark without the Delta jars).

Tables are written with delta-rs (``deltalake.write_deltalake``): an overwrite then an
append, so that files the current snapshot no longer holds are on disk; a table
partitioned by department (its values live in the log, not in the files); a table
with column mapping (delta-rs writes one) and a hand-edited protocol. The expected
events are computed independently of delta-rs and of the code under test: the test
replays the JSON log itself (adds minus removes), orders the live files by
``modificationTime`` then path, reads each with pyarrow and adds the partition values
the add action records; the in-memory kernels then run on those rows.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pyarrow.parquet as pq
import pytest

import procmine as pm
from procmine import EventLog
from procmine import engine as pe
from procmine.analysis.handoffs import handoffs
from procmine.discovery.dfg import process_map
from tests._engines import ENGINES, local_spark

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_logs" / "sources.toml"

deltalake = pytest.importorskip("deltalake", reason="pip install deltalake (procmine[delta])")
pytest.importorskip("duckdb", reason="DuckDB engine not installed (pip install 'procmine[duckdb]')")

#: The columns written to the tables: the sample's, without seq and event_id (the engine
#: numbers the rows itself, file then row).
COLUMNS = ["case_id", "activity", "timestamp", "resource", "department", "party", "automated",
           "source", "delivery_address"]


@pytest.fixture(scope="module")
def spark_session():
    """One local Spark session (no Delta jars) for the module."""
    for backend in local_spark():
        yield backend.spark


@pytest.fixture
def engine_load(request):
    """``pe.load`` on the test's engine (Spark's module session active)."""
    name = request.node.callspec.params["engine"]
    if name == "spark":
        request.getfixturevalue("spark_session")
    opened: list[pe.EngineLog] = []

    def load(source, **options) -> pe.EngineLog:
        opened.append(pe.load(source, engine=name, **options))
        return opened[-1]

    yield load
    for log in opened:
        if log.engine == "duckdb":
            log.close()


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    """200 of the sample's orders: Spark's cost is its queries, so a smaller table keeps
    every case the tests need (handoffs, waits, missing departments) at a lower cost."""
    events = pm.load(SAMPLE).events
    orders = sorted(events["case_id"].astype(str).unique())[:200]
    frame = events.loc[events["case_id"].astype(str).isin(orders), COLUMNS].copy()
    frame["party"] = frame["party"].astype("str")
    return frame.reset_index(drop=True)


def live_rows(table: Path) -> pd.DataFrame:
    """The table's current rows, by replaying its JSON log by hand: the live add actions
    ordered by modificationTime then path, each file's rows in file order, partition
    values from the add action."""
    live: dict[str, dict] = {}
    for commit in sorted((table / "_delta_log").glob("*.json")):
        for line in commit.read_text().splitlines():
            action = json.loads(line)
            if "add" in action:
                live[action["add"]["path"]] = action["add"]
            elif "remove" in action:
                live.pop(action["remove"]["path"], None)
    parts = []
    for add in sorted(live.values(), key=lambda a: (a["modificationTime"], a["path"])):
        part = pq.read_table(table / unquote(add["path"])).to_pandas()
        for column, value in add["partitionValues"].items():
            part[column] = value
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def in_memory(frame: pd.DataFrame) -> EventLog:
    frame = frame[COLUMNS].copy()
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame["automated"] = frame["automated"].astype("boolean")
    return EventLog.from_frame(frame)


def same_tables(expected: EventLog, got: pe.EngineLog) -> None:
    """Handoff table (department level) and DFG edges equal: counts and waits."""
    a = handoffs(expected, level="department").table
    b = pe.handoffs_table(got, level="department")
    pd.testing.assert_frame_equal(
        a.sort_values(["source", "target"]).reset_index(drop=True),
        b[list(a.columns)].sort_values(["source", "target"]).reset_index(drop=True),
        check_dtype=False)
    edges, engine_edges = process_map(expected).edges, pe.process_map(got).edges
    pd.testing.assert_frame_equal(
        edges.sort_values(["source", "target"]).reset_index(drop=True),
        engine_edges[list(edges.columns)].sort_values(["source", "target"]).reset_index(
            drop=True), check_dtype=False)


@pytest.fixture(scope="module")
def rewritten(rows, tmp_path_factory) -> Path:
    """v0: other orders; v1: overwrite with the first half of the sample; v2: append the
    rest. The v0 files stay on disk and must not be read."""
    path = tmp_path_factory.mktemp("delta") / "orders table"
    cases = rows["case_id"].drop_duplicates()
    first = rows["case_id"].isin(cases.iloc[: len(cases) // 2])
    stale = rows[first].assign(case_id=lambda f: "stale-" + f["case_id"])
    deltalake.write_deltalake(path, stale)
    deltalake.write_deltalake(path, rows[first], mode="overwrite")
    deltalake.write_deltalake(path, rows[~first], mode="append")
    return path


@pytest.mark.parametrize("engine", ENGINES)
def test_only_the_current_snapshot_is_read(engine, engine_load, rewritten, rows):
    on_disk = list(rewritten.glob("*.parquet"))
    assert len(on_disk) == 3  # the overwritten file is still there
    expected = live_rows(rewritten)
    assert len(expected) == len(rows) and not expected["case_id"].str.startswith("stale").any()
    got = engine_load(rewritten)
    assert (got.n_events, got.n_cases, got.rows_dropped) == (len(rows), rows["case_id"].nunique(),
                                                              0)
    same_tables(in_memory(expected), got)
    stale = got.backend.sql("SELECT count(*) AS n FROM pm_events WHERE case_id LIKE 'stale-%'")
    assert int(stale["n"].iloc[0]) == 0


def test_an_older_version_is_read_with_delta_version(rewritten, rows):
    got = pe.load(rewritten, engine="duckdb", delta_version=0)
    cases = got.backend.sql("SELECT DISTINCT case_id FROM pm_events")["case_id"]
    got.close()
    assert cases.str.startswith("stale-").all() and len(cases) == rows["case_id"].nunique() // 2


@pytest.fixture(scope="module")
def partitioned(rows, tmp_path_factory) -> Path:
    """Partitioned by department (missing departments in the null partition), written in
    two appends."""
    path = tmp_path_factory.mktemp("delta") / "by_department"
    half = len(rows) // 2
    deltalake.write_deltalake(path, rows.iloc[:half], partition_by=["department"])
    deltalake.write_deltalake(path, rows.iloc[half:], partition_by=["department"], mode="append")
    return path


@pytest.mark.parametrize("engine", ENGINES)
def test_partition_values_come_back_as_columns_and_seq_is_file_then_row(engine, engine_load,
                                                                       partitioned, rows):
    files = list(partitioned.rglob("*.parquet"))
    assert "department" not in pq.read_schema(files[0]).names  # only in the path and the log
    expected = live_rows(partitioned)
    got = engine_load(partitioned)
    read = got.backend.sql("SELECT case_id, activity, department FROM pm_events ORDER BY seq")
    for column in ("case_id", "activity", "department"):
        assert read[column].fillna("").tolist() == expected[column].fillna("").tolist(), column
    assert sorted(read["department"].fillna("")) == sorted(rows["department"].fillna(""))
    same_tables(in_memory(expected), got)


def test_column_mapping_is_refused_with_what_to_do(rows, tmp_path):
    path = tmp_path / "mapped"
    deltalake.write_deltalake(path, rows.head(5),
                              configuration={"delta.columnMapping.mode": "name"})
    with pytest.raises(pm.InputError, match=r"column mapping \(mode 'name'\).*"
                                            r"DeltaSparkSessionExtension"):
        pe.load(path, engine="duckdb")


def _edit_protocol(path: Path, **protocol) -> None:
    first = path / "_delta_log" / "00000000000000000000.json"
    lines = [json.loads(line) for line in first.read_text().splitlines()]
    for action in lines:
        if "protocol" in action:
            action["protocol"] = protocol
    first.write_text("\n".join(json.dumps(a) for a in lines) + "\n")


def test_a_reader_feature_plain_parquet_cannot_honour_is_refused_by_name(rows, tmp_path):
    path = tmp_path / "future"
    deltalake.write_deltalake(path, rows.head(5))
    _edit_protocol(path, minReaderVersion=3, minWriterVersion=7,
                   readerFeatures=["timestampNtz", "typeWidening"],
                   writerFeatures=["timestampNtz", "typeWidening"])
    with pytest.raises(pm.InputError, match=r"reader feature\(s\) typeWidening .*or rewrite it"):
        pe.load(path, engine="duckdb")


def test_deletion_vectors_enabled_but_unused_read_as_plain_parquet(rows, tmp_path):
    path = tmp_path / "dv"
    deltalake.write_deltalake(path, rows, configuration={"delta.enableDeletionVectors": "true"})
    table = deltalake.DeltaTable(path)
    assert "deletionVectors" in (table.protocol().reader_features or [])
    first_case = rows["case_id"].iloc[0]
    table.delete(f"case_id = '{first_case}'")  # delta-rs rewrites the file (no vector)
    with pe.load(path, engine="duckdb") as got:
        assert got.n_events == int((rows["case_id"] != first_case).sum())


_Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"


def _inline_deletion_vector(rows: list[int]) -> dict:
    """A Delta inline deletion vector deleting ``rows`` (< 65536) of a file, by the
    protocol's layout: magic, one 32-bit Roaring bitmap (portable format, one array
    container), Z85-encoded (padded to 4 bytes)."""
    rows = sorted(rows)
    roaring = (struct.pack("<II", 12346, 1) + struct.pack("<HH", 0, len(rows) - 1)
               + struct.pack("<I", 16) + b"".join(struct.pack("<H", r) for r in rows))
    data = struct.pack("<iqi", 1681511377, 1, 0) + roaring
    padded = data + b"\0" * (-len(data) % 4)
    text = []
    for i in range(0, len(padded), 4):
        value, chunk = int.from_bytes(padded[i:i + 4], "big"), []
        for _ in range(5):
            value, digit = divmod(value, 85)
            chunk.append(_Z85[digit])
        text += reversed(chunk)
    return {"storageType": "i", "pathOrInlineDv": "".join(text), "sizeInBytes": len(data),
            "cardinality": len(rows)}


def test_deletion_vectors_in_use_are_refused_with_what_to_do(rows, tmp_path):
    path = tmp_path / "deleted"
    deltalake.write_deltalake(path, rows.head(3),
                              configuration={"delta.enableDeletionVectors": "true"})
    first = path / "_delta_log" / "00000000000000000000.json"
    actions = [json.loads(line) for line in first.read_text().splitlines()]
    for action in actions:
        if "add" in action:  # row 1 deleted without rewriting the file
            action["add"]["deletionVector"] = _inline_deletion_vector([1])
    first.write_text("\n".join(json.dumps(a) for a in actions) + "\n")
    kept = deltalake.DeltaTable(path).deletion_vectors().read_all()
    assert kept.column("selection_vector").to_pylist() == [[True, False, True]]  # delta-rs
    with pytest.raises(pm.InputError, match=r"deletion vectors \(1 file\(s\) have rows "
                                            r"deleted.*APPLY \(PURGE\)"):
        pe.load(path, engine="duckdb")


def test_an_empty_or_missing_table_is_an_input_error(rows, tmp_path):
    with pytest.raises(pm.InputError, match="not a readable Delta table"):
        pe.load(tmp_path, engine="duckdb", format="delta")
    path = tmp_path / "rewritten"
    deltalake.write_deltalake(path, rows.head(3))
    with pytest.raises(pm.InputError, match="no version 7"):
        pe.load(path, engine="duckdb", delta_version=7)


# -- Parquet read by Spark: a folder of part files, a glob, one file -------------------------
@pytest.fixture(scope="module")
def parts(rows, tmp_path_factory) -> Path:
    """The sample in three part files, beside a _SUCCESS marker and a hidden file."""
    folder = tmp_path_factory.mktemp("parquet") / "events"
    folder.mkdir()
    cases = rows["case_id"].drop_duplicates()
    for n, chunk in enumerate(([*cases.iloc[:300]], [*cases.iloc[300:700]],
                               [*cases.iloc[700:]])):
        rows[rows["case_id"].isin(chunk)].to_parquet(folder / f"part-{n:05d}.snappy.parquet",
                                                     index=False)
    (folder / "_SUCCESS").write_text("")
    (folder / ".part-00003.snappy.parquet").write_bytes(b"not parquet")  # hidden: skipped
    return folder


def _by_name(folder: Path, pattern: str = "part-*.parquet") -> pd.DataFrame:
    return pd.concat([pd.read_parquet(p) for p in sorted(folder.glob(pattern))],
                     ignore_index=True)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("form", ["folder", "glob", "file"])
def test_parquet_folder_glob_and_file(engine, form, engine_load, parts):
    source = {"folder": str(parts), "glob": str(parts / "part-0000[12]*.parquet"),
              "file": str(parts / "part-00001.snappy.parquet")}[form]
    pattern = {"folder": "part-*.parquet", "glob": "part-0000[12]*.parquet",
               "file": "part-00001.snappy.parquet"}[form]
    expected = _by_name(parts, pattern)
    got = engine_load(source)
    order = got.backend.sql("SELECT case_id, activity FROM pm_events ORDER BY seq")
    assert order["case_id"].tolist() == expected["case_id"].tolist()  # files by name, then row
    assert order["activity"].tolist() == expected["activity"].tolist()
    if engine == "duckdb" or form == "folder":  # Spark runs the same kernels' SQL: once
        same_tables(in_memory(expected), got)


def test_delta_version_is_for_delta_tables_only(parts):
    with pytest.raises(pm.UsageError, match="delta_version is for Delta tables"):
        pe.load(parts, engine="duckdb", delta_version=1)


def test_a_lake_folder_is_read_by_the_engine_as_parquet():
    from procmine.engine.log import _native_kind

    assert _native_kind("s3a://lake/o2c/events/", None) == "parquet"
    assert _native_kind("abfss://c@acct.dfs.core.windows.net/o2c/orders", "delta") == "delta"
    assert _native_kind("s3a://lake/o2c/log.xes", None) is None  # read in memory


@pytest.fixture(scope="module")
def hive(rows, tmp_path_factory) -> Path:
    """The rows as a Hive-partitioned Parquet folder (pyarrow's ``partition_cols``, as
    Spark's ``partitionBy`` writes it): department and source only in the paths, a
    department with characters the path escapes, missing departments in Hive's null
    partition, beside a _SUCCESS marker."""
    import pyarrow as pa

    folder = tmp_path_factory.mktemp("hive") / "events"
    frame = rows.copy()
    frame.loc[frame["department"] == "Sales", "department"] = "Sales & Ops/EMEA"
    pq.write_to_dataset(pa.Table.from_pandas(frame, preserve_index=False), folder,
                        partition_cols=["department", "source"])
    (folder / "_SUCCESS").write_text("")
    return folder


def hive_rows(folder: Path) -> pd.DataFrame:
    """The folder's rows read by hand: files ordered by their path's parts, each file's
    rows in order, partition values decoded from the ``key=value`` folders."""
    parts = []
    files = sorted(folder.rglob("*.parquet"), key=lambda p: p.relative_to(folder).parts)
    for file in files:
        part = pq.read_table(file).to_pandas()
        for level in file.relative_to(folder).parts[:-1]:
            key, value = level.split("=", 1)
            part[key] = None if value == "__HIVE_DEFAULT_PARTITION__" else unquote(value)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_hive_partitioned_folder_brings_its_partition_columns_back(engine, engine_load, hive,
                                                                    rows):
    files = list(hive.rglob("*.parquet"))
    assert not {"department", "source"} & set(pq.read_schema(files[0]).names)
    assert any("%" in str(f) for f in files)  # the escaped department's folder
    expected = hive_rows(hive)
    assert expected["department"].isna().any()  # the null partition is there
    got = engine_load(hive)
    read = got.backend.sql("SELECT case_id, activity, department, source FROM pm_events "
                           "ORDER BY seq")
    for column in ("case_id", "activity", "department", "source"):
        assert read[column].fillna("").tolist() == expected[column].fillna("").tolist(), column
    assert "Sales & Ops/EMEA" in set(read["department"])
    assert sorted(read["source"]) == sorted(rows["source"])
    same_tables(in_memory(expected), got)


def test_a_folder_that_is_not_a_partition_is_refused_by_path(parts, tmp_path):
    import shutil

    table = tmp_path / "events"
    shutil.copytree(parts, table)
    (table / "backup").mkdir()
    with pytest.raises(pm.InputError, match=r"backup: a folder inside a Parquet table must be a "
                                            r"Hive partition named key=value"):
        pe.load(table, engine="duckdb")
    shutil.rmtree(table / "backup")
    (table / "region=EU").mkdir()
    (table / "part-00000.snappy.parquet").rename(table / "region=EU" / "part-0.parquet")
    with pytest.raises(pm.InputError, match=r"partitioned by region, but .* by nothing"):
        pe.load(table, engine="duckdb")
