"""The optional engines' imports: a missing package or Java runtime fails with what to install."""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path
from typing import Any

from procmine.errors import UsageError

__all__ = ["java_available", "require"]


def require(module: str, package: str, extra: str) -> Any:
    """Import ``module`` or raise a :class:`UsageError` saying what to install.

    Examples
    --------
    >>> require("math", "math", "duckdb").sqrt(4.0)
    2.0
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise UsageError(
            f"this engine needs the Python package {package!r}: "
            f"pip install 'procmine[{extra}]' (or pip install {package})"
        ) from None


def java_available() -> bool:
    """True when a Java runtime (needed by Spark) is on PATH or under JAVA_HOME."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return True
    return shutil.which("java") is not None
