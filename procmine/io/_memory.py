"""Arrow's allocator while a log is loaded: the system allocator, which reuses freed memory."""

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
    """Allocate Arrow memory with the system allocator for the duration of the block.

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
    """
    import pyarrow as pa

    previous = pa.default_memory_pool()
    system = pa.system_memory_pool()
    if previous.backend_name == system.backend_name:
        yield
        return
    pa.set_memory_pool(system)
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


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
