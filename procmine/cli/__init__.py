"""The ``procmine`` command line: a thin layer over the public API.

Every command turns a :class:`procmine.ProcmineError` into one line on
standard error and its exit code (1: the input could not be used; 2: wrong
usage). ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import os
import sys

import click

from procmine.cli._common import collection_paused_at_start
from procmine.cli.commands import main_group, register

__all__ = ["cli", "main"]

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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
