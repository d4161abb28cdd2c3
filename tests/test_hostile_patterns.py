"""User-supplied regular expressions cannot hang a run: every activity pattern is matched
by RE2 (linear time); patterns RE2 cannot run are one-line usage errors."""

from __future__ import annotations

import pandas as pd
import pytest

import procmine as pm
from procmine.cli import main


def _log(name: str) -> pm.EventLog:
    frame = pd.DataFrame({"case_id": ["o1", "o1"], "activity": ["Enter order", name],
                          "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00"],
                                                      utc=True),
                          "department": ["Sales", "Billing"]})
    return pm.EventLog.from_frame(frame, name="p")


EVIL = r"(a|aa)+$"  # exponential in Python's backtracking re on "aaaa...b"
LONG = "a" * 60_000 + "b"


def test_a_catastrophic_pattern_on_a_long_activity_name_returns():
    log = _log(LONG)
    k = pm.kpis(log, payment_pattern=EVIL)
    assert k.orders["order_to_cash_s"].isna().all()  # matched nothing, and returned
    assert pm.rework(log, change_pattern=EVIL).count == 0
    assert pm.episodes(log, pairs=[(EVIL, r"released")]).count == 0
    assert pm.candidates(log, keywords=[EVIL], min_events=0, min_share=0).table.empty


@pytest.mark.parametrize("call", [
    lambda log: pm.kpis(log, payment_pattern=r"(?<!un)paid"),
    lambda log: pm.rework(log, change_pattern=r"(\w)\1"),
    lambda log: pm.episodes(log, pairs=[(r"(?=block)", r"released")]),
    lambda log: pm.candidates(log, keywords=[r"status(?!x)"]),
])
def test_lookaround_and_backreferences_are_usage_errors(call):
    with pytest.raises(pm.UsageError, match="linear-time matching"):
        call(_log("Payment received"))


def test_the_command_line_says_it_in_one_line(tmp_path, capsys):
    path = tmp_path / "log.csv"
    path.write_text("case_id,activity,timestamp\no1,Enter order,2024-01-01T09:00:00Z\n"
                    "o1,Payment received,2024-01-02T09:00:00Z\n", encoding="utf-8")
    code = main(["report", str(path), "--out", str(tmp_path / "r"),
                 "--payment-pattern", r"(?<!un)paid"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "linear-time matching" in err or "payment" in err
