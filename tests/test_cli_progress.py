"""Progress on long commands: a bar on a terminal, silence off one (scheduled jobs)."""

from __future__ import annotations

import fcntl
import os
import pty
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


def test_report_is_silent_but_for_the_result_off_a_terminal(tmp_path):
    _, err = _run(["report", str(SOURCES), "--out", str(tmp_path / "r")], terminal=False)
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("report of ")
    assert lines[0].endswith(f" -> {tmp_path / 'r' / 'report.html'}")
    assert "\r" not in err and "analysis" not in err


def test_quiet_silences_the_bar_on_a_terminal(tmp_path):
    _, err = _run(["--quiet", "report", str(SOURCES), "--out", str(tmp_path / "r")],
                  terminal=True)
    assert err.strip() == ""
