"""procmine.io.ocel: OCEL 2.0 (XML, JSON, SQLite) flattened to the order view."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from xml.sax.saxutils import quoteattr

import pandas as pd
import pytest
from _pm4py_logs import pm4py

from procmine.errors import InputError, UsageError
from procmine.io.ocel import OcelLog, flatten_ocel, load_ocel, read_ocel
from procmine.schema import REJECT_COLUMNS

# A tiny order log, described once and written as JSON and as XML.
# (id, type, attributes, o2o relations)
OBJECTS = [
    ("o1", "orders", {"price": 10.0}, [("i1", "comprises"), ("i2", "comprises")]),
    ("o2", "orders", {"price": 20.0}, [("i3", "comprises")]),
    ("i1", "items", {}, []),
    ("i2", "items", {}, []),
    ("i3", "items", {}, []),
    ("p1", "packages", {}, [("i1", "contains"), ("i3", "contains")]),
    ("c1", "customers", {}, [("o1", "places"), ("o2", "places")]),
    ("ann", "employees", {"role": "Sales"}, []),
    ("bob", "employees", {"role": "Warehousing"}, []),
    ("cat", "employees", {"role": "Shipment"}, []),
    ("x1", "products", {}, []),
]
# (id, activity, time, relations) in file order
EVENTS = [
    ("e1", "place order", "2024-01-01T10:00:00Z", [("o1", "order"), ("c1", "customer")]),
    ("e2", "place order", "2024-01-02T10:00:00Z", [("o2", "order"), ("c1", "customer")]),
    ("e3", "confirm order", "2024-01-03T10:00:00Z", [("o1", "order"), ("ann", "sales person")]),
    ("e4", "pick item", "2024-01-04T10:00:00Z", [("i1", "item"), ("bob", "employee")]),
    ("e5", "pick item", "2024-01-05T10:00:00Z", [("i3", "item"), ("bob", "employee")]),
    ("e6", "create package", "2024-01-06T10:00:00Z",
     [("i1", "item"), ("i3", "item"), ("p1", "package"), ("bob", "packer")]),
    ("e7", "send package", "2024-01-07T10:00:00Z",
     [("p1", "package"), ("i1", "item"), ("cat", "shipper"), ("bob", "forwarder")]),
    ("e8", "restock", "2024-01-08T10:00:00Z", [("x1", "product")]),
    ("e9", "customer call", "2024-01-09T10:00:00Z", [("c1", "customer")]),
]
TIME0 = "1970-01-01T00:00:00Z"


def ocel_json() -> str:
    types = sorted({t for _, t, _, _ in OBJECTS})
    attr_names: dict[str, set[str]] = defaultdict(set)
    for _, t, attrs, _ in OBJECTS:
        attr_names[t] |= set(attrs)
    doc = {
        "objectTypes": [
            {"name": t, "attributes": [
                {"name": a, "type": "string" if a == "role" else "float"}
                for a in sorted(attr_names[t])]}
            for t in types],
        "eventTypes": [{"name": a, "attributes": []} for a in sorted({e[1] for e in EVENTS})],
        "objects": [
            {"id": oid, "type": t,
             "attributes": [{"name": k, "value": v, "time": TIME0} for k, v in attrs.items()],
             "relationships": [{"objectId": o, "qualifier": q} for o, q in rel]}
            for oid, t, attrs, rel in OBJECTS],
        "events": [
            {"id": eid, "type": act, "time": time, "attributes": [],
             "relationships": [{"objectId": o, "qualifier": q} for o, q in rel]}
            for eid, act, time, rel in EVENTS],
    }
    return json.dumps(doc)


def ocel_xml() -> str:
    types = sorted({t for _, t, _, _ in OBJECTS})
    attr_names: dict[str, set[str]] = defaultdict(set)
    for _, t, attrs, _ in OBJECTS:
        attr_names[t] |= set(attrs)
    out = ['<?xml version="1.0" encoding="UTF-8"?><log><object-types>']
    for t in types:
        attrs = "".join(
            f'<attribute name="{a}" type="{"string" if a == "role" else "float"}"/>'
            for a in sorted(attr_names[t]))
        out.append(f'<object-type name="{t}"><attributes>{attrs}</attributes></object-type>')
    out.append("</object-types><event-types>")
    for act in sorted({e[1] for e in EVENTS}):
        out.append(f'<event-type name="{act}"><attributes></attributes></event-type>')
    out.append("</event-types><objects>")
    for oid, t, attrs, rel in OBJECTS:
        a = "".join(f'<attribute name="{k}" time="{TIME0}">{v}</attribute>'
                    for k, v in attrs.items())
        r = "".join(f'<relationship object-id="{o}" qualifier="{q}"/>' for o, q in rel)
        out.append(f'<object id="{oid}" type="{t}"><attributes>{a}</attributes>'
                   f"<objects>{r}</objects></object>")
    out.append("</objects><events>")
    for eid, act, time, rel in EVENTS:
        r = "".join(f"<relationship object-id={quoteattr(o)} qualifier={quoteattr(q)}/>"
                    for o, q in rel)
        out.append(f'<event id="{eid}" type="{act}" time="{time}"><attributes></attributes>'
                   f"<objects>{r}</objects></event>")
    out.append("</events></log>")
    return "".join(out)


@pytest.fixture
def json_path(tmp_path):
    path = tmp_path / "shop.jsonocel"
    path.write_text(ocel_json(), encoding="utf-8")
    return path


@pytest.fixture
def xml_path(tmp_path):
    path = tmp_path / "shop.xml"
    path.write_text(ocel_xml(), encoding="utf-8")
    return path


def view(result):
    return result.events[["case_id", "activity", "resource", "department", "event_id"]].fillna(
        "-").values.tolist()


# Expected order view, worked out by hand from the tables above.
RELATED = [
    ["o1", "place order", "-", "-", "e1"],
    ["o1", "confirm order", "ann", "Sales", "e3"],
    ["o1", "pick item", "bob", "Warehousing", "e4"],
    ["o1", "create package", "bob", "Warehousing", "e6:1"],
    ["o1", "send package", "bob", "Warehousing", "e7"],  # forwarder < shipper
    ["o2", "place order", "-", "-", "e2"],
    ["o2", "pick item", "bob", "Warehousing", "e5"],
    ["o2", "create package", "bob", "Warehousing", "e6:2"],
]
DIRECT = [
    ["o1", "place order", "-", "-", "e1"],
    ["o1", "confirm order", "ann", "Sales", "e3"],
    ["o2", "place order", "-", "-", "e2"],
]


def test_load_ocel_gives_plain_tables(json_path):
    ocel = load_ocel(json_path)
    assert isinstance(ocel, OcelLog)
    assert ocel.events["event_id"].tolist() == [e[0] for e in EVENTS]
    assert ocel.events["row"].tolist() == list(range(1, 10))
    assert ocel.object_types == sorted({t for _, t, _, _ in OBJECTS})
    assert len(ocel.relations) == sum(len(e[3]) for e in EVENTS)
    assert list(ocel.relations.columns) == ["event_id", "activity", "timestamp", "object_id",
                                            "object_type", "qualifier"]
    # pm4py drops objects that no event relates to (i2), and their o2o relations
    assert "i2" not in set(ocel.objects["object_id"])
    assert len(ocel.o2o) == sum(len(o[3]) for o in OBJECTS) - 1
    for table in (ocel.events, ocel.objects, ocel.relations, ocel.o2o):
        assert not any(str(c).startswith("ocel:") for c in table.columns)
    html = ocel._repr_html_()
    assert "<td>employees</td><td>3</td>" in html and "9 events" in html


def test_related_view_follows_the_order_to_its_items(json_path):
    result = read_ocel(json_path)
    assert view(result) == RELATED
    stats = result.sources[0]
    # e1..e7 belong to an order; e8 (products only) and e9 (customer only) do not
    assert (stats.rows_read, stats.rows_loaded, stats.rows_rejected, stats.events) == (7, 7, 0, 8)
    assert stats.format == "ocel"
    assert result.events["case_price"].tolist() == [10.0] * 5 + [20.0] * 3


def test_direct_view_is_pm4py_flattening(json_path):
    result = read_ocel(json_path, include="direct")
    assert view(result) == DIRECT
    theirs = pm4py().ocel_flattening(pm4py().read_ocel2_json(str(json_path)), "orders")
    assert sorted(zip(theirs["case:concept:name"], theirs["concept:name"], strict=True)) == sorted(
        (r[0], r[1]) for r in DIRECT)


def test_xml_json_and_sqlite_agree(json_path, xml_path, tmp_path):
    from_json = read_ocel(json_path)
    from_xml = read_ocel(xml_path)
    sqlite = tmp_path / "shop.sqlite"
    pm = pm4py()
    pm.write_ocel2_sqlite(pm.read_ocel2_json(str(json_path)), str(sqlite))
    from_sqlite = read_ocel(sqlite)
    assert view(from_xml) == RELATED
    assert view(from_sqlite) == RELATED
    assert from_json.sources[0].rows_read == from_xml.sources[0].rows_read == 7


def test_gzip_xml(xml_path, tmp_path):
    packed = tmp_path / "shop.xml.gz"
    packed.write_bytes(gzip.compress(xml_path.read_bytes()))
    result = read_ocel(packed)
    assert view(result) == RELATED
    assert result.name == "shop"


def test_gzip_json_and_sqlite(json_path, tmp_path):
    packed = tmp_path / "shop.jsonocel.gz"
    packed.write_bytes(gzip.compress(json_path.read_bytes()))
    assert view(read_ocel(packed)) == RELATED
    sqlite = tmp_path / "db.sqlite"
    pm = pm4py()
    pm.write_ocel2_sqlite(pm.read_ocel2_json(str(json_path)), str(sqlite))
    packed_db = tmp_path / "db.sqlite.gz"
    packed_db.write_bytes(gzip.compress(sqlite.read_bytes()))
    assert view(read_ocel(packed_db)) == RELATED


def test_other_case_notion_and_resource_options(json_path):
    items = read_ocel(json_path, object_type="items", include="direct")
    assert sorted(items.events["case_id"].unique()) == ["i1", "i3"]
    no_dept = read_ocel(json_path, department_attribute=None)
    assert no_dept.events["department"].isna().all()
    assert no_dept.events["resource"].notna().any()
    no_res = read_ocel(json_path, resource_type=None)
    assert no_res.events["resource"].isna().all()


def test_resource_qualifier_preference(json_path, xml_path):
    for path in (json_path, xml_path):
        result = read_ocel(path, resource_qualifiers=["shipper"])
        send = result.events.loc[result.events["activity"] == "send package"]
        assert send[["resource", "department"]].values.tolist() == [["cat", "Shipment"]]


def test_unknown_object_type_lists_types(json_path):
    with pytest.raises(InputError, match=r"no objects of type 'order'; the log has 'customers', "
                                         r"'employees'"):
        read_ocel(json_path, object_type="order")


def test_include_is_checked(json_path):
    with pytest.raises(UsageError, match="include must be one of related, direct"):
        read_ocel(json_path, include="all")


def test_missing_activity_or_time_are_rejected():
    events = pd.DataFrame({
        "event_id": ["a", "b", "c", "d"],
        "activity": ["place order", None, "pay order", "ship"],
        "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", None, "2024-01-03"], utc=True),
        "row": [1, 2, 3, 4],
    })
    relations = pd.DataFrame({
        "event_id": ["a", "b", "c", "d"], "activity": events["activity"],
        "timestamp": events["timestamp"], "object_id": ["o1", "o1", "o1", "x"],
        "object_type": ["orders", "orders", "orders", "other"], "qualifier": ["order"] * 4,
    })
    objects = pd.DataFrame({"object_id": ["o1", "x"], "object_type": ["orders", "other"]})
    o2o = pd.DataFrame({"object_id": [], "related_object_id": [], "qualifier": []}, dtype="str")
    ocel = OcelLog(events=events, objects=objects, relations=relations, o2o=o2o,
                   name="hand", path="hand.jsonocel", format="json")
    result = flatten_ocel(ocel)
    assert result.events["event_id"].tolist() == ["a"]
    assert tuple(result.rejects.columns) == REJECT_COLUMNS
    assert result.rejects[["source", "row", "reason", "column"]].values.tolist() == [
        ["hand", 2, "missing activity", "activity"],
        ["hand", 3, "missing timestamp", "timestamp"],
    ]
    stats = result.sources[0]
    assert (stats.rows_read, stats.rows_loaded, stats.rows_rejected) == (3, 1, 2)
    assert stats.reasons == {"missing activity": 1, "missing timestamp": 1}


# -- real public logs -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def order_management(real_logs_dir):
    return load_ocel(real_logs_dir / "ocel2_order-management.xml.gz")


@pytest.mark.real_logs
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.slow
def test_order_management_tables(order_management):
    ocel = order_management
    assert len(ocel.events) == 21008
    assert len(ocel.objects) == 10840
    assert ocel.objects["object_type"].value_counts().to_dict() == {
        "items": 7659, "orders": 2000, "packages": 1128, "products": 20, "employees": 18,
        "customers": 15}
    assert len(ocel.activities) == 11


@pytest.mark.real_logs
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.slow
def test_order_management_direct_matches_pm4py(order_management, tmp_path, real_logs_dir):
    result = flatten_ocel(order_management, include="direct")
    plain = tmp_path / "om.xml"
    packed = real_logs_dir / "ocel2_order-management.xml.gz"
    plain.write_bytes(gzip.decompress(packed.read_bytes()))
    theirs = pm4py().ocel_flattening(pm4py().read_ocel2_xml(str(plain)), "orders")
    assert len(result.events) == len(theirs) == 6566
    assert result.events["case_id"].nunique() == theirs["case:concept:name"].nunique() == 2000
    assert result.events["activity"].value_counts().sort_index().to_dict() == (
        theirs["concept:name"].value_counts().sort_index().to_dict())


@pytest.mark.real_logs
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.slow
def test_order_management_order_view(order_management):
    result = flatten_ocel(order_management)
    events = result.events
    assert events["case_id"].nunique() == 2000
    assert set(events["department"].dropna()) == {"Sales", "Warehousing", "Shipment"}
    # expectation computed independently, with plain Python sets over the relations
    rel = order_management.relations
    o2o = order_management.o2o
    orders = set(order_management.objects.loc[
        order_management.objects["object_type"] == "orders", "object_id"])
    owners: dict[str, set[str]] = defaultdict(set)  # object -> orders it leads to
    for o in orders:
        owners[o].add(o)
    for src, dst in zip(o2o["object_id"], o2o["related_object_id"], strict=True):
        if src in orders:
            owners[dst].add(src)
    pairs = set()
    for eid, oid in zip(rel["event_id"], rel["object_id"], strict=True):
        for order in owners.get(oid, ()):
            pairs.add((eid, order))
    assert len(events) == len(pairs)
    assert result.sources[0].rows_read == len({e for e, _ in pairs})
    # every department is the role of the event's employee
    roles = order_management.objects.set_index("object_id")["role"]
    known = events.dropna(subset=["resource"])
    assert (known["resource"].map(roles) == known["department"]).all()


@pytest.mark.real_logs
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_p2p_json_example(real_logs_dir):
    ocel = load_ocel(real_logs_dir / "ocel2_p2p_small-example.jsonocel")
    assert (len(ocel.events), len(ocel.objects)) == (13, 9)
    result = flatten_ocel(ocel, object_type="Purchase Order", include="direct")
    theirs = pm4py().ocel_flattening(
        pm4py().read_ocel2_json(str(real_logs_dir / "ocel2_p2p_small-example.jsonocel")),
        "Purchase Order")
    assert len(result.events) == len(theirs)
