"""procmine.io.mapping: roles, timestamps, reasons, duplicates, correlation hooks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from procmine.errors import InputError
from procmine.io.mapping import REASONS, ColumnMapping, map_table, parse_timestamps
from procmine.io.tables import RawTable

BASE = ColumnMapping(case_id="Order", activity="Act", timestamp="At")


def _table(data: dict, rows=None, path="x.csv") -> RawTable:
    frame = pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in data.items()})
    rows = np.arange(2, len(frame) + 2) if rows is None else np.asarray(rows)
    return RawTable(frame, rows, path=path)


def test_reasons_are_the_contract_strings():
    assert REASONS == ("missing case id", "missing activity", "missing timestamp",
                       "unparseable timestamp", "nonexistent or ambiguous local time",
                       "no correlation to an order", "duplicate event")


def test_basic_mapping_and_event_ids():
    t = _table({"Order": ["SO-1", "SO-1"], "Act": ["Enter", "Pick"],
                "At": ["2024-01-01 09:00", "2024-01-01 10:00"], "User": ["ann", "bob"]},
               rows=[5, 9])
    m = map_table(t, ColumnMapping(case_id="Order", activity="Act", timestamp="At",
                                   resource="User"), source="sales")
    ev = m.events
    assert ev["case_id"].tolist() == ["SO-1", "SO-1"]
    assert ev["resource"].tolist() == ["ann", "bob"]
    assert ev["event_id"].tolist() == ["sales:5", "sales:9"]
    assert ev["source"].tolist() == ["sales", "sales"]
    assert ev["timestamp"].tolist() == [pd.Timestamp("2024-01-01 09:00", tz="UTC"),
                                        pd.Timestamp("2024-01-01 10:00", tz="UTC")]
    assert (m.stats.rows_read, m.stats.rows_loaded, m.stats.rows_rejected, m.stats.events) == (
        2, 2, 0, 2)


def test_values_are_stripped_and_blank_is_missing():
    t = _table({"Order": [" SO-1 ", "   "], "Act": [" Enter ", "Pick"],
                "At": [" 2024-01-01 ", "2024-01-01"]})
    m = map_table(t, BASE, source="s")
    assert m.events[["case_id", "activity"]].values.tolist() == [["SO-1", "Enter"]]
    assert m.rejects["reason"].tolist() == ["missing case id"]


def test_first_applicable_reason_wins():
    # row 2: no case and no activity -> missing case id; row 3: no activity and bad time
    t = _table({"Order": [None, "1", "1", "1"], "Act": [None, None, "a", "b"],
                "At": ["x", "bad", None, "2024-01-01"]})
    m = map_table(t, BASE, source="s")
    assert m.rejects[["row", "reason", "column"]].values.tolist() == [
        [2, "missing case id", "Order"], [3, "missing activity", "Act"],
        [4, "missing timestamp", "At"]]
    assert m.stats.reasons == {"missing activity": 1, "missing case id": 1,
                               "missing timestamp": 1}


def test_missing_column_lists_present_columns():
    t = _table({"Order": ["1"], "Act": ["a"], "When": ["2024-01-01"]}, path="sales.csv")
    with pytest.raises(InputError) as info:
        map_table(t, BASE, source="sales", fix_hint="in [sources.sales]")
    assert str(info.value) == (
        "sales.csv: column 'At' (→ timestamp) not found; columns present: 'Order', 'Act', "
        "'When'; map the roles to existing columns in [sources.sales]")


def test_mostly_unparseable_column_message():
    values = ["2024-01-01"] * 2 + ["31/02/2024", "1/3/2024", "2/3/2024"]
    t = _table({"Order": ["1"] * 5, "Act": ["a"] * 5, "OrderDate": values}, path="sales.csv")
    with pytest.raises(InputError) as info:
        map_table(t, ColumnMapping(case_id="Order", activity="Act", timestamp="OrderDate"),
                  source="sales", fix_hint="in [sources.sales]")
    message = str(info.value)
    assert message.startswith("sales.csv: column 'OrderDate' (→ timestamp) has 3 unparseable "
                              "values, first at row 4 ('31/02/2024'); expected ISO 8601")
    assert message.endswith("set timestamp_format in [sources.sales]")


def test_two_bad_values_are_only_rejected_rows():
    t = _table({"Order": ["1"] * 3, "Act": ["a"] * 3, "At": ["x", "y", "2024-01-01"]})
    m = map_table(t, BASE, source="s")
    assert m.rejects["reason"].tolist() == ["unparseable timestamp"] * 2


def test_explicit_format_with_offset():
    t = _table({"Order": ["1", "1"], "Act": ["a", "b"],
                "At": ["01.02.2024 10:00 +0100", "01.02.2024 10:00 -0300"]})
    m = map_table(t, ColumnMapping(case_id="Order", activity="Act", timestamp="At",
                                   timestamp_format="%d.%m.%Y %H:%M %z"), source="s")
    assert m.events["timestamp"].astype(str).tolist() == [
        "2024-02-01 09:00:00+00:00", "2024-02-01 13:00:00+00:00"]


def test_dayfirst_without_format():
    t = _table({"Order": ["1", "1"], "Act": ["a", "b"], "At": ["01/02/2024", "13/02/2024"]})
    m = map_table(t, ColumnMapping(case_id="Order", activity="Act", timestamp="At",
                                   dayfirst=True), source="s")
    assert m.events["timestamp"].astype(str).tolist() == [
        "2024-02-01 00:00:00+00:00", "2024-02-13 00:00:00+00:00"]


def test_timezone_converts_local_time():
    t = _table({"Order": ["1"], "Act": ["a"], "At": ["2024-01-15 09:00"]})
    m = map_table(t, ColumnMapping(case_id="Order", activity="Act", timestamp="At",
                                   timezone="America/New_York"), source="s")
    assert str(m.events["timestamp"].iloc[0]) == "2024-01-15 14:00:00+00:00"


def test_unknown_timezone():
    with pytest.raises(InputError, match="unknown time zone 'Mars/Olympus'"):
        parse_timestamps(pd.Series(["2024-01-01"]), timezone="Mars/Olympus")


def test_parse_timestamps_datetime_input():
    naive = pd.Series(pd.to_datetime(["2024-03-31 02:30", "2024-03-31 04:00", None]))
    times, status = parse_timestamps(naive, timezone="Europe/Berlin")
    assert status.tolist() == [3, 0, 1]
    assert str(times.iloc[1]) == "2024-03-31 02:00:00+00:00"
    aware = pd.Series(pd.to_datetime(["2024-01-01 10:00+01:00"], utc=True))
    times, status = parse_timestamps(aware, timezone="Asia/Tokyo")  # offsets win
    assert str(times.iloc[0]) == "2024-01-01 09:00:00+00:00"


def test_date_only_is_not_an_offset():
    # '2024-01-02' ends with '-02' but has no time: it is not a UTC-2 offset
    times, status = parse_timestamps(pd.Series(["2024-01-02"]), timezone="Europe/Amsterdam")
    assert str(times.iloc[0]) == "2024-01-01 23:00:00+00:00"
    assert status.tolist() == [0]


def test_duplicates_within_source_keep_first():
    t = _table({"Order": ["1", "1", "1"], "Act": ["a", "a", "a"],
                "At": ["2024-01-01"] * 3, "Note": ["x", "x", "y"]})
    m = map_table(t, ColumnMapping(case_id="Order", activity="Act", timestamp="At",
                                   attributes={"note": "Note"}), source="s")
    assert m.events["event_id"].tolist() == ["s:2", "s:4"]  # row 4 differs in note
    assert m.rejects[["row", "reason", "value"]].values.tolist() == [
        [3, "duplicate event", "same as row 2"]]


def test_departments_parties_and_automation():
    t = _table({"Order": ["1"] * 4, "Act": list("abcd"),
                "At": [f"2024-01-01 0{i}:00" for i in range(4)],
                "User": ["jdoe", "EDI", "web", None]})
    m = map_table(t, ColumnMapping(
        case_id="Order", activity="Act", timestamp="At", resource="User",
        department_by_resource={"jdoe": "Sales", "EDI": "IT"}, party="customer",
        automated_resources=("EDI",)), source="s")
    ev = m.events
    assert ev["department"].tolist()[:2] == ["Sales", "IT"]
    assert ev["department"].isna().tolist() == [False, False, True, True]
    assert ev["party"].tolist() == ["customer"] * 4
    assert ev["automated"].tolist()[:3] == [False, True, False]
    assert pd.isna(ev["automated"].iloc[3])  # unknown resource: unknown


def test_department_and_party_columns_and_flag_column():
    t = _table({"Order": ["1", "1"], "Act": ["a", "b"], "At": ["2024-01-01", "2024-01-02"],
                "Dept": ["Billing", None], "Who": ["Carrier", None], "Sys": ["Yes", "0"]})
    m = map_table(t, ColumnMapping(case_id="Order", activity="Act", timestamp="At",
                                   department_column="Dept", party_column="Who",
                                   automated_column="Sys"), source="s")
    assert m.events["department"].tolist()[0] == "Billing"
    assert m.events["party"].tolist() == ["carrier", "internal"]
    assert m.events["automated"].tolist() == [True, False]


def test_bad_flag_value_names_row():
    t = _table({"Order": ["1", "1"], "Act": ["a", "b"], "At": ["2024-01-01"] * 2,
                "Sys": ["yes", "maybe"]})
    with pytest.raises(InputError, match=r"column 'Sys' \(→ automated\) has value 'maybe' at "
                       r"row 3"):
        map_table(t, ColumnMapping(case_id="Order", activity="Act", timestamp="At",
                                   automated_column="Sys"), source="s")


def test_items_and_attributes_become_columns():
    t = _table({"Order": ["1"], "Act": ["a"], "At": ["2024-01-01"], "ShipTo": ["Main St 1"],
                "Chan": ["web"]})
    m = map_table(t, ColumnMapping(case_id="Order", activity="Act", timestamp="At",
                                   items={"delivery_address": "ShipTo"},
                                   attributes={"channel": "Chan"}), source="s")
    assert m.events[["delivery_address", "channel"]].values.tolist() == [["Main St 1", "web"]]


def test_attribute_may_not_shadow_a_canonical_column():
    t = _table({"Order": ["1"], "Act": ["a"], "At": ["2024-01-01"], "X": ["v"]})
    with pytest.raises(InputError, match="'resource' is already a canonical column"):
        map_table(t, ColumnMapping(case_id="Order", activity="Act", timestamp="At",
                                   attributes={"resource": "X"}), source="s")


def test_resolver_one_to_many_and_normalize():
    t = _table({"Key": ["K1", "K2", "K3"], "Act": ["a", "b", "c"],
                "At": ["2024-01-01", "2024-01-02", "2024-01-03"]})

    def resolve(keys: pd.Series) -> pd.DataFrame:
        table = {"K1": ["7", "0012"], "K2": ["SO-5"]}
        pos = [p for p, k in keys.items() for _ in table.get(k, [])]
        ids = [v for _, k in keys.items() for v in table.get(k, [])]
        return pd.DataFrame({"pos": pos, "case_id": ids})

    m = map_table(t, ColumnMapping(case_id="Key", activity="Act", timestamp="At",
                                   normalize=(r"^(?:SO-)?0*(\d+)$", r"SO-\1")),
                  source="w", resolve=resolve)
    assert m.events[["case_id", "event_id"]].values.tolist() == [
        ["SO-12", "w:2:1"], ["SO-7", "w:2:2"], ["SO-5", "w:3"]]
    assert m.rejects[["row", "reason", "value"]].values.tolist() == [
        [4, "no correlation to an order", "K3"]]
    assert (m.stats.rows_loaded, m.stats.rows_rejected, m.stats.events) == (2, 1, 3)


def test_own_event_ids_used_and_must_be_unique():
    t = _table({"Order": ["1", "1"], "Act": ["a", "b"], "At": ["2024-01-01"] * 2,
                "LogId": ["L1", None]})
    m = map_table(t, ColumnMapping(case_id="Order", activity="Act", timestamp="At",
                                   event_id="LogId"), source="s")
    assert m.events["event_id"].tolist() == ["L1", "s:3"]
    t2 = _table({"Order": ["1", "1"], "Act": ["a", "b"], "At": ["2024-01-01"] * 2,
                 "LogId": ["L1", "L1"]})
    with pytest.raises(InputError, match=r"'LogId' \(→ event_id\) repeats value 'L1'"):
        map_table(t2, ColumnMapping(case_id="Order", activity="Act", timestamp="At",
                                    event_id="LogId"), source="s")


def test_empty_table():
    t = _table({"Order": [], "Act": [], "At": []})
    m = map_table(t, BASE, source="s")
    assert len(m.events) == 0 and len(m.rejects) == 0
    assert (m.stats.rows_read, m.stats.rows_loaded) == (0, 0)


def test_table_rejects_are_carried_and_counted():
    t = _table({"Order": ["1"], "Act": ["a"], "At": ["2024-01-01"]}, rows=[2])
    ragged = pd.DataFrame({"source": ["s"], "row": [3], "reason": ["too many fields"],
                           "column": ["3 fields, header has 2"], "value": ["1,a,b"]})
    t = RawTable(t.frame, t.rows, rejects=ragged, path="x.csv")
    m = map_table(t, BASE, source="s")
    assert (m.stats.rows_read, m.stats.rows_loaded, m.stats.rows_rejected) == (2, 1, 1)
    assert m.stats.reasons == {"too many fields": 1}


def test_input_frame_not_modified():
    t = _table({"Order": [" 1 "], "Act": ["a"], "At": ["2024-01-01"]})
    before = t.frame.copy()
    map_table(t, BASE, source="s")
    pd.testing.assert_frame_equal(t.frame, before)


def test_numeric_attributes_use_the_decimal_mark():
    t = _table({"Order": ["1", "1"], "Act": ["a", "b"], "At": ["2024-01-01"] * 2,
                "Amount": ["12,50", "-3"], "Zip": ["0123", "4567"], "Qty": ["1,5", "2"]})
    m = map_table(t, ColumnMapping(case_id="Order", activity="Act", timestamp="At",
                                   attributes={"amount": "Amount", "zip": "Zip"},
                                   items={"quantity": "Qty"}, decimal=","), source="s")
    assert m.events["amount"].tolist() == [12.5, -3.0]
    assert m.events["zip"].tolist() == ["0123", "4567"]  # a leading zero: an identifier
    assert m.events["quantity"].tolist() == ["1,5", "2"]  # items keep the text as entered


def test_numbers_with_point_by_default():
    t = _table({"Order": ["1"], "Act": ["a"], "At": ["2024-01-01"], "Cost": ["50.25"]})
    m = map_table(t, ColumnMapping(case_id="Order", activity="Act", timestamp="At",
                                   attributes={"cost": "Cost"}), source="s")
    assert m.events["cost"].tolist() == [50.25]


def test_wrong_zone_or_format_names_the_file():
    t = _table({"Order": ["1"], "Act": ["a"], "At": ["2024-01-01"]}, path="sales.csv")
    with pytest.raises(InputError, match=r"^sales\.csv: unknown time zone 'CEST'.* in \[x\]$"):
        map_table(t, ColumnMapping(case_id="Order", activity="Act", timestamp="At",
                                   timezone="CEST"), source="s", fix_hint="in [x]")


@pytest.mark.parametrize("fmt", ["%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y",
                                 "%H:%M %d.%m.%Y", "%Y%m%d%H%M%S"])
def test_fixed_width_formats_read_by_arrow_as_pandas_reads_them(fmt):
    # The same text, Arrow-backed (parsed by Arrow where its shape allows) and as Python
    # objects (parsed by pandas alone): same times, same statuses, in two zones. Values
    # cover days beyond the month (31/02, which C strptime rolls over), hours 24-25,
    # minutes 60-61, month 13, years outside 1700-2199, short fields and trailing text.
    rng = np.random.default_rng(7)
    values = []
    for _ in range(1500):
        fields = {"%d": f"{rng.integers(0, 35):02d}", "%m": f"{rng.integers(0, 14):02d}",
                  "%Y": str(rng.choice([1699, 1700, 2023, 2024, 2199, 2200, 2262])),
                  "%H": f"{rng.integers(0, 26):02d}", "%M": f"{rng.integers(0, 62):02d}",
                  "%S": f"{rng.integers(0, 62):02d}"}
        value = fmt
        for directive, text in fields.items():
            value = value.replace(directive, text)
        if rng.random() < 0.05:
            value = value.replace("0", "", 1)
        if rng.random() < 0.02:
            value += "x"
        values.append(value)
    values += ["31/02/2024 10:00", "29/02/2023 10:00", "29/02/2024 10:00", None]
    arrow_text = pd.Series(values, dtype="str")
    assert arrow_text.array._pa_array is not None  # the Arrow path is the one tested
    for zone in ("UTC", "Europe/Amsterdam"):
        times, status = parse_timestamps(arrow_text, format=fmt, timezone=zone)
        expected, expected_status = parse_timestamps(arrow_text.astype(object), format=fmt,
                                                     timezone=zone)
        assert status.tolist() == expected_status.tolist()
        pd.testing.assert_series_equal(times, expected)
        assert (status == 0).sum() > 300  # many values were parsed, not only refused


def test_rolled_over_day_is_unparseable():
    times, status = parse_timestamps(pd.Series(["31/02/2024 10:00", "01/03/2024 10:00"],
                                               dtype="str"), format="%d/%m/%Y %H:%M")
    assert status.tolist() == [2, 0]
    assert times.iloc[1] == pd.Timestamp("2024-03-01 10:00", tz="UTC")


def test_canonical_mapping_is_sorted_once_with_its_row_order():
    # Rows out of order, a tie in time (row order decides), a rejected row and a
    # duplicate: the events come sorted by case, time, then row, with seq = their place
    # among the loaded events in row order.
    t = _table({"Order": ["B", "A", "A", None, "A", "A"],
                "Act": ["x", "y", "z", "w", "y", "v"],
                "At": ["2024-01-01 10:00", "2024-01-01 12:00", "2024-01-01 11:00",
                       "2024-01-01 09:00", "2024-01-01 12:00", "2024-01-01 11:00"]})
    m = map_table(t, BASE, source="s", canonical=True)
    ev = m.events
    # A 11:00 z (row 4) and v (row 7), A 12:00 y (row 3; row 6 repeats it), B (row 2)
    assert ev["event_id"].tolist() == ["s:4", "s:7", "s:3", "s:2"]
    assert ev["seq"].tolist() == [2, 3, 1, 0]
    assert m.rejects[["row", "reason"]].values.tolist() == [[5, "missing case id"],
                                                            [6, "duplicate event"]]
    assert m.rejects["value"].iloc[1] == "same as row 3"
    assert m.ids_unique
    row_order = map_table(t, BASE, source="s")
    assert row_order.events["event_id"].tolist() == ["s:2", "s:3", "s:4", "s:7"]
    assert "seq" not in row_order.events.columns


def test_canonical_mapping_names_the_first_bad_party_in_row_order():
    # row 2 (order B) comes after row 3 (order A) in the canonical order
    t = _table({"Order": ["B", "A", "A"], "Act": ["x", "y", "z"],
                "At": ["2024-01-01 10:00"] * 3, "Who": ["robot", "alien", "internal"]})
    with pytest.raises(InputError, match="'robot' at row 2"):
        map_table(t, ColumnMapping(case_id="Order", activity="Act", timestamp="At",
                                   party_column="Who"), source="s", canonical=True)
