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
