"""The generator's real-world pathologies, each present in the extracts and in its ground truth.

Two seeds and two sizes. Every property is checked from the raw CSV files with plain pandas
(through the independent reading of ``test_generate``), and the truth files are checked
against each other and against the extracts.
"""

from __future__ import annotations

import json
import re
import tomllib

import numpy as np
import pandas as pd
import pytest
from test_generate import _events, _raw

import procmine
from procmine.generate import generate
from procmine.generate.truth import PARALLEL_BY_DESIGN
from procmine.log.outliers import time_outliers

CASES = [(300, 1), (300, 2), (1200, 1), (1200, 2)]
CHANGE = re.compile(r"(?i)\b(?:change[sd]?|changing|update[sd]?|updating|correct(?:ed|ion|s)?"
                    r"|amend(?:ed|ment|s)?)\b")


@pytest.fixture(scope="module", params=CASES, ids=[f"{n}-orders-seed-{s}" for n, s in CASES])
def gen(request, tmp_path_factory):
    orders, seed = request.param
    out = tmp_path_factory.mktemp(f"truth-{orders}-{seed}")
    generate(orders, seed=seed, out=out)
    spec = tomllib.loads((out / "sources.toml").read_text(encoding="utf-8"))
    gt = out / "ground_truth"
    truth = json.loads((gt / "ground_truth.json").read_text(encoding="utf-8"))
    tables = {name: pd.read_csv(gt / f"{name}.csv", dtype=str, keep_default_na=False)
              for name in ("rework", "episodes", "handoffs", "orders", "robot_events",
                           "reentries")}
    events, rejects = _events(out, spec)
    raws = {s: _raw(out, spec, s) for s in spec["sources"]}
    return {"out": out, "spec": spec, "truth": truth, "events": events, "rejects": rejects,
            "raws": raws, **tables}


def _kept(gen, source):
    raw = gen["raws"][source]
    bad = gen["rejects"].loc[gen["rejects"]["source"] == source, "row"]
    rows = pd.Series(np.arange(2, len(raw) + 2))
    return raw[~rows.isin(bad).to_numpy()].assign(event_id=source + ":" + rows.astype(str))


def test_robots_are_known_only_by_the_user_type_column(gen):
    erp, spec = _kept(gen, "erp"), gen["spec"]["sources"]
    assert set(erp["UserType"]) == {"Human", "Robot"}
    robots = sorted(erp.loc[erp["UserType"] == "Robot", "User"].unique())
    assert gen["truth"]["robot_accounts"] == robots
    assert {"RPA-CREDIT", "RPA-CONFIRM", "RPA-NOTIFY"} <= set(robots)
    declared = {r for cfg in spec.values() for r in cfg.get("automated_resources", [])}
    assert not declared & set(robots)
    assert spec["erp"]["automated_values"] == ["Robot"]
    assert sorted(gen["robot_events"]["event_id"]) == sorted(
        erp.loc[erp["UserType"] == "Robot", "event_id"])
    assert not (erp["User"].isin(robots) & (erp["UserType"] == "Human")).any()


def test_placeholder_departments_are_counted_per_source_and_column(gen):
    for source in ("erp", "wms"):
        kept = _kept(gen, source)
        found = kept["Department"].value_counts()
        want = gen["truth"]["placeholders"][source]
        assert want["column"] == "Department"
        assert want["values"] == {v: int(found[v]) for v in ("Empty", "N/A") if v in found}
        assert want["values"]["Empty"] > want["values"].get("N/A", 0) > 0


def test_split_deliveries_have_one_tracking_number_per_package(gen):
    wms = gen["events"][gen["events"]["source"] == "wms"]
    packed = wms[wms["package"] != ""]
    per_order = packed.groupby("case_id")["package"].nunique()
    assert (per_order > 1).sum() == gen["truth"]["counts"]["multi_package_orders"] > 0
    assert per_order.max() <= 3
    steps = packed.groupby(["package", "activity"]).size().unstack(fill_value=0)
    for step in ("Carrier pick-up scan", "Register carrier hand-over", "Carrier delivery scan"):
        assert (steps[step] == 1).all(), step
    scans = packed[packed["activity"] == "Carrier pick-up scan"]
    multi = scans[scans["case_id"].isin(per_order.index[per_order > 1])]
    assert (multi.groupby("case_id")["tracking_number"].nunique()
            == multi.groupby("case_id").size()).all()
    orders = gen["orders"].set_index("case_id")
    want = packed.groupby("case_id")["package"].agg(lambda s: ";".join(sorted(set(s))))
    assert (orders.loc[want.index, "package_numbers"] == want).all()
    # a second package's tracking number is no re-entry of the first package's
    track = gen["reentries"][gen["reentries"]["item"] == "tracking_number"]
    assert (track["object_id"] != "").all()
    assert len(track) == int((packed["activity"] == "Register carrier hand-over").sum())


def test_orders_held_for_their_requested_date_wait_as_lead_time(gen):
    orders, handoffs = gen["orders"], gen["handoffs"]
    planned = orders[orders["planned_wait"] == "true"]
    assert len(planned) > 0
    first = gen["events"].groupby("case_id")["utc"].min()
    first = first[first.dt.year > 2000]
    ahead = (pd.to_datetime(planned["requested_date"]).dt.tz_localize("UTC").to_numpy()
             - first.reindex(planned["case_id"]).to_numpy())
    assert (pd.Series(ahead).dropna().dt.days >= 19).all()
    held = handoffs[handoffs["planned_wait"] == "true"]
    assert len(held) > 0 and held["case_id"].isin(planned["case_id"]).all()
    assert (held["to_activity"] == "Carrier pick-up scan").all()
    wait, lead, delay = (handoffs[c].astype(int) for c in ("wait_s", "lead_s", "delay_s"))
    assert (wait == lead + delay).all() and (lead >= 0).all() and (delay >= 0).all()
    assert (held["lead_s"].astype(int) > 7 * 86400).mean() > 0.8


def test_delivery_dates_changed_twice_by_customer_service_are_change_rework(gen):
    erp = _kept(gen, "erp")
    changes = erp[erp["Activity"] == "Change delivery date"]
    assert (changes["Department"] == "Customer Service").all()
    assert (changes.groupby("OrderNo").size() == 2).any()
    rework = gen["rework"].set_index("event_id")
    assert set(changes["event_id"]) <= set(rework.index)
    assert (rework.loc[changes["event_id"], "kind"] == "change").all()
    assert (rework.loc[changes["event_id"], "designed"] == "true").all()


def test_rework_follows_the_rule(gen):
    rework, events = gen["rework"], gen["events"].set_index("event_id")
    assert set(rework["kind"]) <= {"change", "repeat", "redo"}
    assert rework["event_id"].isin(events.index).all()
    is_change = rework["activity"].str.contains(CHANGE)
    assert ((rework["kind"] == "change") == is_change).all()
    again = rework[~is_change]
    prev = events.loc[again["previous_event_id"]]
    assert (prev["activity"].to_numpy() == again["activity"].to_numpy()).all()
    assert (prev["case_id"].to_numpy() == again["case_id"].to_numpy()).all()
    assert (prev["object_id"].to_numpy() == again["object_id"].to_numpy()).all()
    repeat = again["kind"] == "repeat"
    assert (again.loc[repeat, "actor"] == again.loc[repeat, "previous_actor"]).all()
    # the packing of a second package is never rework
    assert not (rework["activity"] == "Pack order").any()
    assert (rework["designed"] == "true").sum() == gen["truth"]["rework"]["designed"]


def test_blocks_are_episodes_with_their_durations_and_closers(gen):
    episodes, events = gen["episodes"], gen["events"].set_index("event_id")
    opened = events.loc[episodes["open_event_id"]]
    status = episodes["status"].str.title().str.replace("Block", "Block")
    assert (opened["activity"].to_numpy() == (status + " Set").to_numpy()).all()
    assert (opened["case_id"].to_numpy() == episodes["case_id"].to_numpy()).all()
    closed = episodes[episodes["close_event_id"] != ""]
    shut = events.loc[closed["close_event_id"]]
    assert (shut["activity"].str.endswith(" Removed")).all()
    seconds = (shut["utc"].to_numpy() - events.loc[closed["open_event_id"], "utc"].to_numpy())
    assert (pd.Series(seconds).dt.total_seconds().astype(int).to_numpy()
            == closed["duration_s"].astype(int).to_numpy()).all()
    sets = events[events["activity"].str.endswith(" Block Set")]
    assert len(episodes) == len(sets)
    median = closed.assign(d=closed["duration_s"].astype(int)).groupby("status")["d"].median()
    assert median["credit block"] < 2 * 86400 < 5 * 86400 < median["address block"]
    closer = closed.groupby("status")["closed_by"].unique()
    assert list(closer["credit block"]) == ["Credit"]
    assert list(closer["address block"]) == ["Customer Service"]
    assert (episodes["close_event_id"] == "").sum() > 0
    assert (episodes.loc[episodes["close_event_id"] == "", "duration_s"] == "").all()


def test_reversed_steps_are_rare_and_concurrent_pairs_are_by_design(gen):
    wms = gen["events"][gen["events"]["source"] == "wms"]
    pair = wms[wms["activity"].isin(["Pack order", "Carrier pick-up scan"])]
    first = pair.groupby("object_id")["activity"].first()
    share = (first == "Carrier pick-up scan").mean()
    assert 0 < share < 0.01
    concurrent = {tuple(p) for p in gen["truth"]["concurrent_pairs"]}
    assert concurrent <= set(PARALLEL_BY_DESIGN) and concurrent
    assert ("Carrier pick-up scan", "Pack order") not in concurrent
    handoffs, causal = gen["handoffs"], gen["truth"]["causal"]
    assert causal["handoffs"] == len(handoffs)
    assert causal["sequential"] == int((handoffs["succession"] == "sequential").sum())
    assert 0.5 < causal["causal_share"] < 1.0
    lo = np.minimum(handoffs["from_activity"], handoffs["to_activity"])
    hi = np.maximum(handoffs["from_activity"], handoffs["to_activity"])
    marked = pd.Series(list(zip(lo, hi, strict=True))).isin(concurrent).to_numpy()
    assert ((handoffs["succession"] == "parallel").to_numpy() == marked).all()


def test_customers_are_kept_informed_mostly(gen):
    orders = gen["orders"].set_index("case_id")
    events = gen["events"]
    for flag, activity in (("order_confirmation", "Send order confirmation"),
                           ("shipping_notification", "Send shipping notification"),
                           ("invoice_sent", "Send invoice"), ("shipped", "Carrier pick-up scan"),
                           ("invoiced", "Create invoice")):
        has = set(events.loc[events["activity"] == activity, "case_id"])
        assert ((orders[flag] == "true") == orders.index.isin(has)).all(), flag
    assert ((orders["shipped"] == "true") & (orders["shipping_notification"] == "false")).any()
    assert ((orders["accepted"] == "true") & (orders["order_confirmation"] == "false")).any()
    share = (orders["informed_all_three"] == "true").mean()
    assert 0.7 < share < 0.98
    assert gen["truth"]["informed"]["orders_informed_all_three"] == int(
        (orders["informed_all_three"] == "true").sum())


def test_time_outliers_load_and_are_the_only_ones(gen):
    erp = _kept(gen, "erp")
    far = erp[erp["ChangedAt"].str[:4].isin(["1970", "2099"])]
    claimed = gen["truth"]["time_outliers"]
    assert sorted(far["event_id"]) == sorted(o["event_id"] for o in claimed)
    assert 2 <= len(claimed) <= 3
    log = procmine.load(gen["out"] / "sources.toml")
    flagged = log.events.loc[time_outliers(log.events), "event_id"]
    assert sorted(flagged) == sorted(o["event_id"] for o in claimed)
