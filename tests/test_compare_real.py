"""compare on real public logs (skipped when ../shared/logs is absent)."""

from __future__ import annotations

import numpy as np
import pytest

from procmine import handoff_events, load
from procmine.analysis.compare import compare
from procmine.report.compare_page import write_compare


@pytest.mark.parametrize("name", ["receipt.xes.gz", "ocel2_order-management.xml.gz"])
def test_compare_a_real_log_at_its_median_start(real_logs_dir, tmp_path, name):
    path = real_logs_dir / name
    if not path.exists():
        pytest.skip(f"{path} is not here")
    log = load(path)
    starts = log.events.groupby("case_id")["timestamp"].min()
    c = compare(log, change_date=starts.quantile(0.5), resamples=300)
    counts = c.counts
    assert (counts["orders_before"] + counts["orders_after"] + counts["censored"]
            + counts["outliers"] + counts["outside_window"]) == log.n_cases
    # handoffs per order, counted independently from the handoff events of the compared orders
    per_case = handoff_events(log).groupby("case_id").size()
    for period in ("before", "after"):
        ids = c.orders.loc[c.orders["period"] == period, "case_id"]
        expected = per_case.reindex(ids).fillna(0).mean()
        got = c.table.set_index("kpi").loc["handoffs_per_order", period]
        assert got == pytest.approx(expected)
    finite = c.table.dropna(subset=["ci_low"])
    assert len(finite) >= 5
    assert ((finite["ci_low"] <= finite["difference"] + 1e-9)
            & (finite["difference"] <= finite["ci_high"] + 1e-9)).all()
    assert np.isfinite(c.paths["p_share"]).all()
    files = write_compare(c, tmp_path / "out")
    assert "<script" not in files.html.read_text(encoding="utf-8")
