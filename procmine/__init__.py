"""procmine: order-fulfilment process mining on pm4py and networkx.

Load extracts into one canonical log, discover the process, find handoffs and
redundant re-entry, and price what moving work to customers, suppliers or
carriers would save.
"""

from procmine.errors import InputError, ProcmineError, ProcmineWarning, UsageError
from procmine.io.result import InformationItem, SourceStats
from procmine.log import EventLog

__version__ = "0.1.0"

__all__ = [
    "EventLog",
    "InformationItem",
    "InputError",
    "ProcmineError",
    "ProcmineWarning",
    "SourceStats",
    "UsageError",
    "__version__",
]
