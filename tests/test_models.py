"""Inductive-miner models: BPMN and Petri net export that reads back through pm4py."""

from __future__ import annotations

import defusedxml.ElementTree as DET
import pytest
from _pm4py_logs import canonical, pm4py, read_xes
from conftest import make_frame

from procmine import EventLog, InputError, UsageError
from procmine.discovery.models import discover_model, read_bpmn_activities, write_bpmn, write_pnml

ROWS = [
    ("o1", "Enter order", "2024-01-01 09:00"), ("o1", "Check credit", "2024-01-01 10:00"),
    ("o1", "Ship", "2024-01-01 11:00"),
    ("o2", "Enter order", "2024-01-02 09:00"), ("o2", "Ship", "2024-01-02 10:00"),
    ("o3", "Enter order", "2024-01-03 09:00"), ("o3", 'Pack "fragile" <box>', "2024-01-03 09:30"),
    ("o3", "Ship", "2024-01-03 10:00"),
]


def _log(rows=ROWS):
    return EventLog.from_frame(make_frame(rows), name="tiny")


def test_model_labels_are_the_log_activities():
    model = discover_model(_log())
    assert model.activities == tuple(sorted({r[1] for r in ROWS}))
    assert model.n_transitions >= len(model.activities) and model.n_places >= 2
    assert "4 activities" in repr(model)


def test_bpmn_reads_back_through_pm4py_with_the_same_labels(tmp_path):
    model = discover_model(_log())
    path = write_bpmn(model, tmp_path / "model.bpmn")
    root = DET.parse(str(path)).getroot()
    assert root.tag.endswith("definitions")
    back = pm4py().read_bpmn(str(path))
    labels = sorted({n.get_name() for n in back.get_nodes()
                     if type(n).__name__ == "Task" and n.get_name()})
    assert labels == sorted({r[1] for r in ROWS})
    assert read_bpmn_activities(path) == labels


def test_pnml_reads_back_through_pm4py(tmp_path):
    path = write_pnml(discover_model(_log()), tmp_path / "model.pnml")
    net, im, fm = pm4py().read_pnml(str(path))
    assert sorted({t.label for t in net.transitions if t.label}) == sorted({r[1] for r in ROWS})
    assert len(im) == 1 and len(fm) == 1


def test_empty_log_and_bad_threshold():
    with pytest.raises(InputError, match="no events"):
        discover_model(EventLog.from_frame(make_frame([("o", "a", "2024-01-01")]).iloc[0:0]))
    with pytest.raises(UsageError, match="noise_threshold"):
        discover_model(_log(), noise_threshold=1.5)
    with pytest.raises(UsageError, match="ProcessModel"):
        write_bpmn("not a model", "x.bpmn")


@pytest.mark.real_logs
def test_running_example_bpmn_round_trip(real_logs_dir, tmp_path):
    frame = read_xes(real_logs_dir / "running-example.xes")
    model = discover_model(canonical(frame, name="running-example"))
    path = write_bpmn(model, tmp_path / "running.bpmn")
    assert read_bpmn_activities(path) == sorted(frame["concept:name"].unique())


def test_pm4py_is_imported_by_the_adapter_only_and_lazily():
    import pathlib
    import subprocess
    import sys

    root = pathlib.Path(__file__).resolve().parent.parent / "procmine"
    importers = sorted(
        str(p.relative_to(root)) for layer in ("discovery", "analysis", "render")
        for p in (root / layer).glob("*.py")
        if "import pm4py" in p.read_text(encoding="utf-8")
    )
    assert importers == ["discovery/_pm4py.py"]
    code = ("import sys, procmine; procmine.process_map; "
            "print('pm4py' in sys.modules, 'procmine.render.maps' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "False"
    # discovery never imports render at module level (ProcessMap imports it on display only)
    import ast

    for path in (root / "discovery").glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("procmine.render"), path
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("procmine.render") for a in node.names), path


# -- BPMN with one lane per department and named gateways ---------------------------------
LANE_ROWS = [
    ("o1", "Enter order", "2024-01-01 09:00", "ann", "Sales"),
    ("o1", "Check credit", "2024-01-01 10:00", "cid", "Credit"),
    ("o1", "Pick", "2024-01-01 11:00", "bob", "Warehouse"),
    ("o1", "Ship", "2024-01-01 12:00", "sam", "Shipping"),
    ("o2", "Enter order", "2024-01-02 09:00", "ann", "Sales"),
    ("o2", "Pick", "2024-01-02 10:00", "bob", "Warehouse"),
    ("o2", "Ship", "2024-01-02 11:00", "sam", "Shipping"),
    ("o3", "Enter order", "2024-01-03 09:00", "al", "Sales"),
    ("o3", "Check credit", "2024-01-03 09:10", "ann", "Sales"),  # Credit still the most frequent?
    ("o3", "Pick", "2024-01-03 10:00", "bob", "Warehouse"),
    ("o3", "Ship", "2024-01-03 11:00", "sam", "Shipping"),
    ("o4", "Enter order", "2024-01-04 09:00", "ann", "Sales"),
    ("o4", "Check credit", "2024-01-04 09:30", "cid", "Credit"),
    ("o4", "Pick", "2024-01-04 10:00", "bob", "Warehouse"),
    ("o4", "Ship", "2024-01-04 11:00", "sam", "Shipping"),
]
#: Each activity's department, by hand: Check credit is Credit twice, Sales once.
LANE_OF = {"Enter order": "Sales", "Check credit": "Credit", "Pick": "Warehouse",
           "Ship": "Shipping"}
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _lanes(path):
    root = DET.parse(str(path)).getroot()
    process = root.find(BPMN + "process")
    names = {e.get("id"): (e.tag.removeprefix(BPMN), e.get("name")) for e in process}
    lanes = {lane.get("name"): [ref.text for ref in lane.findall(BPMN + "flowNodeRef")]
             for lane in process.iter(BPMN + "lane")}
    return root, process, names, lanes


def test_bpmn_has_one_lane_per_department_and_each_task_in_its_own(tmp_path):
    model = discover_model(_log(LANE_ROWS))
    path = write_bpmn(model, tmp_path / "lanes.bpmn")
    root, process, names, lanes = _lanes(path)
    assert set(lanes) == set(LANE_OF.values()) == set(model.lanes)
    assert model.lanes[0] == "Sales"  # the order the process reaches them
    nodes = [e for e in process if not e.tag.endswith(("sequenceFlow", "laneSet"))]
    refs = [ref for members in lanes.values() for ref in members]
    assert sorted(refs) == sorted(e.get("id") for e in nodes)  # every flow node in one lane
    for lane, members in lanes.items():
        for ident in members:
            kind, name = names[ident]
            if kind == "task":
                assert LANE_OF[name] == lane, name
    assert dict(zip(model.table["activity"], model.table["lane"], strict=True)) == LANE_OF
    # the laneSet belongs to the process, and a participant shows it (with a shape per lane)
    assert process.find(BPMN + "laneSet") is not None
    participant = root.find(f"{BPMN}collaboration/{BPMN}participant")
    assert participant.get("processRef") == process.get("id")
    shapes = {s.get("bpmnElement") for s in root.iter(
        "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape")}
    lane_ids = {lane.get("id") for lane in process.iter(BPMN + "lane")}
    assert lane_ids <= shapes and {e.get("id") for e in nodes} <= shapes


def test_bpmn_gateways_are_named_after_their_branches(tmp_path):
    path = write_bpmn(discover_model(_log(LANE_ROWS)), tmp_path / "g.bpmn")
    _, _, names, _ = _lanes(path)
    gateways = [name for kind, name in names.values() if kind.endswith("Gateway")]
    assert gateways and all(gateways)
    # Check credit is skipped in o2: the choice names both ways
    assert "Check credit or skip?" in gateways


def test_bpmn_counts_agree_with_pm4py_and_the_bytes_repeat(tmp_path):
    model = discover_model(_log(LANE_ROWS))
    path = write_bpmn(model, tmp_path / "a.bpmn")
    back = pm4py().read_bpmn(str(path))
    nodes = [n for n in back.get_nodes()
             if type(n).__name__ not in ("Collaboration", "Participant", "Lane")]
    assert len(nodes) == model.n_bpmn_nodes
    assert len(back.get_flows()) == model.n_bpmn_flows
    _, process, _, _ = _lanes(path)
    assert len(process.findall(BPMN + "sequenceFlow")) == model.n_bpmn_flows
    # the same log gives the same file
    again = write_bpmn(discover_model(_log(LANE_ROWS)), tmp_path / "b.bpmn")
    assert again.read_bytes() == path.read_bytes()


def test_without_departments_everything_is_one_lane(tmp_path):
    model = discover_model(_log())
    _, _, _, lanes = _lanes(write_bpmn(model, tmp_path / "one.bpmn"))
    assert list(lanes) == ["(no department)"] and model.lanes == ("(no department)",)
