"""Typed information items: codes keep their leading zeros, numbers do not (API and CLI).

A customer enters a postal code on the web shop; Sales keys it again from the order
confirmation. Four of ten re-keyed codes lost their leading zero in a spreadsheet
(``05022`` → ``5022``), two are typos, four are right. Worked out by hand:

- as ``code`` (exact after trimming): 6 of 10 re-entries differ;
- as ``number`` (the old behaviour for every item): only the 2 typos differ.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

import procmine as pm
from procmine.cli import main

FIRST = ["05022"] * 4 + ["1234", "4321"] + ["8000"] * 4
AGAIN = ["5022"] * 4 + ["1243", "4312"] + [" 8000 "] * 4
ORDERS = [f"SO-{i}" for i in range(1, 11)]


def _frame() -> pd.DataFrame:
    rows = []
    for n, (order, first, again) in enumerate(zip(ORDERS, FIRST, AGAIN, strict=True)):
        rows.append((order, "Place web order", f"2024-01-{n + 1:02d}T09:00:00Z", "", "customer",
                     first))
        rows.append((order, "Confirm order", f"2024-01-{n + 1:02d}T10:00:00Z", "Sales",
                     "internal", again))
    return pd.DataFrame(rows, columns=["Order", "Step", "At", "Dept", "Party", "PostCode"])


def _log(kind: str) -> pm.EventLog:
    frame = _frame()
    frame = pd.DataFrame({
        "case_id": frame["Order"], "activity": frame["Step"],
        "timestamp": pd.to_datetime(frame["At"], utc=True),
        "department": frame["Dept"].replace("", None), "party": frame["Party"],
        "postcode": frame["PostCode"],
    })
    return pm.EventLog.from_frame(frame, name="shop",
                                  items=[pm.InformationItem("postcode", "customer", type=kind)])


@pytest.mark.parametrize(("kind", "differ"), [("code", 6), ("number", 2)])
def test_discrepancy_rate_by_item_type(kind, differ):
    r = pm.reentry(_log(kind))
    row = r.table.set_index(["item", "first_by", "by"]).loc[("postcode", "customer", "Sales")]
    assert row["count"] == 10
    assert row["discrepancies"] == differ
    assert row["discrepancy_rate"] == pytest.approx(differ / 10)


def test_text_items_keep_leading_zeros_too_but_fold_case_and_spaces():
    r = pm.reentry(_log("text"))
    # text never reads numbers: 05022 and 5022 differ; ' 8000 ' equals '8000'
    assert int(r.table["discrepancies"].sum()) == 6


def _write_sources(folder: Path, kind: str) -> Path:
    with (folder / "orders.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        frame = _frame()
        writer.writerow(frame.columns)
        writer.writerows(frame.itertuples(index=False))
    sources = folder / "sources.toml"
    sources.write_text(f"""
[items.postcode]
owner = "customer"
type = "{kind}"

[sources.shop]
file = "orders.csv"
department_column = "Dept"
party_column = "Party"

[sources.shop.columns]
case_id = "Order"
activity = "Step"
timestamp = "At"

[sources.shop.items]
postcode = "PostCode"
""", encoding="utf-8")
    return sources


@pytest.mark.parametrize(("kind", "differ"), [("code", 6), ("number", 2)])
def test_discrepancy_rate_through_the_command_line(tmp_path, kind, differ):
    sources = _write_sources(tmp_path, kind)
    out = tmp_path / "report"
    assert main(["report", str(sources), "--out", str(out), "--quiet"]) == 0
    table = pd.read_csv(out / "tables" / "reentry.csv")
    row = table.set_index(["item", "first_entered_by", "reentered_by"]).loc[
        ("postcode", "customer", "Sales")]
    assert row["count"] == 10
    assert row["discrepancy_rate"] == pytest.approx(differ / 10)


def test_unknown_item_type_is_one_line_error(tmp_path, capsys):
    sources = _write_sources(tmp_path, "postcode")
    assert main(["validate", str(sources)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("procmine: error: ") and err.count("\n") == 1
    assert "postcode" in err and "code" in err
