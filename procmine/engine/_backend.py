"""The two engines behind :mod:`procmine.engine`: a DuckDB connection or a Spark session.

A backend registers tables (the canonical events, small lookup tables), runs one
kernel query (DuckDB dialect, transpiled for Spark by :mod:`procmine.engine._dialect`)
and returns the small result as pandas, and registers the one vectorised Python
function a kernel calls inside the engine (the cost model's working-time clock).
Both engines are optional imports: a missing one fails with what to install.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from procmine.engine._dialect import to_engine
from procmine.engine._require import java_available, require
from procmine.errors import UsageError

__all__ = ["Backend", "DuckDBBackend", "SparkBackend", "java_available", "require"]

#: Spark settings procmine's SQL relies on: times in UTC, Arrow transfers, non-ANSI casts.
SPARK_CONF: Final = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.ansi.enabled": "false",
}
#: And for small local runs (tests, a laptop): few shuffle partitions, no UI. A cluster's
#: (``spark-submit --conf``, ``spark-defaults.conf``) are left as they are.
SPARK_LOCAL_CONF: Final = {
    **SPARK_CONF,
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}


_DRIVER_JAVA_OPTIONS: Final = "spark.driver.extraJavaOptions"
#: The driver's log configuration for a local session procmine starts: errors only.
_QUIET_LOG: Final = Path(__file__).with_name("log4j2.properties")


def _own_spark_logging(conf: dict[str, str] | None) -> bool:
    """True when the user configures the driver JVM (its options, a Spark configuration
    folder, spark-submit arguments): procmine's quiet log is then not imposed."""
    return (_DRIVER_JAVA_OPTIONS in (conf or {})
            or any(os.environ.get(v) for v in ("SPARK_CONF_DIR", "PYSPARK_SUBMIT_ARGS")))


def _arrow(frame: pd.DataFrame | Any) -> Any:
    """A pandas frame as an Arrow table (an Arrow table as it is)."""
    import pyarrow as pa

    if isinstance(frame, pa.Table):
        return frame
    return pa.Table.from_pandas(frame, preserve_index=False)


def _active_session() -> Any:
    """The process's active Spark session (classic or Connect), if any."""
    from pyspark.sql import SparkSession

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return SparkSession.getActiveSession()


def _new_session(master: str | None, conf: dict[str, str] | None, *, connect: bool) -> Any:
    """A session built from ``master`` and ``conf`` over the local defaults."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("procmine")
    local = False
    if connect:
        if master:
            builder = builder.remote(master)
    elif master:
        builder = builder.master(master)
        local = master.startswith("local")
    elif not any(os.environ.get(v) for v in ("SPARK_MASTER", "MASTER", "PYSPARK_GATEWAY_PORT")):
        # (under spark-submit the JVM is running with its --master: PYSPARK_GATEWAY_PORT)
        builder = builder.master("local[*]")
        local = True
    if local and not os.environ.get("PYSPARK_PYTHON"):
        # local workers run this interpreter (with procmine and pandas); a cluster's
        # executors run the cluster's (spark.pyspark.python, PYSPARK_PYTHON)
        os.environ["PYSPARK_PYTHON"] = sys.executable
    # over Spark Connect only runtime SQL settings may be sent (the server's are its own)
    settings = dict(SPARK_LOCAL_CONF if local else SPARK_CONF)
    if local and not _own_spark_logging(conf):
        settings[_DRIVER_JAVA_OPTIONS] = f"-Dlog4j2.configurationFile={_QUIET_LOG.as_uri()}"
    for key, value in {**settings, **(conf or {})}.items():
        builder = builder.config(key, value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return builder.getOrCreate()


class Backend:
    """What a kernel needs from an engine (see the module docstring)."""

    name: str = ""

    def sql(self, query: str) -> pd.DataFrame:  # pragma: no cover - interface
        raise NotImplementedError

    def execute(self, statement: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def register(self, name: str, frame: pd.DataFrame | Any) -> None:  # pragma: no cover
        """Register ``frame`` (pandas, or an Arrow table) as the view ``name``."""
        raise NotImplementedError

    def materialize(self, name: str, query: str) -> None:  # pragma: no cover - interface
        """Compute ``query`` (DuckDB dialect) once into the table ``name`` (a small
        intermediate several aggregates read)."""
        raise NotImplementedError

    def register_function(self, name: str, fn: Callable[[np.ndarray], np.ndarray]
                          ) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def columns(self, table: str) -> list[str]:
        """Column names of ``table``."""
        query = f"SELECT * FROM {table} LIMIT 0"  # noqa: S608 - an internal view name
        return [str(c) for c in self.sql(query).columns]

    def close(self) -> None:  # pragma: no cover - interface
        return None


class DuckDBBackend(Backend):
    """An embedded DuckDB database that spills to ``temp_directory`` beyond ``memory_limit``.

    The database itself lives in a file in the temporary directory (removed on
    :meth:`close`), so tables read from CSV can be larger than memory too.
    """

    name = "duckdb"

    def __init__(self, *, temp_directory: str | os.PathLike[str] | None = None,
                 memory_limit: str | None = None, threads: int | None = None,
                 max_spill: str | None = None) -> None:
        duckdb = require("duckdb", "duckdb", "duckdb")
        self._dir = Path(tempfile.mkdtemp(prefix="procmine-duckdb-", dir=temp_directory))
        # every kernel orders by (case, time, seq) itself: no need to keep insertion order,
        # which lets DuckDB stream larger-than-memory work with less memory
        config: dict[str, Any] = {"temp_directory": str(self._dir / "spill"),
                                  "preserve_insertion_order": False}
        if memory_limit:
            config["memory_limit"] = memory_limit
        if max_spill:
            config["max_temp_directory_size"] = max_spill
        if threads:
            config["threads"] = int(threads)
        self.con = duckdb.connect(str(self._dir / "procmine.duckdb"), config=config)
        self.temp_directory = self._dir / "spill"
        self._kept: dict[str, Any] = {}

    def sql(self, query: str) -> pd.DataFrame:
        relation = self.con.sql(to_engine(query, "duckdb"))
        fetch = getattr(relation, "to_arrow_table", None) or relation.arrow
        return fetch().to_pandas()

    def execute(self, statement: str) -> None:
        self.con.execute(statement)

    def register(self, name: str, frame: pd.DataFrame | Any) -> None:
        table = _arrow(frame)
        self._kept[name] = table
        self.con.register(f"{name}__arrow", table)
        self.con.execute(
            f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {name}__arrow")  # noqa: S608

    def materialize(self, name: str, query: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {to_engine(query, 'duckdb')}")

    def register_function(self, name: str, fn: Callable[[np.ndarray], np.ndarray]) -> None:
        import pyarrow as pa
        types = require("duckdb", "duckdb", "duckdb")
        types = getattr(types, "sqltypes", None) or importlib.import_module("duckdb.typing")
        BIGINT, DOUBLE = types.BIGINT, types.DOUBLE

        def arrow_fn(values: Any) -> Any:
            micros = values.to_numpy(zero_copy_only=False).astype(np.int64)
            return pa.array(np.asarray(fn(micros), dtype=np.float64))

        try:
            self.con.remove_function(name)
        except Exception:  # noqa: S110 - not registered yet
            pass
        self.con.create_function(name, arrow_fn, [BIGINT], DOUBLE, type="arrow",
                                 side_effects=False)

    def spill_bytes(self) -> int:
        """Bytes in the spill directory now (DuckDB removes its files when done)."""
        if not self.temp_directory.exists():
            return 0
        return sum(p.stat().st_size for p in self.temp_directory.rglob("*") if p.is_file())

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)


class SparkBackend(Backend):
    """A Spark session: ``master`` (``local[N]``, ``spark://host:7077``, ``yarn``, ``k8s://``)
    or Spark Connect (``sc://host:15002``, through ``SparkSession.builder.remote``).

    Without ``master`` an active session is reused (``spark-submit``, a notebook's
    ``spark``), else the standard Spark configuration decides: ``SPARK_REMOTE`` (Spark
    Connect), ``spark-submit --master`` / ``MASTER``, else ``local[*]``. Over Spark
    Connect only runtime SQL settings are sent (a Connect server's static
    configuration is its own).
    """

    name = "spark"

    def __init__(self, *, master: str | None = None, conf: dict[str, str] | None = None,
                 session: Any = None) -> None:
        require("pyspark", "pyspark", "spark")
        connect = (master or "").startswith("sc://") or (
            not master and bool(os.environ.get("SPARK_REMOTE")))
        if session is None and not master:
            session = _active_session()
        if session is None:
            if connect:
                require("pyspark.sql.connect.session", "pyspark[connect]", "spark")
            elif not java_available():
                raise UsageError(
                    "the Spark engine needs a Java runtime (17 or later): install one "
                    "(e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME")
            session = _new_session(master, conf, connect=connect)
        self.spark = session
        try:
            session.sparkContext.setLogLevel("ERROR")
        except Exception:  # noqa: S110 - Spark Connect has no SparkContext
            pass

    @property
    def is_connect(self) -> bool:
        """True when the session is a Spark Connect client."""
        return type(self.spark).__module__.startswith("pyspark.sql.connect")

    def sql(self, query: str) -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            frame = self.spark.sql(to_engine(query, "spark"))
            table = frame.toArrow()
        return table.to_pandas()

    def execute(self, statement: str) -> None:
        self.spark.sql(to_engine(statement, "spark"))

    def register(self, name: str, frame: pd.DataFrame | Any) -> None:
        table = _arrow(frame)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            self.spark.createDataFrame(table).cache().createOrReplaceTempView(name)

    def materialize(self, name: str, query: str) -> None:
        frame = self.spark.sql(to_engine(query, "spark"))
        frame.cache().createOrReplaceTempView(name)

    def register_function(self, name: str, fn: Callable[[np.ndarray], np.ndarray]) -> None:
        from pyspark.sql.functions import pandas_udf

        def series_fn(values: pd.Series) -> pd.Series:
            return pd.Series(np.asarray(fn(values.to_numpy(dtype=np.int64)), dtype=np.float64))

        with warnings.catch_warnings():  # PySpark's pandas >= 3 notice (parity is tested)
            warnings.simplefilter("ignore", FutureWarning)
            self.spark.udf.register(name, pandas_udf(series_fn, "double"))  # type: ignore[call-overload]

    def close(self) -> None:
        return None
