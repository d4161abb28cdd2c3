"""Bootstrap intervals over orders and proportion tests: the noise model of :mod:`.compare`.

The unit resampled is the **order**: each period's orders are drawn with
replacement, as many as the period has, independently in the two periods
(Efron & Tibshirani, 1993, ch. 8: the two-sample bootstrap). A statistic is
computed on every resample of each period, the difference ``after - before``
on every pair of resamples, and the interval is the percentile interval of
those differences (ch. 13). Everything is seeded, so the same input gives the
same interval.

Vectorised: a block of resamples is one integer matrix of order positions
(``rng.integers``); a mean over orders is a matrix product of the resample
*weights* (how often each order was drawn, from one ``bincount``) with the
per-order values, so a table of many groups (departments, items) costs one
product, not one loop per group; a median is ``np.median`` along the rows of
the gathered values.

Tests of "beyond noise" on the map are two-proportion z-tests (pooled), and
Holm's step-down correction keeps the chance of *any* false alarm over all of
a map's tests at ``alpha`` (Holm, 1979).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "BLOCK_CELLS",
    "DEFAULT_RESAMPLES",
    "holm",
    "interval",
    "mean_draws",
    "median_draws",
    "period_draws",
    "two_proportion_p",
]

#: Resamples per period unless told otherwise.
DEFAULT_RESAMPLES: Final = 2000
#: At most this many cells (resamples x orders) are drawn at once.
BLOCK_CELLS: Final = 2_000_000


def _blocks(n: int, resamples: int, rng: np.random.Generator, *, width: int | None = None
            ) -> Iterator[np.ndarray]:
    """Index matrices (rows = resamples) of ``n`` positions drawn with replacement.

    ``width`` (default ``n``) is the size of the matrices the caller builds from each
    block, so that a block never holds more than :data:`BLOCK_CELLS` cells.
    """
    rows = max(1, BLOCK_CELLS // max(width if width is not None else n, 1))
    done = 0
    while done < resamples:
        b = min(rows, resamples - done)
        yield rng.integers(0, n, size=(b, n), dtype=np.int64) if n else np.zeros((b, 0),
                                                                                 np.int64)
        done += b


def _weights(index: np.ndarray, n: int) -> np.ndarray:
    """How often each position was drawn in each resample (rows of ``index``)."""
    b = index.shape[0]
    flat = (index + (np.arange(b, dtype=np.int64) * n)[:, None]).ravel()
    return np.bincount(flat, minlength=b * n).reshape(b, n).astype(np.float64)


def _order_weights(n: int, resamples: int, rng: np.random.Generator,
                   groups: np.ndarray | None) -> Iterator[np.ndarray]:
    """Blocks of resample weights of ``n`` orders: orders drawn one by one, or whole groups.

    With ``groups`` (a code 0..g-1 per order, e.g. its customer) a resample draws g
    groups with replacement and takes every order of each group drawn (the cluster
    bootstrap: orders of one group are not independent).
    """
    if groups is None:
        for index in _blocks(n, resamples, rng):
            yield _weights(index, n)
        return
    codes = np.asarray(groups, dtype=np.int64)
    g = int(codes.max()) + 1 if len(codes) else 0
    for index in _blocks(g, resamples, rng, width=max(n, g)):
        yield _weights(index, g)[:, codes]


def mean_draws(values: np.ndarray, resamples: int, rng: np.random.Generator, *,
               groups: np.ndarray | None = None) -> np.ndarray:
    """Bootstrap means of each column of ``values`` (orders x columns), NaN left out.

    Returns an array of shape ``(resamples, columns)``: for each resample of
    the orders (of whole ``groups`` of orders, when given), the mean of each
    column over the drawn orders whose value is not missing (NaN when none is).

    Examples
    --------
    >>> x = np.array([[1.0], [1.0], [1.0]])
    >>> mean_draws(x, 4, np.random.default_rng(0)).ravel().tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        values = values[:, None]
    n, k = values.shape
    valid = ~np.isnan(values)
    filled = np.where(valid, values, 0.0)
    out = np.empty((resamples, k))
    done = 0
    for w in _order_weights(n, resamples, rng, groups):
        sums = w @ filled
        counts = w @ valid.astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[done:done + len(w)] = sums / counts
        done += len(w)
    return out


def median_draws(values: np.ndarray, resamples: int, rng: np.random.Generator, *,
                 groups: np.ndarray | None = None) -> np.ndarray:
    """Bootstrap medians of ``values`` (NaN dropped first), one per resample.

    With ``groups``, whole groups are drawn and the median is the weighted one
    (the lower middle value of the drawn orders).

    Examples
    --------
    >>> median_draws(np.array([2.0, 2.0, np.nan]), 3, np.random.default_rng(0)).tolist()
    [2.0, 2.0, 2.0]
    """
    values = np.asarray(values, dtype=np.float64)
    keep = ~np.isnan(values)
    values = values[keep]
    n = len(values)
    if n == 0:
        return np.full(resamples, np.nan)
    if groups is None:
        parts = [np.median(values[index], axis=1) for index in _blocks(n, resamples, rng)]
        return np.concatenate(parts)
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    codes = pd.factorize(np.asarray(groups)[keep])[0][order]
    parts = []
    for w in _order_weights(n, resamples, rng, codes):
        cum = np.cumsum(w, axis=1)
        middle = np.argmax(cum >= cum[:, -1:] / 2.0, axis=1)
        parts.append(ranked[middle])
    return np.concatenate(parts)


def period_draws(means: np.ndarray, medians: np.ndarray, resamples: int,
                 rng: np.random.Generator, *, groups: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap means and medians of one period's orders, from the same resamples.

    ``means`` and ``medians`` are orders x columns (NaN: no value). Each resample
    draws the orders (or whole ``groups``) once; every column's mean and median is
    taken over the drawn orders that have a value. The median is the lower
    weighted median (the smallest value with at least half the drawn weight at or
    below it). Returns arrays of shape ``(resamples, columns)``.

    Examples
    --------
    >>> m, d = period_draws(np.ones((4, 1)), np.array([[1.0], [5.0], [5.0], [np.nan]]), 3,
    ...                     np.random.default_rng(0))
    >>> m.ravel().tolist(), sorted(set(d.ravel().tolist())) <= [1.0, 5.0]
    ([1.0, 1.0, 1.0], True)
    """
    means = np.asarray(means, dtype=np.float64).reshape(len(means), -1)
    medians = np.asarray(medians, dtype=np.float64).reshape(len(medians), -1)
    n = means.shape[0]
    valid = ~np.isnan(means)
    filled = np.where(valid, means, 0.0)
    ranked = []
    for j in range(medians.shape[1]):
        column = medians[:, j]
        keep = np.flatnonzero(~np.isnan(column))
        order = keep[np.argsort(column[keep], kind="stable")]
        ranked.append((order, column[order]))
    out_mean = np.empty((resamples, means.shape[1]))
    out_median = np.full((resamples, medians.shape[1]), np.nan)
    done = 0
    for w in _order_weights(n, resamples, rng, groups):
        rows = slice(done, done + len(w))
        with np.errstate(invalid="ignore", divide="ignore"):
            out_mean[rows] = (w @ filled) / (w @ valid.astype(np.float64))
        for j, (order, values) in enumerate(ranked):
            if not len(order):
                continue
            cum = np.cumsum(w[:, order], axis=1)
            total = cum[:, -1]
            middle = np.argmax(cum >= total[:, None] / 2.0, axis=1)
            out_median[rows, j] = np.where(total > 0, values[middle], np.nan)
        done += len(w)
    return out_mean, out_median


def interval(draws: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of bootstrap draws along axis 0 (NaN draws left out).

    Examples
    --------
    >>> low, high = interval(np.arange(101.0)[:, None], 0.9)
    >>> round(float(low[0]), 6), round(float(high[0]), 6)
    (5.0, 95.0)
    """
    tail = (1.0 - confidence) / 2.0
    draws = np.asarray(draws, dtype=np.float64)
    if draws.ndim == 1:
        draws = draws[:, None]
    low = np.full(draws.shape[1], np.nan)
    high = np.full(draws.shape[1], np.nan)
    ok = ~np.isnan(draws).all(axis=0)
    if ok.any():
        low[ok] = np.nanquantile(draws[:, ok], tail, axis=0)
        high[ok] = np.nanquantile(draws[:, ok], 1.0 - tail, axis=0)
    return low, high


_erfc = np.frompyfunc(math.erfc, 1, 1)


def two_proportion_p(x1: npt.ArrayLike, n1: npt.ArrayLike, x2: npt.ArrayLike,
                     n2: npt.ArrayLike) -> np.ndarray:
    """Two-sided p-value of the pooled two-proportion z-test, element by element.

    1.0 where either sample is empty or the pooled share is 0 or 1 (nothing
    varies: no evidence of a difference).

    Examples
    --------
    >>> p = two_proportion_p(np.array([50, 10]), np.array([100, 100]),
    ...                      np.array([50, 40]), np.array([100, 100]))
    >>> [round(float(v), 6) for v in p]
    [1.0, 1e-06]
    """
    a1, m1, a2, m2 = (np.asarray(a, dtype=np.float64) for a in (x1, n1, x2, n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = (a1 + a2) / (m1 + m2)
        se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / m1 + 1.0 / m2))
        z = (a2 / m2 - a1 / m1) / se
    p = np.ones(np.broadcast(a1, m1, a2, m2).shape)
    ok = np.isfinite(z) & (se > 0)
    if ok.any():
        p[ok] = np.asarray(_erfc(np.abs(z[ok]) / math.sqrt(2.0)), dtype=np.float64)
    return p


def holm(p: np.ndarray, alpha: float) -> np.ndarray:
    """Which of the p-values are significant at family-wise level ``alpha`` (Holm, 1979).

    Examples
    --------
    >>> holm(np.array([0.01, 0.04, 0.03, 0.5]), 0.05).tolist()
    [True, False, False, False]
    """
    p = np.asarray(p, dtype=np.float64)
    m = len(p)
    if m == 0:
        return np.zeros(0, dtype=bool)
    order = np.argsort(p, kind="stable")
    thresholds = alpha / (m - np.arange(m))
    passed = p[order] <= thresholds
    # step down: stop at the first test that fails
    keep = np.cumprod(passed).astype(bool)
    out = np.zeros(m, dtype=bool)
    out[order] = keep
    return out
