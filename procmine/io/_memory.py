"""Memory while a log is loaded and analysed: Arrow's system allocator, which reuses freed
memory, and no transparent huge pages for numpy's arrays."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")

__all__ = ["reusing_memory", "with_reused_memory"]


@contextmanager
def reusing_memory() -> Iterator[None]:
    """Allocate Arrow memory with the system allocator, and numpy's arrays without
    transparent huge pages (:func:`_set_hugepages`), for the duration of the block.

    Loading builds and frees many large temporary buffers (a column's stripped text,
    masks, gathers). Arrow's default allocator (jemalloc, as pyarrow configures it)
    hands freed pages back to the operating system at once, so the next buffer of the
    same size is faulted in page by page again: on a 1M-event load that is more system
    time than all the work. The system allocator keeps them for reuse. Buffers made in
    the block stay valid after it (each remembers its allocator); the previous default
    is restored on exit, also on error.

    Examples
    --------
    >>> import pyarrow as pa
    >>> before = pa.default_memory_pool().backend_name
    >>> with reusing_memory():
    ...     pa.default_memory_pool().backend_name
    'system'
    >>> pa.default_memory_pool().backend_name == before
    True
    >>> with reusing_memory():
    ...     _set_hugepages(False)  # off inside the block (this returns the setting before)
    False
    """
    import pyarrow as pa

    previous = pa.default_memory_pool()
    system = pa.system_memory_pool()
    hugepages = _set_hugepages(False)
    swapped = previous.backend_name != system.backend_name
    if swapped:
        pa.set_memory_pool(system)
    try:
        yield
    finally:
        if swapped:
            pa.set_memory_pool(previous)
        if hugepages is not None:
            _set_hugepages(hugepages)


def _set_hugepages(enabled: bool) -> bool | None:
    """Whether numpy asks for transparent huge pages for its large arrays (``madvise``);
    the previous setting, or None where this numpy has no such switch.

    numpy advises huge pages for every array of 4 MB or more. The analyses make many
    short-lived arrays of one value per event; each is fresh memory, and a fresh huge
    page is found, compacted and cleared 2 MB at a time when it is first touched. On this
    project's 2-core machine the 5M-event batch report took 83 s with them and 48 s
    without, same minute (``benchmarks/bench_report.py --sizes 5M``, with and without
    ``NUMPY_MADVISE_HUGEPAGE=0``); nothing else changes.
    """
    try:
        from numpy._core.multiarray import _set_madvise_hugepage  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - numpy < 2 names it numpy.core
        return None
    return bool(_set_madvise_hugepage(enabled))


def with_reused_memory(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """``func`` run inside :func:`reusing_memory` (loaders, the batch report's analyses).

    Examples
    --------
    >>> import pyarrow as pa
    >>> pool = with_reused_memory(lambda: pa.default_memory_pool().backend_name)
    >>> pool()
    'system'
    """

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with reusing_memory():
            return func(*args, **kwargs)

    return wrapper
