"""Write tables for spreadsheets safely (no formula injection)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "write_csv_safe"]

#: A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def write_csv_safe(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a frame as UTF-8 CSV that a spreadsheet opens without running formulas.

    Text cells starting with ``= + - @``, a tab or a carriage return get a
    leading single quote (OWASP's advice against CSV injection); numbers and
    other typed columns are written as they are. Lines end in CRLF (RFC 4180),
    so a value holding a line break is always quoted. The frame is not modified.

    Parameters
    ----------
    df : pandas.DataFrame
        The table; its index is not written.
    path : str or Path
        Where to write (parent folders are created).

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "r.csv")
    >>> frame = pd.DataFrame({"value": ["=HYPERLINK(1)", "ok", "-2", None], "row": [2, 3, 4, 5]})
    >>> _ = write_csv_safe(frame, p)
    >>> print(open(p).read())
    value,row
    '=HYPERLINK(1),2
    ok,3
    '-2,4
    ,5
    <BLANKLINE>
    """
    path = Path(path)
    safe = df.copy()
    for column in safe.columns:
        values = safe[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        text = values.astype("str").mask(values.isna())
        risky = text.str.startswith(FORMULA_PREFIXES).fillna(False).astype(bool)
        if risky.any():
            safe[column] = text.where(~risky, "'" + text)
    path.parent.mkdir(parents=True, exist_ok=True)
    # CRLF line ends (RFC 4180): the csv writer then quotes any value holding a bare CR,
    # which would otherwise split the row for every reader.
    safe.to_csv(path, index=False, encoding="utf-8", lineterminator="\r\n")
    return path
