"""``generate(..., change=KIND:ACTIVITY@DATE)``: one change from a date on, with its true effect.

The change is checked on the raw extracts (read with plain pandas through the independent
reading of ``test_generate``), the true effect against hand counts on the extracts of the
same world written with and without the change, and the ground truth's KPI values against
plain-pandas counts; never against values the code under test produced.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_generate import _events, _raw

from procmine.cli import main
from procmine.errors import UsageError
from procmine.generate import Change, generate
from procmine.generate.change import SUPPORTED, as_change
from procmine.generate.extracts import write_extracts
from procmine.generate.simulate import CARRIERS, USERS, simulate

DATE = "2024-01-15"
CHANGE = f"carrier_api:Register carrier hand-over@{DATE}"
ORDERS, SEED = 1200, 9
FROM = pd.Timestamp(DATE, tz="UTC")
HAND_OVER = "Register carrier hand-over"


def _read(folder: Path) -> dict:
    spec = tomllib.loads((folder / "sources.toml").read_text(encoding="utf-8"))
    events, rejects = _events(folder, spec)
    intake = events[events["activity"].str.startswith("Receive ")
                    & (events["source"] == "erp")].groupby("case_id")["utc"].min()
    truth = json.loads((folder / "ground_truth" / "ground_truth.json").read_text(
        encoding="utf-8")) if (folder / "ground_truth").exists() else None
    return {"folder": folder, "spec": spec, "events": events, "rejects": rejects,
            "intake": intake, "truth": truth}


@pytest.fixture(scope="module")
def worlds(tmp_path_factory) -> dict:
    """The sample with the change, and the same world without it written beside it."""
    with_change = tmp_path_factory.mktemp("with")
    sample = generate(ORDERS, seed=SEED, out=with_change, change=CHANGE)
    without = tmp_path_factory.mktemp("without")
    sim = simulate(ORDERS, seed=SEED, start=np.datetime64("2024-01-01"),
                   change=as_change(CHANGE), apply=False)
    write_extracts(sim, without, seed=SEED)
    return {"sample": sample, "with": _read(with_change), "without": _read(without)}


def _per_order_handoffs(events: pd.DataFrame) -> pd.Series:
    """Department-level handoffs per order by plain pandas (actor: department, else an
    outside party; events with neither skipped)."""
    party = events["party"].astype(str)
    who = events["department"].replace("", np.nan).astype(object)
    who = who.where(who.notna(), party.where(party != "internal"))
    known = events.assign(who=who).dropna(subset=["who"])
    previous = known.groupby("case_id", sort=False)["who"].shift()
    step = previous.notna() & (previous != known["who"])
    return step.groupby(known["case_id"]).sum().reindex(events["case_id"].unique(),
                                                        fill_value=0)


def _outliers(truth: dict) -> set[str]:
    return {row["case_id"] for row in truth["time_outliers"]}


# -- the change, in the extracts ----------------------------------------------------------


def test_the_change_applies_only_to_orders_started_from_its_date(worlds):
    events = worlds["with"]["events"]
    intake = worlds["with"]["intake"]
    hand = events[events["activity"] == HAND_OVER]
    after = (intake.reindex(hand["case_id"]) >= FROM).to_numpy()
    assert after.any() and (~after).any()
    by_carrier = (hand["party"] == "carrier").to_numpy()
    assert (by_carrier == after).all()  # the carrier registers it exactly from the date on
    before, later = hand[~after], hand[after]
    assert (before["department"] == "Shipping").all()
    assert before["resource"].isin(USERS["Shipping"]).all()
    assert (before["tracking_number"] != "").all()
    assert later["resource"].isin(CARRIERS).all()
    assert (later["department"] == "").all() and (later["tracking_number"] == "").all()
    # computer to computer: one minute after the package's pick-up scan, by its carrier
    scans = events[events["activity"] == "Carrier pick-up scan"].set_index("package")
    assert (later["utc"].to_numpy() - scans.loc[later["package"], "utc"].to_numpy()
            == pd.Timedelta(minutes=1)).all()
    assert (scans.loc[later["package"], "resource"].to_numpy() == later["resource"]).all()


def test_the_world_is_the_same_but_for_the_change(worlds):
    a, b = worlds["with"]["folder"], worlds["without"]["folder"]
    # order intake, credit, confirmation, purchasing, customer service: not touched
    assert (a / "erp_sales_orders.csv").read_bytes() == (b / "erp_sales_orders.csv").read_bytes()
    spec = worlds["with"]["spec"]
    linked = set(pd.read_csv(a / "wms_picklists.csv", dtype=str)["PickListNo"])
    wa, wb = _raw(a, spec, "wms"), _raw(b, spec, "wms")
    wa, wb = wa[wa["PickListNo"].isin(linked)], wb[wb["PickListNo"].isin(linked)]
    keep = ["PickListNo", "EventType", "EventTime", "UserId", "Department", "PackageNo",
            "TrackingNo"]

    def rows(raw: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
        return raw.loc[mask, keep].sort_values(keep).reset_index(drop=True)

    pd.testing.assert_frame_equal(rows(wa, wa["EventType"] != HAND_OVER),
                                  rows(wb, wb["EventType"] != HAND_OVER))
    ea, eb = worlds["with"]["events"], worlds["without"]["events"]
    intake = worlds["with"]["intake"]
    early = eb["case_id"].map(intake) < FROM
    cols = ["case_id", "activity", "utc", "resource", "department", "party", "package"]
    pd.testing.assert_frame_equal(  # every order started before the date: every event
        ea.loc[ea["case_id"].map(intake) < FROM, cols].reset_index(drop=True),
        eb.loc[early, cols].reset_index(drop=True))


def test_the_true_effect_on_handoffs_is_a_hand_count_of_both_worlds(worlds):
    truth = worlds["with"]["truth"]
    change = truth["change"]
    now = _per_order_handoffs(worlds["with"]["events"])
    then = _per_order_handoffs(worlds["without"]["events"]).reindex(now.index)
    intake = worlds["with"]["intake"].reindex(now.index)
    bulk = ~now.index.isin(_outliers(truth))
    after = (intake >= FROM).to_numpy()
    drop = now - then
    assert (drop[~after] == 0).all()  # orders before the date: not a single handoff moved
    # the hand-over leaves Shipping (never a handoff more by itself), but invoices that
    # waited for it move too, and may land elsewhere among the order's events
    assert (drop[after] < 0).sum() > 5 * (drop[after] > 0).sum()
    expected = float(now[after & bulk].mean() - then[after & bulk].mean())
    got = change["kpis"]["handoffs_per_order"]
    assert got["effect"] == pytest.approx(expected, abs=1e-12)
    assert got["orders_changed"] == int((drop[after & bulk] != 0).sum())
    assert got["after"] == pytest.approx(float(now[after & bulk].mean()), abs=1e-12)
    assert got["after_without_change"] == pytest.approx(float(then[after & bulk].mean()),
                                                        abs=1e-12)
    # and the per-order table beside the truth holds both hand counts
    per_order = pd.read_csv(worlds["with"]["folder"] / "ground_truth" / "change_orders.csv")
    table = per_order.set_index("case_id")
    assert (table.loc[now.index, "handoffs"].to_numpy() == now.to_numpy()).all()
    assert (table.loc[now.index, "handoffs_without_change"].to_numpy() == then.to_numpy()).all()


def test_the_effect_counts_orders_and_changed_events(worlds):
    change = worlds["with"]["truth"]["change"]
    intake = worlds["with"]["intake"]
    assert change["orders_after"] == int((intake >= FROM).sum())
    assert change["orders_before"] == int((intake < FROM).sum())
    ea = worlds["with"]["events"]
    eb = worlds["without"]["events"]

    def keyed(events: pd.DataFrame) -> int:
        late = events["case_id"].map(intake) >= FROM
        return int(((events["activity"] == HAND_OVER) & (events["department"] == "Shipping")
                    & late).sum())

    assert keyed(ea) == 0 and change["changed_events"] == keyed(eb) > 0
    assert change["kind"] == "carrier_api" and change["date"] == DATE
    assert change["department"] == "Shipping" and change["party"] == "carrier"


def test_ground_truth_kpis_equal_plain_pandas_counts_from_the_extracts(worlds):
    truth = worlds["with"]["truth"]
    events = worlds["with"]["events"]
    intake = worlds["with"]["intake"]
    case = events.groupby("case_id", sort=True)
    start, end = case["utc"].min(), case["utc"].max()
    cycle = (end - start).dt.total_seconds()
    paid = events[events["activity"] == "Payment received"].groupby("case_id")["utc"].min()
    o2c = (paid - start.reindex(paid.index)).dt.total_seconds().reindex(start.index)
    returned = case["activity"].agg(lambda a: a.str.contains(r"(?i)\breturn").any())
    handoffs = _per_order_handoffs(events).reindex(start.index)

    def informed(group: pd.DataFrame) -> float:
        acts = group["activity"].tolist()
        ok, seen = True, False
        for steps, note in ((("Check credit",), "Send order confirmation"),
                            (("Carrier pick-up scan", HAND_OVER), "Send shipping notification"),
                            (("Create invoice",), "Send invoice")):
            hits = [i for i, a in enumerate(acts) if a in steps]
            if hits:
                seen = True
                ok &= any(a == note for a in acts[hits[0] + 1:])
        return float(ok) if seen else np.nan

    kept = case[["activity"]].apply(informed)
    bulk = ~start.index.isin(_outliers(truth))
    after = (intake.reindex(start.index) >= FROM).to_numpy()
    expected = {
        "cycle_time_mean_s": (cycle, "mean"), "cycle_time_median_s": (cycle, "median"),
        "order_to_cash_mean_s": (o2c, "mean"), "order_to_cash_median_s": (o2c, "median"),
        "handoffs_per_order": (handoffs, "mean"), "return_rate": (returned.astype(float), "mean"),
        "kept_informed_rate": (kept, "mean"),
    }
    kpis = truth["change"]["kpis"]
    for name, (values, statistic) in expected.items():
        for period, mask in (("before", bulk & ~after), ("after", bulk & after)):
            value = getattr(values[mask], statistic)()
            assert kpis[name][period] == pytest.approx(float(value), rel=1e-12), (name, period)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kpis_the_change_cannot_affect_have_no_effect_exactly(seed, tmp_path):
    sample = generate(600, seed=seed, out=tmp_path, change=CHANGE)
    kpis = json.loads(sample.ground_truth.read_text(encoding="utf-8"))["change"]["kpis"]
    # Shipping is exempt from touchlessness; the hand-over is done once per package
    # either way; it changes no return, ending or customer message
    for name in ("touchless_rate", "touchless_after_entry_rate", "rework_share",
                 "return_rate", "abandoned_rate", "kept_informed_rate"):
        assert kpis[name]["effect"] == 0.0 and not kpis[name]["affected"], name
        assert kpis[name]["after"] == kpis[name]["after_without_change"], name
    assert kpis["handoffs_per_order"]["affected"] and kpis["handoffs_per_order"]["effect"] < 0
    assert set(kpis) == {"cycle_time_median_s", "cycle_time_mean_s", "order_to_cash_median_s",
                         "order_to_cash_mean_s", "touchless_rate", "touchless_after_entry_rate",
                         "handoffs_per_order", "rework_share", "return_rate",
                         "abandoned_rate", "kept_informed_rate"}
    assert all(v["truth"] for v in kpis.values())


@pytest.mark.parametrize(("kind", "activity"), sorted(SUPPORTED))
def test_each_kind_hands_its_step_to_the_owner_from_the_date_on(kind, activity, tmp_path):
    sample = generate(900, seed=4, out=tmp_path, change=Change(kind, activity, DATE))
    read = _read(tmp_path)
    events, intake = read["events"], read["intake"]
    step = events[events["activity"] == activity]
    late = (step["case_id"].map(intake) >= FROM).to_numpy()
    department = SUPPORTED[kind, activity][0]
    manual = (step["department"] == department).to_numpy() & ~step["resource"].str.isupper()
    assert manual[~late].any() and not manual[late].any()  # nobody keys it after the date
    if sample.change.party is not None:
        assert (step.loc[late, "party"] == sample.change.party).all()
        assert (step.loc[~late, "party"] == "internal").all()
    change = read["truth"]["change"]
    assert change["changed_events"] > 0
    assert change["what_changes"] == SUPPORTED[kind, activity][1]


@pytest.mark.parametrize(("kind", "activity"), sorted(SUPPORTED))
def test_each_kinds_true_effect_is_a_hand_count_of_both_worlds(kind, activity, tmp_path):
    change = Change(kind, activity, DATE)
    generate(600, seed=6, out=tmp_path / "with", change=change)
    sim = simulate(600, seed=6, start=np.datetime64("2024-01-01"), change=change, apply=False)
    write_extracts(sim, tmp_path / "without", seed=6)
    a, b = _read(tmp_path / "with"), _read(tmp_path / "without")
    now = _per_order_handoffs(a["events"])
    then = _per_order_handoffs(b["events"]).reindex(now.index)
    after = (a["intake"].reindex(now.index) >= FROM).to_numpy()
    bulk = ~now.index.isin(_outliers(a["truth"]))
    assert ((now - then)[~after] == 0).all()
    got = a["truth"]["change"]["kpis"]["handoffs_per_order"]
    expected = float(now[after & bulk].mean() - then[after & bulk].mean())
    assert got["effect"] == pytest.approx(expected, abs=1e-12)
    if kind == "customer_self_service":  # the portal entry joins the customer's own event
        keyed = b["events"][(b["events"]["activity"] == activity)
                            & (b["events"]["department"] == "Sales")]["case_id"]
        moved = now.index.isin(keyed) & after
        assert ((now - then)[moved] == -1).mean() > 0.9


def test_the_default_world_is_the_world_without_the_change():
    """Common random numbers change no draw: the ERP and WMS events of the world run
    without the change are the default simulation's, row for row."""
    start = np.datetime64("2024-01-01")
    plain = simulate(500, seed=5, start=start)
    without = simulate(500, seed=5, start=start, change=as_change(CHANGE), apply=False)
    for source in ("erp", "wms"):
        a = plain.events[source].drop(columns="seq")
        b = without.events[source].drop(columns="seq")
        pd.testing.assert_frame_equal(a, b)


# -- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "message"), [
    ("carrier_apy:Register carrier hand-over@2024-01-15", "did you mean 'carrier_api'"),
    ("carrier_api:Register carrier handover@2024-01-15",
     "did you mean 'Register carrier hand-over'"),
    ("carrier_api:Pack order@2024-01-15", "physical work"),
    ("carrier_api:Check credit@2024-01-15", "done by a system already"),
    ("carrier_api:Carrier pick-up scan@2024-01-15", "done by the carrier already"),
    ("carrier_api:Enter order@2024-01-15", "the change that fits it is customer_self_service"),
    ("shared_data:Credit Block Removed@2024-01-15", "decision or a conversation"),
    ("carrier_api:Register carrier hand-over@2024-02-30", "a day like"),
    ("carrier_api:Register carrier hand-over@2024-03-15", "inside the order intake"),
    ("carrier_api:Register carrier hand-over@2024-01-01", "inside the order intake"),
    ("carrier_api:Register carrier hand-over", "KIND:ACTIVITY@DATE"),
])
def test_wrong_changes_are_usage_errors_that_say_why(change, message, tmp_path):
    with pytest.raises(UsageError, match=re.escape(message)):
        generate(300, seed=1, out=tmp_path, change=change)
    assert not any(tmp_path.iterdir())  # checked before any work


def test_cli_generate_with_a_change(tmp_path, capsys):
    out = tmp_path / "s"
    code = main(["generate", "--orders", "300", "--seed", "2", "--out", str(out),
                 "--change", "shared_data:Create invoice@2024-01-14"])
    assert code == 0
    assert "shared_data:Create invoice@2024-01-14" in capsys.readouterr().out
    truth = json.loads((out / "ground_truth" / "ground_truth.json").read_text(encoding="utf-8"))
    assert truth["change"]["kind"] == "shared_data"
    assert (out / "ground_truth" / "change_orders.csv").is_file()
    assert main(["generate", "--orders", "300", "--out", str(tmp_path / "t"),
                 "--change", "shared_data:Create invoce@2024-01-14"]) == 2
    assert "did you mean 'Create invoice'" in capsys.readouterr().err


# -- the committed second sample -----------------------------------------------------------


def test_committed_changed_sample_equals_its_regenerate_command(tmp_path, sample_logs_dir):
    readme = (sample_logs_dir / "README.md").read_text(encoding="utf-8")
    command = re.search(r"procmine generate [^\n]*--out sample_logs/changed[^\n]*", readme)
    assert command, "sample_logs/README.md states how sample_logs/changed is made"
    args = shlex.split(command.group(0))[1:]
    args[args.index("sample_logs/changed")] = str(tmp_path / "fresh")
    assert main(args) == 0
    committed = sample_logs_dir / "changed"
    names = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(tmp_path / "fresh")
                           for p in (tmp_path / "fresh").rglob("*") if p.is_file())
    for name in names:
        assert (committed / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes(), name
    assert sum((committed / name).stat().st_size for name in names) < 4_000_000
