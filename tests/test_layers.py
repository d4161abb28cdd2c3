"""The layers of DESIGN.md hold: no module imports a higher layer, and no import circle exists.

Every module of ``procmine/`` is parsed with :mod:`ast`; every import counts, at
module level and inside functions (``import procmine.x``, ``from procmine.x import
y``, relative imports). Layers, lowest first:

    base (errors, schema, _check, _display) → io → log → analysis | discovery
    → render → report → cli → the package itself (``procmine/__init__``, ``__main__``)

analysis and discovery share a rank but never import each other; ``generate``
imports only base. Imports under ``if TYPE_CHECKING:`` never run: they count for
the layers (a lower layer should not even name a higher layer's types) but not
for the import circles. ``from a.b import c`` imports the module ``a.b.c`` when
that is a module, else ``a.b``; the implicit import of parent packages is not an
edge (a package's ``__init__`` sits in the package's own layer).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "procmine"

BASE = {"procmine.errors", "procmine.schema", "procmine._check", "procmine._display",
        "procmine._parallel",
        "procmine._format", "procmine._version", "procmine._regex", "procmine._changes"}
TOP = {"procmine", "procmine.__main__"}
# engine: the same kernels on DuckDB / Spark; beside analysis (it prices with the cost model and
# returns the same tables), below render, so maps, report and deck take its results unchanged.
RANK = {"base": 0, "io": 1, "log": 2, "analysis": 3, "discovery": 3, "engine": 3, "render": 4,
        "report": 5, "cli": 6, "top": 7}
SUBPACKAGES = {"io", "log", "analysis", "discovery", "engine", "render", "report", "cli",
               "generate"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> str:
    """The layer of a procmine module (a test failure for a module no layer claims)."""
    if module in BASE:
        return "base"
    if module in TOP:
        return "top"
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in SUBPACKAGES:
        return parts[1]
    raise AssertionError(f"{module} belongs to no layer: add it to tests/test_layers.py "
                         "(and to DESIGN.md's layers)")


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _resolve(module: str, name: str | None) -> str:
    """The procmine module an import reaches: ``module.name`` when that is a module."""
    if name is not None and f"{module}.{name}" in MODULES:
        return f"{module}.{name}"
    return module


def imports_of(module: str) -> list[tuple[str, int, bool]]:
    """(imported procmine module, line, only under TYPE_CHECKING) for every import."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, typing_only: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, typing_only)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "procmine" or alias.name.startswith("procmine."):
                    found.append((alias.name, node.lineno, typing_only))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target == "procmine" or target.startswith("procmine."):
                for alias in node.names:
                    found.append((_resolve(target, alias.name), node.lineno, typing_only))
        for child in ast.iter_child_nodes(node):
            visit(child, typing_only)

    visit(tree, False)
    return found


def allowed(source: str, target: str) -> bool:
    """May a module of layer ``source`` import one of layer ``target``?"""
    if source == target:
        return True
    if source == "generate":
        return target == "base"
    if target == "generate":
        return source in {"cli", "top"}
    if {source, target} == {"analysis", "discovery"}:
        return False
    return RANK[target] <= RANK[source]


def test_every_module_has_a_layer():
    assert "procmine.log.actors" in MODULES and "procmine.render.maps" in MODULES
    for module in MODULES:
        layer_of(module)


def test_the_layer_rule_itself():
    assert allowed("discovery", "log") and allowed("render", "discovery")
    assert not allowed("discovery", "render") and not allowed("log", "analysis")
    assert not allowed("analysis", "discovery") and not allowed("discovery", "analysis")
    assert not allowed("report", "top") and not allowed("generate", "io")
    assert allowed("cli", "generate") and not allowed("report", "cli")


def test_the_parser_sees_function_level_relative_and_typing_only_imports(tmp_path):
    source = ("from __future__ import annotations\nfrom typing import TYPE_CHECKING\n"
              "import procmine.log.actors\nfrom . import simplify\n"
              "if TYPE_CHECKING:\n    from procmine.log import EventLog\n"
              "def f():\n    from procmine.render.maps import draw_map\n")
    module = "procmine.discovery._layers_probe"
    path = tmp_path / "_layers_probe.py"
    path.write_text(source, encoding="utf-8")
    MODULES[module] = path
    try:
        found = imports_of(module)
    finally:
        del MODULES[module]
    assert found == [("procmine.log.actors", 3, False), ("procmine.discovery.simplify", 4, False),
                     ("procmine.log", 6, True), ("procmine.render.maps", 8, False)]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_higher_layer(module):
    source = layer_of(module)
    wrong = [f"line {line}: imports {target} ({layer_of(target)})"
             + (" under TYPE_CHECKING" if typing_only else "")
             for target, line, typing_only in imports_of(module)
             if target in MODULES and not allowed(source, layer_of(target))]
    assert not wrong, f"{module} ({source}) " + "; ".join(wrong)


def import_graph() -> nx.DiGraph:
    """Module -> module for every import that runs (TYPE_CHECKING ones never do)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(MODULES)
    for module in MODULES:
        for target, line, typing_only in imports_of(module):
            if target in MODULES and target != module and not typing_only:
                graph.add_edge(module, target, line=line)
    return graph


def test_the_import_graph_has_no_cycles():
    graph = import_graph()
    assert graph.number_of_edges() > len(MODULES) // 2  # the parser found the imports
    cycles = sorted(nx.simple_cycles(graph), key=lambda c: (len(c), c))
    shown = [" -> ".join([*c, c[0]]) for c in cycles[:5]]
    assert not cycles, f"{len(cycles)} import cycle(s), e.g.: " + " | ".join(shown)
    assert nx.is_directed_acyclic_graph(graph)
