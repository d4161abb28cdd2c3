"""The one adapter between procmine's discovery layer and pm4py (imported lazily).

Nothing outside this module sees a pm4py object or a pm4py column name
(``case:concept:name``, ``concept:name``, ``time:timestamp``): functions here
take canonical events and return plain Python values, or opaque model
handles that only this module looks into.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from procmine.schema import ACTIVITY, CASE_ID, TIMESTAMP

__all__: list[str] = []  # private adapter: nothing public

_CASE = "case:concept:name"
_ACT = "concept:name"
_TIME = "time:timestamp"


def _pm4py() -> ModuleType:
    """Import pm4py quietly (no banner, no progress bars, no r4pm advert)."""
    if "pm4py" in sys.modules:
        return sys.modules["pm4py"]
    sys._pm4py_welcome_shown = True  # type: ignore[attr-defined]
    os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, message=".*r4pm.*")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        import pm4py
    return pm4py


def to_pm4py_frame(events: pd.DataFrame) -> pd.DataFrame:
    """Canonical events -> a new frame with pm4py's column names (input untouched).

    A per-case position column keeps procmine's tie order: pm4py sorts by
    timestamp, and ties would otherwise be free to move.
    """
    frame = pd.DataFrame(
        {
            _CASE: events[CASE_ID].astype(object).to_numpy(),
            _ACT: events[ACTIVITY].astype(object).to_numpy(),
            _TIME: events[TIMESTAMP].to_numpy(),
        }
    )
    frame[_TIME] = pd.to_datetime(frame[_TIME], utc=True)
    return frame


def dfg_counts(events: pd.DataFrame) -> tuple[dict[tuple[str, str], int], dict[str, int],
                                               dict[str, int]]:
    """pm4py's directly-follows, start and end counts of canonical events."""
    pm4py = _pm4py()
    frame = to_pm4py_frame(events)
    dfg, start, end = pm4py.discover_dfg(frame)
    return (
        {(str(a), str(b)): int(n) for (a, b), n in dfg.items()},
        {str(a): int(n) for a, n in start.items()},
        {str(a): int(n) for a, n in end.items()},
    )


#: pm4py's process-tree operators as plain names (``seq``, ``xor``, ``and``, ``loop``, ``or``).
_OPERATORS = {"->": "seq", "X": "xor", "+": "and", "*": "loop", "O": "or", "<>": "and",
              "PO": "and"}


def inductive_models(events: pd.DataFrame, *, noise_threshold: float) -> tuple[Any, Any]:
    """Inductive miner on canonical events: (plain process tree, (net, im, fm) handle).

    The tree comes back as nested tuples: ``("task", label)``, ``("tau",)`` or
    ``(operator, (child, ...))`` with operator one of ``seq``, ``xor``, ``and``,
    ``loop``, ``or`` (interleaving is drawn as ``and``).
    """
    pm4py = _pm4py()
    frame = to_pm4py_frame(events)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        tree = pm4py.discover_process_tree_inductive(frame, noise_threshold=noise_threshold)
        petri = pm4py.convert_to_petri_net(tree)
    return _plain_tree(tree), petri


def _plain_tree(node: Any) -> tuple[Any, ...]:
    if node.operator is None:
        return ("tau",) if node.label is None else ("task", str(node.label))
    return (_OPERATORS[str(node.operator.value)],
            tuple(_plain_tree(child) for child in node.children))


def bpmn_facts(bpmn: Any) -> tuple[list[str], list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(task labels, nodes as (id, kind, label), flows as (source id, target id))."""
    nodes = [(str(n.get_id()), type(n).__name__, str(n.get_name() or "")) for n in bpmn.get_nodes()]
    tasks = sorted({label for _, kind, label in nodes if kind == "Task" and label})
    flows = [(str(f.get_source().get_id()), str(f.get_target().get_id())) for f in bpmn.get_flows()]
    return tasks, sorted(nodes), sorted(flows)


def petri_facts(petri: Any) -> tuple[int, int, list[str]]:
    """(places, transitions, visible transition labels) of a Petri net handle."""
    net, _, _ = petri
    labels = sorted({t.label for t in net.transitions if t.label is not None})
    return len(net.places), len(net.transitions), labels


def silent_transitions(petri: Any) -> int:
    """Number of silent (unlabelled) transitions of a Petri net handle."""
    net, _, _ = petri
    return sum(1 for t in net.transitions if t.label is None)


def write_pnml(petri: Any, path: Path) -> None:
    """Write a PNML file with initial and final marking."""
    pm4py = _pm4py()
    net, im, fm = petri
    pm4py.write_pnml(net, im, fm, str(path))


def read_bpmn_labels(path: Path) -> list[str]:
    """Task labels of a BPMN 2.0 file, read back through pm4py."""
    return read_bpmn_facts(path)[0]


def read_bpmn_facts(path: Path) -> tuple[list[str], list[tuple[str, str, str]],
                                         list[tuple[str, str]]]:
    """(task labels, nodes, flows) of a BPMN 2.0 file, read back through pm4py."""
    pm4py = _pm4py()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        bpmn = pm4py.read_bpmn(str(path))
    return bpmn_facts(bpmn)
