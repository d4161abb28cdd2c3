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


@pytest.fixture(scope="module")
def projection(sample):
    """The projection of the sample's report (the paying candidates' moves)."""
    from procmine.report.build import build_report

    return build_report(sample).sections["candidates"].results["projection"]


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


def _base(pmap, *, medium, direction, lanes):
    """The unfolded drawing map_layout folds (lanes, or departments by colour)."""
    from dataclasses import replace

    from procmine.render import maps

    plan = maps._plan([pmap], medium=medium, rankdir=direction, swimlanes=lanes, handoffs=True,
                      titles=[pmap.name])
    drawing = maps._map_drawing(pmap, plan, title=plan.title, subtitle=plan.subtitle,
                                measure="frequency")
    return replace(drawing, bands={}, bands_reversed=False, positions=None)


def _every_band_count(base):
    """The band count (and order) a search over every band count picks, each laid out."""
    from dataclasses import replace

    from procmine.render import _spec

    first = _spec.layout(base)
    wide = base.rankdir == "LR"
    best, best_scale, scales = {}, _spec.scale_in(first.size(), base.style), []
    seen = set()
    for k in range(2, min(_spec.MAX_FOLDS, base.style.max_folds) + 1):
        bands = _spec._bands(first.centres(), base, k)
        signature = tuple(sorted(bands.items()))
        if max(bands.values(), default=0) < 1 or signature in seen:
            continue
        seen.add(signature)
        for reverse in (False, True):
            laid = _spec.layout(replace(base, bands=bands, bands_reversed=reverse))
            if laid is not None and _spec._in_order(laid.centres(), bands, wide):
                scale = _spec.scale_in(laid.size(), base.style)
                scales.append(scale)
                if scale > best_scale * 1.02:
                    best, best_scale = bands, scale
                break
    return best, scales


@needs_dot
@pytest.mark.parametrize(("medium", "direction", "lanes"), [
    ("print", "LR", False), ("print", "LR", True), ("print", "TB", False), ("slide", "LR", True)])
def test_the_fold_search_stops_at_the_peak_and_finds_what_trying_every_count_finds(
        sample, medium, direction, lanes):
    """More rows: narrower and taller, so the text size rises to one peak and falls after it;
    the search that stops after the peak picks the band count an exhaustive search picks."""
    from procmine.render import _spec

    pmap = process_map(sample, activities=1.0)  # every activity: a long flow that folds
    base = _base(pmap, medium=medium, direction=direction, lanes=lanes)
    expected, scales = _every_band_count(base)
    assert len(scales) >= 2  # several band counts were in reading order: a real search
    assert _spec.fold(base, past_peak=True).bands == expected
    assert _spec.fold(base).bands == expected  # the search of every other map: every count


@needs_dot
def test_folds_laid_out_side_by_side_draw_what_one_core_draws(sample, monkeypatch):
    """The map without lanes is folded on a thread of its own while the map with lanes is:
    the drawing is the one a single core makes, laying them out one after the other."""
    from procmine.render import _spec

    def drawn() -> str:
        _spec._LAYOUTS.clear()  # every layout made again, none reused from the other run
        return draw_map(sample, title="Process map", medium="print").source

    side_by_side = drawn()
    monkeypatch.setattr(_spec, "_workers", lambda: 1)
    assert _spec.in_background(len, ()) is None  # one core: nothing runs beside
    assert drawn() == side_by_side


@needs_dot
@pytest.mark.parametrize(("texts", "bands", "laid_out"), [
    # the 5M process map: a rise of less than 2% (12.46 -> 12.53) is no fall: go on, to 12.98
    ([3.68, 6.62, 8.43, 12.46, 12.53, 12.98], 6, 6),
    # the 1M pair's map: past the peak (9.92 -> 7.62) more rows only make it taller: stop
    ([3.51, 5.72, 8.8, 9.92, 7.62, 9.5], 4, 5),
    # the text never grows beyond the strip's: not folded, one more count tried
    ([10.24, 8.34, 9.0, 11.0], 1, 2),
])
def test_the_fold_search_goes_on_while_the_text_grows_and_stops_when_it_falls(
        sample, monkeypatch, texts, bands, laid_out):
    """Scripted sizes (text px of each band count's layout, in print) through the real search."""
    from procmine.render import _spec

    base = _base(process_map(sample, activities=1.0), medium="print", direction="LR",
                 lanes=False)
    first = _spec.layout(base)
    style = base.style
    asked: list[int] = []

    def scripted(drawing):
        n = max(drawing.bands.values(), default=0) + 1
        asked.append(n)
        scale = texts[n - 1] / style.font  # px per pt; the width alone sets the fit
        width = style.width_px / scale - _spec._PAD_PT
        return _spec.Layout(bb=f"0,0,{width},10", label_pos=None, label_size=None,
                            nodes=first.nodes, edges={}, clusters={})

    monkeypatch.setattr(_spec, "layout", scripted)
    monkeypatch.setattr(_spec, "_in_order", lambda *a: True)
    monkeypatch.setattr(_spec, "_bands", lambda centres, drawing, k: {
        node.id: min(i * k // len(drawing.nodes), k - 1) for i, node in enumerate(drawing.nodes)})
    folded = _spec.fold(base, ahead=False, past_peak=True)
    assert max(folded.bands.values(), default=0) + 1 == bands
    assert len(asked) == laid_out


@needs_dot
@pytest.mark.parametrize("direction", ["LR", "TB"])
def test_the_pair_search_stopping_past_each_peak_draws_the_pair_trying_every_count_draws(
        projection, monkeypatch, direction):
    """The as-is / to-be pair's folds stop past their peak: the sample's report pair (print,
    the projection's changed steps) is the pair drawn with every band count tried."""
    from procmine.render import _spec, maps

    kwargs = dict(steps=[m.activity for m in projection.moves], medium="print",
                  figures=False, direction=direction, min_activities=maps.MIN_PAIR_ACTIVITIES,
                  paths=maps.PAIR_PATHS)
    fast = maps.draw_projection(projection, **kwargs)
    drawn = maps.draw_as_is_to_be
    monkeypatch.setattr(maps, "draw_as_is_to_be",
                        lambda *a, **k: drawn(*a, **{**k, "_past_peak": False}))
    _spec._LAYOUTS.clear()
    every = maps.draw_projection(projection, **kwargs)
    assert (fast.before.source, fast.after.source) == (every.before.source, every.after.source)
