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

from procmine.engine._dialect import ENGINES, to_engine
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
from procmine.engine.log import EVENTS, EngineLog, from_log, load

__all__ = [
    "ENGINES",
    "EVENTS",
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
