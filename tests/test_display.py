"""The display hook (procmine._display) and the one vocabulary of results: .table, .tables, *_s."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import make_frame

import procmine
from procmine import EventLog, UsageError, _display
from procmine.discovery.dfg import ProcessMap, process_map
from procmine.discovery.models import ProcessModel, discover_model
from procmine.discovery.ocdfg import ObjectCentricMap, object_centric_map
from procmine.log.variants import Variants, variants

ROWS = [
    ("o1", "Enter <order>", "2024-01-01 09:00", "ann", "Sales"),
    ("o1", "Pick", "2024-01-01 10:00", "bob", "Warehouse"),
    ("o1", "Ship", "2024-01-01 12:00", "cy", "Shipping"),
    ("o2", "Enter <order>", "2024-01-02 09:00", "ann", "Sales"),
    ("o2", "Ship", "2024-01-02 09:30", "cy", "Shipping"),
]


def _log():
    return EventLog.from_frame(make_frame(ROWS), name="shop & co")


def _ocmap():
    ts = pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 11:00"], utc=True)
    events = pd.DataFrame({"event_id": ["e1", "e2", "e3"], "activity": ["place", "pick", "ship"],
                           "timestamp": ts, "row": [1, 2, 3]})
    relations = pd.DataFrame({"event_id": ["e1", "e2", "e3", "e1", "e3"],
                              "object_id": ["o1", "o1", "o1", "i1", "i1"],
                              "object_type": ["orders", "orders", "orders", "items", "items"]})
    return object_centric_map(SimpleNamespace(events=events, relations=relations, name="x"))


def _results():
    log = _log()
    return {"ProcessMap": process_map(log), "ProcessModel": discover_model(log),
            "ObjectCentricMap": _ocmap(), "Variants": variants(log)}


# -- the registry -------------------------------------------------------------------------
def test_registry_finds_the_nearest_class_and_falls_back_to_an_escaped_repr(monkeypatch):
    monkeypatch.setattr(_display, "_REGISTRY", {})

    class Base:
        def __repr__(self):
            return "Base<&>"

    class Child(Base):
        pass

    assert _display.html_of(Child()) is None
    assert _display.repr_html(Child()) == "<pre>Base&lt;&amp;&gt;</pre>"
    _display.register_html(Base, lambda obj: "base")
    assert _display.html_of(Child()) == "base"
    _display.register_html(Child, lambda obj: "child")
    assert _display.html_of(Child()) == "child" and _display.html_of(Base()) == "base"
    with pytest.raises(TypeError):
        _display.register_html("Base", lambda obj: "")


def test_the_first_display_registers_the_drawings_of_discovery_results():
    assert _display._LOADER is not None  # procmine offers the loader; render loads on need
    results = _results()
    shown = results["ProcessMap"]._repr_html_()
    for cls in (ProcessMap, ProcessModel, ObjectCentricMap):
        assert cls in _display._REGISTRY, cls
    # the notebook map is a picture (inline SVG, or a PNG that untrusted notebooks show)
    assert ("<svg" in shown or "<img" in shown) and "<order>" not in shown
    model = results["ProcessModel"]._repr_html_()
    assert "ProcessModel(" in model and "<table" in model and "Enter &lt;order&gt;" in model
    oc = results["ObjectCentricMap"]._repr_html_()
    assert ("<svg" in oc or "<img" in oc) and "orders" in oc


def test_without_render_results_show_their_escaped_repr(monkeypatch):
    monkeypatch.setattr(_display, "_REGISTRY", {})
    import inspect

    for name, result in _results().items():
        routed = "repr_html(self)" in inspect.getsource(type(result)._repr_html_)
        if name == "Variants" and not routed:  # its own table until it asks the registry
            assert "<table" in result._repr_html_()
            continue
        assert result._repr_html_() == "<pre>" + __import__("html").escape(repr(result)) + "</pre>"


def test_in_a_fresh_interpreter_the_first_display_shows_tables_in_human_units():
    """``import procmine`` loads no render; the first result shown loads it, tables included."""
    import subprocess
    import sys

    code = (
        "import sys, pandas as pd, procmine as pm\n"
        "f = pd.DataFrame({'case_id': ['o1', 'o1'], 'activity': ['Enter', 'Pick'],\n"
        "    'timestamp': pd.to_datetime(['2024-01-01 09:00', '2024-01-01 12:00'], utc=True),\n"
        "    'department': ['Sales', 'Warehouse']})\n"
        "h = pm.handoffs(pm.EventLog.from_frame(f))\n"
        "print('procmine.render' in sys.modules)\n"
        "shown = h._repr_html_()\n"
        "print('procmine.render.tables' in sys.modules, '3.0 h' in shown, '10800' in shown)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**__import__("os").environ,
                                          "PM4PY_SHOW_PROGRESS_BAR": "False"})
    assert out.stdout.split() == ["False", "True", "True", "False"], out.stdout + out.stderr


def test_discovery_never_imports_render_even_inside_functions():
    import ast
    from pathlib import Path

    root = Path(procmine.__file__).parent / "discovery"
    for path in sorted(root.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            assert not any(n.startswith("procmine.render") for n in names), path


# -- one vocabulary per result ------------------------------------------------------------
_TIME_WORDS = re.compile(r"wait|duration|time|seconds|hours|minutes|_h$|_min$|_ms$|_d$")


@pytest.mark.parametrize("name", ["ProcessMap", "ProcessModel", "ObjectCentricMap", "Variants"])
def test_every_result_has_table_tables_html_and_durations_in_seconds(name):
    result = _results()[name]
    assert isinstance(result.table, pd.DataFrame) and not callable(result.table)
    assert isinstance(result.tables, dict) and result.tables
    assert any(t is result.table for t in result.tables.values())
    assert isinstance(result._repr_html_(), str)
    for label, table in result.tables.items():
        assert isinstance(table, pd.DataFrame), label
        for column in table.columns:
            if _TIME_WORDS.search(str(column)):
                assert str(column).endswith("_s"), f"{name}.tables[{label!r}]: {column}"
            if str(column).endswith("_s"):
                assert pd.api.types.is_float_dtype(table[column]), f"{name}: {column}"


def test_main_tables_are_the_documented_ones():
    results = _results()
    pmap = results["ProcessMap"]
    assert pmap.table is pmap.edges and set(pmap.tables) == {"nodes", "edges", "start", "end"}
    pd.testing.assert_frame_equal(pmap.edge_table(), pmap.edges[["source", "target", "count",
                                                                 "median_wait_s"]])
    model = results["ProcessModel"]
    assert model.table["activity"].tolist() == ["Enter <order>", "Pick", "Ship"]
    assert model.table["events"].tolist() == [2, 1, 2]
    assert model.table["cases"].tolist() == [2, 1, 2]
    assert model.table["in_model"].all()
    elements = model.elements.set_index(["notation", "kind"])["count"]
    assert elements[("bpmn", "Task")] == 3 == len(model.activities)
    assert elements[("petri_net", "place")] == model.n_places
    assert (elements[("petri_net", "transition")] + elements[("petri_net", "silent_transition")]
            == model.n_transitions)
    assert elements.xs("bpmn").drop("sequence_flow").sum() == model.n_bpmn_nodes
    oc = results["ObjectCentricMap"]
    assert oc.table is oc.edges and set(oc.tables) == {"nodes", "edges", "start", "end", "summary"}
    assert isinstance(results["Variants"], Variants)


@pytest.mark.parametrize("call", [process_map, variants, discover_model])
def test_a_dataframe_is_not_an_event_log(call):
    with pytest.raises(UsageError, match=r"expected an EventLog, got a pandas DataFrame; make "
                                         r"one with pm\.load\(df, case_id=\.\.\., "
                                         r"activity=\.\.\., timestamp=\.\.\.\)"):
        call(make_frame(ROWS))
    with pytest.raises(UsageError, match="expected an EventLog, got list"):
        call([1, 2])
