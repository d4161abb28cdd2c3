"""procmine.load and procmine.load_sources: dispatch by input, mapping, accounting."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

import procmine
from procmine.errors import InputError, UsageError

CSV = ("Order,Step,At,User,Dept,ShipTo\n"
       "SO-1,Enter order,2024-01-01 09:00,ann,Sales,Main St 1\n"
       "SO-1,Pick,2024-01-01 11:00,bob,Warehouse,\n"
       "SO-2,Enter order,2024-01-02 09:00,ann,Sales,Elm St 2\n")
ROOT_SAMPLE = Path(__file__).resolve().parent.parent / "sample_logs" / "sources.toml"
MAP = {"case_id": "Order", "activity": "Step", "timestamp": "At", "resource": "User",
       "department": "Dept"}


@pytest.fixture
def csv_path(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(CSV)
    return path


def test_load_csv_with_mapping(csv_path):
    log = procmine.load(csv_path, **MAP)
    assert isinstance(log, procmine.EventLog)
    assert log.name == "orders"
    assert (log.n_events, log.n_cases) == (3, 2)
    assert log.departments == ["Sales", "Warehouse"]
    assert log.resources == ["ann", "bob"]
    assert log.events["event_id"].tolist() == ["orders:2", "orders:3", "orders:4"]
    # unmapped columns stay as data attributes under their own name
    assert log.events["ShipTo"].tolist()[0] == "Main St 1"
    assert pd.isna(log.events["ShipTo"].iloc[1])
    (s,) = log.sources
    assert (s.name, s.format, s.rows_read, s.rows_loaded, s.rows_rejected, s.events) == (
        "orders", "csv", 3, 3, 0, 3)


def test_canonical_names_need_no_mapping(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("case_id,activity,timestamp,resource,department,party,automated\n"
                    "o1,a,2024-01-01T10:00:00+02:00,r1,D,supplier,true\n")
    log = procmine.load(path)
    row = log.events.iloc[0]
    assert (row["resource"], row["department"], str(row["party"]), bool(row["automated"])) == (
        "r1", "D", "supplier", True)
    assert str(row["timestamp"]) == "2024-01-01 08:00:00+00:00"


def test_missing_mapping_lists_columns(csv_path):
    with pytest.raises(InputError) as info:
        procmine.load(csv_path)
    message = str(info.value)
    assert ("columns 'case_id' (→ case_id), 'activity' (→ activity), 'timestamp' (→ timestamp) "
            "not found") in message
    assert "columns present: 'Order', 'Step', 'At', 'User', 'Dept', 'ShipTo'" in message
    assert "--case-id" in message


def test_name_option(csv_path):
    log = procmine.load(csv_path, name="erp", **MAP)
    assert log.name == "erp"
    assert log.events["source"].unique().tolist() == ["erp"]
    assert log.events["event_id"].iloc[0] == "erp:2"


def test_timestamp_format_and_timezone(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("O,A,T\n1,a,02/01/2024 10:00\n")
    log = procmine.load(path, case_id="O", activity="A", timestamp="T",
                        timestamp_format="%d/%m/%Y %H:%M", timezone="Asia/Tokyo")
    assert str(log.events["timestamp"].iloc[0]) == "2024-01-02 01:00:00+00:00"


def test_gzip_parquet_excel_give_the_same_events(tmp_path, csv_path):
    frame = pd.read_csv(csv_path, dtype=str)
    gz = tmp_path / "orders.csv.gz"
    with gzip.open(gz, "wt") as handle:
        handle.write(CSV)
    parquet = tmp_path / "orders.parquet"
    frame.to_parquet(parquet)
    excel = tmp_path / "orders.xlsx"
    frame.to_excel(excel, index=False)
    expected = procmine.load(csv_path, **MAP).events
    for path in (gz, parquet, excel):
        got = procmine.load(path, name="orders", **MAP).events
        pd.testing.assert_frame_equal(got[list(expected.columns)], expected, check_dtype=False)


def test_parquet_typed_timestamps(tmp_path):
    frame = pd.DataFrame({"O": [1, 2], "A": ["a", "b"],
                          "T": pd.to_datetime(["2024-06-01 12:00", "2024-06-01 13:00"])})
    path = tmp_path / "t.parquet"
    frame.to_parquet(path)
    log = procmine.load(path, case_id="O", activity="A", timestamp="T",
                        timezone="Europe/Amsterdam")
    assert log.events["case_id"].tolist() == ["1", "2"]  # integers become text, no '.0'
    assert log.events["timestamp"].astype(str).tolist() == [
        "2024-06-01 10:00:00+00:00", "2024-06-01 11:00:00+00:00"]


def test_a_missing_typed_timestamp_is_a_reject_without_a_value(tmp_path):
    # as an empty cell of a CSV is: the reject's value is missing, not the text 'NaT'
    frame = pd.DataFrame({"O": ["1", "2"], "A": ["a", "b"],
                          "T": pd.to_datetime(["2024-06-01 12:00", None], utc=True)})
    path = tmp_path / "t.parquet"
    frame.to_parquet(path)
    log = procmine.load(path, case_id="O", activity="A", timestamp="T")
    assert log.rejects[["row", "reason", "column"]].values.tolist() == [
        [3, "missing timestamp", "T"]]
    assert log.rejects["value"].isna().tolist() == [True]


def test_format_override(tmp_path):
    path = tmp_path / "orders.txt"
    path.write_text(CSV)
    assert procmine.load(path, format="csv", **MAP).n_events == 3


def test_unknown_suffix_and_format_are_usage_errors(tmp_path):
    path = tmp_path / "orders.txt"
    path.write_text(CSV)
    with pytest.raises(UsageError, match="cannot tell the kind of input"):
        procmine.load(path)
    with pytest.raises(UsageError, match="format 'tsv' is unknown"):
        procmine.load(path, format="tsv")  # type: ignore[arg-type]


def test_missing_input(tmp_path):
    with pytest.raises(InputError, match=r"gone\.csv: file not found"):
        procmine.load(tmp_path / "gone.csv")


def test_sources_file_refuses_mapping_options(tmp_path):
    (tmp_path / "s.toml").write_text("")
    with pytest.raises(UsageError, match="a sources file maps its own columns"):
        procmine.load(tmp_path / "s.toml", case_id="x")


def test_load_dispatches_toml_and_load_sources(tmp_path, csv_path):
    (tmp_path / "s.toml").write_text(
        '[log]\nname = "flow"\n[sources.erp]\nfile = "orders.csv"\n'
        'columns = { case_id = "Order", activity = "Step", timestamp = "At" }\n')
    a = procmine.load(tmp_path / "s.toml")
    b = procmine.load_sources(tmp_path / "s.toml")
    assert a.name == b.name == "flow"
    pd.testing.assert_frame_equal(a.events, b.events)
    assert a.events["event_id"].tolist() == ["erp:2", "erp:3", "erp:4"]
    assert procmine.load(tmp_path / "s.toml", name="other").name == "other"


def test_empty_log_from_header_only(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("Order,Step,At\n")
    log = procmine.load(path, case_id="Order", activity="Step", timestamp="At")
    assert log.n_events == 0 and log.n_cases == 0


def test_single_event(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("Order,Step,At\nSO-1,Enter,2024-01-01\n")
    log = procmine.load(path, case_id="Order", activity="Step", timestamp="At")
    assert log.n_events == 1
    assert log.events["resource"].isna().all()


def test_real_csv_and_xes_agree(real_logs_dir):
    from_csv = procmine.load(real_logs_dir / "running-example.csv", case_id="case:concept:name",
                             activity="concept:name", timestamp="time:timestamp",
                             resource="org:resource")
    from_xes = procmine.load(real_logs_dir / "running-example.xes")
    assert (from_csv.n_events, from_csv.n_cases, len(from_csv.activities)) == (42, 6, 8)
    assert from_xes.n_events == 42
    key = ["case_id", "activity", "timestamp", "resource"]
    left = from_csv.events[key].sort_values(key).reset_index(drop=True)
    right = from_xes.events[key].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)


def test_xes_refuses_time_options(real_logs_dir):
    with pytest.raises(UsageError, match="timezone do not apply"):
        procmine.load(real_logs_dir / "running-example.xes", timezone="UTC")


def test_ocel_dispatch(real_logs_dir):
    log = procmine.load(real_logs_dir / "ocel2_p2p_small-example.jsonocel",
                        object_type="Purchase Order")
    assert log.n_events > 0
    assert log.sources[0].rows_read == log.sources[0].rows_loaded + log.sources[0].rows_rejected


def test_object_type_only_for_ocel(csv_path):
    with pytest.raises(UsageError, match="object_type applies to OCEL logs only"):
        procmine.load(csv_path, object_type="items", **MAP)


def test_semicolon_windows_1252_csv_with_delimiter_and_encoding(tmp_path):
    path = tmp_path / "retouren.csv"
    path.write_bytes("Auftrag;Schritt;Zeit;Grund\n"
                     "SO-1;Retoure erfasst;2024-01-05 10:00;Größe falsch\n"
                     "SO-1;Ware geprüft;2024-01-06 09:00;\n".encode("cp1252"))
    log = procmine.load(path, case_id="Auftrag", activity="Schritt", timestamp="Zeit",
               delimiter=";", encoding="cp1252")
    assert log.events["activity"].tolist() == ["Retoure erfasst", "Ware geprüft"]
    assert log.events["Grund"].iloc[0] == "Größe falsch"


def test_csv_options_refused_for_other_inputs(tmp_path):
    sources = tmp_path / "s.toml"
    sources.write_text("[sources]\n", encoding="utf-8")
    with pytest.raises(UsageError, match="delimiter apply to CSV files only"):
        procmine.load(sources, delimiter=";")


ORDERS_WITH_ADDRESS = (
    "Order,Step,At,Dept,ShipTo\n"
    "SO-1,Enter order,2024-01-01 09:00,Sales,Main St 1\n"
    "SO-1,Book transport,2024-01-01 11:00,Shipping,  MAIN st 1 \n"   # the same, keyed again
    "SO-1,Invoice,2024-01-02 09:00,Billing,Main St 11\n"             # a discrepancy
    "SO-2,Enter order,2024-01-03 09:00,Sales,Dam 2\n"
    "SO-2,Book transport,2024-01-03 10:00,Sales,Dam 2\n"             # the same department
)
ROLES = {"case_id": "Order", "activity": "Step", "timestamp": "At", "department": "Dept"}


def test_a_table_declares_information_items_and_re_entry_compares_their_values(tmp_path):
    # worked out by hand: SO-1's address is entered by Sales, keyed again by Shipping (the
    # same after folding spaces and case) and by Billing (another value); SO-2's second
    # entry is Sales' own
    from procmine import InformationItem
    from procmine.analysis.reentry import reentry

    path = tmp_path / "orders.csv"
    path.write_text(ORDERS_WITH_ADDRESS, encoding="utf-8")
    address = InformationItem("delivery_address", "customer", columns={"orders": "ShipTo"})
    log = procmine.load(path, **ROLES, items=[address])
    assert [(i.name, i.owner, dict(i.columns)) for i in log.items] == [
        ("delivery_address", "customer", {"orders": "ShipTo"})]
    assert "ShipTo" not in log.events.columns  # carried as the item, not as an attribute
    found = reentry(log)
    assert found.signal == "values"
    table = found.table
    assert sorted(zip(table["first_by"], table["by"], table["count"], table["discrepancies"],
                      strict=True)) == [("Sales", "Billing", 1, 1), ("Sales", "Shipping", 1, 0)]
    without = reentry(procmine.load(path, **ROLES))
    assert without.signal == "redo"


def test_an_item_named_like_its_column_and_the_options_refused(tmp_path):
    from procmine import InformationItem

    path = tmp_path / "orders.csv"
    path.write_text(ORDERS_WITH_ADDRESS, encoding="utf-8")
    log = procmine.load(path, **ROLES, items=[InformationItem("ShipTo", "customer")])
    assert log.events["ShipTo"].tolist()[:2] == ["Main St 1", "MAIN st 1"]
    with pytest.raises(InputError, match="'Nowhere'"):  # the column is not there
        procmine.load(path, **ROLES, items=[InformationItem("x", columns={"orders": "Nowhere"})])
    with pytest.raises(UsageError, match="place of the canonical column 'resource'"):
        procmine.load(path, **ROLES, items=[InformationItem("resource",
                                                            columns={"orders": "ShipTo"})])
    with pytest.raises(UsageError, match="table's own column 'Dept'"):
        procmine.load(path, **ROLES, items=[InformationItem("Dept", columns={"orders": "ShipTo"})])
    with pytest.raises(UsageError, match="more than once"):
        procmine.load(path, **ROLES, items=[InformationItem("a"), InformationItem("a")])
    with pytest.raises(UsageError, match=r"list of procmine\.InformationItem"):
        procmine.load(path, **ROLES, items="ShipTo")
    with pytest.raises(UsageError, match=r"declares its own in \[items"):
        procmine.load(ROOT_SAMPLE, items=[InformationItem("x")])
