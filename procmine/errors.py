"""Errors and warnings raised by procmine."""

from __future__ import annotations

__all__ = ["InputError", "ProcmineError", "ProcmineWarning", "UsageError"]


class ProcmineError(Exception):
    """Base class for every error procmine raises on purpose.

    The command line turns it into one line on standard error and exits with
    :attr:`exit_code`; no traceback is shown unless ``--debug`` is given.
    Messages name the file, row and column where known, say what was expected,
    and say how to fix it.
    """

    exit_code: int = 1


class InputError(ProcmineError, ValueError):
    """The input (a log file, a sources file, a cost model) cannot be used.

    Exit code 1.
    """

    exit_code = 1


class UsageError(ProcmineError, ValueError):
    """The call itself is wrong: an unknown option, a missing argument.

    Exit code 2.
    """

    exit_code = 2


class ProcmineWarning(UserWarning):
    """Something worth knowing that does not stop the work (e.g. ``dot`` missing)."""
