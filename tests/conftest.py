"""Shared fixtures: the public logs beside the project, and tiny hand-built logs."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")

ROOT = Path(__file__).resolve().parent.parent
SHARED_LOGS = ROOT.parent / "shared" / "logs"
SAMPLE_LOGS = ROOT / "sample_logs"


@pytest.fixture(scope="session")
def real_logs_dir() -> Path:
    """``../shared/logs``; tests using it skip when it is absent."""
    if not SHARED_LOGS.is_dir():
        pytest.skip("../shared/logs is absent: real public logs not available")
    return SHARED_LOGS


@pytest.fixture(scope="session")
def sample_logs_dir() -> Path:
    """The committed sample logs made by procmine's generator."""
    return SAMPLE_LOGS


DEFAULT_COLUMNS = ("case_id", "activity", "timestamp", "resource", "department")


def make_frame(rows: list[tuple], columns: tuple[str, ...] = DEFAULT_COLUMNS) -> pd.DataFrame:
    """A tiny canonical-column frame from tuples; timestamps as ISO strings in UTC."""
    frame = pd.DataFrame(rows, columns=list(columns[: len(rows[0])]) if rows else list(columns))
    if "timestamp" in frame.columns:
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    return frame


@pytest.fixture()
def loaded(monkeypatch):
    """The logs the command line loads, through the real procmine.load (a spy, not a mock)."""
    import procmine.cli.cmd_validate as validate
    import procmine.log.load as module

    logs: list = []
    real = module.load

    def spy(*args, **kwargs):
        logs.append(real(*args, **kwargs))
        return logs[-1]

    monkeypatch.setattr(module, "load", spy)
    monkeypatch.setattr(validate, "load", spy)
    return logs
