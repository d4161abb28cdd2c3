"""The one check that a public function was handed an :class:`EventLog`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, cast

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
    # No import of procmine.log.eventlog (which imports the filters, which use this):
    # when that module is not loaded yet, no EventLog exists, so obj cannot be one.
    # (scikit-learn looks pandas up in sys.modules the same way.)
    eventlog = sys.modules.get("procmine.log.eventlog")
    if eventlog is not None and isinstance(obj, eventlog.EventLog):
        return cast("EventLog", obj)
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
