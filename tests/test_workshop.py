"""The workshop deck: the command, the report's figures on the slides, one colour per department.

The command is tested through its click command object (it is registered in the
``procmine`` group by the lead).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from procmine import EventLog
from procmine._format import money
from procmine.cli._common import Context, global_flags
from procmine.cli.cmd_workshop import workshop_command
from procmine.render.colours import department_colour
from procmine.report import build_report, write_report
from procmine.report.deck import workshop_deck

SVG = "{http://www.w3.org/2000/svg}"
CSV = (
    "Order,Step,At,Dept\n"
    "SO-1,Enter order,2024-01-01 09:00,Sales\n"
    "SO-1,Pick,2024-01-01 11:00,Warehouse\n"
    "SO-1,Invoice,2024-01-02 09:00,Billing\n"
    "SO-2,Enter order,2024-01-08 09:00,Sales\n"
    "SO-2,Pick,2024-01-08 10:00,Warehouse\n"
    "SO-2,Invoice,2024-01-09 09:00,Billing\n"
)
MAPPING = ["--case-id", "Order", "--activity", "Step", "--timestamp", "At", "--department",
           "Dept"]


def _run(args: list[str]):
    return CliRunner().invoke(global_flags(workshop_command), args, obj=Context())


@pytest.fixture()
def orders_csv(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_command_writes_one_self_contained_deck(orders_csv, tmp_path):
    out = tmp_path / "deck.html"
    result = _run([str(orders_csv), "--out", str(out), *MAPPING])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    kinds = re.findall(r'<section class="slide slide-(\w+)"', page)
    # two orders, three departments, no candidate: the fixed slides only
    assert kinds == ["title", "process", "handoffs", "rework", "reentry", "ranking"]
    assert "4 handoffs cost" in page  # Sales→Warehouse and Warehouse→Billing, in both orders
    assert "src=" not in page and "://" not in page.replace("http://www.w3.org/", "")
    assert "2 slides" not in result.stderr and f"6 slides -> {out}" in result.stderr
    assert list(tmp_path.glob(".deck.html.procmine-tmp-*")) == []  # no temporary file left


@pytest.mark.parametrize("name", ["deck.svg", "orders.csv"])
def test_command_refuses_other_files_and_its_input(orders_csv, tmp_path, name):
    out = tmp_path / name
    result = _run([str(orders_csv), "--out", str(out), *MAPPING])
    assert result.exit_code == 2
    assert "--out" in result.stderr
    assert orders_csv.read_text(encoding="utf-8") == CSV  # the input is untouched


def test_report_options_go_to_the_report_not_beside_it(orders_csv):
    from procmine import load
    from procmine.errors import UsageError

    log = load(orders_csv, case_id="Order", activity="Step", timestamp="At", department="Dept")
    report = build_report(log)
    with pytest.raises(UsageError, match="min_share"):
        workshop_deck(log, report=report, min_share=0.5)


# -- on the sample logs -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample(sample_logs_dir, tmp_path_factory):
    sources = sample_logs_dir / "sources.toml"
    if not sources.exists():  # pragma: no cover - the sample logs are committed
        pytest.skip("the sample logs are absent")
    from procmine import load

    log = load(sources)
    report = build_report(log)
    out = tmp_path_factory.mktemp("sample") / "report"
    write_report(report, out)
    return log, report, out, workshop_deck(log, report=report)


def test_one_slide_per_ranked_candidate_with_the_reports_figures(sample):
    _, report, _, deck = sample
    ranked = report.candidates.tables["table"]
    slides = [s for s in deck.slides if s.kind == "candidate"]
    assert [s.key for s in slides] == [f"candidate-{r}" for r in ranked["rank"]]
    for slide, row in zip(slides, ranked.itertuples(index=False), strict=True):
        assert slide.title.startswith(f"#{row.rank} {row.activity} ({row.department})")
        cells = {r[0].text: r[1].text for r in slide.content["costs"].rows}
        assert cells["Saving per year"] == money(row.annual_saving, report.currency)
        assert cells["To implement, once"] == money(row.implementation_cost, report.currency)
        assert cells["Today, per year (what the change alters)"] == money(
            row.current_cost_annual, report.currency)
        assert slide.content["pays"] == (row.annual_saving > 0)
    # the closing slide ranks the same candidates in the same order
    ranking = deck.slides[-1].content["table"]
    assert [r[1].text for r in ranking.rows] == ranked["activity"].head(8).tolist()


def test_each_candidate_is_projected_on_its_own(sample):
    """The to-be of a candidate changes its own step only: from the generator's design, the
    carrier API moves 'Register carrier hand-over' out of Shipping and nothing else."""
    from procmine.analysis.projection import project

    log, report, _, _ = sample
    section = report.candidates
    ranked = section.tables["table"]
    first = ranked.index[0]
    move = section.results["candidates"].moves[first]
    alone = project(log, [move], costs=report.summary.results["costs"],
                    reentry=section.results["reentry"])
    before = log.events.set_index("event_id")
    after = alone.after.events.set_index("event_id").reindex(before.index)
    moved = before["department"].notna() & after["department"].isna()
    assert moved.any()
    assert set(before.loc[moved, "activity"]) == {ranked.loc[first, "activity"]}
    assert (after.loc[moved, "party"].astype(str) == ranked.loc[first, "owner"]).all()


def _lanes(svg_text: str) -> dict[str, str]:
    """Department name -> stroke colour of its lane (cluster) or node, in one SVG."""
    root = ET.fromstring(svg_text)
    found: dict[str, set[str]] = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") not in ("cluster", "node"):
            continue
        texts = [t.text or "" for t in group.iter(f"{SVG}text")]
        shapes = [s for s in group if s.tag in (f"{SVG}polygon", f"{SVG}path")]
        if not texts or not shapes or not shapes[0].get("stroke"):
            continue
        # a long name is wrapped over lines: "Customer" + "Service"
        for lines in (1, 2, 3):
            name = " ".join(t.strip() for t in texts[:lines])
            found.setdefault(name, set()).add(shapes[0].get("stroke").upper())
    return {name: colours.pop() for name, colours in found.items() if len(colours) == 1}


def _svgs_of(html: str) -> list[str]:
    return [m.group(0) for m in re.finditer(r"<svg\b.*?</svg>", html, flags=re.DOTALL)]


def test_a_department_has_one_colour_in_every_svg_of_the_report_and_the_deck(sample):
    log, _, out, deck = sample
    departments = sorted(log.departments)
    svgs = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((out / "maps").glob("*.svg"))]
    svgs += [(f"report.html #{i}", s) for i, s in
             enumerate(_svgs_of((out / "report.html").read_text(encoding="utf-8")))]
    svgs += [(f"deck #{i}", s) for i, s in enumerate(_svgs_of(deck.html))]
    seen: dict[str, dict[str, str]] = {}
    for where, text in svgs:
        for name, colour in _lanes(text).items():
            if name in departments:
                seen.setdefault(name, {})[where] = colour
    # every department shows in the maps, and always in its one colour, the one of its name
    assert set(seen) == set(departments)
    for name, places in seen.items():
        expected = department_colour(name, among=departments).upper()
        wrong = {where: c for where, c in places.items() if c != expected}
        assert not wrong, f"{name} should be {expected} everywhere: {wrong}"
    for name, places in seen.items():  # each is drawn in the report and in the deck
        assert any(w.startswith("deck") for w in places), name
        assert any(not w.startswith("deck") for w in places), name


def test_deck_is_byte_identical_for_the_same_report(sample):
    log, report, _, deck = sample
    assert workshop_deck(log, report=report).html == deck.html


def test_slides_table_and_repr(sample):
    *_, deck = sample
    assert deck.table.columns.tolist() == ["slide", "kind", "title"]
    assert len(deck.table) == len(deck.slides) and "slides" in repr(deck)
    assert deck._repr_html_().startswith("<iframe") and 'sandbox="allow-scripts"' in \
        deck._repr_html_()


def test_empty_log_still_gives_a_deck(tmp_path):
    from procmine.schema import empty_events

    deck = workshop_deck(EventLog.from_frame(empty_events(), name="empty"))
    assert [s.kind for s in deck.slides] == ["title", "process", "handoffs", "rework",
                                             "reentry", "ranking"]
    assert "no events" in deck.html
    path = deck.save(tmp_path / "sub" / "deck.html")
    assert path.read_text(encoding="utf-8") == deck.html


def test_hostile_names_are_escaped_in_the_deck():
    script = "<script>alert(1)</script>"
    frame = pd.DataFrame({
        "case_id": ["o1", "o1", "o2", "o2"],
        "activity": [script, "B", script, "B"],
        "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00",
                                     "2024-01-02 09:00", "2024-01-02 11:00"], utc=True),
        "department": ["Sales", f"<img src=x>{script}", "Sales", "Billing"],
    })
    html = workshop_deck(EventLog.from_frame(frame, name=script)).html
    assert html.count("<script") == 1  # the deck's own keyboard script only
    assert "<img" not in html and "&lt;script&gt;alert(1)" in html


def test_written_deck_opens_from_disk(sample, tmp_path):
    *_, deck = sample
    path = deck.save(tmp_path / "deck.html")
    assert Path(path).stat().st_size == len(deck.html.encode("utf-8"))
