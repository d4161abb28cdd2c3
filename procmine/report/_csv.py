"""Deterministic CSV tables of the report, written with formula-injection protection."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from procmine.io.export import write_csv_safe

__all__ = ["write_table"]


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as UTF-8 CSV; floats rounded to 6 decimals, formulas neutralised.

    Rounding keeps the files byte-identical across runs whose sums differ in
    the last bits; :func:`procmine.io.export.write_csv_safe` prefixes text
    cells starting with ``= + - @`` (or a tab or carriage return) with ``'``.
    """
    rounded = frame.copy()
    for column in rounded.columns:
        if pd.api.types.is_float_dtype(rounded[column].dtype):
            rounded[column] = np.round(rounded[column].astype("float64"), 6)
    return write_csv_safe(rounded, path)
