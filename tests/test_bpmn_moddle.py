"""The BPMN export parses in a BPMN 2.0 tool without warnings: bpmn-moddle (bpmn-js's parser).

The checker is ``tests/js/check_bpmn.mjs`` with bpmn-moddle pinned in
``tests/js/package.json``; install it with ``npm ci --prefix tests/js``. Without
node, or without the installed package, these tests skip and say why.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import make_frame
from test_models import LANE_OF, LANE_ROWS

from procmine import EventLog
from procmine.discovery.models import discover_model, write_bpmn

JS = Path(__file__).resolve().parent / "js"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed: cannot run bpmn-moddle"),
    pytest.mark.skipif(not (JS / "node_modules" / "bpmn-moddle").is_dir(),
                       reason="bpmn-moddle is not installed: run `npm ci --prefix tests/js`"),
]


def check(path: Path) -> dict:
    out = subprocess.run([NODE, str(JS / "check_bpmn.mjs"), str(path)], capture_output=True,
                         text=True, timeout=120, check=False)
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)


def test_the_lane_model_parses_without_warnings(tmp_path):
    model = discover_model(EventLog.from_frame(make_frame(LANE_ROWS), name="lanes"))
    report = check(write_bpmn(model, tmp_path / "lanes.bpmn"))
    assert report["warnings"] == []
    (process,) = report["processes"]
    assert process["flowNodes"] == model.n_bpmn_nodes
    assert process["sequenceFlows"] == model.n_bpmn_flows
    assert process["tasks"] == sorted(LANE_OF)
    assert process["unnamedGateways"] == [] and process["flowsWithoutEnds"] == []
    assert {lane["name"] for lane in process["lanes"]} == set(LANE_OF.values())
    members = [ident for lane in process["lanes"] for ident in lane["nodes"]]
    assert len(members) == len(set(members)) == model.n_bpmn_nodes  # each node in one lane
    # a shape for the participant and each lane and node, an edge for each flow
    (diagram,) = report["diagrams"]
    assert diagram["shapes"] == 1 + len(model.lanes) + model.n_bpmn_nodes
    assert diagram["edges"] == model.n_bpmn_flows


def test_the_sample_model_parses_without_warnings(sample_logs_dir, tmp_path):
    from procmine import load_sources

    log = load_sources(sample_logs_dir / "sources.toml")
    model = discover_model(log)
    report = check(write_bpmn(model, tmp_path / "sample.bpmn"))
    assert report["warnings"] == []
    (process,) = report["processes"]
    assert process["flowNodes"] == model.n_bpmn_nodes
    assert len(process["tasks"]) == log.events["activity"].nunique()
    assert process["unnamedGateways"] == []
    assert len(process["lanes"]) == len(model.lanes) > 1


def test_the_checker_does_report_a_broken_file(tmp_path):
    model = discover_model(EventLog.from_frame(make_frame(LANE_ROWS), name="lanes"))
    path = write_bpmn(model, tmp_path / "broken.bpmn")
    text = path.read_text(encoding="utf-8")
    broken = text.replace("<bpmn:flowNodeRef>Task_1<", "<bpmn:flowNodeRef>Task_999<", 1)
    broken = broken.replace("<bpmn:laneSet", "<bpmn:notAnElement/><bpmn:laneSet", 1)
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    warnings = check(path)["warnings"]
    assert any("Task_999" in w for w in warnings)
    assert any("notAnElement" in w for w in warnings)
