"""procmine.io.sources and procmine.io.stitch: the sources file, lookups, stitching."""

from __future__ import annotations

import textwrap
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from procmine.errors import InputError
from procmine.io.sources import parse_sources
from procmine.io.stitch import read_sources

SOURCES = r'''
[log]
name = "Order fulfilment test"
timezone = "UTC"

[items.delivery_address]
owner = "customer"
description = "Ship-to address"

[items.requested_date]
owner = "customer"

[lookups.picklist_order]
file = "wms_picklists.csv"
key = "PickListNo"
value = "OrderRef"

[lookups.invoice_order]
source = "billing"
key = "InvoiceNo"
value = "Orders"
separator = ";"

[lookups.return_invoice]
file = "returns_map.csv"
key = "ReturnNo"
value = "InvoiceNo"

[sources.sales]
file = "sales_orders.csv"
format = "csv"
delimiter = ";"
encoding = "utf-8"
timezone = "Europe/Amsterdam"
timestamp_format = "%d/%m/%Y %H:%M"
party = "internal"
department_by_resource = { "jdoe" = "Sales", "kim" = "Credit", "EDI-GW" = "IT" }
automated_resources = ["EDI-GW"]

[sources.sales.columns]
case_id = "OrderNo"
activity = "Action"
timestamp = "ChangedAt"
resource = "User"

[sources.sales.case]
normalize = { pattern = '^(?:SO-)?0*(\d+)$', replace = 'SO-\1' }

[sources.sales.items]
delivery_address = "ShipTo"
requested_date = "ReqDate"

[sources.sales.attributes]
channel = "Channel"

[sources.wms]
file = "wms.zip"
department = "Warehouse"
object_column = "PackageNo"

[sources.wms.columns]
activity = "Step"
timestamp = "Time"
resource = "Worker"

[sources.wms.case]
column = "PickList"
via = ["picklist_order"]
normalize = { pattern = '^(?:SO-)?0*(\d+)$', replace = 'SO-\1' }

[sources.billing]
file = "billing.csv"
department = "Billing"

[sources.billing.columns]
activity = "Action"
timestamp = "At"
resource = "Clerk"

[sources.billing.case]
column = "InvoiceNo"
via = ["invoice_order"]
normalize = { pattern = '^(?:SO-)?0*(\d+)$', replace = 'SO-\1' }

[sources.returns]
file = "returns.csv"
party = "customer"

[sources.returns.columns]
activity = "Action"
timestamp = "At"

[sources.returns.case]
column = "ReturnNo"
via = ["return_invoice", "invoice_order"]
normalize = { pattern = '^(?:SO-)?0*(\d+)$', replace = 'SO-\1' }
'''

FILES = {
    "sales_orders.csv": "OrderNo;Action;ChangedAt;User;ShipTo;ReqDate;Channel\n"
                        "SO-0001;Enter order;01/03/2024 09:00;jdoe;Main St 1;05/03/2024;web\n"
                        "SO-0002;Enter order;01/03/2024 09:30;EDI-GW;Elm St 2;06/03/2024;edi\n"
                        "SO-0001;Check credit;01/03/2024 10:00;kim;;;\n",
    "wms_picklists.csv": "PickListNo,OrderRef\nPL-10,SO-0001\nPL-11,2\n",
    "wms.csv": "PickList,Step,Time,Worker,PackageNo\n"
               "PL-10,Pick,2024-03-01T11:00:00Z,w1,\n"
               "PL-11,Pick,2024-03-01T11:30:00Z,w2,-\n"
               "PL-10,Pack,2024-03-01T12:00:00Z,w1, PK-7\n",
    "billing.csv": "InvoiceNo,Orders,Action,At,Clerk\n"
                   'INV-1,"SO-0001; SO-0002",Create invoice,2024-03-02 09:00:00+00:00,bea\n',
    "returns_map.csv": "ReturnNo,InvoiceNo\nR-1,INV-1\n",
    "returns.csv": "ReturnNo,Action,At\nR-1,Receive return,2024-03-05T10:00:00Z\n"
                   "R-2,Receive return,2024-03-06T10:00:00Z\n",
}


@pytest.fixture
def folder(tmp_path):
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "wms.zip", "w") as archive:  # the sources file names the zip
        archive.write(tmp_path / "wms.csv", "export/wms.csv")
    (tmp_path / "sources.toml").write_text(SOURCES, encoding="utf-8")
    return tmp_path


def test_parse_full_example(folder):
    config = parse_sources(folder / "sources.toml")
    assert config.name == "Order fulfilment test"
    assert [s.name for s in config.sources] == ["sales", "wms", "billing", "returns"]
    sales = config.sources[0]
    assert sales.delimiter == ";" and sales.format == "csv"
    assert sales.mapping.timezone == "Europe/Amsterdam"
    assert sales.mapping.case_id == "OrderNo"
    assert config.sources[1].mapping.case_id == "PickList"
    assert config.sources[1].mapping.timezone == "UTC"  # from [log]
    assert config.sources[3].via == ("return_invoice", "invoice_order")
    assert config.items["delivery_address"].owner == "customer"
    assert config.lookups["invoice_order"].separator == ";"


def test_stitched_log(folder):
    result = read_sources(folder / "sources.toml")
    ev = result.events
    so1 = ev[ev["case_id"] == "SO-1"]
    assert so1["event_id"].tolist() == ["sales:2", "sales:4", "wms:2", "wms:4", "billing:2:1",
                                        "returns:2:1"]
    assert so1["timestamp"].astype(str).tolist() == [
        "2024-03-01 08:00:00+00:00", "2024-03-01 09:00:00+00:00",  # Amsterdam is UTC+1
        "2024-03-01 11:00:00+00:00", "2024-03-01 12:00:00+00:00",
        "2024-03-02 09:00:00+00:00", "2024-03-05 10:00:00+00:00"]
    so2 = ev[ev["case_id"] == "SO-2"]
    assert so2["event_id"].tolist() == ["sales:3", "wms:3", "billing:2:2", "returns:2:2"]
    assert sorted(ev["case_id"].unique()) == ["SO-1", "SO-2"]
    assert so1["department"].iloc[:5].tolist() == ["Sales", "Credit", "Warehouse", "Warehouse",
                                                   "Billing"]
    assert pd.isna(so1["department"].iloc[5])  # returns: no department given
    assert so2["automated"].iloc[0] == True  # noqa: E712 (EDI-GW is a system account)
    assert so1["automated"].iloc[0] == False  # noqa: E712
    assert pd.isna(so1["automated"].iloc[2])  # wms declares no system accounts
    assert str(so1["party"].iloc[-1]) == "customer"
    assert so1["delivery_address"].iloc[0] == "Main St 1"
    assert pd.isna(so1["delivery_address"].iloc[1])
    assert so1["channel"].iloc[0] == "web"
    # object_column: stripped, empty cells and placeholders missing; other sources have none
    assert [None if pd.isna(v) else v for v in so1["object_id"]] == [
        None, None, None, "PK-7", None, None]
    assert pd.isna(so2["object_id"]).all()
    wms = next(s for s in result.sources if s.name == "wms")
    assert wms.path.endswith("wms.zip/export/wms.csv") and dict(wms.missing_values) == {
        "object_id": 1}
    stats = {s.name: (s.rows_read, s.rows_loaded, s.rows_rejected, s.events, dict(s.reasons))
             for s in result.sources}
    assert stats == {
        "sales": (3, 3, 0, 3, {}),
        "wms": (3, 3, 0, 3, {}),
        "billing": (1, 1, 0, 2, {}),
        "returns": (2, 1, 1, 2, {"no correlation to an order": 1}),
    }
    assert result.rejects[["source", "row", "reason", "column", "value"]].values.tolist() == [
        ["returns", 3, "no correlation to an order", "ReturnNo", "R-2"]]
    items = {i.name: (i.owner, dict(i.columns)) for i in result.items}
    assert items == {"delivery_address": ("customer", {"sales": "ShipTo"}),
                     "requested_date": ("customer", {"sales": "ReqDate"})}
    assert result.name == "Order fulfilment test"


def test_ties_keep_row_then_source_order(tmp_path):
    (tmp_path / "b.csv").write_text("O,A,T\n1,b1,2024-01-01 10:00\n1,b2,2024-01-01 10:00\n")
    (tmp_path / "a.csv").write_text("O,A,T\n1,a1,2024-01-01 10:00\n")
    (tmp_path / "s.toml").write_text(textwrap.dedent('''
        [sources.zeta]
        file = "b.csv"
        columns = { case_id = "O", activity = "A", timestamp = "T" }
        [sources.alpha]
        file = "a.csv"
        columns = { case_id = "O", activity = "A", timestamp = "T" }
    '''))
    result = read_sources(tmp_path / "s.toml")
    assert result.events["activity"].tolist() == ["b1", "b2", "a1"]  # file order, not a-z
    assert [s.name for s in result.sources] == ["zeta", "alpha"]


def test_rejects_sorted_by_source_order_then_row(tmp_path):
    (tmp_path / "b.csv").write_text(
        "O,A,T\n1,x,bad\n,x,2024-01-01\n1,y,2024-01-02\n1,z,2024-01-03\n")
    (tmp_path / "a.csv").write_text("O,A,T\n,x,2024-01-01\n1,q,2024-01-01\n")
    (tmp_path / "s.toml").write_text(textwrap.dedent('''
        [sources.zeta]
        file = "b.csv"
        columns = { case_id = "O", activity = "A", timestamp = "T" }
        [sources.alpha]
        file = "a.csv"
        columns = { case_id = "O", activity = "A", timestamp = "T" }
    '''))
    rejects = read_sources(tmp_path / "s.toml").rejects
    assert rejects[["source", "row", "reason"]].values.tolist() == [
        ["zeta", 2, "unparseable timestamp"], ["zeta", 3, "missing case id"],
        ["alpha", 2, "missing case id"]]


TABLE = ('[sources.s]\nfile = "x.csv"\n'
         'columns = { case_id = "O", activity = "A", timestamp = "T" }\n')


@pytest.mark.parametrize(("toml", "where", "key"), [
    ("colour = 1\n" + TABLE, "top level", "colour"),
    ('[log]\nnaem = "x"\n' + TABLE, "[log]", "naem"),
    ('[items.addr]\nowner = "customer"\nowners = "x"\n' + TABLE, "[items.addr]", "owners"),
    ('[lookups.l]\nfile = "x.csv"\nkey = "O"\nvalue = "A"\nsep = ";"\n' + TABLE,
     "[lookups.l]", "sep"),
    (TABLE + 'tz = "UTC"\n', "[sources.s]", "tz"),
    (TABLE.replace("timestamp = \"T\"", "timestamp = \"T\", when = \"T\""),
     "[sources.s.columns]", "when"),
    (TABLE + '[sources.s.case]\nnormalize = { pattern = "a", replace = "b", flags = "i" }\n',
     "[sources.s.case] normalize", "flags"),
    (TABLE + '[sources.s.case]\ncolum = "O"\n', "[sources.s.case]", "colum"),
])
def test_unknown_keys_name_file_table_key_and_allowed(tmp_path, toml, where, key):
    (tmp_path / "x.csv").write_text("O,A,T\n1,a,2024-01-01\n")
    (tmp_path / "s.toml").write_text(toml)
    with pytest.raises(InputError) as info:
        parse_sources(tmp_path / "s.toml")
    message = str(info.value)
    assert message.startswith(f"s.toml: {where}: unknown key {key!r}")
    assert "allowed keys: " in message


@pytest.mark.parametrize(("extra", "match"), [
    ('format = "pdf"\n', "format 'pdf' is unknown"),
    ('party = "robot"\n', "party 'robot' is unknown"),
    ('timezone = "Nowhere/City"\n', "timezone 'Nowhere/City' is unknown"),
    ('department = "Sales"\ndepartment_column = "D"\n', "give one of department"),
    ('timestamp_format = "%d"\ndayfirst = true\n', "give timestamp_format or dayfirst"),
    ('delimiter = ";;"\n', "delimiter must be one character"),
    ('automated_resources = "EDI"\n', "automated_resources must be a list"),
])
def test_bad_values(tmp_path, extra, match):
    (tmp_path / "x.csv").write_text("O,A,T\n1,a,2024-01-01\n")
    (tmp_path / "s.toml").write_text(TABLE.replace('file = "x.csv"\n',
                                                   'file = "x.csv"\n' + extra))
    with pytest.raises(InputError, match=match):
        parse_sources(tmp_path / "s.toml")


def test_case_must_come_from_somewhere(tmp_path):
    (tmp_path / "x.csv").write_text("O,A,T\n1,a,2024-01-01\n")
    (tmp_path / "s.toml").write_text(
        '[sources.s]\nfile = "x.csv"\ncolumns = { activity = "A", timestamp = "T" }\n')
    with pytest.raises(InputError, match="say where the order id comes from"):
        parse_sources(tmp_path / "s.toml")


def test_undeclared_item(tmp_path):
    (tmp_path / "x.csv").write_text("O,A,T\n1,a,2024-01-01\n")
    (tmp_path / "s.toml").write_text(TABLE + '[sources.s.items]\naddress = "A"\n')
    with pytest.raises(InputError, match=r"item 'address' is not declared; declare it as "
                       r"\[items.address\]"):
        parse_sources(tmp_path / "s.toml")


def test_lookup_unknown_source(tmp_path):
    (tmp_path / "x.csv").write_text("O,A,T\n1,a,2024-01-01\n")
    (tmp_path / "s.toml").write_text(
        '[lookups.l]\nsource = "billing"\nkey = "K"\nvalue = "V"\n' + TABLE)
    with pytest.raises(InputError, match=r"\[lookups.l\]: source 'billing' is not declared; "
                       r"sources: 's'"):
        parse_sources(tmp_path / "s.toml")


def test_lookup_needs_file_or_source(tmp_path):
    (tmp_path / "x.csv").write_text("O,A,T\n1,a,2024-01-01\n")
    (tmp_path / "s.toml").write_text('[lookups.l]\nkey = "K"\nvalue = "V"\n' + TABLE)
    with pytest.raises(InputError, match="give either file"):
        parse_sources(tmp_path / "s.toml")


def test_source_based_lookup_missing_value_column(folder):
    text = SOURCES.replace('value = "Orders"', 'value = "OrderList"')
    (folder / "sources.toml").write_text(text)
    with pytest.raises(InputError, match=r"billing\.csv: value column 'OrderList' of lookup "
                       r"'invoice_order' not found; columns present: 'InvoiceNo', 'Orders'"):
        read_sources(folder / "sources.toml")


def test_no_sources(tmp_path):
    (tmp_path / "s.toml").write_text('[log]\nname = "x"\n')
    with pytest.raises(InputError, match=r"no \[sources.<name>\] table"):
        parse_sources(tmp_path / "s.toml")


def test_missing_sources_file(tmp_path):
    with pytest.raises(InputError, match=r"none\.toml: sources file not found"):
        parse_sources(tmp_path / "none.toml")


def test_xes_source_with_constants(tmp_path, real_logs_dir):
    (tmp_path / "s.toml").write_text(textwrap.dedent(f'''
        [log]
        allow_outside = true
        [sources.claims]
        file = "{(real_logs_dir / "running-example.xes").as_posix()}"
        party = "customer"
        department = "Claims"
    '''))
    result = read_sources(tmp_path / "s.toml")
    assert len(result.events) == 42
    assert set(result.events["department"]) == {"Claims"}
    assert set(result.events["party"].astype(str)) == {"customer"}
    assert result.sources[0].rows_read == result.sources[0].rows_loaded + \
        result.sources[0].rows_rejected


def test_xes_source_refuses_column_keys(tmp_path):
    (tmp_path / "l.xes").write_text("<log/>")
    (tmp_path / "s.toml").write_text(
        '[sources.x]\nfile = "l.xes"\ncolumns = { activity = "A" }\n')
    with pytest.raises(InputError, match="unknown key 'columns' for format 'xes'"):
        parse_sources(tmp_path / "s.toml")


def test_readme_example_is_the_tested_example(folder):
    """The README's sources-file example parses and is the one this module tests."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("## Sources file", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    (folder / "readme.toml").write_text(example)
    config = parse_sources(folder / "readme.toml")
    assert [s.name for s in config.sources] == ["sales", "wms", "billing", "returns"]
    assert config.sources[0].mapping.decimal == ","
    result = read_sources(folder / "readme.toml")
    assert sorted(result.events["case_id"].unique()) == ["SO-1", "SO-2"]
    assert len(result.events) == 3 + 3 + 2 + 2  # sales, wms, billing (1 row, 2 orders), returns


def test_generated_sample_matches_its_ground_truth(tmp_path):
    """The generator's ground truth (written independently of the readers) is reproduced."""
    import json

    generate = pytest.importorskip("procmine.generate").generate
    generate(300, seed=11, out=tmp_path)
    truth = json.loads((tmp_path / "ground_truth" / "ground_truth.json").read_text())
    result = read_sources(tmp_path / "sources.toml")
    assert len(result.events) == truth["events"]
    assert result.events["case_id"].nunique() == truth["cases"]
    for s in result.sources:
        assert s.rows_read == truth["rows_per_source"][s.name]
        assert s.events == truth["events_per_source"][s.name]
        assert s.rows_rejected == truth["rejects_per_source"][s.name]
        assert s.rows_read == s.rows_loaded + s.rows_rejected
    injected = sorted((r["source"], r["row"], r["reason"]) for r in truth["injected_rejects"])
    got = sorted(zip(result.rejects["source"], result.rejects["row"].astype(int),
                     result.rejects["reason"], strict=True))
    assert got == injected


def test_parquet_and_excel_sources_and_excel_lookup(tmp_path):
    from openpyxl import Workbook

    pd.DataFrame({"Order": ["SO-1", "SO-2"], "Act": ["Enter", "Enter"],
                  "At": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00"], utc=True)}
                 ).to_parquet(tmp_path / "sales.parquet")
    book = Workbook()
    book.active.title = "notes"
    events = book.create_sheet("events")
    events.append(["PL", "Act", "At"])
    events.append(["P1", "Pick", "2024-01-01 11:00"])
    links = book.create_sheet("links")
    links.append(["PL", "Order"])
    links.append(["P1", "SO-2"])
    book.save(tmp_path / "wms.xlsx")
    (tmp_path / "s.toml").write_text(textwrap.dedent('''
        [lookups.pl]
        file = "wms.xlsx"
        sheet = "links"
        key = "PL"
        value = "Order"
        [sources.sales]
        file = "sales.parquet"
        columns = { case_id = "Order", activity = "Act", timestamp = "At" }
        [sources.wms]
        file = "wms.xlsx"
        sheet = "events"
        columns = { activity = "Act", timestamp = "At" }
        case = { column = "PL", via = ["pl"] }
    '''))
    result = read_sources(tmp_path / "s.toml")
    assert [(s.name, s.format) for s in result.sources] == [("sales", "parquet"),
                                                            ("wms", "excel")]
    assert result.events[["case_id", "activity", "event_id"]].values.tolist() == [
        ["SO-1", "Enter", "sales:2"], ["SO-2", "Enter", "sales:3"], ["SO-2", "Pick", "wms:2"]]


def test_lookup_chains_against_a_plain_python_join(tmp_path):
    # Random lookups (spaces, empty parts, repeated pairs, keys with many orders, keys
    # in no lookup) followed row by row in plain Python: the same (row, order) events
    # and the same rows refused for fanning out beyond max_orders_per_key.
    import random

    rng = random.Random(1)
    picks = {f"P{i}": [rng.choice(["", " ", f"G{rng.randrange(6)}", f" G{rng.randrange(6)} "])
                       for _ in range(rng.randrange(1, 4))] for i in range(12)}
    groups = {f"G{i}": [f"SO-{rng.randrange(9)}" for _ in range(rng.randrange(0, 5))]
              for i in range(6)}
    (tmp_path / "picks.csv").write_text(
        "Pick,Group\n" + "".join(f"{k},{';'.join(v)}\n" for k, v in picks.items()))
    (tmp_path / "groups.csv").write_text(
        "Group,Orders\n" + "".join(f"{k},{o}\n" for k, v in groups.items() for o in v))
    keys = [rng.choice([*picks, "P99"]) for _ in range(60)]
    (tmp_path / "wms.csv").write_text(
        "Pick,Act,At\n" + "".join(f"{k},Pick {i},2024-01-01 10:{i:02d}\n"
                                  for i, k in enumerate(keys)))
    limit = 4
    (tmp_path / "s.toml").write_text(textwrap.dedent(f'''
        [log]
        max_orders_per_key = {limit}
        [lookups.picks]
        file = "picks.csv"
        key = "Pick"
        value = "Group"
        separator = ";"
        [lookups.groups]
        file = "groups.csv"
        key = "Group"
        value = "Orders"
        [sources.wms]
        file = "wms.csv"
        columns = {{ activity = "Act", timestamp = "At" }}
        case = {{ column = "Pick", via = ["picks", "groups"] }}
        '''))
    pick_groups = {k: list(dict.fromkeys(g.strip() for g in v if g.strip()))
                   for k, v in picks.items()}
    group_orders = {k: list(dict.fromkeys(v)) for k, v in groups.items()}
    expected, refused = set(), set()
    for i, key in enumerate(keys):
        found = pick_groups.get(key, [])
        if len(found) > limit:
            refused.add(i + 2)
            continue
        orders = [o for g in found for o in group_orders.get(g, [])]
        if len(orders) > limit:
            refused.add(i + 2)
            continue
        expected |= {(i + 2, o) for o in orders}
    assert expected and refused  # both paths are exercised
    result = read_sources(tmp_path / "s.toml")
    rows = result.events["event_id"].str.split(":").str[1].astype(int)
    assert set(zip(rows, result.events["case_id"], strict=True)) == expected
    too_many = result.rejects[result.rejects["reason"] == "too many orders for one key"]
    assert set(too_many["row"]) == refused
    assert len(result.events) == len(expected)


def test_seq_numbers_sources_in_file_order_then_rows_whatever_their_time_order(tmp_path):
    # each source is sorted on its own and the log merges them: seq must still be the
    # input order (sources in file order, then rows, a row's orders in id order), and
    # ties in (order, time) keep it. The oracle: the input order written out by hand.
    (tmp_path / "erp.csv").write_text("O,A,T\n2,e1,2024-01-01 12:00\n1,e2,2024-01-01 10:00\n"
                                      "1,e3,2024-01-01 09:00\n")
    (tmp_path / "bill.csv").write_text("Inv,A,T\nI1,b1,2024-01-01 10:00\nI2,b2,2024-01-01 08:00\n")
    (tmp_path / "inv.csv").write_text("Inv,O\nI1,2;1\nI2,1\n")
    (tmp_path / "log.xes").write_text(textwrap.dedent('''\
        <?xml version="1.0" encoding="UTF-8"?>
        <log xes.version="1.0">
          <trace><string key="concept:name" value="1"/>
            <event><string key="concept:name" value="x1"/>
              <date key="time:timestamp" value="2024-01-01T11:00:00+00:00"/></event>
            <event><string key="concept:name" value="x2"/>
              <date key="time:timestamp" value="2024-01-01T07:00:00+00:00"/></event>
          </trace>
          <trace><string key="concept:name" value="2"/>
            <event><string key="concept:name" value="x3"/>
              <date key="time:timestamp" value="2024-01-01T12:00:00+00:00"/></event>
          </trace>
        </log>
        '''))
    (tmp_path / "s.toml").write_text(textwrap.dedent('''
        [lookups.inv]
        file = "inv.csv"
        key = "Inv"
        value = "O"
        separator = ";"
        [sources.erp]
        file = "erp.csv"
        columns = { case_id = "O", activity = "A", timestamp = "T" }
        [sources.bill]
        file = "bill.csv"
        columns = { activity = "A", timestamp = "T" }
        case = { column = "Inv", via = ["inv"] }
        [sources.xes]
        file = "log.xes"
        format = "xes"
    '''))
    events = read_sources(tmp_path / "s.toml").events
    # (order, hour, activity) in input order: erp rows, bill rows (I1 -> orders 1, 2),
    # then the XES events in the file's order
    given = [("2", 12, "e1"), ("1", 10, "e2"), ("1", 9, "e3"), ("1", 10, "b1"),
             ("2", 10, "b1"), ("1", 8, "b2"), ("1", 11, "x1"), ("1", 7, "x2"),
             ("2", 12, "x3")]
    expected = sorted(((o, h, seq, a) for seq, (o, h, a) in enumerate(given)))
    got = list(zip(events["case_id"], events["timestamp"].dt.hour, events["seq"],
                   events["activity"], strict=True))
    assert got == expected
    # order 1 at 10:00: erp's row 3 before bill's row 2 (its first order), as in the input
    assert events["event_id"].tolist()[1:5] == ["bill:3", "erp:4", "erp:3", "bill:2:1"]
