"""Heavy libraries are imported where they are used: ``import procmine`` and the command line
do not pay for pm4py or networkx they do not need."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import procmine

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_logs" / "sources.toml"
HEAVY = ("pm4py", "networkx", "graphviz", "pandas")


def _imported_after(code: str) -> set[str]:
    """Top-level packages among HEAVY that a fresh interpreter holds after running ``code``."""
    loaded = "{m.split('.')[0] for m in sys.modules}"
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted({loaded} & {set(HEAVY)!r})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, check=True,
                          env={"PM4PY_SHOW_PROGRESS_BAR": "False", "PATH": "/usr/bin:/bin"})
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_import_procmine_imports_none_of_the_heavy_libraries():
    assert _imported_after("import procmine") == set()


def test_every_public_name_resolves_and_is_listed():
    assert set(procmine.__all__) <= set(dir(procmine))
    for name in procmine.__all__:
        assert getattr(procmine, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        procmine.no_such_name


def test_generate_stays_the_function_when_its_subpackage_is_imported():
    code = ("import procmine, procmine.generate.sample\n"
            "assert callable(procmine.generate) and procmine.generate.__name__ == 'generate'\n"
            "from procmine import generate\nassert generate is procmine.generate")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_the_command_line_and_handoffs_do_not_import_pm4py(tmp_path):
    assert "pm4py" not in _imported_after("import procmine.cli")
    out = tmp_path / "h.csv"
    run = (f"from procmine.cli import main\n"
           f"assert main(['--quiet', 'handoffs', {str(SAMPLE)!r}, '--out', {str(out)!r}]) == 0")
    assert "pm4py" not in _imported_after(run)
    assert out.stat().st_size > 0


def test_handoffs_does_not_import_networkx(tmp_path):
    out = tmp_path / "h.csv"
    run = (f"from procmine.cli import main\n"
           f"assert main(['--quiet', 'handoffs', {str(SAMPLE)!r}, '--out', {str(out)!r}]) == 0")
    assert "networkx" not in _imported_after(run)


def _modules_after(code: str, prefix: str) -> list[str]:
    probe = (f"{code}\nimport sys\n"
             f"print(' '.join(sorted(m for m in sys.modules if m.startswith({prefix!r}))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, check=True, env={"PM4PY_SHOW_PROGRESS_BAR": "False",
                                                     "PATH": "/usr/bin:/bin"})
    return done.stdout.rstrip("\n").split("\n")[-1].split()


def test_help_lists_every_command_without_importing_one():
    code = ("import contextlib, io\nfrom procmine.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    main(['--help'])")
    assert _modules_after(code, "procmine.cli.cmd_") == []


def test_a_command_imports_its_own_module_only(tmp_path):
    out = tmp_path / "h.csv"
    code = (f"from procmine.cli import main\n"
            f"assert main(['--quiet', 'handoffs', {str(SAMPLE)!r}, '--out', {str(out)!r}]) == 0")
    assert _modules_after(code, "procmine.cli.cmd_") == ["procmine.cli.cmd_handoffs"]
    assert not {"graphviz", "pm4py"} & _imported_after(code)
    assert _modules_after(code, "procmine.render") == []


def test_the_short_help_table_is_each_commands_own():
    from procmine.cli.commands import COMMANDS, load_command

    for name, entry in COMMANDS.items():
        command = load_command(name)
        assert command.name == name
        assert command.get_short_help_str(limit=1_000) == entry.short_help, name


def test_help_shows_the_commands_short_help(capsys):
    from procmine.cli import main
    from procmine.cli.commands import COMMANDS, load_command

    assert main(["--help"]) == 0
    block = capsys.readouterr().out.split("Commands:", 1)[1]
    rows = {line.split()[0]: " ".join(line.split()[1:]) for line in block.splitlines()
            if line.strip()}
    assert list(rows) == sorted(COMMANDS)
    assert rows == {n: load_command(n).get_short_help_str(limit=1_000) for n in COMMANDS}
