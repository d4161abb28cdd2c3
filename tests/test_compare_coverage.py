"""compare on generated logs: do its intervals cover the generator's true effect?

Over 20 seeds, one change injected by the generator from a day on
(``generate(..., change=...)``: the same orders simulated with and without it, on
common random numbers, so the true effect on each KPI is known) and the same seeds
without a change:

- the interval of each affected KPI contains the true effect in at least 90% of seeds;
- without a change, every KPI's interval contains zero in at least 90% of seeds;
- the projection's predicted handoffs removed (on the before period) are within 10%
  of the measured ones (mean over the seeds);
- one change is one change: the map does not report several unrelated ones.

The change date is a Wednesday: a Monday would put the weekend's phone orders, which
Sales enters on Monday, in the after period only, and so change the mix of orders
between the periods (a real difference, not the change's).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from procmine import Move, generate, load
from procmine.analysis.compare import KPIS, compare

pytestmark = pytest.mark.slow

SEEDS = range(20)
ORDERS = 500
DATE = "2024-01-17"
CHANGE = f"customer_self_service:Enter order@{DATE}"
MOVE = Move("Enter order", "Sales", "customer_self_service")
RESAMPLES = 1000
#: One customer's orders share its payment habits and invoices: resample customers.
CLUSTER = "customer"
SHARE = 0.9


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> list[dict]:
    out = []
    for seed in SEEDS:
        sample = generate(ORDERS, seed=seed, out=tmp_path_factory.mktemp(f"with{seed}"),
                          change=CHANGE)
        truth = json.loads(sample.ground_truth.read_text(encoding="utf-8"))["change"]
        with_change = compare(load(sample.sources_file), change_date=DATE, moves=MOVE,
                              resamples=RESAMPLES, seed=seed, cluster=CLUSTER)
        plain = generate(ORDERS, seed=seed, out=tmp_path_factory.mktemp(f"without{seed}"))
        without = compare(load(plain.sources_file), change_date=DATE, resamples=RESAMPLES,
                          seed=seed, cluster=CLUSTER)
        out.append({"truth": truth, "with": with_change, "without": without})
    return out


def _share(flags: list[bool]) -> float:
    return float(np.mean(flags)) if flags else 1.0


def test_each_affected_kpi_interval_contains_the_true_effect(runs):
    coverage, affected_in = {}, {}
    for kpi, *_ in KPIS:
        flags = []
        for run in runs:
            truth = run["truth"]["kpis"][kpi]
            if not truth["affected"]:
                continue
            row = run["with"].table.set_index("kpi").loc[kpi]
            flags.append(bool(row["ci_low"] <= truth["effect"] <= row["ci_high"]))
        coverage[kpi], affected_in[kpi] = _share(flags), len(flags)
    table = pd.DataFrame({"coverage": coverage, "seeds_affected": affected_in})
    print(table)
    # the change moves Sales' keying of e-mail and phone orders to the customer: handoffs,
    # cycle time and order-to-cash change in every seed
    assert table.loc["handoffs_per_order", "seeds_affected"] == len(SEEDS)
    assert table.loc["cycle_time_mean_s", "seeds_affected"] == len(SEEDS)
    tested = table[table["seeds_affected"] > 0]
    assert (tested["coverage"] >= SHARE).all(), tested[tested["coverage"] < SHARE]


def test_without_a_change_every_interval_contains_zero(runs):
    zero = {}
    for kpi, *_ in KPIS:
        rows = [run["without"].table.set_index("kpi").loc[kpi] for run in runs]
        zero[kpi] = _share([bool(r["ci_low"] <= 0.0 <= r["ci_high"]) for r in rows
                            if not np.isnan(r["ci_low"])])
    table = pd.Series(zero, name="contains zero")
    print(table)
    assert (table >= SHARE).all(), table[table < SHARE]


def test_predicted_handoffs_removed_match_the_measured(runs):
    predicted, measured, true = [], [], []
    for run in runs:
        row = run["with"].prediction.set_index("metric").loc["handoffs_per_order"]
        predicted.append(-row["predicted"])
        measured.append(-row["measured"])
        true.append(-run["truth"]["kpis"]["handoffs_per_order"]["effect"])
    p, m, t = np.mean(predicted), np.mean(measured), np.mean(true)
    print(f"handoffs removed per order: predicted {p:.3f}, measured {m:.3f}, true {t:.3f}")
    assert p > 0 and m > 0
    assert abs(p - m) <= 0.1 * abs(m)


def test_one_change_is_reported_as_one(runs):
    several = [run["with"].several_changes for run in runs]
    assert _share([not s for s in several]) >= SHARE
    found = [any("Enter order" in group for group in run["with"].changes) for run in runs]
    assert _share(found) >= SHARE
    assert _share([not run["without"].several_changes for run in runs]) >= SHARE
