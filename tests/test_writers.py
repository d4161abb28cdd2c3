"""procmine.io.writers: canonical log -> XES / OCEL 2.0, and back again."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest
from _pm4py_logs import pm4py

from procmine.errors import UsageError
from procmine.io.ocel import load_ocel, read_ocel
from procmine.io.writers import write_ocel, write_xes
from procmine.io.xes import read_xes
from procmine.log import EventLog


@pytest.fixture
def log():
    frame = pd.DataFrame({
        "case_id": ["o1", "o1", "o1", "o2", "o2"],
        "activity": ["Enter order", "Pick", "Ship", "Enter order", "Pick"],
        "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 11:00", "2024-01-02 08:00",
                                     "2024-01-01 10:00", "2024-01-01 10:00"], utc=True),
        "resource": ["ann", "bob", "EDI", "ann", None],
        "department": ["Sales", "Warehouse", "Shipping", "Sales", None],
        "party": ["internal", "internal", "carrier", "customer", "internal"],
        "automated": [False, False, True, None, False],
        "amount": [10.5, None, None, 20.0, None],
    })
    return EventLog.from_frame(frame, name="shop")


def core(events):
    return events[["case_id", "activity", "timestamp", "resource", "department"]].astype(
        "object").where(events[["case_id", "activity", "timestamp", "resource",
                                "department"]].notna(), None).values.tolist()


@pytest.mark.parametrize("name", ["out.xes", "out.xes.gz"])
def test_xes_round_trip(log, tmp_path, name):
    path = write_xes(log, tmp_path / name)
    if name.endswith(".gz"):
        assert path.read_bytes()[:2] == b"\x1f\x8b"
    back = read_xes(path)
    assert core(back.events) == core(log.events)
    assert back.events["party"].astype(str).tolist() == log.events["party"].astype(str).tolist()
    assert back.events["automated"].tolist() == log.events["automated"].tolist()
    assert back.events["amount"].tolist()[0] == 10.5
    # the original provenance travels as plain attributes
    assert back.events["procmine_event_id"].tolist() == log.events["event_id"].tolist()
    assert back.sources[0].rows_read == log.n_events


def test_xes_is_readable_by_pm4py(log, tmp_path):
    path = write_xes(log.events, tmp_path / "plain.xes")
    theirs = pm4py().read_xes(str(path))
    assert len(theirs) == 5
    assert sorted(theirs["concept:name"]) == sorted(log.events["activity"])
    assert set(theirs["lifecycle:transition"]) == {"complete"}
    assert sorted(theirs["org:group"].dropna()) == sorted(log.events["department"].dropna())


@pytest.mark.parametrize("name", ["out.xml", "out.jsonocel", "out.sqlite"])
def test_ocel_round_trip(log, tmp_path, name):
    path = write_ocel(log, tmp_path / name)
    back = read_ocel(path, object_type="orders")
    assert core(back.events) == core(log.events)
    assert back.events["event_id"].tolist() == log.events["event_id"].tolist()
    ocel = load_ocel(path)
    assert ocel.objects["object_type"].value_counts().to_dict() == {"employees": 3, "orders": 2}
    assert set(ocel.relations["qualifier"]) == {"order", "resource"}


def test_ocel_format_is_explicit_or_from_suffix(log, tmp_path):
    with pytest.raises(UsageError, match=r"cannot tell the OCEL format from the suffix '\.ocel'"):
        write_ocel(log, tmp_path / "x.ocel")
    with pytest.raises(UsageError, match="format must be one of xml, json, sqlite"):
        write_ocel(log, tmp_path / "x.xml", format="csv")
    path = write_ocel(log, tmp_path / "x.ocel", format="json")
    assert read_ocel(path).sources[0].rows_read == 5


def test_ocel_without_resources_and_overwrite(log, tmp_path):
    target = tmp_path / "o.sqlite"
    write_ocel(log, target)
    write_ocel(log, target, resource_type=None)  # overwrites, does not append
    ocel = load_ocel(target)
    assert len(ocel.events) == 5
    assert set(ocel.object_types) == {"orders"}


def test_resource_role_is_its_most_frequent_department(tmp_path):
    frame = pd.DataFrame({
        "case_id": ["a", "a", "b"], "activity": ["x", "y", "z"],
        "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"], utc=True),
        "resource": ["ann", "ann", "ann"], "department": ["Sales", "Billing", "Billing"],
    })
    ocel = load_ocel(write_ocel(frame, tmp_path / "r.jsonocel"))
    assert ocel.objects.set_index("object_id").loc["ann", "role"] == "Billing"


def test_writer_rejects_non_frames(tmp_path):
    with pytest.raises(UsageError, match="expected an EventLog or a pandas DataFrame"):
        write_xes([1, 2], tmp_path / "x.xes")


@pytest.mark.real_logs
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_receipt_round_trip(real_logs_dir, tmp_path):
    original = read_xes(real_logs_dir / "receipt.xes.gz")
    back = read_xes(write_xes(original.events, tmp_path / "receipt.xes.gz"))
    assert len(back.events) == 8577
    assert back.events["case_id"].nunique() == 1434
    assert back.events["activity"].value_counts().to_dict() == (
        original.events["activity"].value_counts().to_dict())
    assert gzip.open(tmp_path / "receipt.xes.gz").read(5) == b"<?xml"
