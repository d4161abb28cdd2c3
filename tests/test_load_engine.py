"""Engine selection plumbing: ``load(engine=)`` and ``--engine``/``--spark-master``.

``procmine.load`` is :func:`procmine.engine.load`: pandas loads in memory
(:func:`procmine.log.load.load`), DuckDB and Spark load through
:mod:`procmine.engine.log` and their kernels run from :mod:`procmine.engine.kernels`
(tested with DuckDB and Spark there); here stand-ins for those two modules record what the
plumbing hands over, and the pandas engine is the real one.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pandas as pd
import pytest

import procmine as pm
from procmine.cli import main
from procmine.errors import UsageError

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_logs" / "sources.toml"


@pytest.fixture
def stand_in(monkeypatch):
    """procmine.engine.log and .kernels that record their calls (the real ones are the
    engines' to test)."""
    calls: list[tuple[str, tuple, dict]] = []
    module = types.ModuleType("procmine.engine.log")
    kernels = types.ModuleType("procmine.engine.kernels")

    def load(source, **options):
        calls.append(("load", (source,), options))
        return {"log of": str(source)}

    def handoffs_table(log, **options):
        calls.append(("handoffs_table", (log,), options))
        return pd.DataFrame({
            "source": ["Sales"], "target": ["Warehouse"], "count": [3], "cases": [2],
            "mean_wait_s": [1.0], "median_wait_s": [1.0], "p90_wait_s": [2.0], "cost": [4.5],
            "queue_wait_s": [1.0], "lead_time_s": [0.0], "system_count": [0],
            "causal_count": [3], "pingpong": [1], "per_case": [1.5]})

    module.load = load  # type: ignore[attr-defined]
    kernels.handoffs_table = handoffs_table  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "procmine.engine.log", module)
    monkeypatch.setitem(sys.modules, "procmine.engine.kernels", kernels)
    return calls


def test_load_hands_other_engines_the_input_and_the_options_given(stand_in, tmp_path):
    out = pm.load(tmp_path / "big.csv", engine="spark", spark_master="local[2]",
                  case_id="Order", timezone="Europe/Amsterdam")
    assert out == {"log of": str(tmp_path / "big.csv")}
    assert stand_in == [("load", (tmp_path / "big.csv",),
                         {"engine": "spark", "spark_master": "local[2]", "case_id": "Order",
                          "timezone": "Europe/Amsterdam"})]


def test_the_default_engine_is_pandas_and_loads_in_memory(stand_in):
    log = pm.load(SAMPLE)
    assert isinstance(log, pm.EventLog) and log.n_events > 0
    assert stand_in == []


def test_handoffs_with_another_engine_writes_its_table(stand_in, tmp_path, capsys):
    out = tmp_path / "h.csv"
    code = main(["handoffs", str(SAMPLE), "--engine", "duckdb", "--level", "party",
                 "--out", str(out)])
    assert code == 0
    (_, _, load_options), (name, (log,), options) = stand_in
    assert load_options == {"engine": "duckdb", "spark_master": None}
    assert name == "handoffs_table" and log == {"log of": str(SAMPLE)}
    assert options["level"] == "party"
    written = pd.read_csv(out)
    assert written.columns[:7].tolist() == ["source", "target", "count", "cases",
                                            "median_wait_s", "p90_wait_s", "cost"]
    assert written["count"].tolist() == [3]
    assert "3 party handoffs on 1 edges (3 causal, 1 ping-pong)" in capsys.readouterr().err


@pytest.mark.parametrize("kwargs, fragment", [
    ({"engine": "polars"}, "engine 'polars' is unknown"),
    ({"spark_master": "local[2]"}, "spark_master applies to engine='spark' only"),
])
def test_wrong_engine_options_are_usage_errors(kwargs, fragment):
    with pytest.raises(UsageError, match=fragment):
        pm.load(SAMPLE, **kwargs)


def test_a_missing_engine_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "duckdb", None)  # as if not installed
    with pytest.raises(UsageError, match=r"pip install 'procmine\[duckdb\]'"):
        pm.load(SAMPLE, engine="duckdb")


def test_the_in_memory_loader_refuses_other_engines():
    from procmine.log.load import load

    with pytest.raises(UsageError, match=r"procmine.engine.load"):
        load(SAMPLE, engine="duckdb")  # type: ignore[arg-type]


def test_loading_in_memory_imports_no_engine():
    import subprocess

    code = (f"import sys, procmine as pm; pm.load({str(SAMPLE)!r}); "
            "print(sorted(m for m in ('duckdb', 'pyspark', 'sqlglot', 'procmine.engine.kernels',"
            " 'procmine.engine.log') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_spark_master_without_spark_is_exit_2(capsys):
    code = main(["validate", str(SAMPLE), "--spark-master", "local[2]"])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("procmine: error: ") and "--engine spark" in err
