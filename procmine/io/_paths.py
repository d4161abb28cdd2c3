"""Whether two paths name one file (used to refuse an output that is an input)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["same_file"]


def same_file(a: str | Path, b: str | Path) -> bool:
    """The same inode when both exist (hard links, symlinks), else the same real path.

    Examples
    --------
    >>> same_file("/tmp/x/../y.csv", "/tmp/y.csv")
    True
    """
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)
