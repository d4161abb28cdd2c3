"""The notebooks run top to bottom on a real Jupyter kernel, with no error and no procmine warning.

Each notebook is executed with nbclient on a ``python3`` kernel whose kernel spec is written
into a temporary folder for this test run and points at the interpreter running pytest, so
the kernel always uses the project's virtual environment (whatever other ``python3`` kernel
specs the machine has). The test injects a first cell that turns
:class:`procmine.ProcmineWarning` into an error inside the kernel, so the committed
notebooks stay clean for users. The wall time of each notebook is printed (run pytest with
``-s`` to see it), never asserted: speed is for benchmarks.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("ipywidgets")

pytestmark = pytest.mark.notebooks

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = (
    "01_explore_order_process.ipynb",
    "02_handoffs_and_reentry.ipynb",
    "03_reengineering_workshop.ipynb",
    "04_costs_and_batch_report.ipynb",
    "05_real_log_order_management.ipynb",
    "06_did_the_change_work.ipynb",
)
#: Seconds one cell may take before the run fails (a notebook should take well under a minute).
CELL_TIMEOUT = 180

_STRICT = """\
import sys, tempfile, warnings
import procmine as pm
assert sys.executable == {executable!r}, f"kernel runs {{sys.executable}}, not the project's venv"
warnings.simplefilter("error", pm.ProcmineWarning)
tempfile.tempdir = {tempdir!r}  # what the notebook writes lands in pytest's temporary folder
"""
#: Without Graphviz's ``dot`` procmine warns once that maps use its built-in layout; that
#: warning is about the machine, not the notebooks, so it alone is let through.
_NO_DOT = """\
warnings.filterwarnings("ignore", message="Graphviz 'dot' is not installed",
                        category=pm.ProcmineWarning)
"""


@pytest.fixture(scope="module")
def kernel_specs(tmp_path_factory: pytest.TempPathFactory):
    """A KernelSpecManager whose only ``python3`` kernel runs this interpreter."""
    from jupyter_client.kernelspec import KernelSpecManager

    folder = tmp_path_factory.mktemp("kernels")
    spec = folder / "python3"
    spec.mkdir()
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (procmine venv)",
        "language": "python",
        "metadata": {"debugger": False},
    }), encoding="utf-8")
    return KernelSpecManager(kernel_dirs=[str(folder)], ensure_native_kernel=False)


def _strict_cell(tempdir: Path, extra: str = "") -> object:
    source = _STRICT.format(executable=sys.executable, tempdir=str(tempdir))
    if shutil.which("dot") is None:
        source += _NO_DOT
    return nbformat.v4.new_code_cell(source + extra)


def _widget_outputs(nb: object) -> list[dict]:
    """Outputs captured by Output widgets (``interact`` draws into one) while executing."""
    state = nb.metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    return [output for model in state.values() if model.get("model_name") == "OutputModel"
            for output in model.get("state", {}).get("outputs", [])]


def _problems(nb: object) -> list[str]:
    """Error outputs (also inside widgets), and stderr text reporting a traceback or warning."""
    found = []
    places = [(f"cell {i}", cell.get("outputs", [])) for i, cell in enumerate(nb.cells)]
    places.append(("an Output widget", _widget_outputs(nb)))
    for where, outputs in places:
        for output in outputs:
            if output.get("output_type") == "error":
                found.append(f"{where}: {output.get('ename')}: {output.get('evalue')}")
            elif output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = output.get("text", "")
                if "Traceback" in text or "ProcmineWarning" in text or "Error" in text:
                    found.append(f"{where} wrote to stderr: {text[:2000]}")
    return found


def _stderr(nb: object) -> str:
    return "".join(
        output.get("text", "")
        for cell in nb.cells for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stderr"
    )


def run_notebook(name: str, kernel_specs: object, tempdir: Path, *, setup: str = ""
                 ) -> tuple[object, float]:
    """Execute a notebook (cwd = notebooks/) with the strict first cell; (notebook, seconds)."""
    from jupyter_client.manager import KernelManager

    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    nb.cells.insert(0, _strict_cell(tempdir, setup))
    km = KernelManager(kernel_name="python3", kernel_spec_manager=kernel_specs)
    client = nbclient.NotebookClient(
        nb, km=km, timeout=CELL_TIMEOUT, kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    start = time.perf_counter()
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:
        pytest.fail(f"{name} failed:\n{error}")
    seconds = time.perf_counter() - start
    return nb, seconds


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(name: str, kernel_specs: object, tmp_path: Path) -> None:
    nb, seconds = run_notebook(name, kernel_specs, tmp_path)
    print(f"\n{name}: {seconds:.1f} s wall time on a Jupyter kernel")
    stderr = _stderr(nb)
    if stderr:
        print(f"{name} wrote to stderr:\n{stderr[:4000]}")
    assert _problems(nb) == []
    code = [c for c in nb.cells[1:] if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), "some cells did not run"
    if any("ipywidgets" in c.source for c in code):
        drawn = [o for o in _widget_outputs(nb)
                 if {"image/svg+xml", "text/html"} & set(o.get("data", {}))]
        assert drawn, "the sliders' first map was not drawn when the notebook ran"


@pytest.mark.slow
def test_real_log_notebook_without_shared_logs(kernel_specs: object, tmp_path: Path) -> None:
    """Without ../shared/logs the OCEL notebook falls back to a generated OCEL log."""
    missing = tmp_path / "absent.xml.gz"
    setup = f"import os\nos.environ['PROCMINE_OCEL_LOG'] = {str(missing)!r}\n"
    nb, seconds = run_notebook("05_real_log_order_management.ipynb", kernel_specs, tmp_path,
                               setup=setup)
    print(f"\n05_real_log_order_management.ipynb (generated OCEL): {seconds:.1f} s")
    assert _problems(nb) == []
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
                   if o.get("output_type") == "stream")
    assert "generated" in text.lower()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_committed_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assert cell.get("outputs") == [], f"{name}: cell {index} has outputs"
        assert cell.get("execution_count") is None, f"{name}: cell {index} has an execution count"


def test_every_notebook_is_tested() -> None:
    assert sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb")) == sorted(NOTEBOOKS)
