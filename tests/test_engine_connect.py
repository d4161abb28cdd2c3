"""Spark Connect: the handoff table over a Connect session equals pandas on the sample.

pyspark 4 ships the Connect server: ``SparkSession.builder.remote("local[1]")`` starts
one on this machine and connects to it over gRPC. The session runs in a child process:
Connect mode is process-wide in pyspark (environment variables it sets), so it must
not leak into the other modules' classic sessions. The child loads the sample (in
memory, handed over as Arrow) and a Delta table of its events (read as Parquet files,
``_metadata`` and ``inputFiles`` over Connect), computes the department handoff table — whose
queue waits run the cost model's working-time clock as a pandas (Arrow) UDF on the
server's Python workers — and prints the tables as JSON. Skipped, with the reason,
when pyspark's Connect client or a Java runtime is missing, or the server cannot start.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

import procmine as pm
from procmine.analysis.handoffs import handoffs
from procmine.engine._require import java_available

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_logs" / "sources.toml"
#: Seconds the child may take (a Connect server starts in ~30 s on 2 idle cores).
TIMEOUT = 540

pytest.importorskip("pyspark", reason="pyspark not installed (pip install 'procmine[spark]')")
for _module in ("grpc", "grpc_status", "google.rpc", "zstandard"):
    pytest.importorskip(_module, reason=f"Spark Connect client needs {_module} "
                        "(pip install 'pyspark[connect]')")
pytest.importorskip("deltalake", reason="pip install deltalake (procmine[delta])")
if not java_available():
    pytest.skip("no Java runtime (the local Spark Connect server needs Java 17+)",
                allow_module_level=True)

CHILD = textwrap.dedent("""
    import json, os, sys, warnings
    warnings.simplefilter("ignore")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession
    try:
        spark = (SparkSession.builder.remote("local[1]")
                 .config("spark.sql.shuffle.partitions", "2").getOrCreate())
        spark.sql("SELECT 1").collect()
    except Exception as error:
        print(json.dumps({"skip": f"{type(error).__name__}: {str(error)[:300]}"}))
        sys.exit(0)
    from procmine import engine as pe
    from procmine.engine._backend import SparkBackend
    sample, delta = sys.argv[1], sys.argv[2]
    backend = SparkBackend()  # the active session: the Connect one
    elog = pe.load(sample, engine="spark")
    table = pe.handoffs_table(elog, level="department")
    delta_log = pe.load(delta, engine="spark")
    try:  # the same server through its URL: spark_master="sc://..." (builder.remote)
        by_url = pe.load(sample, engine="spark", spark_master="sc://localhost:15002")
        url = {"n_events": by_url.n_events, "connect": by_url.backend.is_connect}
    except Exception as error:
        url = {"error": f"{type(error).__name__}: {str(error)[:300]}"}
    print(json.dumps({
        "url": url,
        "connect": backend.is_connect and type(elog.backend.spark).__module__,
        "handoffs": table.to_json(orient="split", double_precision=15),
        "delta_handoffs": pe.handoffs_table(delta_log, level="department").to_json(
            orient="split", double_precision=15),
        "delta_events": delta_log.n_events,
    }))
    spark.stop()
""")


def _frame(text: str) -> pd.DataFrame:
    return pd.read_json(StringIO(text), orient="split")


def _same(expected: pd.DataFrame, got: pd.DataFrame) -> None:
    a = expected.sort_values(["source", "target"]).reset_index(drop=True)
    b = got[list(expected.columns)].sort_values(["source", "target"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-9)


@pytest.fixture(scope="module")
def over_connect(tmp_path_factory) -> dict:
    import deltalake

    sample = pm.load(SAMPLE)
    rows = sample.events.drop(columns=["seq", "event_id"]).astype({"party": "str"})
    delta = tmp_path_factory.mktemp("connect") / "orders"
    first = rows["case_id"] < rows["case_id"].iloc[len(rows) // 2]
    deltalake.write_deltalake(delta, rows[first])
    deltalake.write_deltalake(delta, rows[~first], mode="append")
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    env.pop("SPARK_REMOTE", None)
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, str(SAMPLE), str(delta)],
                              capture_output=True, text=True, timeout=TIMEOUT, env=env,
                              cwd=ROOT)
    except subprocess.TimeoutExpired:
        pytest.skip(f"the local Spark Connect server did not answer within {TIMEOUT} s")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    result = json.loads(lines[-1])
    if "skip" in result:
        pytest.skip(f"the local Spark Connect server cannot start here: {result['skip']}")
    result["sample"], result["rows"] = sample, rows
    return result


def test_the_session_is_a_connect_client(over_connect):
    assert over_connect["connect"] == "pyspark.sql.connect.session"


def test_spark_master_sc_url_connects(over_connect):
    # the local server listens on Connect's default port (pyspark's SPARK_TESTING mode
    # picks a random one instead)
    if os.environ.get("SPARK_TESTING"):
        pytest.skip("SPARK_TESTING: the local Connect server's port is not 15002")
    assert over_connect["url"] == {"n_events": over_connect["sample"].n_events,
                                   "connect": True}


def test_handoffs_over_connect_equal_pandas_on_the_sample(over_connect):
    expected = handoffs(over_connect["sample"], level="department").table
    got = _frame(over_connect["handoffs"])
    assert int(got["count"].sum()) == int(expected["count"].sum()) > 0
    assert got["queue_wait_s"].gt(0).any()  # the working-time UDF ran on the server
    _same(expected, got)


def test_a_delta_table_over_connect(over_connect):
    # the sample's events in their canonical order, in two appends: the table read as its
    # Parquet files (file, then row) keeps every order's events in the sample's order
    assert over_connect["delta_events"] == len(over_connect["rows"])
    expected = handoffs(over_connect["sample"], level="department").table
    _same(expected, _frame(over_connect["delta_handoffs"]))
