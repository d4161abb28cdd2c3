"""Re-entry and candidates against the generator's ground truth (several seeds and sizes).

The generator records every re-entry it injects (``ground_truth/reentries.csv``) and the
candidates it designed (``ground_truth.json``); the analysis must find all of them
(recall 1.0) with few extras (precision at least 0.9). Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from procmine import load
from procmine.analysis.candidates import candidates
from procmine.analysis.reentry import reentry
from procmine.generate import generate

CASES = [(200, 1), (200, 2), (200, 3), (600, 1), (600, 2), (600, 3)]


def recall_precision(truth: set, found: set) -> tuple[float, float]:
    hits = len(truth & found)
    recall = hits / len(truth) if truth else 1.0
    precision = hits / len(found) if found else 1.0
    return recall, precision


@pytest.fixture(scope="module", params=CASES, ids=[f"{n}-orders-seed-{s}" for n, s in CASES])
def sample(request, tmp_path_factory):
    orders, seed = request.param
    out = tmp_path_factory.mktemp(f"gen-{orders}-{seed}")
    generate(orders, seed=seed, out=out)
    log = load(out / "sources.toml")
    truth = json.loads((out / "ground_truth" / "ground_truth.json").read_text(encoding="utf-8"))
    injected = pd.read_csv(out / "ground_truth" / "reentries.csv", dtype="str",
                           keep_default_na=False)
    return orders, seed, log, truth, injected


def test_reentry_events_match_ground_truth(sample):
    orders, seed, log, _, injected = sample
    found = reentry(log).events
    truth = set(zip(injected["event_id"], injected["item"],
                    injected["same_value"].str.lower() == "true", strict=True))
    got = set(zip(found["event_id"], found["item"], found["same_value"].astype(bool),
                  strict=True))
    recall, precision = recall_precision(truth, got)
    print(f"\nre-entry   {orders} orders seed {seed}: {len(truth)} injected, {len(got)} found, "
          f"recall {recall:.3f}, precision {precision:.3f}")
    assert len(truth) > 0
    assert recall == 1.0, sorted(truth - got)[:5]
    assert precision >= 0.9, sorted(got - truth)[:5]


def test_candidates_match_ground_truth(sample):
    orders, seed, log, truth, _ = sample
    table = candidates(log).table
    expected = {(c["activity"], c["kind"]) for c in truth["candidates"]}
    got = set(zip(table["activity"], table["kind"], strict=True))
    recall, precision = recall_precision(expected, got)
    print(f"\ncandidates {orders} orders seed {seed}: {len(expected)} designed, {len(got)} found, "
          f"recall {recall:.3f}, precision {precision:.3f}")
    assert recall == 1.0, sorted(expected - got)
    assert precision >= 0.9, sorted(got - expected)
