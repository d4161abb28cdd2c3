"""The one fitting of a map drawn from a log (procmine.render.maps.draw_fitted_map), in memory
and on an engine, and the speed-ups of the layout search that must not change any drawing."""

from __future__ import annotations

from pathlib import Path

import pytest

import procmine as pm
from procmine.discovery.dfg import activity_counts, process_map
from procmine.render._dot import dot_available
from procmine.render.maps import draw_fitted_map, draw_map
from procmine.render.medium import preset

SAMPLE = Path(__file__).resolve().parents[1] / "sample_logs" / "sources.toml"
needs_dot = pytest.mark.skipif(not dot_available(), reason="Graphviz dot not installed")


@pytest.fixture(scope="module")
def sample():
    return pm.load(SAMPLE)


@needs_dot
def test_engine_log_is_fitted_as_the_log_in_memory(sample):
    """DuckDB's DFG tables through the shared fitting draw the in-memory map, byte for byte."""
    pe = pytest.importorskip("procmine.engine")
    from procmine.engine import kernels

    mine = draw_map(sample, title="Process map", medium="print")
    with pe.from_log(sample, engine="duckdb") as elog:
        counts = kernels.dfg_tables(elog)["nodes"][["activity", "count"]]
        theirs = draw_fitted_map(counts, lambda c: kernels.process_map(elog, activities=c),
                                 title="Process map", medium="print")
    assert theirs.source == mine.source
    shown = len(mine.process_map.nodes)
    # the fit simplified the sample's map (it has more activities than a page shows)
    assert shown <= preset("print").max_activities < len(activity_counts(sample))


def test_the_fitting_draws_the_map_it_is_given_at_the_coverage_it_asks(sample):
    """map_at is asked for coverages only; the drawing is of the map it returned."""
    asked: list[float] = []

    def map_at(coverage: float | None):
        asked.append(coverage)
        return process_map(sample, activities=coverage)

    graph = draw_fitted_map(activity_counts(sample), map_at, title="t", medium="notebook")
    assert asked and all(c is None or 0.0 < c <= 1.0 for c in asked)
    assert graph.process_map.activity_coverage in asked
