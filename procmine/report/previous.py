"""A previous run of the batch report, read back to show the change since then.

``procmine report INPUT --out DIR --previous OLD`` reads ``OLD/summary.json``,
``OLD/tables/handoffs.csv`` and ``OLD/tables/kpis_weekly.csv`` (what an earlier
``procmine report`` wrote), checks that they are what procmine writes, and
the new report shows, beside its own figures, how they changed since that run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from procmine.errors import InputError, UsageError

__all__ = ["KPI_MEASURES", "PreviousRun", "kpi_changes", "read_previous"]

#: The KPIs the summary and the comparisons show: (key in summary.json's ``kpis``
#: and in the weekly table, label, unit). Units: ``duration`` (seconds), ``share``
#: (0..1), ``number``.
KPI_MEASURES: tuple[tuple[str, str, str], ...] = (
    ("cycle_time_median_s", "Order cycle time (median)", "duration"),
    ("order_to_cash_median_s", "Order to cash (median)", "duration"),
    ("touchless_rate", "Touchless orders", "share"),
    ("touchless_after_entry_rate", "Touchless after order entry", "share"),
    ("kept_informed_rate", "Customer kept informed", "share"),
    ("handoffs_per_order", "Handoffs per order", "number"),
    ("return_rate", "Return rate", "share"),
    ("abandoned_rate", "Abandoned orders", "share"),
)

_SUMMARY_KEYS = ("procmine_version", "log", "kpis", "costs")
_HANDOFF_KEYS = ("source", "target", "count", "cost")


@dataclass(frozen=True, eq=False)
class PreviousRun:
    """What an earlier report run wrote, as read back by :func:`read_previous`.

    Attributes
    ----------
    path : Path
        The previous run's output folder.
    summary : mapping
        Its ``summary.json``.
    handoffs : DataFrame
        Its ``tables/handoffs.csv`` (at least ``source, target, count, cost``).
    weekly : DataFrame
        Its ``tables/kpis_weekly.csv`` (empty when the run had no KPIs).
    """

    path: Path
    summary: Mapping[str, Any]
    handoffs: pd.DataFrame
    weekly: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def run_date(self) -> str | None:
        """The previous run's date (``None`` for reports written before runs were dated)."""
        run = self.summary.get("run")
        value = run.get("date") if isinstance(run, Mapping) else None
        return None if value is None else str(value)

    @property
    def currency(self) -> str:
        """The currency of its costs."""
        return str(self.summary.get("costs", {}).get("currency") or "")

    def cost(self, key: str) -> float | None:
        """A total from its ``costs`` (``handoff_cost_total``, ...), ``None`` when absent."""
        value = self.summary.get("costs", {}).get(key)
        return None if value is None else float(value)

    def kpi(self, key: str) -> float | None:
        """An overall KPI of that run, ``None`` when absent."""
        value = self.summary.get("kpis", {}).get(key)
        return None if value is None else float(value)

    def __repr__(self) -> str:
        log = self.summary.get("log", {})
        return (f"PreviousRun({str(self.path)!r}: {log.get('events', 0)} events, "
                f"{len(self.handoffs)} handoff routes)")


def _not_a_report(folder: Path, why: str) -> UsageError:
    return UsageError(
        f"--previous {folder}: not the folder of an earlier procmine report ({why}); give "
        "the --out folder of a previous 'procmine report' run (it holds summary.json and "
        "tables/handoffs.csv)")


def _read_csv(folder: Path, path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype={"source": str, "target": str}, keep_default_na=True)
    except (OSError, ValueError, pd.errors.ParserError) as problem:
        raise InputError(f"{path}: cannot read the previous run's table ({problem})") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path}: the previous run's table lacks column(s) {', '.join(missing)} "
            f"(columns present: {', '.join(map(str, frame.columns)) or 'none'}); was it "
            "written by procmine report?")
    return frame


def read_previous(folder: str | Path) -> PreviousRun:
    """Read and check the output folder of an earlier ``procmine report`` run.

    Parameters
    ----------
    folder : str or Path
        The previous run's ``--out`` folder.

    Returns
    -------
    PreviousRun

    Raises
    ------
    UsageError
        The folder is missing, or is not a report folder (no ``summary.json``).
    InputError
        Its ``summary.json`` or tables are not what procmine writes (names the
        file and what is wrong).

    Examples
    --------
    >>> import tempfile
    >>> from procmine.errors import UsageError
    >>> try:
    ...     read_previous(tempfile.mkdtemp())
    ... except UsageError as problem:
    ...     print(str(problem).split("(")[1].split(")")[0])
    no summary.json in it
    """
    path = Path(folder)
    if not path.exists():
        raise _not_a_report(path, "it does not exist")
    if not path.is_dir():
        raise _not_a_report(path, "it is a file, not a folder")
    summary_path = path / "summary.json"
    if not summary_path.is_file():
        raise _not_a_report(path, "no summary.json in it")
    try:
        data = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise InputError(f"{summary_path}: not a readable report summary ({problem})") from None
    if not isinstance(data, dict):
        raise InputError(f"{summary_path}: not a report summary (a JSON object was expected)")
    missing = [k for k in _SUMMARY_KEYS if not isinstance(data.get(k), dict | str)]
    if missing:
        raise InputError(f"{summary_path}: not a procmine report summary: key(s) "
                         f"{', '.join(missing)} missing")
    for key in ("kpis", "costs", "log"):
        if not isinstance(data[key], dict):
            raise InputError(f"{summary_path}: '{key}' must be an object")
    handoffs_path = path / "tables" / "handoffs.csv"
    if not handoffs_path.is_file():
        raise _not_a_report(path, "no tables/handoffs.csv in it")
    handoffs = _read_csv(path, handoffs_path, _HANDOFF_KEYS)
    for column in ("count", "cost"):
        if len(handoffs) and not pd.api.types.is_numeric_dtype(handoffs[column].dtype):
            raise InputError(f"{handoffs_path}: column '{column}' must hold numbers")
    weekly_path = path / "tables" / "kpis_weekly.csv"
    weekly = (_read_csv(path, weekly_path, ("period",)) if weekly_path.is_file()
              else pd.DataFrame())
    return PreviousRun(path=path, summary=data, handoffs=handoffs, weekly=weekly)


def kpi_changes(now: Mapping[str, Any], before: Mapping[str, Any]) -> pd.DataFrame:
    """KPIs side by side: ``kpi, label, unit, before, now, change`` (one row per KPI).

    Examples
    --------
    >>> t = kpi_changes({"handoffs_per_order": 3.0}, {"handoffs_per_order": 4.5})
    >>> t.loc[t["kpi"] == "handoffs_per_order", ["before", "now", "change"]].values.tolist()
    [[4.5, 3.0, -1.5]]
    """
    rows = []
    for key, label, unit in KPI_MEASURES:
        a, b = _number(before.get(key)), _number(now.get(key))
        rows.append({"kpi": key, "label": label, "unit": unit, "before": a, "now": b,
                     "change": b - a if a is not None and b is not None else None})
    return pd.DataFrame(rows, columns=["kpi", "label", "unit", "before", "now", "change"])


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(number) else number
