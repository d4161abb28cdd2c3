"""User-supplied regular expressions, matched in linear time: one place for all of them.

Activity patterns (KPI payment, return and cancel patterns, candidate keywords, rework's
change pattern, episode pairs) are the user's. Python's ``re`` backtracks, so a pattern
such as ``(a+)+$`` on a long activity name could hang a scheduled run. Here every
pattern is matched by RE2 (through Arrow, which procmine already depends on), whose
matching time is linear in the text: each distinct activity name is matched once, in
one vectorised call. RE2 has no lookaround and no backreferences; a pattern that uses
them is refused with a one-line :class:`~procmine.errors.UsageError` naming the option.
Inline flags (``(?i)``), ``\\b``, ``\\w``, ``(?:...)`` and named groups ``(?P<name>...)``
work as in Python (``\\b`` and ``\\w`` are ASCII in RE2).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from procmine.errors import UsageError

__all__ = ["check_pattern", "extract_each", "search_each"]


def check_pattern(pattern: object, *, option: str) -> str:
    """Return ``pattern`` when both Python and RE2 accept it; else a :class:`UsageError`.

    Examples
    --------
    >>> check_pattern(r"(?i)\\bpaid\\b", option="payment_pattern")
    '(?i)\\\\bpaid\\\\b'
    >>> check_pattern(r"(?<!un)paid", option="payment_pattern")
    Traceback (most recent call last):
    ...
    procmine.errors.UsageError: payment_pattern: the pattern '(?<!un)paid' uses what \
linear-time matching (RE2) does not support (lookaround or backreferences); rewrite it \
without them
    """
    if not isinstance(pattern, str):
        raise UsageError(f"{option}: expected a regular expression as text, got {pattern!r}")
    try:
        re.compile(pattern)
    except re.error as problem:
        raise UsageError(f"{option}: invalid regular expression {pattern!r}: {problem}"
                         ) from None
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        pc.match_substring_regex(pa.array([""], pa.string()), pattern=pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise UsageError(
            f"{option}: the pattern {pattern!r} uses what linear-time matching (RE2) does not "
            "support (lookaround or backreferences); rewrite it without them") from None
    return pattern


def search_each(names: Sequence[str] | np.ndarray, pattern: str, *, option: str,
                ignore_case: bool = False) -> np.ndarray:
    """Whether ``pattern`` occurs in each name (``re.search`` semantics), in linear time.

    Examples
    --------
    >>> search_each(["Payment received", "Send payment reminder"],
    ...             r"(?i)payment\\s+received", option="payment_pattern").tolist()
    [True, False]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    check_pattern(pattern, option=option)
    values = pa.array([str(n) for n in names], pa.string())
    hit = pc.match_substring_regex(values, pattern=pattern, ignore_case=ignore_case)
    return np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)


def extract_each(names: Sequence[str] | np.ndarray, pattern: str, group: str, *,
                 option: str) -> list[str | None]:
    """The text of the named ``group`` in the first match in each name (``None`` if none).

    Examples
    --------
    >>> extract_each(["Credit Block Set", "Pick"], r"(?i)^(?P<status>.+?)\\s+set$", "status",
    ...              option="pairs").__repr__()
    "['Credit Block', None]"
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    check_pattern(pattern, option=option)
    values = pa.array([str(n) for n in names], pa.string())
    found = pc.extract_regex(values, pattern=pattern)  # unanchored, as re.search
    return [row[group] if row is not None else None for row in found.to_pylist()]
