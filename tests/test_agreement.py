"""One definition per concept: every handoff figure procmine shows is the same count.

On the bundled sample and on the shared OCEL order-management log (written outside
this project), the report's handoff table, the handoff map, the process map's
dashed edges, the projection's "before" figures, the KPIs and summary.json give the
same number of department handoffs, and that number equals a plain-pandas count.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from _oracles import plain_department_handoffs

import procmine as pm

ROOT = Path(__file__).resolve().parents[1]
OCEL = ROOT.parent / "shared" / "logs" / "ocel2_order-management.xml.gz"


def _figures(log: pm.EventLog, out: Path) -> dict[str, int]:
    report = pm.build_report(log)
    pm.write_report(report, out)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    svg = (out / "maps" / "handoffs.svg").read_text(encoding="utf-8")
    drawn = re.search(r"([\d,]+) handoffs on [\d,]+ routes", svg)
    assert drawn, "the handoff map states its total"
    full_map = pm.process_map(log, activities=1.0, paths=1.0)
    dashed = full_map.edges.loc[full_map.edges["handoff"], "handoffs"]
    written = pd.read_csv(out / "tables" / "handoffs.csv")
    return {
        "plain pandas": plain_department_handoffs(log.events),
        "handoffs()": pm.handoffs(log, level="department").count,
        "report table": int(report.handoffs.tables["table"]["count"].sum()),
        "tables/handoffs.csv": int(written["count"].sum()),
        "handoff map": int(drawn.group(1).replace(",", "")),
        "process map dashed edges": int(dashed.sum()),
        "projection before": pm.project(log, []).handoffs_before.count,
        "summary.json": int(summary["handoffs"]["total_handoffs"]),
        "KPIs": int(pm.kpis(log).orders["handoffs"].sum()),
    }


def _assert_one_count(figures: dict[str, int]) -> None:
    expected = figures["plain pandas"]
    assert expected > 0
    assert {k: v for k, v in figures.items() if v != expected} == {}, figures


def test_sample_handoff_figures_agree(tmp_path):
    log = pm.load(ROOT / "sample_logs" / "sources.toml")
    figures = _figures(log, tmp_path)
    _assert_one_count(figures)
    # the outside parties the handoff map's legend promises are actors in the table
    table = pm.handoffs(log, level="department").table
    actors = set(table["source"]) | set(table["target"])
    assert {"customer", "carrier"} <= actors


@pytest.mark.real_logs
@pytest.mark.skipif(not OCEL.exists(), reason="../shared/logs is absent")
def test_ocel_handoff_figures_agree(tmp_path):
    log = pm.load(OCEL)
    _assert_one_count(_figures(log, tmp_path))


def test_the_three_former_variant_layouts_are_one():
    log = pm.load(ROOT / "sample_logs" / "sources.toml")
    api = pm.variants(log, top=20).table
    report = pm.build_report(log).variants.tables["table"]
    pd.testing.assert_frame_equal(api, report)
    pd.testing.assert_frame_equal(log.variants().table.head(20), api)
    # independent: the most frequent sequence counted by plain pandas
    sequences = log.events.groupby("case_id", sort=False)["activity"].agg(" → ".join)
    counts = sequences.value_counts()
    assert api["activities"].iloc[0] == counts.index[0]
    assert api["cases"].iloc[0] == counts.iloc[0]


@pytest.mark.real_logs
@pytest.mark.skipif(not OCEL.exists(), reason="../shared/logs is absent")
def test_ocel_orders_with_several_packages_give_no_reentry_or_candidate():
    log = pm.load(OCEL)
    events = log.events
    sent = events[events["activity"] == "send package"]
    several = set(sent.groupby("case_id").size().loc[lambda n: n > 1].index)
    assert len(several) > 100  # the log has many such orders
    # each package's send is about its own sub-object: never a redo of the first
    assert sent[sent["case_id"].isin(several)].groupby("case_id")["object_id"].nunique().gt(
        1).all()
    r = pm.reentry(log)
    assert not r.events["case_id"].isin(several).any()
    c = pm.candidates(log, reentry=r)
    assert not c.events["case_id"].isin(several).any()
    assert not pm.rework(log).events.query("activity == 'send package'").shape[0]
