"""The event-log object: canonical events with their provenance."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd

from procmine.io.result import InformationItem, ReadResult, SourceStats
from procmine.log import filters
from procmine.log.filters import Scope, TimeMode
from procmine.schema import (
    ACTIVITY,
    CASE_ID,
    DEPARTMENT,
    RESOURCE,
    SOURCE,
    empty_rejects,
    validate_events,
)

if TYPE_CHECKING:
    from procmine.log.variants import Variants

__all__ = ["EventLog"]


@dataclass(frozen=True, eq=False)
class EventLog:
    """Canonical events of one or more extracts, with rows read/loaded/rejected.

    Build it with :func:`procmine.load`, :func:`procmine.load_sources` or
    :meth:`from_frame`. The ``events`` frame follows the canonical schema
    (see :mod:`procmine.schema`) and is ordered by case, then time, ties in
    input order. Treat it as read-only: filters return a new log.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({
    ...     "case_id": ["o1", "o1", "o2"],
    ...     "activity": ["Enter order", "Pick", "Enter order"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00",
    ...                                  "2024-01-02 09:00"], utc=True),
    ...     "department": ["Sales", "Warehouse", "Sales"],
    ... })
    >>> log = EventLog.from_frame(frame, name="tiny")
    >>> log
    EventLog('tiny': 3 events, 2 cases, 2 activities)
    >>> log.n_cases, sorted(log.departments)
    (2, ['Sales', 'Warehouse'])
    """

    events: pd.DataFrame
    rejects: pd.DataFrame = field(default_factory=empty_rejects)
    sources: tuple[SourceStats, ...] = ()
    items: tuple[InformationItem, ...] = ()
    name: str = "log"

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        name: str = "log",
        items: Iterable[InformationItem] = (),
    ) -> EventLog:
        """Validate a frame already in canonical column names and wrap it.

        The frame is copied, never modified. For files and other column
        names use :func:`procmine.load`.
        """
        events = validate_events(frame, source=name)
        n = len(frame)
        stats = SourceStats(name, "<DataFrame>", "dataframe", n, n, 0, len(events))
        return cls(events=events, sources=(stats,), items=tuple(items), name=name)

    @classmethod
    def from_result(cls, result: ReadResult) -> EventLog:
        """Wrap what a reader in :mod:`procmine.io` returned."""
        return cls(
            events=result.events,
            rejects=result.rejects,
            sources=tuple(result.sources),
            items=tuple(result.items),
            name=result.name,
        )

    def with_events(self, events: pd.DataFrame) -> EventLog:
        """A log with other events (already canonical) and the same provenance.

        Filters use this; the events are expected to be a subset or a
        projection of this log's events.
        """
        return replace(self, events=events.reset_index(drop=True))

    # -- facts ------------------------------------------------------------------------
    @property
    def n_events(self) -> int:
        """Number of events."""
        return len(self.events)

    @property
    def n_cases(self) -> int:
        """Number of cases (orders)."""
        if not len(self.events):
            return 0
        from procmine.log.actors import log_arrays  # the log's case codes, kept per log

        return int(log_arrays(self.events).case[-1]) + 1

    @property
    def activities(self) -> list[str]:
        """Distinct activities, sorted."""
        return sorted(self.events[ACTIVITY].dropna().unique().tolist())

    @property
    def departments(self) -> list[str]:
        """Distinct departments (missing left out), sorted."""
        return sorted(self.events[DEPARTMENT].dropna().unique().tolist())

    @property
    def resources(self) -> list[str]:
        """Distinct resources (missing left out), sorted."""
        return sorted(self.events[RESOURCE].dropna().unique().tolist())

    @property
    def rows_read(self) -> int:
        """Rows read over all sources."""
        return sum(s.rows_read for s in self.sources)

    @property
    def rows_rejected(self) -> int:
        """Rows rejected over all sources."""
        return sum(s.rows_rejected for s in self.sources)

    @property
    def has_departments(self) -> bool:
        """True when at least one event has a department."""
        return bool(self.events[DEPARTMENT].notna().any())

    @property
    def has_item_values(self) -> bool:
        """True when at least one information item has a value in some event."""
        return any(
            item.name in self.events.columns and self.events[item.name].notna().any()
            for item in self.items
        )

    @property
    def events_per_source(self) -> pd.Series:
        """Events of this log per source, in the sources' order (0 for a source a filter
        emptied): beside :meth:`source_table`'s loading accounting, what is left.

        Examples
        --------
        >>> import pandas as pd
        >>> f = pd.DataFrame({"case_id": ["a", "b"], "activity": ["x", "y"],
        ...                   "timestamp": pd.to_datetime(["2024-01-01"] * 2, utc=True)})
        >>> EventLog.from_frame(f, name="t").filter_cases("a").events_per_source.to_dict()
        {'t': 1}
        """
        names = [s.name for s in self.sources]
        counts = self.events[SOURCE].value_counts(sort=False)
        extra = [str(n) for n in counts.index if n not in set(names)]
        index = pd.Index([*names, *extra], name="source")
        return counts.reindex(index, fill_value=0).astype("int64").rename("events")

    def source_table(self) -> pd.DataFrame:
        """Rows read / loaded / rejected and events per source, with reasons.

        Examples
        --------
        >>> import pandas as pd
        >>> f = pd.DataFrame({"case_id": ["a"], "activity": ["x"],
        ...                   "timestamp": pd.to_datetime(["2024-01-01"], utc=True)})
        >>> EventLog.from_frame(f, name="t").source_table()[["source", "rows_read", "rows_loaded"]]
          source  rows_read  rows_loaded
        0      t          1            1
        """
        rows = [
            {
                "source": s.name,
                "path": s.path,
                "format": s.format,
                "rows_read": s.rows_read,
                "rows_loaded": s.rows_loaded,
                "rows_rejected": s.rows_rejected,
                "events": s.events,
                "reject_reasons": "; ".join(f"{k}: {v}" for k, v in sorted(s.reasons.items())),
                "rows_outside_view": s.rows_outside_view,
            }
            for s in self.sources
        ]
        columns = ["source", "path", "format", "rows_read", "rows_loaded", "rows_rejected",
                   "events", "reject_reasons", "rows_outside_view"]
        return pd.DataFrame(rows, columns=columns)

    def case(self, case_id: str) -> pd.DataFrame:
        """The events of one order, in order (a copy)."""
        return self.events[self.events[CASE_ID] == case_id].reset_index(drop=True)

    # -- filters (verbs that chain; see procmine.log.filters) --------------------------
    def filter_activities(
        self, activities: Iterable[str] | str, *, keep: bool = True, scope: Scope = "events"
    ) -> EventLog:
        """See :func:`procmine.log.filters.filter_activities`."""
        return filters.filter_activities(self, activities, keep=keep, scope=scope)

    def filter_cases(self, case_ids: Iterable[str] | str, *, keep: bool = True) -> EventLog:
        """See :func:`procmine.log.filters.filter_cases`."""
        return filters.filter_cases(self, case_ids, keep=keep)

    def filter_departments(
        self, departments: Iterable[str] | str, *, keep: bool = True, scope: Scope = "events"
    ) -> EventLog:
        """See :func:`procmine.log.filters.filter_departments`."""
        return filters.filter_departments(self, departments, keep=keep, scope=scope)

    def filter_resources(
        self, resources: Iterable[str] | str, *, keep: bool = True, scope: Scope = "events"
    ) -> EventLog:
        """See :func:`procmine.log.filters.filter_resources`."""
        return filters.filter_resources(self, resources, keep=keep, scope=scope)

    def filter_time(
        self, *, start: object = None, end: object = None, mode: TimeMode = "intersecting"
    ) -> EventLog:
        """See :func:`procmine.log.filters.filter_time`."""
        return filters.filter_time(self, start=start, end=end, mode=mode)

    def filter_case_size(
        self, *, min_events: int | None = None, max_events: int | None = None
    ) -> EventLog:
        """See :func:`procmine.log.filters.filter_case_size`."""
        return filters.filter_case_size(self, min_events=min_events, max_events=max_events)

    def filter_variants(
        self, *, top: int | None = None, coverage: float | None = None
    ) -> EventLog:
        """See :func:`procmine.log.filters.filter_variants`."""
        return filters.filter_variants(self, top=top, coverage=coverage)

    def filter_where(self, predicate: Callable[[pd.DataFrame], object]) -> EventLog:
        """See :func:`procmine.log.filters.filter_where`."""
        return filters.filter_where(self, predicate)

    def variants(self, *, top: int | None = None, coverage: float | None = None) -> Variants:
        """The log's variants (see :func:`procmine.log.variants.variants`, the one engine)."""
        return filters.variants(self, top=top, coverage=coverage)

    # -- display ----------------------------------------------------------------------
    def __len__(self) -> int:
        return self.n_events

    def __repr__(self) -> str:
        n_act = self.events[ACTIVITY].nunique()
        return (
            f"EventLog({self.name!r}: {self.n_events} events, {self.n_cases} cases, "
            f"{n_act} activities)"
        )

    def _repr_html_(self) -> str:
        from procmine._display import repr_html

        return repr_html(self)
