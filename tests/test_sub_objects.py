"""Sub-objects of an order (object_id): a table's object_column, an OCEL log's sub-objects."""

from __future__ import annotations

import gzip
import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from _pm4py_logs import pm4py

import procmine
from procmine.cli import main
from procmine.errors import InputError, UsageError
from procmine.io.ocel import flatten_ocel, load_ocel, sub_object_types
from procmine.io.sources import parse_sources

CSV = (
    "Order,Step,At,PackageNo\n"
    "SO-1,Pack,2024-01-01 09:00, PK-1 \n"
    "SO-1,Pack,2024-01-01 10:00,PK-2\n"
    "SO-1,Ship,2024-01-01 11:00,N/A\n"
    "SO-2,Pack,2024-01-02 09:00,\n"
    "SO-2,Ship,not a date,PK-3\n"
)
MAP = {"case_id": "Order", "activity": "Step", "timestamp": "At"}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- tables --------------------------------------------------------------------------------------
def test_object_column_maps_to_object_id_stripped_with_placeholders_missing(tmp_path):
    path = _write(tmp_path / "wms.csv", CSV)
    log = procmine.load(path, **MAP, object_column="PackageNo")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    good = raw[raw["At"] != "not a date"]
    expected = good["PackageNo"].str.strip().replace({"": None, "N/A": None}).tolist()
    got = log.events["object_id"]
    assert [None if pd.isna(v) else v for v in got] == expected == ["PK-1", "PK-2", None, None]
    s = log.sources[0]
    assert (s.rows_read, s.rows_loaded, s.rows_rejected) == (5, 4, 1)
    assert s.rows_read == s.rows_loaded + s.rows_rejected
    assert dict(s.missing_values) == {"object_id": 1}
    assert "PackageNo" not in log.events.columns


def test_object_column_missing_names_the_columns(tmp_path):
    path = _write(tmp_path / "wms.csv", CSV)
    with pytest.raises(InputError, match=r"wms\.csv: column 'Parcel' \(→ object_id\) not "
                                         r"found; columns present: 'Order', 'Step', 'At', "
                                         r"'PackageNo'"):
        procmine.load(path, **MAP, object_column="Parcel")


def test_dataframe_object_column_and_default_object_id_column():
    df = pd.DataFrame({"case_id": ["a", "a"], "activity": ["Pack", "Pack"],
                       "timestamp": ["2024-01-01", "2024-01-02"], "object_id": ["p1", " p2"]})
    assert procmine.load(df).events["object_id"].tolist() == ["p1", "p2"]
    renamed = df.rename(columns={"object_id": "Pkg"})
    log = procmine.load(renamed, object_column="Pkg")
    assert log.events["object_id"].tolist() == ["p1", "p2"]
    assert df["object_id"].tolist() == ["p1", " p2"]  # the caller's frame is untouched


def test_object_options_that_do_not_apply_are_usage_errors(tmp_path):
    path = _write(tmp_path / "wms.csv", CSV)
    with pytest.raises(UsageError, match=r"object_types applies to OCEL logs only"):
        procmine.load(path, **MAP, object_types=["packages"])
    with pytest.raises(UsageError, match=r"object_types"):
        procmine.load(pd.DataFrame(), object_types=["packages"])
    ocel = _tiny_ocel(tmp_path)
    with pytest.raises(UsageError, match=r"option\(s\) object_column do not apply to OCEL"):
        procmine.load(ocel, object_column="PackageNo")


def _sources(tmp_path: Path, extra: str, file: str = "wms.csv") -> Path:
    _write(tmp_path / "wms.csv", CSV)
    return _write(tmp_path / "s.toml", f'''
[sources.wms]
file = "{file}"
department = "Warehouse"
{extra}
[sources.wms.columns]
case_id = "Order"
activity = "Step"
timestamp = "At"
''')


def test_sources_key_object_column(tmp_path):
    log = procmine.load(_sources(tmp_path, 'object_column = "PackageNo"'))
    got = log.events[["case_id", "activity", "object_id"]].astype(object)
    assert [tuple(None if pd.isna(v) else v for v in row) for row in got.to_numpy()] == [
        ("SO-1", "Pack", "PK-1"), ("SO-1", "Pack", "PK-2"), ("SO-1", "Ship", None),
        ("SO-2", "Pack", None)]


def test_sources_object_column_checked_like_every_key(tmp_path):
    with pytest.raises(InputError, match=r"s\.toml: \[sources\.wms\]: unknown key "
                                         r"'object_colum' \(did you mean 'object_column'\?\); "
                                         r"allowed keys: .*object_column"):
        parse_sources(_sources(tmp_path, 'object_colum = "PackageNo"'))
    with pytest.raises(InputError, match=r"\[sources\.wms\]: object_column must be a string"):
        parse_sources(_sources(tmp_path, "object_column = 3"))
    with pytest.raises(InputError, match=r"wms\.csv: column 'Pkg' \(→ object_id\) not found.*"
                                         r"in \[sources\.wms\] of s\.toml"):
        procmine.load(_sources(tmp_path, 'object_column = "Pkg"'))


def test_cli_object_column(tmp_path, capsys):
    path = _write(tmp_path / "wms.csv", CSV)
    code = main(["validate", str(path), "--case-id", "Order", "--activity", "Step",
                 "--timestamp", "At", "--object-column", "PackageNo"])
    out = capsys.readouterr().out
    assert code == 0
    assert "object_id: 1 placeholder values read as missing (N/A)" in out


# -- OCEL: a tiny log ----------------------------------------------------------------------------
def _tiny_ocel(tmp_path: Path) -> Path:
    """Order o1 (items i1, i2 in packages p1, p2), order o2 (item i3 in p2); customer c1."""
    def rel(*ids: str) -> list[dict[str, str]]:
        return [{"objectId": i, "qualifier": "q"} for i in ids]

    data = {
        "objectTypes": [{"name": t, "attributes": []}
                        for t in ("orders", "items", "packages", "customers")],
        "eventTypes": [{"name": a, "attributes": []}
                       for a in ("place order", "pick item", "create package", "send package")],
        "objects": [
            {"id": "o1", "type": "orders", "relationships": rel("i1", "i2")},
            {"id": "o2", "type": "orders", "relationships": rel("i3")},
            {"id": "i1", "type": "items"}, {"id": "i2", "type": "items"},
            {"id": "i3", "type": "items"},
            {"id": "p1", "type": "packages", "relationships": rel("i1")},
            {"id": "p2", "type": "packages", "relationships": rel("i2", "i3")},
            {"id": "c1", "type": "customers", "relationships": rel("o1", "o2")},
        ],
        "events": [
            {"id": "e1", "type": "place order", "time": "2024-01-01T10:00:00Z",
             "relationships": rel("o1", "i1", "i2", "c1")},
            {"id": "e2", "type": "place order", "time": "2024-01-01T11:00:00Z",
             "relationships": rel("o2", "i3", "c1")},
            {"id": "e3", "type": "pick item", "time": "2024-01-02T10:00:00Z",
             "relationships": rel("i1")},
            {"id": "e4", "type": "pick item", "time": "2024-01-02T11:00:00Z",
             "relationships": rel("i2")},
            {"id": "e5", "type": "create package", "time": "2024-01-03T10:00:00Z",
             "relationships": rel("p1", "i1")},
            {"id": "e6", "type": "create package", "time": "2024-01-03T11:00:00Z",
             "relationships": rel("p2", "i2", "i3")},
            {"id": "e7", "type": "send package", "time": "2024-01-04T10:00:00Z",
             "relationships": rel("p1", "p2", "i1", "i2", "i3")},
        ],
    }
    path = tmp_path / "tiny.jsonocel"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _ids(events: pd.DataFrame) -> list[tuple[str, str, object]]:
    return [(c, a, None if pd.isna(o) else o)
            for c, a, o in events[["case_id", "activity", "object_id"]].itertuples(index=False)]


def test_tiny_ocel_default_sub_object_types(tmp_path):
    ocel = load_ocel(_tiny_ocel(tmp_path))
    table = sub_object_types(ocel).set_index("object_type")
    # items: one order each; customers: two orders; packages: no event or o2o with an order
    assert table["median_cases"].to_dict() == {"customers": 2.0, "items": 1.0, "packages": 0.0}
    assert table["sub_object"].to_dict() == {"customers": False, "items": True,
                                             "packages": False}
    events = flatten_ocel(ocel).events
    assert _ids(events) == [
        ("o1", "place order", None),        # about the whole order: all its items listed
        ("o1", "pick item", "i1"),
        ("o1", "pick item", "i2"),
        ("o1", "create package", "i1"),
        ("o1", "create package", "i2"),     # p2 also holds o2's i3: left out for o1
        ("o1", "send package", "i1;i2"),
        ("o2", "place order", None),
        ("o2", "create package", "i3"),
        ("o2", "send package", "i3"),
    ]


def test_tiny_ocel_explicit_object_types(tmp_path):
    path = _tiny_ocel(tmp_path)
    log = procmine.load(path, object_types=["items", "packages"])
    assert _ids(log.events) == [
        ("o1", "place order", None),
        ("o1", "pick item", "i1"),
        ("o1", "pick item", "i2"),
        ("o1", "create package", "p1"),     # the container wins over the items it holds
        ("o1", "create package", "p2"),
        ("o1", "send package", "p1;p2"),    # several sub-objects: sorted, joined with ';'
        ("o2", "place order", None),
        ("o2", "create package", "p2"),
        ("o2", "send package", "p1;p2"),
    ]
    assert "object_id" not in procmine.load(path, object_types=[]).events.columns


def test_tiny_ocel_object_type_errors(tmp_path):
    path = _tiny_ocel(tmp_path)
    with pytest.raises(InputError, match=r"tiny\.jsonocel: object type\(s\) 'parcels' not in "
                                         r"the log; the log has 'customers', 'items', "
                                         r"'orders', 'packages'"):
        procmine.load(path, object_types=["parcels"])
    with pytest.raises(UsageError, match=r"object_types lists 'orders', the case notion"):
        procmine.load(path, object_types=["orders"])
    with pytest.raises(UsageError, match=r"object_types must be a list of strings"):
        procmine.load(path, object_types="packages")  # type: ignore[arg-type]


def test_cli_object_types(tmp_path, capsys):
    path = _tiny_ocel(tmp_path)
    assert main(["validate", str(path), "--object-types", "packages,items"]) == 0
    capsys.readouterr()
    assert main(["validate", str(path), "--object-types", "parcels"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("procmine: error: ") and len(err.splitlines()) == 1
    assert "'parcels' not in the log" in err and "--object-types" in err


def test_sources_key_object_types(tmp_path):
    path = _tiny_ocel(tmp_path)
    toml = _write(tmp_path / "s.toml", f'[sources.om]\nfile = "{path.name}"\n'
                  'object_types = ["packages"]\n')
    log = procmine.load(toml)
    sent = log.events.loc[log.events["activity"] == "send package", "object_id"].tolist()
    assert sent == ["p1;p2", "p1;p2"]
    bad = _write(tmp_path / "bad.toml", f'[sources.om]\nfile = "{path.name}"\n'
                 'object_types = ["parcels"]\n')
    with pytest.raises(InputError, match=r"'parcels' not in the log"):
        procmine.load(bad)
    case = _write(tmp_path / "case.toml", f'[sources.om]\nfile = "{path.name}"\n'
                  'object_types = ["orders"]\n')
    with pytest.raises(InputError, match=r"case\.toml: \[sources\.om\]: object_types lists "
                                         r"'orders'"):
        parse_sources(case)
    table = _write(tmp_path / "table.toml", '[sources.w]\nfile = "t.csv"\n'
                   'object_types = ["packages"]\n[sources.w.columns]\ncase_id = "a"\n'
                   'activity = "b"\ntimestamp = "c"\n')
    _write(tmp_path / "t.csv", "a,b,c\n")
    with pytest.raises(InputError, match=r"unknown key 'object_types' for format 'csv'"):
        parse_sources(table)


# -- a zipped source in a sources file -----------------------------------------------------------
def test_sources_file_reads_a_zipped_source(tmp_path):
    with zipfile.ZipFile(tmp_path / "wms.zip", "w") as archive:
        archive.writestr("export/wms.csv", CSV)
    toml = _sources(tmp_path, 'object_column = "PackageNo"', file="wms.zip")
    spec = parse_sources(toml).sources[0]
    assert (spec.format, spec.member) == ("csv", "export/wms.csv")
    log = procmine.load(toml)
    s = log.sources[0]
    assert (s.rows_read, s.rows_loaded, s.rows_rejected) == (5, 4, 1)
    assert s.path.endswith("wms.zip/export/wms.csv")


def test_zipped_source_format_key_and_messages(tmp_path):
    with zipfile.ZipFile(tmp_path / "wms.zip", "w") as archive:
        archive.writestr("wms.txt", CSV)
    toml = _sources(tmp_path, 'format = "csv"', file="wms.zip")
    assert procmine.load(toml).n_events == 4
    no_format = _sources(tmp_path, "", file="wms.zip")
    with pytest.raises(InputError, match=r"wms\.zip: the archive holds no extract; expected "
                                         r"exactly one CSV.*members: 'wms\.txt'"):
        parse_sources(no_format)
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as archive:
        archive.writestr("a.csv", CSV)
        archive.writestr("b.csv", CSV)
    with pytest.raises(InputError, match=r"two\.zip: the archive holds 2 extracts"):
        parse_sources(_sources(tmp_path, "", file="two.zip"))
    with zipfile.ZipFile(tmp_path / "wms.zip", "w") as archive:
        archive.writestr("in/wms.csv", CSV)
    bad = _sources(tmp_path, 'object_column = "Pkg"', file="wms.zip")
    with pytest.raises(InputError, match=r"wms\.zip/in/wms\.csv: column 'Pkg' \(→ object_id\) "
                                         r"not found"):
        procmine.load(bad)


# -- OCEL: the shared order-management log, checked against pm4py's own read -------------------
@pytest.fixture(scope="module")
def order_management(real_logs_dir, tmp_path_factory):
    source = real_logs_dir / "ocel2_order-management.xml.gz"
    plain = tmp_path_factory.mktemp("om") / "order-management.xml"
    with gzip.open(source, "rb") as src, open(plain, "wb") as out:
        shutil.copyfileobj(src, out)
    relations = pm4py().read_ocel2_xml(str(plain)).relations
    return source, relations


def test_shared_log_sub_object_types(order_management):
    source, relations = order_management
    table = sub_object_types(load_ocel(source)).set_index("object_type")
    assert table.loc[table["sub_object"]].index.tolist() == ["items"]
    # independent: orders per item / customer from pm4py's relations (shared events)
    orders = relations.loc[relations["ocel:type"] == "orders", ["ocel:eid", "ocel:oid"]]
    shared = relations.merge(orders, on="ocel:eid", suffixes=("", "_order"))
    per = shared.groupby(["ocel:type", "ocel:oid"])["ocel:oid_order"].nunique()
    assert per["items"].max() == 1 and table.loc["items", "share_at_most_one"] == 1.0
    assert table.loc["customers", "median_cases"] >= per["customers"].median()
    assert table.loc["products", "median_cases"] == per["products"].median()
    assert table.loc["packages", "median_cases"] == 0  # no event shared with an order


def test_shared_log_package_events_carry_their_package(order_management):
    source, rel = order_management
    log = procmine.load(source, object_types=["items", "packages"])
    # independent: order -> its items (events shared with the order), package event ->
    # its package and items, so (order, package event, package), all from pm4py's relations
    kinds = ["send package", "create package"]
    orders = rel.loc[rel["ocel:type"] == "orders", ["ocel:eid", "ocel:oid"]]
    items = rel.loc[rel["ocel:type"] == "items", ["ocel:eid", "ocel:oid"]]
    order_items = orders.merge(items, on="ocel:eid", suffixes=("_order", "_item"))
    order_items = order_items[["ocel:oid_order", "ocel:oid_item"]].drop_duplicates()
    in_kind = rel["ocel:activity"].isin(kinds)
    packages = rel.loc[in_kind & (rel["ocel:type"] == "packages"),
                       ["ocel:eid", "ocel:activity", "ocel:timestamp", "ocel:oid"]]
    packed = rel.loc[in_kind & (rel["ocel:type"] == "items"), ["ocel:eid", "ocel:oid"]]
    expected = (packages.merge(packed, on="ocel:eid", suffixes=("_package", "_item"))
                .merge(order_items, on="ocel:oid_item"))
    expected = expected[["ocel:oid_order", "ocel:activity", "ocel:timestamp",
                         "ocel:oid_package"]].drop_duplicates()
    expected["ocel:timestamp"] = pd.to_datetime(expected["ocel:timestamp"], utc=True)
    want = sorted(map(tuple, expected.astype(str).to_numpy().tolist()))
    ours = log.events.loc[log.events["activity"].isin(kinds),
                          ["case_id", "activity", "timestamp", "object_id"]]
    got = sorted(map(tuple, ours.astype(str).to_numpy().tolist()))
    assert got == want

    per_order = expected.groupby(["ocel:oid_order", "ocel:activity"])["ocel:oid_package"]
    counts = per_order.nunique()
    several = counts[counts > 1]
    assert len(several) > 100  # many orders send several packages
    ours_counts = ours.groupby(["case_id", "activity"])["object_id"].nunique()
    assert ours_counts.loc[several.index].tolist() == several.tolist()
    sends = ours.groupby(["case_id", "activity"]).size().loc[several.index]
    assert (sends == several).all()  # one event per package, each with its own id
    single = counts.loc[counts == 1].reset_index()["ocel:oid_order"].unique()
    assert len(single) > 100
    package_events = ours.loc[ours["case_id"].isin(single)]
    ids = package_events.groupby("case_id")["object_id"].agg(["nunique", "first"])
    assert (ids["nunique"] == 1).all()
    assert ids["first"].str.startswith("p-").all()


def test_cli_help_and_empty_object_types(tmp_path, capsys):
    assert main(["validate", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--object-column COL" in text and "--object-types T,T" in text
    path = _tiny_ocel(tmp_path)
    assert main(["validate", str(path), "--object-types", ""]) == 0
    assert main(["validate", str(path), "--object-column", "x"]) == 2
    assert "object_column do not apply to OCEL" in capsys.readouterr().err
