"""Object-centric directly-follows map: hand-built tables and agreement with pm4py."""

from __future__ import annotations

import gzip
import shutil
from types import SimpleNamespace

import pandas as pd
import pytest
from _pm4py_logs import pm4py

from procmine.discovery.ocdfg import object_centric_map


def _ocel():
    ts = pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 10:00",
                         "2024-01-01 12:00"], utc=True)
    events = pd.DataFrame({"event_id": ["e1", "e2", "e3", "e4"],
                           "activity": ["place", "pick", "pick", "ship"], "timestamp": ts})
    relations = pd.DataFrame({
        "event_id": ["e1", "e2", "e3", "e4", "e1", "e2", "e4", "e1", "e3", "e4"],
        "object_id": ["o1", "o1", "o1", "o1", "i1", "i1", "i1", "i2", "i2", "i2"],
        "object_type": ["orders"] * 4 + ["items"] * 6,
    })
    return SimpleNamespace(events=events, relations=relations, name="hand")


def test_hand_built_edges():
    m = object_centric_map(_ocel())
    edges = {(r.object_type, r.source, r.target): (r.event_couples, r.objects, r.median_wait_s)
             for r in m.edges.itertuples()}
    assert edges == {
        ("orders", "place", "pick"): (1, 1, 3600.0),
        ("orders", "pick", "pick"): (1, 1, 0.0),     # e2 then e3 (tie: file order)
        ("orders", "pick", "ship"): (1, 1, 7200.0),
        ("items", "place", "pick"): (2, 2, 3600.0),  # i1: e1->e2, i2: e1->e3
        ("items", "pick", "ship"): (2, 2, 7200.0),
    }
    start = {(r.object_type, r.activity): r.objects for r in m.start.itertuples()}
    assert start == {("items", "place"): 2, ("orders", "place"): 1}
    assert m.object_types == ["items", "orders"]


@pytest.mark.real_logs
@pytest.mark.slow
def test_event_couples_equal_pm4py_on_order_management(real_logs_dir, tmp_path):
    from procmine.io.ocel import load_ocel

    plain = tmp_path / "om.xml"
    with gzip.open(real_logs_dir / "ocel2_order-management.xml.gz", "rb") as src, \
            open(plain, "wb") as dst:
        shutil.copyfileobj(src, dst)
    expected = pm4py().discover_ocdfg(pm4py().read_ocel2_xml(str(plain)))["edges"]["event_couples"]
    mine = object_centric_map(load_ocel(plain))
    got = {(r.object_type, r.source, r.target): r.event_couples for r in mine.edges.itertuples()}
    assert got == {(ot, a, b): len(v) for ot, d in expected.items() for (a, b), v in d.items()}
