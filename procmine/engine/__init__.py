"""The same analysis on DuckDB and Spark: one definition per kernel, several engines.

``procmine.engine.load(source, engine="duckdb"|"spark")`` maps an event log once
into the canonical schema inside the engine (:mod:`procmine.engine.log`); the
kernels (:mod:`procmine.engine.kernels`: DFG and process map, handoffs, rework,
re-entry, KPIs, the report's tables) run there and return the pandas tables the
in-memory kernels return, in the same columns, so maps, report and deck need no
change. DuckDB is for logs larger than memory on one machine (it spills to disk
beyond ``memory_limit``), Spark for a cluster (local mode, ``--spark-master``,
Spark Connect). Install with ``pip install 'procmine[duckdb]'`` or
``'procmine[spark]'`` (Spark also needs a Java 17+ runtime).

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

from procmine.engine._dialect import ENGINES, to_engine
from procmine.errors import UsageError

if TYPE_CHECKING:  # imported on first use, so that loading in memory never pays for them
    from procmine.engine.kernels import (
        actor_sql,
        concurrent_pairs,
        dfg_tables,
        handoff_summary,
        handoffs_table,
        kpi_tables,
        process_map,
        reentry_tables,
        report_tables,
        rework_tables,
    )
    from procmine.engine.log import EVENTS, EngineLog, from_log

#: Where :func:`load` can put a log: ``pandas`` (in memory, an ``EventLog``), then
#: the SQL engines (:data:`ENGINES`).
LOAD_ENGINES: Final = ("pandas", *ENGINES)

_LAZY = {"actor_sql": "kernels", "concurrent_pairs": "kernels", "dfg_tables": "kernels",
         "handoff_summary": "kernels", "handoffs_table": "kernels", "kpi_tables": "kernels",
         "process_map": "kernels", "reentry_tables": "kernels", "report_tables": "kernels",
         "rework_tables": "kernels", "EVENTS": "log", "EngineLog": "log", "from_log": "log"}


def __getattr__(name: str) -> Any:
    """The kernels and the engine log, imported on first use (PEP 562)."""
    if name in _LAZY:
        return getattr(importlib.import_module(f"procmine.engine.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'procmine.engine' has no attribute {name!r}")


def load(source: Any, *, engine: str = "pandas", spark_master: str | None = None,
         **options: Any) -> Any:
    """Load an event log in memory (``engine="pandas"``, the default) or on DuckDB or Spark.

    This is ``procmine.load``. With ``engine="pandas"`` the options go to the
    in-memory loader, :func:`procmine.log.load.load` (its docstring lists
    them), and an :class:`~procmine.EventLog` comes back; with ``"duckdb"``
    or ``"spark"`` they go to :func:`procmine.engine.log.load` and an
    :class:`EngineLog` comes back (extras ``procmine[duckdb]``,
    ``procmine[spark]``; on the command line ``--engine``).

    Parameters
    ----------
    source : path, DataFrame or EventLog
        What to load.
    engine : {"pandas", "duckdb", "spark"}, keyword-only
    spark_master : str, optional, keyword-only
        With ``engine="spark"``: the Spark master URL (``local[2]``,
        ``spark://host:7077``, ``sc://host:15002``); on the command line ``--spark-master``.
    **options
        The column mapping and reading options (``case_id=``, ``timestamp=``, ...).

    Raises
    ------
    UsageError
        An unknown engine, ``spark_master`` without Spark, or the engine's
        package is not installed.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"Order": ["SO-1", "SO-1"], "Step": ["Enter", "Pick"],
    ...                       "At": ["2024-01-01 09:00", "2024-01-01 11:00"]})
    >>> load(frame, case_id="Order", activity="Step", timestamp="At")
    EventLog('dataframe': 2 events, 1 cases, 2 activities)
    >>> load(frame, engine="polars")
    Traceback (most recent call last):
    ...
    procmine.errors.UsageError: engine 'polars' is unknown; expected one of pandas, duckdb, spark
    """
    if engine not in LOAD_ENGINES:
        raise UsageError(f"engine {engine!r} is unknown; expected one of "
                         f"{', '.join(LOAD_ENGINES)}")
    if spark_master is not None and engine != "spark":
        raise UsageError(f"spark_master applies to engine='spark' only (on the command line "
                         f"--engine spark --spark-master URL); the engine is {engine!r}")
    if engine == "pandas":
        from procmine.log.load import load as load_in_memory

        return load_in_memory(source, **options)
    from procmine.engine.log import load as load_on_engine

    return load_on_engine(source, engine=engine, spark_master=spark_master, **options)


__all__ = [
    "ENGINES",
    "EVENTS",
    "LOAD_ENGINES",
    "EngineLog",
    "actor_sql",
    "concurrent_pairs",
    "dfg_tables",
    "from_log",
    "handoff_summary",
    "handoffs_table",
    "kpi_tables",
    "load",
    "process_map",
    "reentry_tables",
    "report_tables",
    "rework_tables",
    "to_engine",
]
