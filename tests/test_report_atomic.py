"""The report appears whole or not at all: SIGTERM, a full disk, two runs into one --out."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from procmine.cli import main

pytestmark = pytest.mark.slow


def _said(err: str) -> list[str]:
    """Standard error without the progress lines of the stages run (a batch log shows each
    stage once it is over, after the first seconds of a run): what the run says."""
    return [line for line in err.strip().splitlines() if not re.match(r"report \d+/\d+: ", line)]

def _run(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PM4PY_SHOW_PROGRESS_BAR": "False"}
    return subprocess.Popen([sys.executable, "-m", "procmine", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen")
    assert main(["generate", "--orders", "1500", "--seed", "5", "--out", str(out), "-q"]) == 0
    return out / "sources.toml"


@pytest.fixture(scope="module")
def previous(generated, tmp_path_factory) -> Path:
    """A complete report of the generated log, to copy as the previous run's."""
    out = tmp_path_factory.mktemp("prev") / "report"
    assert main(["report", str(generated), "--out", str(out), "-q"]) == 0
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _copy(src: Path, dst: Path) -> None:
    import shutil

    shutil.copytree(src, dst)
    (dst / "summary.json").write_text(  # mark it, to tell the previous report from a new one
        (dst / "summary.json").read_text(encoding="utf-8").replace(
            '"procmine_version"', '"previous": true,\n  "procmine_version"', 1),
        encoding="utf-8")


def _assert_complete(out: Path) -> None:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for name in summary["files"].values():
        assert (out / name).is_file(), name
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.rstrip().endswith("</html>")


def _no_leftovers(parent: Path) -> None:
    assert [p.name for p in parent.iterdir() if "procmine" in p.name] == []


def _wait_for_staging(parent: Path, proc: subprocess.Popen[str], limit: float = 120) -> bool:
    end = time.monotonic() + limit
    while time.monotonic() < end and proc.poll() is None:
        if any(p.name.startswith(".report.procmine-tmp-") for p in parent.iterdir()):
            return True
        time.sleep(0.005)
    return False


@pytest.mark.parametrize("when", ["writing", "loading"])
def test_sigterm_leaves_no_report_or_a_complete_one(generated, tmp_path, when):
    out = tmp_path / "report"
    proc = _run("report", str(generated), "--out", str(out))
    if when == "writing":
        _wait_for_staging(tmp_path, proc)
    else:
        time.sleep(1.5)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=120)
    if out.exists():  # the run finished first: the report must be whole
        _assert_complete(out)
    else:
        assert proc.returncode != 0
    _no_leftovers(tmp_path)


def test_sigterm_while_writing_keeps_the_previous_report(generated, previous, tmp_path):
    out = tmp_path / "report"
    _copy(previous, out)
    before = _snapshot(out)
    proc = _run("report", str(generated), "--out", str(out))
    started = _wait_for_staging(tmp_path, proc)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=120)
    after = _snapshot(out)
    if proc.returncode == 0 and not started:  # finished before the signal: a new report
        _assert_complete(out)
    elif after != before:  # the signal came during the final moves: a whole new report
        _assert_complete(out)
        assert b'"previous": true' not in after["summary.json"]
    _no_leftovers(tmp_path)


def test_interrupt_in_process_keeps_the_previous_report(generated, previous, tmp_path,
                                                        monkeypatch):
    import procmine.report.write as write

    out = tmp_path / "report"
    _copy(previous, out)
    before = _snapshot(out)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(write, "report_html", interrupted)
    assert main(["report", str(generated), "--out", str(out), "-q"]) == 1  # "aborted"
    assert _snapshot(out) == before
    _no_leftovers(tmp_path)


def test_rerun_replaces_the_report_and_keeps_other_files(generated, previous, tmp_path):
    out = tmp_path / "report"
    _copy(previous, out)
    (out / "mine.txt").write_text("keep", encoding="utf-8")
    assert main(["report", str(generated), "--out", str(out), "-q"]) == 0
    _assert_complete(out)
    assert b'"previous": true' not in (out / "summary.json").read_bytes()
    assert (out / "mine.txt").read_text(encoding="utf-8") == "keep"
    _no_leftovers(tmp_path)


def test_second_run_while_one_holds_the_folder_fails_cleanly(generated, previous, tmp_path,
                                                            capsys):
    import fcntl

    out = tmp_path / "report"
    _copy(previous, out)
    before = _snapshot(out)
    lock = tmp_path / ".report.procmine-lock"
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        code = main(["report", str(generated), "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 1
    said = _said(err)
    assert len(said) == 1 and said[0].startswith("procmine: error: "), err
    assert "another procmine run" in err
    assert _snapshot(out) == before


def test_stale_lock_file_of_a_killed_run_does_not_block(generated, tmp_path):
    out = tmp_path / "report"
    (tmp_path / ".report.procmine-lock").write_text("", encoding="utf-8")  # nobody holds it
    assert main(["report", str(generated), "--out", str(out), "-q"]) == 0
    _assert_complete(out)
    _no_leftovers(tmp_path)


def test_folder_left_by_a_killed_run_is_removed_by_the_next(generated, tmp_path):
    out = tmp_path / "report"
    stale = tmp_path / ".report.procmine-tmp-killed"
    (stale / "tables").mkdir(parents=True)
    (stale / "report.html").write_text("<html>half", encoding="utf-8")
    other = tmp_path / ".other.procmine-tmp-x"  # another --out's: not ours to remove
    other.mkdir()
    assert main(["report", str(generated), "--out", str(out), "-q"]) == 0
    _assert_complete(out)
    assert not stale.exists() and other.exists()


def test_report_folder_has_the_usual_permissions_and_follows_a_symlink(generated, tmp_path):
    real = tmp_path / "elsewhere"
    real.mkdir()
    link = tmp_path / "report"
    link.symlink_to(real, target_is_directory=True)
    assert main(["report", str(generated), "--out", str(link), "-q"]) == 0
    assert link.is_symlink()
    _assert_complete(real)
    fresh = tmp_path / "fresh"
    assert main(["report", str(generated), "--out", str(fresh), "-q"]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o777 & ~umask
    _no_leftovers(tmp_path)


def test_two_runs_at_once_never_interleave(generated, tmp_path):
    out = tmp_path / "report"
    runs = [_run("report", str(generated), "--out", str(out)) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in runs]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 1])
    for code, err in results:
        if code == 1:  # one line says why (after the progress lines of the stages it ran)
            said = _said(err)
            assert len(said) == 1 and "another procmine run" in said[0], err
    _assert_complete(out)
    _no_leftovers(tmp_path)


@pytest.fixture()
def small_disk(tmp_path):
    """A 1 MiB tmpfs (root only); skipped where mounting is not allowed."""
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace')[:100]}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True, check=False)


def _fill(disk: Path, leave: int) -> None:
    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize
    (disk / "filler").write_bytes(b"x" * max(0, free - leave))


def test_full_disk_is_one_line_exit_1_and_no_partial_report(generated, small_disk, capsys):
    out = small_disk / "report"
    _fill(small_disk, 64 * 1024)
    code = main(["report", str(generated), "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 1, err
    said = _said(err)
    assert len(said) == 1 and said[0].startswith("procmine: error: "), err
    assert "No space left on device" in err and "nothing was changed" in err
    assert not out.exists()
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


def test_full_disk_keeps_the_previous_report(generated, small_disk, capsys, tmp_path):
    out = small_disk / "report"
    small = tmp_path / "small.csv"
    small.write_text("case,act,ts\no1,Enter,2024-01-01 09:00\no1,Ship,2024-01-02 09:00\n",
                     encoding="utf-8")
    assert main(["report", str(small), "--out", str(out), "--case-id", "case",
                 "--activity", "act", "--timestamp", "ts", "-q"]) == 0
    before = _snapshot(out)
    _fill(small_disk, 64 * 1024)
    code = main(["report", str(generated), "--out", str(out)])
    assert code == 1
    assert len(_said(capsys.readouterr().err)) == 1
    assert _snapshot(out) == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "report"]
