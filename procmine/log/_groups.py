"""Statistics per group of integer-coded rows in numpy: sorted values, exact quantiles, distinct.

The one implementation behind every per-edge and per-period median and p90 of the
maps, handoffs, KPIs and episodes: values are sorted within their group once and
read by index, so quantiles are exact (linear interpolation, as
:func:`numpy.percentile` and pandas), never approximated.
"""

from __future__ import annotations

import numpy as np

from procmine.schema import stable_code_order

__all__ = ["distinct_per_group", "group_median", "group_quantile", "group_starts",
           "sort_within"]


def sort_within(group: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """``values`` (int64, >= 0) ordered by group, then value.

    Packs both into one int64 and sorts that (much faster than a lexsort); falls
    back to a lexsort when they do not fit in 62 bits.

    Examples
    --------
    >>> sort_within(np.array([1, 0, 1, 0]), np.array([5, 7, 2, 3]), 2).tolist()
    [3, 7, 2, 5]
    """
    values = np.asarray(values, dtype=np.int64)
    if not len(values):
        return values
    low, high = int(values.min()), int(values.max())
    value_bits = high.bit_length()
    group_bits = int(max(n_groups - 1, 1)).bit_length()
    if low < 0 or value_bits + group_bits > 62:
        return values[np.lexsort((values, group))]
    key = np.left_shift(group, value_bits, dtype=np.int64)
    key |= values
    key.sort()
    key &= (1 << value_bits) - 1
    return key


def group_starts(sizes: np.ndarray) -> np.ndarray:
    """Position of each group's first row when the rows are ordered by group.

    Examples
    --------
    >>> group_starts(np.array([2, 0, 3])).tolist()
    [0, 2, 2]
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    return np.cumsum(sizes) - sizes


def group_quantile(sorted_values: np.ndarray, starts: np.ndarray, sizes: np.ndarray,
                   q: float, *, divisor: float | None = None) -> np.ndarray:
    """Per-group quantile (linear interpolation, as numpy) of values sorted within groups.

    ``a + frac * (b - a)`` between the two values around position ``q * (size - 1)``;
    NaN for an empty group. With ``divisor``, the two values are divided by it
    first: the same result as passing ``sorted_values / divisor``, without dividing
    every value (integer microseconds in, seconds out).

    Examples
    --------
    >>> group_quantile(np.array([1.0, 2.0, 10.0]), np.array([0, 1]), np.array([1, 2]), 0.9)
    array([1. , 9.2])
    >>> group_quantile(np.array([1, 2, 10]), np.array([0, 1]), np.array([1, 2]), 0.9,
    ...                divisor=10.0)
    array([0.1 , 0.92])
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    out = np.full(len(sizes), np.nan)
    full = sizes > 0
    if not full.any():
        return out
    size = sizes[full]
    start = np.asarray(starts, dtype=np.int64)[full]
    position = q * (size - 1)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, size - 1)
    frac = position - low
    a = sorted_values[start + low]
    b = sorted_values[start + high]
    if divisor is not None:
        a, b = a / divisor, b / divisor
    out[full] = a + frac * (b - a)
    return out


def group_median(sorted_values: np.ndarray, starts: np.ndarray, sizes: np.ndarray, *,
                 divisor: float | None = None) -> np.ndarray:
    """Per-group median as pandas computes it: the middle value, or ``(a + b) / 2``.

    ``divisor`` as for :func:`group_quantile`.

    Examples
    --------
    >>> group_median(np.array([1.0, 2.0, 4.0]), np.array([0, 1]), np.array([1, 2]))
    array([1., 3.])
    >>> group_median(np.array([1, 2, 4]), np.array([0, 1]), np.array([1, 2]), divisor=2.0)
    array([0.5, 1.5])
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    out = np.full(len(sizes), np.nan)
    full = sizes > 0
    size = sizes[full]
    start = np.asarray(starts, dtype=np.int64)[full]
    upper = sorted_values[start + size // 2]
    lower = sorted_values[start + (size - 1) // 2]
    if divisor is not None:
        upper, lower = upper / divisor, lower / divisor
    out[full] = np.where(size % 2 == 1, upper, (lower + upper) / 2)
    return out


#: Up to this many (group, member) cells, distinct members are marked in a dense bitmap.
_BITMAP_LIMIT = 1 << 26


def distinct_per_group(group: np.ndarray, member: np.ndarray, n_groups: int) -> np.ndarray:
    """Number of distinct ``member`` values of each group (e.g. cases per edge).

    ``member`` must be non-decreasing in row order (case codes of rows in log
    order); ``group`` holds integers in ``[0, n_groups)`` of any integer dtype.
    With few enough (member, group) cells they are marked in a bitmap; otherwise
    (group, member) packed in one int64 are sorted, and the distinct ones are where
    the packed value changes; when they do not fit in 62 bits, a stable sort by
    group (a radix sort for at most 65,536 groups) keeps each group's members
    sorted, and the distinct ones are where they change.

    Examples
    --------
    >>> distinct_per_group(np.array([1, 0, 1, 1, 0]), np.array([0, 0, 0, 1, 2]), 3).tolist()
    [2, 2, 0]
    """
    group = np.asarray(group)
    member = np.asarray(member)
    if not len(group):
        return np.zeros(n_groups, dtype=np.int64)
    low = int(member[0])
    span = int(member[-1]) - low + 1
    if span * n_groups <= _BITMAP_LIMIT:
        # cell numbers as intp: numpy indexes with intp, any other dtype is converted first
        cell = np.subtract(member, low, dtype=np.intp)
        cell *= n_groups
        cell += group
        seen = np.zeros(span * n_groups, dtype=bool)
        seen[cell] = True
        return np.count_nonzero(seen.reshape(span, n_groups), axis=0).astype(np.int64)
    member_bits = (span - 1).bit_length()
    if member_bits + int(max(n_groups - 1, 1)).bit_length() <= 62:
        key = np.left_shift(group, member_bits, dtype=np.int64)
        key += member
        if low:
            key -= low
        key.sort()
        new = np.empty(len(key), dtype=bool)
        new[0] = True
        np.not_equal(key[1:], key[:-1], out=new[1:])
        first = key[new]
        first >>= member_bits
        return np.bincount(first, minlength=n_groups)
    group = group.astype(np.int64, copy=False)
    order = stable_code_order(group)
    sizes = np.bincount(group, minlength=n_groups)
    m = member[order]
    new = np.ones(len(m), dtype=bool)
    new[1:] = m[1:] != m[:-1]
    full = sizes > 0
    new[group_starts(sizes)[full]] = True
    out = np.zeros(n_groups, dtype=np.int64)
    out[full] = np.add.reduceat(new, group_starts(sizes)[full])
    return out
