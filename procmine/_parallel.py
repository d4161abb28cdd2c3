"""Independent steps on more than one core: threads, for work that releases the GIL.

Arrow's compute functions and numpy's loops over numbers run without Python's global
lock, so steps such as gathering each column of a log into the canonical order use
one core each when they run on threads. The results do not depend on which thread
ran a step or when: every step is given its own inputs and returns its own output,
and the results come back in the order the steps were given.

``PROCMINE_THREADS=1`` runs every step in the calling thread, one after the other (to
profile, or on a machine shared with other jobs); the default is one thread per core
this process may use, at most :data:`MOST`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["MOST", "side_by_side", "start", "workers"]

_T = TypeVar("_T")

#: The most threads used, whatever the machine: the steps run side by side are few.
MOST = 4

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_inside = threading.local()  # set in the pool's threads: a step's own steps run inline


def workers() -> int:
    """Threads for side-by-side steps: ``PROCMINE_THREADS`` if set (a whole number, at
    least 1), else the cores this process may use, at most :data:`MOST`.

    Examples
    --------
    >>> 1 <= workers() <= max(MOST, int(os.environ.get("PROCMINE_THREADS", "1")))
    True
    """
    given = os.environ.get("PROCMINE_THREADS", "").strip()
    if given.isdigit() and int(given) >= 1:
        return int(given)
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(MOST, cores))


def _executor() -> ThreadPoolExecutor | None:
    """The shared pool (made on first use), or None when steps run inline."""
    global _pool
    if workers() == 1 or getattr(_inside, "flag", False):
        return None
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=workers(), thread_name_prefix="procmine",
                                       initializer=_mark_inside)
        return _pool


def _mark_inside() -> None:
    _inside.flag = True


def start(step: Callable[[], _T]) -> Future[_T]:
    """Begin ``step`` on a thread and return its future (already done when steps run
    inline). ``future.result()`` gives its value or raises its error.

    Examples
    --------
    >>> start(lambda: 6 * 7).result()
    42
    """
    pool = _executor()
    if pool is not None:
        return pool.submit(step)
    done: Future[_T] = Future()
    try:
        done.set_result(step())
    except BaseException as problem:  # handed to the caller by result(), as a thread's
        done.set_exception(problem)
    return done


def side_by_side(*steps: Callable[[], Any]) -> list[Any]:
    """Run the steps (functions of no arguments) at once and return their results in the
    order given.

    This thread takes part: it runs the first step, then any step no other thread has
    begun. Every step finishes before this returns. If steps raise, the error of the
    first of them in the order given is raised, as when they run one after the other.

    Examples
    --------
    >>> side_by_side(lambda: "a", lambda: sum(range(4)))
    ['a', 6]
    """
    pool = _executor()
    if pool is None:  # inline: one after the other, as written
        return [step() for step in steps]
    claimed = [threading.Lock() for _ in steps]
    results: list[Any] = [None] * len(steps)
    errors: list[BaseException | None] = [None] * len(steps)

    def run(i: int) -> None:
        if not claimed[i].acquire(blocking=False):  # begun by another thread
            return
        try:
            results[i] = steps[i]()
        except BaseException as problem:  # raised in the caller's thread, below
            errors[i] = problem

    helpers = [pool.submit(run, i) for i in range(1, len(steps))]
    for i in range(len(steps)):
        run(i)
    for helper in helpers:  # wait for the steps the pool's threads began; the rest are
        if not helper.cancel():  # done here already, so their turn in the queue is dropped
            helper.result()
    for problem in errors:
        if problem is not None:
            raise problem
    return results
