"""The one check that a public function was handed an :class:`EventLog`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from procmine.errors import UsageError

if TYPE_CHECKING:
    from procmine.log.eventlog import EventLog

__all__ = ["require_log"]


def require_log(obj: object, *, where: str) -> EventLog:
    """Return ``obj`` when it is an :class:`EventLog`; else raise a :class:`UsageError`
    that says how to make one.

    Examples
    --------
    >>> import pandas as pd
    >>> require_log(pd.DataFrame({"a": [1]}), where="handoffs")
    Traceback (most recent call last):
    ...
    procmine.errors.UsageError: handoffs: expected an EventLog, got a pandas DataFrame; \
make one with pm.load(df, case_id=..., activity=..., timestamp=...) (or \
pm.EventLog.from_frame(df) when the columns already have procmine's canonical names)
    """
    from procmine.log.eventlog import EventLog

    if isinstance(obj, EventLog):
        return obj
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
        raise UsageError(
            f"{where}: expected an EventLog, got a pandas DataFrame; make one with "
            "pm.load(df, case_id=..., activity=..., timestamp=...) (or "
            "pm.EventLog.from_frame(df) when the columns already have procmine's canonical "
            "names)"
        )
    raise UsageError(
        f"{where}: expected an EventLog, got {type(obj).__name__}; load one with "
        "pm.load(path_or_dataframe, ...)"
    )
