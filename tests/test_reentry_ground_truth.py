"""Re-entry and candidates against the generator's ground truth (several seeds and sizes).

The generator records every re-entry it injects (``ground_truth/reentries.csv``) and the
candidates it designed (``ground_truth.json``); the analysis must find all of them
(recall 1.0) with few extras (precision at least 0.95 for re-entry, 0.9 for candidates).
Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from _oracles import plain_department_handoffs

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
    assert precision >= 0.95, sorted(got - truth)[:5]


def test_candidates_match_ground_truth(sample):
    orders, seed, log, truth, _ = sample
    found = candidates(log)
    ranked = set(zip(found.table["activity"], found.table["kind"], strict=True))
    weak = set(zip(found.weak["activity"], found.weak["kind"], strict=True))
    expected = {(c["activity"], c["kind"]) for c in truth["candidates"]}
    # every designed candidate is found: ranked, or listed as weak evidence when its
    # evidence is below the minimum support (1% of the orders and 20 events)
    recall, precision = recall_precision(expected, ranked | weak)
    print(f"\ncandidates {orders} orders seed {seed}: {len(expected)} designed, "
          f"{len(ranked)} ranked + {len(weak)} weak, recall {recall:.3f}, "
          f"precision {precision:.3f}")
    assert recall == 1.0, sorted(expected - ranked - weak)
    assert precision >= 0.9, sorted((ranked | weak) - expected)
    # none ranked below the minimum support
    assert (found.table["cases"] >= 0.01 * log.n_cases).all()
    assert (found.table["events"] >= 20).all()
    # the designed support decides ranked or weak: events counted from the truth
    support = {}
    for c in truth["candidates"]:
        key = (c["activity"], c["kind"])
        support[key] = max(support.get(key, (0, 0)), (c["events"], c["orders"]))
    for key in expected & ranked:
        assert support[key][0] >= 20 and support[key][1] >= 0.01 * log.n_cases, key
    # no evidence event (so no candidate) is done by a robot account
    robots = set(truth["robot_accounts"])
    by_id = log.events.set_index("event_id")["resource"]
    assert robots and not robots & set(by_id.loc[found.events["event_id"]].dropna())


@pytest.fixture(scope="module")
def small_log(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen-project")
    generate(200, seed=4, out=out)
    return load(out / "sources.toml"), json.loads(
        (out / "ground_truth" / "ground_truth.json").read_text(encoding="utf-8"))


def test_projecting_each_designed_candidate_alone(small_log):
    from procmine.analysis.projection import Move, project

    log, truth = small_log
    events = log.events
    manual_internal = (~events["automated"].fillna(False).astype(bool)) & (
        events["party"].astype(str) == "internal")
    owner_of = {"customer_self_service": "customer", "supplier_portal_edi": "supplier",
                "carrier_api": "carrier"}
    designed = sorted({(c["activity"], c["department"], c["kind"]) for c in truth["candidates"]})
    for activity, department, kind in designed:
        p = project(log, [Move(activity, department, kind)])
        step = manual_internal & (events["activity"] == activity) & (
            events["department"] == department)
        assert int(step.sum()) > 0
        if kind == "shared_data":
            # the keying goes, the step stays where and when it was, automated
            assert p.after.n_events == log.n_events
            pd.testing.assert_series_equal(p.after.events["timestamp"], events["timestamp"])
            keyed = p.after.events[step.to_numpy()]
            assert keyed["automated"].all() and (keyed["department"] == department).all()
        else:
            assert p.after.n_events == log.n_events
            moved = p.after.events[p.after.events["event_id"].isin(events.loc[step, "event_id"])]
            assert set(moved["party"].astype(str)) == {owner_of[kind]}
            assert moved["department"].isna().all()
        # the projection's handoffs are those of the projected log, counted here by
        # plain pandas: an outside party's event without a department is that party
        assert p.handoffs_after.count == plain_department_handoffs(p.after.events)
        assert p.handoffs_before.count == plain_department_handoffs(events)
        cycle = p.table.set_index("metric").loc["median_cycle_time_s"]
        assert cycle["after"] <= cycle["before"]
