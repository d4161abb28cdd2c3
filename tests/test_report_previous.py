"""``procmine report --previous DIR``, the executive summary and weeks with few orders.

The change between two runs is known by construction: the second log is the first with
every event of one step removed, so the handoffs into and out of that step disappear and
the ones that bridge it appear; the expected routes are counted here with plain pandas.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from procmine import EventLog
from procmine.cli import main
from procmine.errors import InputError, UsageError
from procmine.report import build_report, write_report
from procmine.report.previous import read_previous


def _routes(events: pd.DataFrame) -> pd.Series:
    """Department handoffs per (source, target), by plain pandas (department, else the
    outside party; events with neither skipped)."""
    party = events["party"].astype(str) if "party" in events.columns else pd.Series(
        "internal", index=events.index)
    who = events["department"].astype(object).where(
        events["department"].notna(), party.where(party != "internal"))
    known = events.assign(who=who).dropna(subset=["who"])
    known = known.sort_values(["case_id", "timestamp", "seq"], kind="stable")
    before = known.groupby("case_id", sort=False)["who"].shift()
    moves = known.assign(source=before).loc[lambda f: f["source"].notna()
                                            & (f["source"] != f["who"])]
    return moves.groupby(["source", "who"]).size()


# -- a hand-built pair of runs --------------------------------------------------------------
def _tiny(with_pick: bool) -> EventLog:
    rows = []
    for i in range(6):
        day = f"2024-01-{1 + i:02d}"
        rows += [(f"o{i}", "Enter order", f"{day} 09:00", "Sales"),
                 (f"o{i}", "Pick", f"{day} 11:00", "Warehouse"),
                 (f"o{i}", "Invoice", f"{day} 15:00", "Billing")]
    frame = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp", "department"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    if not with_pick:
        frame = frame.loc[frame["activity"] != "Pick"]
    return EventLog.from_frame(frame.reset_index(drop=True), name="tiny")


def test_previous_run_shows_the_change_in_handoffs_kpis_and_summary(tmp_path):
    first, second = tmp_path / "week1", tmp_path / "week2"
    write_report(build_report(_tiny(True), run_date="2024-01-08"), first)
    report = build_report(_tiny(False), previous=first, run_date="2024-01-15")
    write_report(report, second)

    table = report.handoffs.tables["table"].set_index(["source", "target"])
    # by construction: 6 orders each lose Sales→Warehouse and Warehouse→Billing and gain
    # Sales→Billing
    assert table.loc[("Sales", "Billing"), ["count", "count_previous", "count_change"]].tolist() \
        == [6, 0, 6]
    gone = report.handoffs.tables["gone"].set_index(["source", "target"])["count_previous"]
    assert gone.to_dict() == {("Sales", "Warehouse"): 6, ("Warehouse", "Billing"): 6}
    assert report.handoffs.values["total_handoffs_change"] == 6 - 12

    summary = json.loads((second / "summary.json").read_text(encoding="utf-8"))
    assert summary["previous"]["date"] == "2024-01-08"
    assert summary["previous"]["handoffs"]["total_handoffs_change"] == -6
    kpis = {k["kpi"]: k for k in summary["previous"]["kpis"]}
    assert kpis["handoffs_per_order"]["before"] == pytest.approx(2.0)
    assert kpis["handoffs_per_order"]["now"] == pytest.approx(1.0)
    assert kpis["handoffs_per_order"]["change"] == pytest.approx(-1.0)
    routes = {(r["source"], r["target"]): r["count_change"]
              for r in summary["previous"]["handoff_routes"]}
    assert routes == {("Sales", "Billing"): 6}

    page = (second / "report.html").read_text(encoding="utf-8")
    assert "-6 handoffs" in page and "since the previous run" in page
    assert "Compared with" in page and "Routes of the previous run that no longer occur" in page
    # the KPI table of the summary has the change since that run
    assert "change since that run" in page


def test_previous_run_on_generated_logs_one_step_removed(tmp_path_factory):
    """Two runs of a generated log, the second without 'Pack order': every route change the
    report shows is the one counted by plain pandas on the two logs."""
    from procmine.generate import generate
    from procmine.log.filters import filter_activities
    from procmine.log.load import load

    folder = tmp_path_factory.mktemp("generated")
    generate(200, seed=5, out=folder)
    log = load(folder / "sources.toml")
    assert "Pack order" in set(log.events["activity"])
    without = filter_activities(log, ["Pack order"], keep=False)
    first = tmp_path_factory.mktemp("run1") / "report"
    write_report(build_report(log), first)
    report = build_report(without, previous=first)

    expected_before, expected_now = _routes(log.events), _routes(without.events)
    table = report.handoffs.tables["table"]
    shown = {(s, t): (int(n), int(p), int(c)) for s, t, n, p, c in table[
        ["source", "target", "count", "count_previous", "count_change"]].itertuples(
            index=False, name=None)}
    for (s, t), (now, then, change) in shown.items():
        assert now == expected_now.get((s, t), 0), (s, t)
        assert then == expected_before.get((s, t), 0), (s, t)
        assert change == now - then
    gone = set(map(tuple, report.handoffs.tables["gone"][["source", "target"]].values.tolist()))
    assert gone == set(expected_before.index) - set(expected_now.index)
    assert report.handoffs.values["total_handoffs_change"] == int(
        expected_now.sum() - expected_before.sum())
    # 'Pack order' is the Warehouse step after picking: its handoffs out of the Warehouse go
    assert expected_now.sum() != expected_before.sum()


# -- the command line ------------------------------------------------------------------------
CSV = "Order,Step,At,Dept\n" + "".join(
    f"SO-{i},Enter order,2024-01-0{1 + i} 09:00,Sales\n"
    f"SO-{i},Pick,2024-01-0{1 + i} 11:00,Warehouse\n"
    f"SO-{i},Invoice,2024-01-0{1 + i} 15:00,Billing\n" for i in range(4))
MAPPING = ["--case-id", "Order", "--activity", "Step", "--timestamp", "At", "--department",
           "Dept"]


def test_command_line_previous(tmp_path, capsys):
    full, short = tmp_path / "full.csv", tmp_path / "short.csv"
    full.write_text(CSV, encoding="utf-8")
    short.write_text("".join(line + "\n" for line in CSV.splitlines() if ",Pick," not in line),
                     encoding="utf-8")
    assert main(["report", str(full), "--out", str(tmp_path / "r1"), *MAPPING]) == 0
    assert main(["report", str(short), "--out", str(tmp_path / "r2"), "--previous",
                 str(tmp_path / "r1"), *MAPPING]) == 0
    summary = json.loads((tmp_path / "r2" / "summary.json").read_text(encoding="utf-8"))
    assert summary["previous"]["handoffs"]["total_handoffs_change"] == 4 - 8
    assert summary["run"]["cost_model"].startswith("procmine's default cost model")
    # a folder that is not a report: a usage error naming it, before anything is loaded
    capsys.readouterr()
    assert main(["report", str(short), "--out", str(tmp_path / "r3"), "--previous",
                 str(tmp_path), *MAPPING]) == 2
    err = capsys.readouterr().err
    assert "--previous" in err and "summary.json" in err and "Traceback" not in err
    assert not (tmp_path / "r3").exists()


def test_previous_folder_is_checked(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        read_previous(tmp_path / "missing")
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        read_previous(tmp_path / "file")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "summary.json").write_text("{not json")
    with pytest.raises(InputError, match=r"summary\.json"):
        read_previous(bad)
    (bad / "summary.json").write_text(json.dumps({"kpis": {}}))
    with pytest.raises(InputError, match="procmine_version"):
        read_previous(bad)
    (bad / "summary.json").write_text(json.dumps(
        {"procmine_version": "x", "log": {}, "kpis": {}, "costs": {}}))
    with pytest.raises(UsageError, match=r"tables/handoffs\.csv"):
        read_previous(bad)
    (bad / "tables").mkdir()
    (bad / "tables" / "handoffs.csv").write_text("source,target\nA,B\n")
    with pytest.raises(InputError, match="count, cost"):
        read_previous(bad)


# -- the executive summary -------------------------------------------------------------------
def test_summary_leads_with_money_and_names_the_cost_model(tmp_path):
    from procmine.analysis.costs import CostModel

    costs = CostModel(handoff_cost=2.0, wait_cost_per_hour=0.0)
    report = build_report(_tiny(True), costs=costs, cost_source="costs/2024.toml",
                          run_date="2024-02-01")
    values = report.summary.values
    assert values["run_date"] == "2024-02-01"
    assert values["cost_model"] == "costs/2024.toml"
    assert values["cost_model_digest"].startswith("sha256:")
    # 12 handoffs at 2.00 each, no waiting priced
    assert values["costs"]["handoff_cost"] == pytest.approx(24.0)
    assert values["period_first"].startswith("2024-01-01")
    assert values["period_last"].startswith("2024-01-06")
    write_report(report, tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.index(">Executive summary</h2>") < page.index(">What was loaded</h2>")
    assert "24.00 EUR" in page and "costs/2024.toml" in page
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["run"]["date"] == "2024-02-01"
    assert summary["executive_summary"]["costs"]["handoff_cost"] == pytest.approx(24.0)


def test_top_actions_are_the_best_paying_candidates(sample_logs_dir):
    from procmine import load

    report = build_report(load(sample_logs_dir / "sources.toml"))
    ranked = report.candidates.tables["table"]
    actions = report.summary.tables["actions"]
    paying = ranked.loc[ranked["annual_saving"] > 0]
    assert actions["activity"].tolist() == paying["activity"].head(3).tolist()
    assert (actions["payback_months"] > 0).all()


# -- weeks with few orders -------------------------------------------------------------------
def _weeks(orders_per_week: list[int]) -> EventLog:
    rows = []
    for week, n in enumerate(orders_per_week):
        start = pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(weeks=week)
        for i in range(n):
            t = start + pd.Timedelta(hours=1 + i % 100)
            case = f"w{week}-{i}"
            rows += [(case, "Enter order", t, "Sales"),
                     (case, "Ship", t + pd.Timedelta(hours=2), "Shipping")]
    return EventLog.from_frame(pd.DataFrame(
        rows, columns=["case_id", "activity", "timestamp", "department"]))


def test_weeks_with_few_orders_are_flagged_and_left_out_of_the_changes():
    # median week 30 orders: 20% is 6, so the week of 2 orders is one with few orders
    log = _weeks([30, 30, 30, 2])
    section = build_report(log).kpis
    weekly = section.tables["weekly"]
    assert weekly["few_orders"].tolist() == [False, False, False, True]
    assert section.values["min_week_orders"] == 6
    assert any("few orders" in note and "2024-01-22 (2 orders)" in note
               for note in section.notes)
    changes = build_report(log).summary.values
    # the latest full week with enough orders, and the one before: not the week of 2 orders
    assert (changes["latest_week"], changes["previous_week"]) == ("2024-01-15", "2024-01-08")
    # configurable: with a threshold of 1 no week is flagged
    assert not build_report(log, min_week_orders=1).kpis.tables["weekly"]["few_orders"].any()
    with pytest.raises(UsageError, match="min_week_orders"):
        build_report(log, min_week_orders=-1)


def test_few_order_weeks_are_drawn_off_the_line():
    from procmine.report.html import report_html

    html = report_html(build_report(_weeks([30, 30, 30, 2])), {})
    assert "2024-01-22 (few)" in html
    assert 'class="few-orders"' in html and "few orders: not a trend" in html
