"""procmine._parallel: steps side by side, results and errors as when run one by one."""

from __future__ import annotations

import threading
import time

import pytest

from procmine import _parallel
from procmine._parallel import side_by_side, start, workers


@pytest.fixture(params=["1", "2", "4"])
def threads(request, monkeypatch):
    monkeypatch.setenv("PROCMINE_THREADS", request.param)
    monkeypatch.setattr(_parallel, "_pool", None)  # a pool of that size
    yield int(request.param)
    pool = _parallel._pool
    if pool is not None:
        pool.shutdown()


def test_results_come_back_in_the_order_given(threads):
    # steps that finish in the reverse order of their start: results still in order
    steps = [lambda i=i: (time.sleep(0.01 * (5 - i)), i * i)[1] for i in range(6)]
    assert side_by_side(*steps) == [0, 1, 4, 9, 16, 25]
    assert workers() == threads


def test_steps_run_on_more_than_one_thread_when_allowed(threads):
    seen: set[str] = set()
    barrier = threading.Barrier(2, timeout=5) if threads > 1 else None

    def step() -> None:
        seen.add(threading.current_thread().name)
        if barrier is not None:  # two steps must be running at the same time
            barrier.wait()

    side_by_side(step, step)
    assert len(seen) == (2 if threads > 1 else 1)


def test_the_first_error_in_order_is_raised_after_every_step_finished(threads):
    finished = []

    def slow_ok() -> str:
        time.sleep(0.05)
        finished.append("slow")
        return "ok"

    def fails(message: str):
        def step():
            raise ValueError(message)
        return step

    with pytest.raises(ValueError, match="second"):
        side_by_side(lambda: 1, fails("second"), fails("third"), slow_ok)
    if threads > 1:  # all steps began: the slow one was waited for
        assert finished == ["slow"]
    else:  # one by one: stopped at the first error, as a loop would
        assert finished == []


def test_steps_of_a_step_run_inline(threads):
    # a step that itself runs steps side by side does not wait on the pool it runs in
    inner = [lambda: side_by_side(lambda: 1, lambda: 2) for _ in range(2 * max(threads, 2))]
    assert side_by_side(*inner) == [[1, 2]] * len(inner)


def test_start_gives_a_future_with_the_value_or_the_error(threads):
    assert start(lambda: 6 * 7).result() == 42
    failing = start(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        failing.result()


def test_threads_setting_is_read_as_a_whole_number(monkeypatch):
    monkeypatch.setenv("PROCMINE_THREADS", "3")
    assert workers() == 3
    for wrong in ("0", "many", ""):
        monkeypatch.setenv("PROCMINE_THREADS", wrong)
        assert 1 <= workers() <= _parallel.MOST
