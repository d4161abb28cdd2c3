"""Finding Graphviz's ``dot`` binary: the one check every render module shares."""

from __future__ import annotations

import shutil
import warnings

from procmine.errors import ProcmineWarning

__all__ = ["dot_available"]

_warned = False


def dot_available(*, warn: bool = False) -> bool:
    """True when the Graphviz ``dot`` binary is on the PATH.

    With ``warn=True`` a missing binary gives one :class:`ProcmineWarning`
    per session (not one per drawing).

    Examples
    --------
    >>> isinstance(dot_available(), bool)
    True
    """
    global _warned
    if shutil.which("dot") is not None:
        return True
    if warn and not _warned:
        _warned = True
        warnings.warn(
            "Graphviz 'dot' is not installed: maps are drawn with procmine's simpler built-in "
            "layout (SVG/HTML only). Install Graphviz (e.g. apt-get install graphviz) for "
            "full maps and PNG/PDF output.",
            ProcmineWarning,
            stacklevel=3,
        )
    return False
