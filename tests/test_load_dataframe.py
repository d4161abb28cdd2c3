"""``procmine.load(df, ...)``: a DataFrame goes through the same column mapping as a CSV."""

from __future__ import annotations

import pandas as pd
import pytest

import procmine as pm
from procmine.errors import InputError, UsageError


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "Order": ["SO-1", "SO-1", None, "SO-2", "SO-2"],
        "Step": ["Enter", "Pick", "Enter", "Enter", None],
        "At": ["01/03/2024 09:00", "01/03/2024 10:00", "01/03/2024 11:00", "bad",
               "02/03/2024 09:00"],
        "User": ["ann", "bot", "ann", "cy", "ann"],
        "Dept": ["Sales", "Warehouse", "Sales", "Sales", "N/A"],
        "Amount": ["10", "20", "30", "40", "50"],
    })


def test_dataframe_through_the_mapping_with_rejects():
    df = _frame()
    before = df.copy()
    log = pm.load(df, case_id="Order", activity="Step", timestamp="At", resource="User",
                  department="Dept", timestamp_format="%d/%m/%Y %H:%M",
                  timezone="Europe/Amsterdam", automated_resources=["bot"])
    pd.testing.assert_frame_equal(df, before)  # never modified
    s = log.sources[0]
    assert (s.name, s.format) == ("dataframe", "dataframe")
    # independent: rows 2 (no order), 3 (bad time), 4 (no activity) are rejected
    assert (s.rows_read, s.rows_loaded, s.rows_rejected) == (len(df), 2, 3)
    assert log.rejects[["row", "reason"]].values.tolist() == [
        [2, "missing case id"], [3, "unparseable timestamp"], [4, "missing activity"]]
    assert df.iloc[3]["At"] == "bad"  # rows are positions: df.iloc[row]
    assert [str(t) for t in log.events["timestamp"]] == [
        "2024-03-01 08:00:00+00:00", "2024-03-01 09:00:00+00:00"]
    assert log.events["automated"].tolist() == [False, True]
    assert log.events["Amount"].tolist() == [10.0, 20.0]


def test_dataframe_with_canonical_names_and_datetimes():
    df = pd.DataFrame({"case_id": [1, 1], "activity": ["a", "b"],
                       "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 09:00"]),
                       "resource": ["x", "Empty"]})
    log = pm.load(df, name="mine")
    assert log.name == "mine" and log.sources[0].name == "mine"
    assert log.events["activity"].tolist() == ["b", "a"]  # ordered by time
    assert log.events["case_id"].tolist() == ["1", "1"]
    assert log.events["resource"].isna().tolist() == [True, False]


def test_dataframe_column_not_found_lists_columns():
    with pytest.raises(InputError, match=r"'Case' \(→ case_id\) not found; columns present: "
                                         r"'Order', 'Step'"):
        pm.load(_frame(), case_id="Case", activity="Step", timestamp="At")


@pytest.mark.parametrize("option", [{"delimiter": ";"}, {"format": "csv"},
                                    {"resource_qualifier": ["shipper"]}])
def test_file_only_options_are_usage_errors(option):
    with pytest.raises(UsageError):
        pm.load(_frame(), case_id="Order", activity="Step", timestamp="At", **option)
