"""Output paths of the commands: never one of the inputs (the user's data is never overwritten)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from procmine.errors import ProcmineError, UsageError
from procmine.io._paths import input_among

__all__ = ["input_paths", "refuse_input_as_output", "writing"]


def input_paths(input_path: Path, log: Any = None) -> list[Path]:
    """INPUT, the lookup files a sources file names and, once loaded, every extract the log
    was read from."""
    paths = [Path(input_path)]
    if Path(input_path).suffix.lower() == ".toml" and Path(input_path).is_file():
        from procmine.io.sources import parse_sources

        try:
            config = parse_sources(input_path)
        except ProcmineError:
            pass  # the load says what is wrong with it
        else:
            paths += [spec.file for spec in config.lookups.values() if spec.file is not None]
    if log is not None:
        paths += [Path(str(p)) for p in log.source_table()["path"] if str(p)]
    return paths


def refuse_input_as_output(output: Path | None, inputs: Iterable[Path], *, option: str) -> None:
    """Raise UsageError (exit 2) when ``output`` is one of ``inputs``; nothing is written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> data = pathlib.Path(tempfile.mkdtemp()) / "orders.csv"
    >>> _ = data.write_text("a,b\\n")
    >>> refuse_input_as_output(data.parent / "rejects.csv", [data], option="--rejects")
    >>> refuse_input_as_output(data, [data], option="--rejects")
    Traceback (most recent call last):
    procmine.errors.UsageError: --rejects ...orders.csv is an input of this run ...
    """
    source = None if output is None else input_among(output, inputs)
    if source is not None:
        raise UsageError(
            f"{option} {output} is an input of this run ({source}); procmine never "
            "overwrites its input: choose another output path")


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn a failed write (a full disk, ``/dev/full``, no permission) into one line naming it.

    Examples
    --------
    >>> with writing(Path("/dev/full")):
    ...     raise OSError(28, "No space left on device")
    Traceback (most recent call last):
    procmine.errors.ProcmineError: /dev/full: cannot write it (No space left on device)
    """
    try:
        yield
    except OSError as problem:
        raise ProcmineError(f"{path}: cannot write it ({problem.strerror or problem})") from None
