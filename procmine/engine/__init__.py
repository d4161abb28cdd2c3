"""The same analysis on DuckDB and Spark: one definition per kernel, several engines.

:func:`load` is the engine-aware entry point (``procmine.load``): ``engine="pandas"``
(the default) loads in memory with :func:`procmine.log.load.load`; ``"duckdb"`` and
``"spark"`` map the log once into the canonical schema inside the engine
(:func:`procmine.engine.log.load`). The kernels (:mod:`procmine.engine.kernels`: DFG
and process map, handoffs, rework, re-entry, KPIs, the report's tables) run there and
return the pandas tables the in-memory kernels return, in the same columns, so maps,
report and deck need no change. DuckDB is for logs larger than memory on one machine
(it spills to disk beyond ``memory_limit``), Spark for a cluster (local mode,
``--spark-master``, Spark Connect). Install with ``pip install 'procmine[duckdb]'`` or
``'procmine[spark]'`` (Spark also needs a Java 17+ runtime).

The kernels and the engine log are imported on first use (``procmine.engine.handoffs_table``
and the like), so loading in memory imports no engine.

Examples
--------
>>> import pandas as pd
>>> from procmine import EventLog
>>> from procmine import engine
>>> f = pd.DataFrame({"case_id": ["o1", "o1", "o2"], "activity": ["Enter", "Pick", "Enter"],
...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00",
...                                  "2024-01-02 09:00"], utc=True),
...     "department": ["Sales", "Warehouse", "Sales"]})
>>> with engine.load(EventLog.from_frame(f), engine="duckdb") as elog:
...     engine.handoffs_table(elog, level="department", costs=None)[["source", "target", "count"]]
  source     target  count
0  Sales  Warehouse      1
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

from procmine.engine._dialect import ENGINES as SQL_ENGINES
from procmine.errors import UsageError

if TYPE_CHECKING:
    from procmine.engine.kernels import (
        actor_sql,
        concurrent_pairs,
        dfg_tables,
        handoff_summary,
        handoffs_table,
        kpi_tables,
        log_facts,
        process_map,
        reentry_tables,
        report_tables,
        rework_tables,
        variants_table,
    )
    from procmine.engine.log import EVENTS, EngineLog, from_log

__all__ = [
    "ENGINES",
    "EVENTS",
    "LOAD_ENGINES",
    "SQL_ENGINES",
    "EngineLog",
    "actor_sql",
    "concurrent_pairs",
    "dfg_tables",
    "from_log",
    "handoff_summary",
    "handoffs_table",
    "kpi_tables",
    "load",
    "log_facts",
    "process_map",
    "reentry_tables",
    "report_tables",
    "rework_tables",
    "variants_table",
]

#: Every engine: ``pandas`` (in memory, the default) and the SQL engines.
ENGINES: Final = ("pandas", *SQL_ENGINES)
#: The engines ``load`` and ``--engine`` take (the same tuple, by the name the CLI uses).
LOAD_ENGINES: Final = ENGINES

_FROM: Final = {
    **{name: "procmine.engine.kernels" for name in (
        "actor_sql", "concurrent_pairs", "dfg_tables", "handoff_summary", "handoffs_table",
        "kpi_tables", "log_facts", "process_map", "reentry_tables", "report_tables",
        "rework_tables", "variants_table")},
    **{name: "procmine.engine.log" for name in ("EVENTS", "EngineLog", "from_log")},
}


def __getattr__(name: str) -> Any:
    """The kernels and the engine log, imported on first use (looked up each time)."""
    module = _FROM.get(name)
    if module is None:
        raise AttributeError(f"module 'procmine.engine' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def load(source: Any, *, engine: str = "pandas", spark_master: str | None = None,
         **options: Any) -> Any:
    """Load an event log in memory (``engine="pandas"``) or into DuckDB or Spark.

    Parameters
    ----------
    source : path or DataFrame
        What :func:`procmine.log.load.load` reads; the SQL engines read Parquet, CSV and
        Delta tables themselves (both engines; see :mod:`procmine.engine.log`).
    engine : {"pandas", "duckdb", "spark"}, keyword-only
    spark_master : str, optional, keyword-only
        With ``engine="spark"``: the master URL or a Spark Connect ``sc://`` URL.
    **options
        Mapping options (as :func:`procmine.log.load.load` takes them) and, for the SQL
        engines, :func:`procmine.engine.log.load`'s own (``memory_limit``, ...).

    Returns
    -------
    EventLog or EngineLog

    Raises
    ------
    UsageError
        An unknown engine, ``spark_master`` without Spark, or the engine's package is
        not installed.

    Examples
    --------
    >>> load("x.csv", engine="polars")
    Traceback (most recent call last):
    ...
    procmine.errors.UsageError: engine 'polars' is unknown; expected one of pandas, duckdb, spark
    """
    if engine not in ENGINES:
        raise UsageError(f"engine {engine!r} is unknown; expected one of {', '.join(ENGINES)}")
    if spark_master is not None and engine != "spark":
        raise UsageError(f"spark_master applies to engine='spark' only (on the command line "
                         f"--engine spark --spark-master URL); the engine is {engine!r}")
    if engine == "pandas":
        from procmine.log.load import load as load_in_memory

        return load_in_memory(source, **options)
    engine_log = importlib.import_module("procmine.engine.log")
    return engine_log.load(source, engine=engine, spark_master=spark_master, **options)
