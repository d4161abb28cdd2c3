// Parse a BPMN 2.0 file with bpmn-moddle (the parser of bpmn-js / Camunda Modeler) and print,
// as one JSON object: the parser's warnings, and what the file holds (flow nodes, sequence
// flows, lanes with the nodes they reference, unnamed gateways), for tests/test_bpmn_moddle.py.
// Usage: node check_bpmn.mjs FILE.bpmn
import { readFile } from "node:fs/promises";
import { BpmnModdle } from "bpmn-moddle";

const path = process.argv[2];
if (!path) {
  console.error("usage: node check_bpmn.mjs FILE.bpmn");
  process.exit(2);
}
const xml = await readFile(path, "utf8");
const moddle = new BpmnModdle();
let parsed;
try {
  parsed = await moddle.fromXML(xml);
} catch (error) {
  console.log(JSON.stringify({ error: String(error && error.message || error), warnings: [] }));
  process.exit(1);
}
const { rootElement, warnings } = parsed;
const processes = (rootElement.rootElements || []).filter((e) => e.$type === "bpmn:Process");
const summary = processes.map((proc) => {
  const elements = proc.flowElements || [];
  const flows = elements.filter((e) => e.$type === "bpmn:SequenceFlow");
  const nodes = elements.filter((e) => e.$type !== "bpmn:SequenceFlow");
  const lanes = (proc.laneSets || []).flatMap((set) => set.lanes || []).map((lane) => ({
    name: lane.name ?? null,
    nodes: (lane.flowNodeRef || []).map((node) => node.id),
  }));
  const gateways = nodes.filter((e) => e.$type.endsWith("Gateway"));
  return {
    id: proc.id,
    flowNodes: nodes.length,
    sequenceFlows: flows.length,
    tasks: nodes.filter((e) => e.$type === "bpmn:Task").map((e) => e.name).sort(),
    gateways: gateways.length,
    unnamedGateways: gateways.filter((e) => !e.name).map((e) => e.id),
    flowsWithoutEnds: flows.filter((f) => !f.sourceRef || !f.targetRef).map((f) => f.id),
    lanes,
  };
});
const diagrams = (rootElement.diagrams || []).map((d) => ({
  shapes: (d.plane.planeElement || []).filter((e) => e.$type === "bpmndi:BPMNShape").length,
  edges: (d.plane.planeElement || []).filter((e) => e.$type === "bpmndi:BPMNEdge").length,
}));
console.log(JSON.stringify({
  warnings: warnings.map((w) => w.message),
  processes: summary,
  diagrams,
}));
