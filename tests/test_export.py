"""procmine.io.export.write_csv_safe: spreadsheet-safe CSV."""

from __future__ import annotations

import pandas as pd

from procmine.io.export import write_csv_safe


def test_formula_prefixes_are_quoted(tmp_path):
    frame = pd.DataFrame({
        "text": ["=1+1", "+1", "-1", "@x", "\tTab", "\rCR", "plain", None, "a=b"],
        "number": [-1, 2, 3, 4, 5, 6, 7, 8, 9],
    })
    path = write_csv_safe(frame, tmp_path / "sub" / "t.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert back["text"].tolist() == ["'=1+1", "'+1", "'-1", "'@x", "'\tTab", "'\rCR", "plain",
                                     "", "a=b"]
    assert back["number"].tolist()[0] == "-1"  # numbers are not text: left alone


def test_input_frame_not_modified(tmp_path):
    frame = pd.DataFrame({"v": ["=x"]})
    write_csv_safe(frame, tmp_path / "t.csv")
    assert frame["v"].tolist() == ["=x"]


def test_str_dtype_and_empty_frame(tmp_path):
    frame = pd.DataFrame({"v": pd.Series(["@a", "b"], dtype="str")})
    write_csv_safe(frame, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text() == "v\n'@a\nb\n"
    write_csv_safe(frame.iloc[:0], tmp_path / "e.csv")
    assert (tmp_path / "e.csv").read_text() == "v\n"


# -- exports other tools accept: XES, OCEL 2.0 (XML, JSON, SQLite), re-read by pm4py --------
import sqlite3  # noqa: E402

import defusedxml.ElementTree as DET  # noqa: E402
import pytest  # noqa: E402
from _pm4py_logs import pm4py  # noqa: E402

from procmine import EventLog, UsageError  # noqa: E402
from procmine.io.writers import write_ocel, write_xes  # noqa: E402

XES_NS = "{http://www.xes-standard.org/}"


def _typed_log():
    """Three orders, six events; attributes of every XES type, each missing somewhere."""
    frame = pd.DataFrame({
        "case_id": ["o1", "o1", "o1", "o2", "o2", "o3"],
        "activity": ["Enter order", "Pick", "Ship", "Enter order", "Pick", "Enter order"],
        "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 11:00", "2024-01-02 08:00",
                                     "2024-01-01 10:00", "2024-01-01 12:30",
                                     "2024-01-03 09:00"], utc=True),
        "resource": ["ann", "bob", "EDI", "ann", None, "cy"],
        "department": ["Sales", "Warehouse", None, "Sales", "Warehouse", "Sales"],
        "party": ["internal", "internal", "carrier", "internal", "internal", "customer"],
        "automated": [False, False, True, None, False, None],
        "amount": [10.5, None, None, 20.0, None, float("inf")],
        "lines": [3, 1, 1, 1, 2, 2],
        "note": ['say "hi" & <bye>', None, "tab\there", None, None, None],
        "urgent": pd.array([True, None, None, False, None, None], dtype="boolean"),
        "promised": pd.to_datetime(["2024-01-05", None, None, "2024-01-06", None, None],
                                   utc=True),
    })
    return EventLog.from_frame(frame, name="typed")


def _xes_events(path):
    root = DET.parse(str(path)).getroot()
    return [event for trace in root.iter(XES_NS + "trace")
            for event in trace.iter(XES_NS + "event")]


def test_xes_leaves_missing_values_out_and_keeps_each_type(tmp_path):
    log = _typed_log()
    path = write_xes(log, tmp_path / "typed.xes")
    text = path.read_text(encoding="utf-8")
    assert "nan" not in text.lower().replace("enter", "")  # no value="nan"/"NaN" anywhere
    events = _xes_events(path)
    assert len(events) == 6
    # the types, counted by hand from the frame above
    kinds = {}
    for event in events:
        for child in event:
            kinds.setdefault(child.get("key"), set()).add(child.tag.removeprefix(XES_NS))
    assert kinds["amount"] == {"float"} and kinds["lines"] == {"int"}
    assert kinds["note"] == {"string"} and kinds["urgent"] == {"boolean"}
    assert kinds["promised"] == {"date"} and kinds["procmine:automated"] == {"boolean"}
    assert kinds["time:timestamp"] == {"date"}
    # one attribute per non-missing value: amount 3 (inf kept as INF), lines 6, note 2,
    # urgent 2, promised 2, resource 5, department 5, automated 4
    present = {key: sum(1 for e in events for c in e if c.get("key") == key) for key in kinds}
    assert present == {**present, "amount": 3, "lines": 6, "note": 2, "urgent": 2, "promised": 2,
                       "org:resource": 5, "org:group": 5, "procmine:automated": 4}
    values = [c.get("value") for e in events for c in e if c.get("key") == "amount"]
    assert values == ["10.5", "20.0", "INF"]
    notes = [c.get("value") for e in events for c in e if c.get("key") == "note"]
    assert notes == ['say "hi" & <bye>', "tab\there"]  # escaped in the file, intact when parsed


def test_xes_is_reread_by_pm4py_with_the_same_counts(tmp_path):
    log = _typed_log()
    theirs = pm4py().read_xes(str(write_xes(log, tmp_path / "typed.xes.gz")))
    assert len(theirs) == 6
    assert theirs["case:concept:name"].nunique() == 3
    assert theirs["concept:name"].value_counts().to_dict() == {"Enter order": 3, "Pick": 2,
                                                               "Ship": 1}
    assert theirs["amount"].notna().sum() == 3
    assert sorted(theirs["org:resource"].dropna()) == ["EDI", "ann", "ann", "bob", "cy"]


def test_xes_bytes_are_the_same_run_after_run(tmp_path):
    log = _typed_log()
    first = write_xes(log, tmp_path / "a.xes.gz").read_bytes()
    assert write_xes(log, tmp_path / "b.xes.gz").read_bytes() == first


def test_sample_xes_has_no_nan_attributes(sample_logs_dir, tmp_path):
    from procmine import load_sources

    log = load_sources(sample_logs_dir / "sources.toml")
    path = write_xes(log, tmp_path / "sample.xes")
    events = _xes_events(path)
    values = [c.get("value") for e in events for c in e]
    assert not any(v.lower() == "nan" for v in values)
    assert len(events) == log.n_events
    # every non-missing cell is one attribute: the canonical columns written, plus extras
    from procmine.schema import CORE_COLUMNS

    extras = [c for c in log.events.columns if c not in CORE_COLUMNS]
    cells = int(log.events[["resource", "department", "automated", *extras]].notna().sum().sum())
    # concept:name, time:timestamp, lifecycle, party, source, event_id: six per event
    assert len(values) == cells + 6 * log.n_events


OCEL_READERS = {"xml": "read_ocel2_xml", "json": "read_ocel2_json", "sqlite": "read_ocel2_sqlite"}


@pytest.mark.parametrize("suffix,kind", [(".xml", "xml"), (".jsonocel", "json"),
                                         (".sqlite", "sqlite")])
def test_ocel_is_reread_by_pm4py_with_the_same_counts(tmp_path, suffix, kind):
    log = _typed_log()
    path = write_ocel(log, tmp_path / f"typed{suffix}")
    ocel = getattr(pm4py(), OCEL_READERS[kind])(str(path))
    assert len(ocel.events) == 6
    assert ocel.events["ocel:activity"].nunique() == 3
    # objects: 3 orders + 4 resources (ann, bob, EDI, cy); relations: 6 order + 5 resource
    assert ocel.objects["ocel:type"].value_counts().to_dict() == {"employees": 4, "orders": 3}
    assert len(ocel.relations) == 11
    assert ocel.relations["ocel:qualifier"].value_counts().to_dict() == {"order": 6,
                                                                       "resource": 5}
    orders = ocel.relations[ocel.relations["ocel:type"] == "orders"]
    assert orders.groupby("ocel:oid")["ocel:eid"].nunique().to_dict() == {"o1": 3, "o2": 2,
                                                                         "o3": 1}
    roles = ocel.objects.set_index("ocel:oid")["role"].dropna().to_dict()
    assert roles == {"ann": "Sales", "bob": "Warehouse", "cy": "Sales"}


def test_ocel_sqlite_has_the_keys_of_the_standard(tmp_path):
    path = write_ocel(_typed_log(), tmp_path / "typed.sqlite")
    from pm4py.objects.ocel.validation import ocel20_rel_validation

    satisfied, unsatisfied = ocel20_rel_validation.apply(str(path))
    assert unsatisfied == [] and len(satisfied) == 24
    con = sqlite3.connect(path)
    try:
        def pk(table):
            return sorted(r[1] for r in con.execute(f"PRAGMA table_info('{table}')") if r[5])

        def fk(table):
            return sorted((r[3], r[2], r[4]) for r in
                          con.execute(f"PRAGMA foreign_key_list('{table}')"))

        assert pk("event") == ["ocel_id"] and pk("object") == ["ocel_id"]
        assert pk("event_map_type") == ["ocel_type"] == pk("object_map_type")
        assert pk("event_object") == ["ocel_event_id", "ocel_object_id", "ocel_qualifier"]
        assert pk("object_object") == ["ocel_qualifier", "ocel_source_id", "ocel_target_id"]
        assert fk("event") == [("ocel_type", "event_map_type", "ocel_type")]
        assert fk("event_object") == [("ocel_event_id", "event", "ocel_id"),
                                      ("ocel_object_id", "object", "ocel_id")]
        assert fk("object_object") == [("ocel_source_id", "object", "ocel_id"),
                                       ("ocel_target_id", "object", "ocel_id")]
        maps = dict(con.execute("SELECT ocel_type, ocel_type_map FROM event_map_type"))
        assert maps == {"Enter order": "EnterOrder", "Pick": "Pick", "Ship": "Ship"}
        assert pk("event_EnterOrder") == ["ocel_id"]
        assert fk("event_EnterOrder") == [("ocel_id", "event", "ocel_id")]
        assert fk("object_Orders") == [("ocel_id", "object", "ocel_id")]
        con.execute("PRAGMA foreign_keys = ON")
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        # attributes keep their types; a missing value is NULL, never the text 'nan'
        rows = con.execute('SELECT amount, lines, urgent FROM "event_EnterOrder" '
                           "ORDER BY ocel_id").fetchall()
        assert rows == [(10.5, 3, 1), (20.0, 1, 0), (float("inf"), 2, None)]
        # an activity's table holds only the attributes that activity has a value for
        pick = [r[1] for r in con.execute("PRAGMA table_info('event_Pick')")]
        assert pick == ["ocel_id", "ocel_time", "lines"]
    finally:
        con.close()


def test_ocel_refuses_a_resource_named_like_an_order(tmp_path):
    frame = pd.DataFrame({"case_id": ["ann"], "activity": ["x"], "resource": ["ann"],
                          "timestamp": pd.to_datetime(["2024-01-01"], utc=True)})
    with pytest.raises(UsageError, match=r"same id as an order.*resource_type=None"):
        write_ocel(frame, tmp_path / "x.sqlite")
    assert not (tmp_path / "x.sqlite").exists()
    assert write_ocel(frame, tmp_path / "x.sqlite", resource_type=None).exists()


@pytest.mark.real_logs
def test_order_management_ocel_round_trip_counts(real_logs_dir, tmp_path):
    import gzip
    import shutil

    from procmine.io.ocel import read_ocel

    xml = tmp_path / "om.xml"
    with gzip.open(real_logs_dir / "ocel2_order-management.xml.gz") as src, xml.open("wb") as out:
        shutil.copyfileobj(src, out)
    log = read_ocel(xml, object_type="orders")
    path = write_ocel(log.events, tmp_path / "om.sqlite")
    ocel = pm4py().read_ocel2_sqlite(str(path))
    assert len(ocel.events) == len(log.events)
    assert ocel.objects["ocel:type"].value_counts()["orders"] == log.events["case_id"].nunique()


@pytest.mark.parametrize("suffix", [".xml", ".jsonocel"])
def test_ocel_xml_and_json_declare_the_standard_types_and_leave_missing_values_out(
        tmp_path, suffix):
    import json

    path = write_ocel(_typed_log(), tmp_path / f"typed{suffix}")
    text = path.read_text(encoding="utf-8")
    assert "nan" not in text.lower().replace("enter", "")
    if suffix == ".xml":
        root = DET.parse(str(path)).getroot()
        declared = {a.get("name"): a.get("type") for t in root.iter("event-type")
                    if t.get("name") == "Enter order" for a in t.iter("attribute")}
        values = {e.get("id"): {a.get("name"): a.text for a in e.iter("attribute")}
                  for e in root.iter("event")}
    else:
        data = json.loads(text)
        declared = {a["name"]: a["type"] for t in data["eventTypes"]
                    if t["name"] == "Enter order" for a in t["attributes"]}
        values = {e["id"]: {a["name"]: a["value"] for a in e["attributes"]}
                  for e in data["events"]}
    assert declared == {"amount": "float", "lines": "integer", "note": "string",
                        "promised": "time", "urgent": "boolean"}
    first, second, last = values["typed:0"], values["typed:3"], values["typed:5"]
    true, false = ("true", "false") if suffix == ".xml" else (True, False)
    assert first["urgent"] == true and second["urgent"] == false
    assert "urgent" not in last and "note" not in second  # missing: left out
    # JSON has no infinity: left out there, INF (XML Schema) in XML
    assert ("amount" in last) == (suffix == ".xml")
    assert write_ocel(_typed_log(), tmp_path / f"again{suffix}").read_bytes() == path.read_bytes()
