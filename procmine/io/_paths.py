"""Whether two paths name one file (used to refuse an output that is an input)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["input_among", "same_file"]


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


def input_among(output: str | Path, inputs: Iterable[str | Path]) -> Path | None:
    """The input that ``output`` names (see :func:`same_file`), or ``None``: the one check
    behind every refusal to write over the user's data.

    Examples
    --------
    >>> input_among("/tmp/a/../b.csv", ["/tmp/c.csv", "/tmp/b.csv"])
    PosixPath('/tmp/b.csv')
    """
    for source in inputs:
        if same_file(output, source):
            return Path(source)
    return None
