"""The ``procmine`` command line: a thin layer over the public API.

Every command turns a :class:`procmine.ProcmineError` into one line on
standard error and its exit code (1: the input could not be used; 2: wrong
usage). ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import NoReturn

import click

from procmine.cli._common import collection_paused_at_start
from procmine.cli.commands import main_group, register

__all__ = ["cli", "main", "run"]

cli: click.Group = register(main_group)


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code (the console script's entry point)."""
    # Arrow's allocator for the whole run: the system one, which reuses the large buffers a
    # load and the analyses free and make again (pyarrow's jemalloc returns them to the
    # operating system at once: seconds of page faults on a 1M-event report; see
    # procmine/io/_memory.py). Read by Arrow when it first allocates; a user's own
    # ARROW_DEFAULT_MEMORY_POOL is kept.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    try:
        with collection_paused_at_start():
            result = cli.main(args=argv, prog_name="procmine", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("procmine: aborted", err=True)
        return 1
    except click.exceptions.Exit as stop:
        return int(stop.exit_code)
    except click.ClickException as problem:
        problem.show()
        return 2 if isinstance(problem, click.UsageError) else int(problem.exit_code)
    return int(result or 0) if isinstance(result, int) else 0


#: Libraries whose clean-up runs when Python exits (a Spark JVM, DuckDB's spill files, pm4py's
#: and multiprocessing's helpers): a run that loaded one of them exits the usual way.
_CLEANS_UP_AT_EXIT = ("duckdb", "pyspark", "py4j", "pm4py", "multiprocessing")


def run() -> NoReturn:
    """The ``procmine`` console script and ``python -m procmine``: :func:`main`, then the
    process ends as soon as its output is flushed.

    Once a command is done, all that Python's own shutdown has left to do is free the
    loaded log and the libraries' modules object by object: 0.1 s of a one-second
    ``procmine handoffs`` at 1M events. Every file procmine writes is closed by then
    (written in ``with`` blocks, temporary folders removed in ``finally``), so the
    process ends at once (:func:`os._exit`), unless it loaded a library that cleans up
    at exit (:data:`_CLEANS_UP_AT_EXIT`) or a thread not procmine's is running.
    """
    code = main()
    others = [t for t in threading.enumerate() if t is not threading.main_thread()
              and not t.daemon and not t.name.startswith("procmine")]
    if others or any(name in sys.modules for name in _CLEANS_UP_AT_EXIT):
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (procmine ... | head): as Python would
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
