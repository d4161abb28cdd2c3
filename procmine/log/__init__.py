"""The canonical event log: the EventLog object, loading, and filters that chain."""

from procmine.log.eventlog import EventLog

__all__ = ["EventLog"]
