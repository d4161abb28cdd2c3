"""Shared checks of the public surface: closed option sets and names that must exist.

Every "unknown option" and "no such activity" message reads the same because it
comes from here.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable

from procmine.errors import UsageError

__all__ = ["check_choice", "check_names", "close_matches"]


def close_matches(name: str, known: Iterable[str], *, n: int = 3) -> list[str]:
    """Up to ``n`` known names that look like ``name`` (difflib's ratio, case-insensitive).

    Examples
    --------
    >>> close_matches("Pikc", ["Pick", "Pack", "Ship"])
    ['Pick']
    """
    known = [str(k) for k in known]
    lowered = {k.casefold(): k for k in known}
    hits = difflib.get_close_matches(str(name).casefold(), list(lowered), n=n, cutoff=0.6)
    return [lowered[h] for h in hits]


def check_choice(value: object, allowed: Collection[str], *, option: str) -> None:
    """Raise :class:`UsageError` unless ``value`` is one of ``allowed``.

    Examples
    --------
    >>> check_choice("department", ("resource", "department"), option="level")
    >>> check_choice("departmnet", ("resource", "department"), option="level")
    Traceback (most recent call last):
    ...
    procmine.errors.UsageError: level: unknown value 'departmnet'; expected one of \
resource, department (did you mean 'department'?)
    """
    if value in allowed:
        return
    hint = close_matches(str(value), allowed, n=1)
    raise UsageError(
        f"{option}: unknown value {value!r}; expected one of {', '.join(allowed)}"
        + (f" (did you mean {hint[0]!r}?)" if hint else "")
    )


def check_names(names: Iterable[object], known: Collection[object], *, what: str,
                where: str) -> None:
    """Raise :class:`UsageError` naming every name that matches nothing in ``known``.

    ``what`` says what the names are ("activity", "department"), ``where`` which
    call or option gave them. The message lists close matches, so a misspelt
    name never silently changes nothing.

    Examples
    --------
    >>> check_names(["Pick"], {"Pick", "Ship"}, what="activity", where="Move")
    >>> check_names(["Shp"], {"Pick", "Ship"}, what="activity", where="Move")
    Traceback (most recent call last):
    ...
    procmine.errors.UsageError: Move: the log has no activity 'Shp' (did you mean 'Ship'?)
    """
    known_set = set(known)
    unknown = [n for n in dict.fromkeys(names) if n not in known_set]
    if not unknown:
        return
    texts = [str(k) for k in known_set if k is not None]
    parts = []
    for name in unknown[:5]:
        hint = close_matches(str(name), texts)
        parts.append(f"{name!r}" + (f" (did you mean {' or '.join(map(repr, hint))}?)"
                                     if hint else ""))
    more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
    raise UsageError(f"{where}: the log has no {what} {', '.join(parts)}{more}")
