"""Progress on long commands: a bar on a terminal; off one (a scheduled job's log), one line
per stage with its seconds and the seconds since the start."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "sample_logs" / "sources.toml"


def _run(args: list[str], *, terminal: bool) -> tuple[str, str]:
    """Run the CLI in a subprocess; standard error on a 100-column pseudo-terminal or a pipe."""
    command = [sys.executable, "-m", "procmine", *args]
    if not terminal:
        done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
        return done.stdout, done.stderr
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=slave,
                            stdin=subprocess.DEVNULL, cwd=ROOT)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    stdout = proc.stdout.read().decode() if proc.stdout else ""
    assert proc.wait() == 0
    return stdout, b"".join(chunks).decode("utf-8", "replace")


def test_report_shows_stages_on_a_terminal(tmp_path):
    _, err = _run(["report", str(SOURCES), "--out", str(tmp_path / "r")], terminal=True)
    assert "report: 0/10" in err
    assert "loading sources.toml" in err
    assert "analysis: handoffs" in err
    assert "writing report.html" in err


#: A batch-log progress line: the stage, its seconds, the seconds since the command started.
_LINE = re.compile(r"^(?P<stage>.+): (?P<took>\d+\.\d) s \(at (?P<at>\d+\.\d) s\)$")


def _stages(err: str) -> list[tuple[str, float, float]]:
    found = []
    for line in err.splitlines():
        match = _LINE.match(line)
        if match:
            found.append((match["stage"], float(match["took"]), float(match["at"])))
    return found


def test_report_logs_one_line_per_stage_off_a_terminal(tmp_path):
    _, err = _run(["report", str(SOURCES), "--out", str(tmp_path / "r")], terminal=False)
    lines = err.strip().splitlines()
    assert "\r" not in err and "\x1b" not in err  # no bar, no terminal codes
    stages = _stages(err)
    names = [name for name, _, _ in stages]
    # every one of the ten stages, numbered, in order, each once
    assert [n.split(":")[0] for n in names] == [f"report {i}/10" for i in range(1, 11)]
    assert names[0] == "report 1/10: loading sources.toml"
    assert "report 3/10: analysis: handoffs" in names
    # the clock only moves on, and each stage ends no earlier than it took
    ats = [at for _, _, at in stages]
    assert ats == sorted(ats)
    assert all(at + 0.05 >= took for _, took, at in stages)
    last_stage = max(i for i, line in enumerate(lines) if _LINE.match(line))
    done = [i for i, line in enumerate(lines) if line.startswith("report: done in ")]
    assert len(done) == 1 and done[0] > last_stage
    assert lines[-1].startswith("report of ")
    assert lines[-1].endswith(f" -> {tmp_path / 'r' / 'report.html'}")


def test_handoffs_and_validate_log_their_steps_off_a_terminal(tmp_path):
    out = tmp_path / "h.csv"
    _, err = _run(["handoffs", str(SOURCES), "--out", str(out)], terminal=False)
    names = [name for name, _, _ in _stages(err)]
    assert names[0] == f"… loading {SOURCES}"
    assert names[1].startswith("… computing department handoffs on ")
    assert names[2] == f"… writing {out}"
    assert err.strip().splitlines()[-1].endswith(f"-> {out}")  # the result comes last
    _, err = _run(["validate", str(SOURCES)], terminal=False)
    assert [name for name, _, _ in _stages(err)] == [f"… loading {SOURCES}"]


def test_a_failed_step_writes_only_the_error(tmp_path):
    missing = tmp_path / "nope.csv"
    command = [sys.executable, "-m", "procmine", "handoffs", str(missing), "--out",
               str(tmp_path / "h.csv")]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"procmine: error: {missing}: file not found (looked for {missing})"]


def test_quiet_silences_progress_off_a_terminal(tmp_path):
    _, err = _run(["--quiet", "handoffs", str(SOURCES), "--out", str(tmp_path / "h.csv")],
                  terminal=False)
    assert err == ""


def test_quiet_silences_the_bar_on_a_terminal(tmp_path):
    _, err = _run(["--quiet", "report", str(SOURCES), "--out", str(tmp_path / "r")],
                  terminal=True)
    assert err.strip() == ""


def test_a_local_spark_run_logs_procmine_s_lines_not_spark_s(tmp_path, monkeypatch):
    # Spark's default driver log (host name, default log level, native Hadoop) would fill
    # every batch log; the JVM's own notice of incubator modules is not Spark's to silence
    import pytest
    from _engines import SPARK_REASON

    if SPARK_REASON:
        pytest.skip(SPARK_REASON)
    for variable in ("SPARK_CONF_DIR", "PYSPARK_SUBMIT_ARGS", "SPARK_REMOTE"):
        monkeypatch.delenv(variable, raising=False)
    out = tmp_path / "h.csv"
    _, err = _run(["handoffs", str(SOURCES), "--engine", "spark", "--out", str(out)],
                  terminal=False)
    lines = [line for line in err.splitlines()
             if not line.startswith("WARNING: Using incubator modules")]
    assert lines and all(re.match(r"^(… |\d[\d,]* department handoffs)", line)
                         for line in lines), err
    assert out.exists()
