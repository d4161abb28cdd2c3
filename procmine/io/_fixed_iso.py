"""ISO 8601 times written in one fixed width, parsed from their bytes with NumPy."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from procmine.schema import offset_width

__all__ = ["parse_fixed_iso"]

# The shapes taken (a subset of what procmine.io.mapping's Arrow path takes, and parsed to
# the same instants): years 1700-2199, optional time with optional seconds and fraction
# (at most microseconds), optional offset Z, +HH:MM or +HHMM.
_SHAPE = re.compile(
    r"(?:1[7-9]|2[01])[0-9]{2}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?P<frac>[.][0-9]{1,6})?)?"
    r"(?P<zone>Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)
_NAT = np.iinfo(np.int64).min
_DIGIT = np.uint8(ord("0"))
_BLOCK = 32_768  # rows checked at a time


def parse_fixed_iso(arrow: Any) -> tuple[np.ndarray, bool, np.ndarray] | None:
    """Times of Arrow text whose values all have the shape and width of the first one.

    Every value present must have the same layout as the first (say
    ``2024-03-01 14:05:00+01:00``): digits where it has digits, the same separators, a
    sign where it has one, years 1700-2199. That is checked on the bytes in one pass
    (no regular expression per value), and then Arrow casts the text, as the caller's
    own Arrow path does for these shapes. Anything else (another width or layout, a 30
    February, a leap second, more than one chunk) gives None, and the caller parses the
    text as before.

    Parameters
    ----------
    arrow : pyarrow.Array or pyarrow.ChunkedArray
        Stripped text (``string`` or ``large_string``), missing values null.

    Returns
    -------
    micros : numpy.ndarray
        int64 microseconds since the epoch (UTC when ``aware``, else wall time), the
        int64 minimum (NaT) where a value is missing.
    aware : bool
        The values carry an offset (and ``micros`` are UTC).
    present : numpy.ndarray
        Which values were present (and parsed).

    Examples
    --------
    >>> import pyarrow as pa
    >>> micros, aware, present = parse_fixed_iso(pa.array(
    ...     ["2024-03-01 14:05:00+01:00", None, "2024-02-29 23:59:59-00:30"]))
    >>> micros.view("datetime64[us]")[[0, 2]].tolist(), aware, present.tolist()
    ([datetime.datetime(2024, 3, 1, 13, 5), datetime.datetime(2024, 3, 1, 0, 29, 59)], True, \
[True, False, True])
    >>> parse_fixed_iso(pa.array(["2023-02-29 10:00"])) is None  # no 29 February in 2023
    True
    """
    import pyarrow as pa

    if isinstance(arrow, pa.ChunkedArray):
        if arrow.num_chunks != 1:
            return None
        arrow = arrow.chunk(0)
    width = offset_width(arrow.type)
    if width is None:
        return None
    n = len(arrow)
    if n == 0 or arrow.null_count == n:
        return None
    _, offsets_buffer, data_buffer = arrow.buffers()
    if data_buffer is None:
        return None
    offsets = np.frombuffer(offsets_buffer, dtype=width)[arrow.offset: arrow.offset + n + 1]
    lengths = np.diff(offsets)
    if arrow.null_count:
        present = arrow.is_valid().to_numpy(zero_copy_only=False)
        if lengths[~present].any():
            return None  # a null slot with bytes: the values are not back to back
    else:
        present = np.ones(n, dtype=bool)
    first = int(np.argmax(present))
    size = int(lengths[first])
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    try:
        template = data[offsets[first]: offsets[first] + size].tobytes().decode("ascii")
    except UnicodeDecodeError:
        return None
    shape = _SHAPE.fullmatch(template)
    if shape is None or not bool(np.all(lengths[present] == size)):
        return None
    # the values present, back to back: one row of ``size`` bytes each (no copy); checked
    # in blocks of rows that stay in the cache: digits where the template has digits,
    # its separators and sign elsewhere, years 1700-2199
    matrix = data[offsets[0]: offsets[-1]].reshape(-1, size)
    layout = np.frombuffer(template.encode("ascii"), dtype=np.uint8)
    digit = (layout - _DIGIT) <= 9
    zone = shape.group("zone")
    sign = np.zeros(size, dtype=bool)
    if zone and zone != "Z":
        sign[shape.start("zone")] = True
    fixed = np.flatnonzero(~digit & ~sign)
    signs_at = np.flatnonzero(sign)
    for start in range(0, len(matrix), _BLOCK):
        block = matrix[start: start + _BLOCK]
        if not (bool((((block - _DIGIT) <= 9) == digit).all())
                and bool((block[:, fixed] == layout[fixed]).all())):
            return None
        if len(signs_at):
            signs = block[:, signs_at[0]]
            if not bool(((signs == ord("+")) | (signs == ord("-"))).all()):
                return None
        century = (block[:, 0] - _DIGIT) * np.uint8(10) + (block[:, 1] - _DIGIT)
        if not bool(((century >= 17) & (century <= 21)).all()):
            return None
    aware = zone is not None
    try:
        parsed = arrow.cast(pa.timestamp("us", "UTC") if aware else pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # a 30 February, a 25th hour: the caller's careful path
    micros = parsed.cast(pa.int64()).fill_null(_NAT).to_numpy(zero_copy_only=False)
    return micros, aware, present
