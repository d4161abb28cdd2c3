"""The io layer's only door to pm4py: lazy, quiet imports and the calls the readers need.

Nothing here is public. pm4py objects never leave :mod:`procmine.io`; the
readers turn them into pandas tables straight away. Every function imports
pm4py inside its body, so ``import procmine`` stays fast and pm4py's banner,
progress bars and its warning about the optional Rust importer stay silent.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

__all__: list[str] = []


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence pm4py's informational UserWarnings (r4pm/rustxes hints) during a call."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module=r"pm4py(\.|$)")
        warnings.filterwarnings("ignore", message=r".*(r4pm|rustxes).*")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"pm4py(\.|$)")
        yield


def pm4py() -> ModuleType:
    """Import pm4py once, without its banner, progress bars or r4pm warning."""
    loaded = sys.modules.get("pm4py")
    if loaded is not None:
        return loaded
    sys._pm4py_welcome_shown = True  # type: ignore[attr-defined]
    os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")
    with _quiet():
        import pm4py as module
    return module


def read_xes_frame(path: Path) -> pd.DataFrame:
    """Read a plain (already checked, uncompressed) XES file into pm4py's flat table.

    The ``iterparse`` variant (lxml) is used on purpose: pm4py's default
    ``chunk_regex`` importer splits on ``"`` and does not decode character
    references, so ``value='a'`` or ``Pick &amp; pack`` come out wrong or crash.
    The file has been scanned by :mod:`procmine.io.xmlsafety` first, so it has
    no entity declarations for lxml to expand.
    """
    pm = pm4py()
    with _quiet():
        frame = pm.read_xes(str(path), variant="iterparse", show_progress_bar=False)
    return frame


def read_ocel(path: Path, *, kind: str) -> Any:
    """Read an OCEL 2.0 file (``xml``, ``json`` or ``sqlite``); returns pm4py's OCEL object."""
    pm = pm4py()
    with _quiet():
        if kind == "xml":
            return pm.read_ocel2_xml(str(path))
        if kind == "json":
            return pm.read_ocel2_json(str(path))
        if kind == "sqlite":
            return pm.read_ocel2_sqlite(str(path))
    raise ValueError(f"unknown OCEL kind {kind!r}")  # pragma: no cover - internal misuse


@contextmanager
def _staging(target: Path, suffix: str) -> Iterator[Path]:
    """A temporary path with ``suffix`` in the target's folder, moved to ``target`` on success."""
    folder = Path(tempfile.mkdtemp(prefix=".procmine-", dir=target.parent))
    try:
        staged = folder / f"out{suffix}"
        yield staged
        os.replace(staged, target)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def flatten_ocel(ocel: Any, object_type: str) -> pd.DataFrame:
    """pm4py's own flattening (used by tests to cross-check procmine's join)."""
    pm = pm4py()
    with _quiet():
        return pm.ocel_flattening(ocel, object_type)
