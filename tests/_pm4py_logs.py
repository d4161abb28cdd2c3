"""Test helper: canonical logs of the public logs, built through pm4py (not procmine's readers)."""

from __future__ import annotations

import gzip
import os
import shutil
import sys
import warnings
from pathlib import Path

import pandas as pd

from procmine import EventLog


def pm4py():
    sys._pm4py_welcome_shown = True
    os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py as module
    return module


def canonical(frame: pd.DataFrame, *, name: str, department: str | None = None) -> EventLog:
    """An EventLog from a pm4py-style frame (case:concept:name, concept:name, time:timestamp)."""
    data = {
        "case_id": frame["case:concept:name"].astype(str).to_numpy(),
        "activity": frame["concept:name"].astype(str).to_numpy(),
        "timestamp": pd.to_datetime(frame["time:timestamp"], utc=True).to_numpy(),
    }
    if department and department in frame.columns:
        data["department"] = frame[department].to_numpy()
    out = pd.DataFrame(data)
    out["timestamp"] = pd.to_datetime(out["timestamp"], utc=True)
    return EventLog.from_frame(out, name=name)


def read_xes(path: Path) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pm4py().read_xes(str(path), show_progress_bar=False)


def read_order_management(logs: Path, tmp: Path) -> pd.DataFrame:
    """The OCEL 2.0 order-management log flattened on orders, by pm4py."""
    target = tmp / "order-management.xml"
    if not target.exists():
        source = logs / "ocel2_order-management.xml.gz"
        with gzip.open(source, "rb") as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ocel = pm4py().read_ocel2_xml(str(target))
        return pm4py().ocel_flattening(ocel, "orders")
