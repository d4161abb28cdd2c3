"""What the engine tests share: why Spark can't run here (if it can't), and the engines to
parametrize over (DuckDB always; Spark local when pyspark and a Java runtime are present)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from procmine.engine._require import java_available


def _spark_reason() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark not installed (pip install 'procmine[spark]')"
    return None if java_available() else "no Java runtime (Spark needs Java 17+)"


#: None when Spark local mode can run here, else why not (the skip reason).
SPARK_REASON: str | None = _spark_reason()
#: ``@pytest.mark.parametrize("engine", ENGINES)``: DuckDB, and Spark unless skipped.
ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.skipif(
    SPARK_REASON is not None, reason=SPARK_REASON or ""))]


def local_spark() -> Iterator[Any]:
    """A local Spark backend for one test module (2 threads, 2 shuffle partitions), stopped
    after it; skips when Spark can't run here. Use as a module fixture's body:
    ``yield from local_spark()``."""
    if SPARK_REASON is not None:
        pytest.skip(SPARK_REASON)
    from procmine.engine._backend import SparkBackend

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        backend = SparkBackend(master="local[2]", conf={"spark.sql.shuffle.partitions": "2",
                                                         "spark.default.parallelism": "2"})
    try:
        yield backend
    finally:
        backend.spark.stop()
