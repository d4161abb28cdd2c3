"""The engines give the in-memory kernels' tables: pandas, DuckDB and Spark local, side by side.

Each table of :mod:`procmine.engine.kernels` is compared with the in-memory kernel it
mirrors (an independent implementation: numpy/pandas positions, not SQL windows) on
the generated sample, on the shared OCEL log (skipped when absent), on hand-built tiny
logs with hand-computed figures, and on property-based small logs with tied
timestamps, missing actors and one-event cases. Counts must be equal, waits equal to
the microsecond, money to 1e-9 relative. One Spark session serves the whole module
(skipped, with the reason, when pyspark or a Java runtime is missing).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import procmine as pm
from procmine import EventLog
from procmine import engine as pe
from procmine.analysis.handoffs import handoffs
from procmine.analysis.kpis import kpis
from procmine.analysis.reentry import reentry
from procmine.analysis.rework import rework
from procmine.discovery.dfg import process_map
from tests._engines import ENGINES, SPARK_REASON, local_spark

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_logs" / "sources.toml"
OCEL = ROOT.parent / "shared" / "logs" / "ocel2_order-management.xml.gz"

pytest.importorskip("duckdb", reason="DuckDB engine not installed (pip install 'procmine[duckdb]')")
pytest.importorskip("sqlglot", reason="sqlglot not installed (pip install 'procmine[spark]')")



@pytest.fixture(scope="module")
def spark_backend():
    """One local Spark session for the module."""
    yield from local_spark()


@pytest.fixture(scope="module")
def duckdb_backend():
    from procmine.engine._backend import DuckDBBackend

    backend = DuckDBBackend(memory_limit="1GB")
    yield backend
    backend.close()


@pytest.fixture
def to_engine(request, duckdb_backend):
    """Hand a log to the engine named by the test's ``engine`` parameter."""
    name = request.node.callspec.params["engine"]
    backend = duckdb_backend if name == "duckdb" else request.getfixturevalue("spark_backend")

    def put(log: EventLog) -> pe.EngineLog:
        return pe.from_log(log, engine=name, backend=backend)

    return put


@pytest.fixture(scope="module")
def sample() -> EventLog:
    return pm.load(SAMPLE)


def same(expected: pd.DataFrame, got: pd.DataFrame, keys: list[str]) -> None:
    """Same columns, same rows (matched on ``keys``), counts equal, floats to 1e-6 / 1e-9."""
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected)
    a = expected.sort_values(keys, kind="stable").reset_index(drop=True)
    b = got.sort_values(keys, kind="stable").reset_index(drop=True)
    for column in a.columns:
        x, y = a[column], b[column]
        if pd.api.types.is_float_dtype(x.dtype) or pd.api.types.is_float_dtype(y.dtype):
            np.testing.assert_allclose(y.to_numpy(dtype=float), x.to_numpy(dtype=float),
                                       rtol=1e-9, atol=1e-6, err_msg=column)
        else:
            assert x.astype(object).where(x.notna(), None).tolist() == y.astype(object).where(
                y.notna(), None).tolist(), column


def all_kernels_agree(log: EventLog, elog: pe.EngineLog, *, levels=("department", "resource",
                                                                   "party"),
                      reentry_levels=("department", "source")) -> None:
    for level in levels:
        expected = handoffs(log, level=level).table
        got = pe.handoffs_table(elog, level=level)
        same(expected, got, ["source", "target"])
        order = got[["cost", "source", "target"]].to_records(index=False).tolist()
        assert order == sorted(order, key=lambda r: (-r[0], r[1], r[2]))
    mine, theirs = process_map(log), pe.process_map(elog)
    for name in ("nodes", "edges", "start", "end"):
        keys = ["source", "target"] if name == "edges" else ["activity"]
        same(mine.tables[name], theirs.tables[name], keys)
    assert (theirs.n_edges_total, theirs.simplified) == (mine.n_edges_total, mine.simplified)
    found = rework(log)
    got = pe.rework_tables(elog)
    same(found.table, got["table"], ["activity", "level_value", "kind"])
    same(found.by_kind, got["by_kind"], ["kind"])
    k, ek = kpis(log), pe.kpi_tables(elog)
    same(k.orders, ek["orders"], ["case_id"])
    same(k.daily, ek["daily"], ["period"])
    same(k.weekly, ek["weekly"], ["period"])
    for level in reentry_levels:
        r, er = reentry(log, level=level), pe.reentry_tables(elog, level=level)
        assert er["signal"] == r.signal
        same(r.summary, er["summary"], ["item", "first_by", "by"])
        same(r.by_item, er["by_item"], ["item"])


# -- the sample ------------------------------------------------------------------------
#: Spark runs the very SQL text DuckDB runs (transpiled): it is checked on every kernel at
#: one level, DuckDB at every level, to keep the module within its CI budget.
SPARK_LEVELS = {"levels": ("department",), "reentry_levels": ("department",)}


def _levels(engine: str) -> dict:
    return SPARK_LEVELS if engine == "spark" else {}


@pytest.mark.parametrize("engine", ENGINES)
def test_sample_every_table_agrees(engine, to_engine, sample):
    all_kernels_agree(sample, to_engine(sample), **_levels(engine))


def test_sample_report_tables_are_the_kernels_tables(duckdb_backend, sample):
    tables = pe.report_tables(pe.from_log(sample, engine="duckdb", backend=duckdb_backend))
    assert set(tables) == {"dfg", "handoffs", "reentry", "rework", "kpis_daily", "kpis_weekly"}
    found = handoffs(sample, level="department")
    same(found.table, tables["handoffs"][list(found.table.columns)], ["source", "target"])
    assert list(tables["handoffs"].columns[:7]) == ["source", "target", "count", "cases",
                                                    "median_wait_s", "p90_wait_s", "cost"]
    assert int(tables["handoffs"]["count"].sum()) == found.count
    assert list(tables["dfg"].columns) == ["source", "target", "count", "median_wait_s",
                                           "cases", "mean_wait_s", "p90_wait_s"]
    assert tables["reentry"]["signal"].eq(reentry(sample).signal).all()
    same(rework(sample).table, tables["rework"], ["activity", "level_value", "kind"])
    same(kpis(sample).weekly, tables["kpis_weekly"], ["period"])
    assert int(tables["dfg"]["count"].sum()) == sample.n_events - sample.n_cases


# -- engine-read files (Parquet, CSV with a column mapping) ------------------------------
def _as_file_frame(log: EventLog) -> pd.DataFrame:
    frame = log.events.copy()
    frame["party"] = frame["party"].astype("str")
    return frame


@pytest.mark.parametrize("engine", ENGINES)
def test_parquet_read_by_the_engine_gives_the_same_handoffs(engine, sample, tmp_path,
                                                            request):
    path = tmp_path / "events.parquet"
    _as_file_frame(sample).to_parquet(path, index=False)
    if engine == "spark":
        request.getfixturevalue("spark_backend")  # the module's session is active
    elog = pe.load(path, engine=engine, items=sample.items)
    try:
        assert (elog.n_events, elog.n_cases, elog.rows_dropped) == (
            sample.n_events, sample.n_cases, 0)
        same(handoffs(sample, level="department").table,
             pe.handoffs_table(elog, level="department"), ["source", "target"])
    finally:
        if engine == "duckdb":
            elog.close()


def test_csv_with_a_column_mapping_is_mapped_once_in_the_engine(tmp_path):
    raw = pd.DataFrame({
        "Order": ["o1", "o1", "o1", "o2", "o2", "o2"],
        "Step": ["Enter", "Check", "Pick", "Enter", "Pick", "Ship"],
        "When": ["2024-01-01 09:00:00", "2024-01-01 10:00:00", "2024-01-01 10:00:00",
                 "2024-01-02 09:00:00", "2024-01-02 09:30:00", "2024-01-02 12:00:00"],
        "Dept": ["Sales", "N/A", "Warehouse", "Sales", "Warehouse", "Shipping"],
    })
    path = tmp_path / "log.csv"
    raw.to_csv(path, index=False)
    with pe.load(path, engine="duckdb", case_id="Order", activity="Step", timestamp="When",
                 department="Dept") as elog:
        table = pe.handoffs_table(elog, level="department")
    # by hand: o1 Sales -> (N/A skipped) -> Warehouse after 1 h; o2 Sales -> Warehouse
    # after 30 min, Warehouse -> Shipping after 2.5 h
    rows = table[["source", "target", "count", "median_wait_s"]].values.tolist()
    assert sorted(rows) == [["Sales", "Warehouse", 2, 2700.0], ["Warehouse", "Shipping", 1,
                                                                 9000.0]]


def test_a_mapped_column_that_is_missing_is_named(tmp_path):
    path = tmp_path / "log.csv"
    pd.DataFrame({"Order": ["o1"], "Step": ["a"], "When": ["2024-01-01"]}).to_csv(path,
                                                                                  index=False)
    spill = tmp_path / "spill"
    spill.mkdir()
    with pytest.raises(pm.InputError, match=r"'Stamp'.*columns present: 'Order', 'Step'"):
        pe.load(path, engine="duckdb", case_id="Order", activity="Step", timestamp="Stamp",
                temp_directory=str(spill))
    assert list(spill.iterdir()) == []  # the refused load leaves no database behind


def test_an_unknown_engine_is_a_usage_error():
    with pytest.raises(pm.UsageError, match="engine"):
        pe.load(SAMPLE, engine="polars")


# -- hand-built tiny logs ------------------------------------------------------------------
def _tiny() -> EventLog:
    t = pd.Timestamp("2024-01-01 09:00", tz="UTC")
    h = pd.Timedelta(hours=1)
    frame = pd.DataFrame({
        "case_id": ["o1"] * 5 + ["o2"] * 3 + ["o3"],
        "activity": ["Enter", "Check", "Note", "Fix", "Pick", "Enter", "Check", "Pick", "Enter"],
        "timestamp": [t, t + h, t + h, t + 3 * h, t + 4 * h, t, t + 2 * h, t + 2 * h, t],
        "department": ["Sales", "Credit", None, "Sales", "Warehouse", "Sales", "Credit",
                       "Warehouse", "Sales"],
    })
    return EventLog.from_frame(frame)


@pytest.mark.parametrize("engine", ENGINES)
def test_tiny_log_handoffs_by_hand(engine, to_engine):
    table = pe.handoffs_table(to_engine(_tiny()), level="department").set_index(
        ["source", "target"])
    # o1: Sales->Credit (1 h), Credit->(Note skipped)->Sales (2 h), Sales->Warehouse (1 h)
    # o2: Sales->Credit (2 h), Credit->Warehouse (tie at 2 h: input order, 0 s)
    assert table.loc[("Sales", "Credit"), "count"] == 2
    assert table.loc[("Sales", "Credit"), "median_wait_s"] == 5400.0
    assert table.loc[("Sales", "Credit"), "p90_wait_s"] == pytest.approx(6840.0)  # 3600+.9*3600
    assert table.loc[("Sales", "Credit"), "pingpong"] == 1  # o1 goes straight back
    assert table.loc[("Credit", "Sales"), "median_wait_s"] == 7200.0
    assert table.loc[("Credit", "Warehouse"), "median_wait_s"] == 0.0
    assert int(table["count"].sum()) == 5


def test_tiny_log_map_and_kpis_by_hand(duckdb_backend):
    elog = pe.from_log(_tiny(), engine="duckdb", backend=duckdb_backend)
    edges = pe.dfg_tables(elog)["edges"].set_index(["source", "target"])
    assert edges.loc[("Enter", "Check"), "count"] == 2
    assert edges.loc[("Check", "Note"), "handoffs"] == 0  # Note has no actor
    assert edges.loc[("Note", "Fix"), "handoffs"] == 1  # lands on the next known actor
    orders = pe.kpi_tables(elog)["orders"].set_index("case_id")
    assert orders.loc["o1", "cycle_time_s"] == 4 * 3600
    assert orders.loc["o3", "cycle_time_s"] == 0.0  # a one-event case
    assert orders["handoffs"].tolist() == [3.0, 2.0, 0.0]


# -- property-based small logs -------------------------------------------------------------
_ACTIVITIES = ["Enter order", "Check credit", "Pick", "Change date", "Ship", "Payment received",
               "Return goods"]
_DEPARTMENTS = ["Sales", "Credit", "Warehouse", None]


@st.composite
def small_logs(draw) -> EventLog:
    """Up to 12 cases of 1-7 events: times drawn from a few hours (many ties), departments
    and resources often missing, outside parties, an address item with equal and
    differing values, automated flags missing or set."""
    n_cases = draw(st.integers(1, 12))
    rows = []
    start = pd.Timestamp("2024-03-04 08:00", tz="UTC")
    for c in range(n_cases):
        for _ in range(draw(st.integers(1, 7))):
            rows.append({
                "case_id": f"c{c:02d}",
                "activity": draw(st.sampled_from(_ACTIVITIES)),
                "timestamp": start + pd.Timedelta(hours=draw(st.integers(0, 30)) * 3),
                "department": draw(st.sampled_from(_DEPARTMENTS)),
                "resource": draw(st.sampled_from(["ann", "bob", None])),
                "party": draw(st.sampled_from(["internal", "internal", "customer"])),
                "automated": draw(st.sampled_from([True, False, None])),
                "delivery_address": draw(st.sampled_from(["Main St 1", "main  st 1",
                                                          "Side Rd 2", None])),
            })
    frame = pd.DataFrame(rows)
    frame["automated"] = frame["automated"].astype("boolean")
    return EventLog.from_frame(frame, items=[pm.InformationItem("delivery_address",
                                                                "customer")])


_FAST = settings(max_examples=15, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])
_SPARK = settings(_FAST, max_examples=2)


@_FAST
@given(log=small_logs())
def test_property_small_logs_agree_on_duckdb(duckdb_backend, log):
    all_kernels_agree(log, pe.from_log(log, engine="duckdb", backend=duckdb_backend),
                      levels=("department", "resource"))


@pytest.mark.skipif(SPARK_REASON is not None, reason=SPARK_REASON or "")
@_SPARK
@given(log=small_logs())
def test_property_small_logs_agree_on_spark(spark_backend, log):
    elog = pe.from_log(log, engine="spark", backend=spark_backend)
    same(handoffs(log, level="department").table, pe.handoffs_table(elog, level="department"),
         ["source", "target"])
    same(process_map(log).edges, pe.process_map(elog).edges, ["source", "target"])
    same(kpis(log).orders, pe.kpi_tables(elog)["orders"], ["case_id"])
    same(rework(log).table, pe.rework_tables(elog)["table"], ["activity", "level_value",
                                                              "kind"])
    same(reentry(log).summary, pe.reentry_tables(elog)["summary"], ["item", "first_by", "by"])


# -- the shared OCEL log -------------------------------------------------------------------
@pytest.fixture(scope="module")
def ocel() -> EventLog:
    if not OCEL.exists():
        pytest.skip(f"shared log {OCEL} absent")
    return pm.load(OCEL)


@pytest.mark.real_logs
@pytest.mark.parametrize("engine", ENGINES)
def test_shared_ocel_log_every_table_agrees(engine, to_engine, ocel):
    levels = _levels(engine) or {"levels": ("department", "resource")}
    all_kernels_agree(ocel, to_engine(ocel), **levels)


def test_spark_without_java_says_what_to_install(monkeypatch):
    pytest.importorskip("pyspark")
    from procmine.engine import _backend

    monkeypatch.setattr(_backend, "java_available", lambda: False)
    monkeypatch.setattr("pyspark.sql.SparkSession.getActiveSession", staticmethod(lambda: None))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(pm.UsageError, match="Java runtime"):
        _backend.SparkBackend()
