"""The report's values: sections that hold content or say why they cannot be computed."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

__all__ = ["SECTION_KEYS", "SECTION_TITLES", "Report", "ReportFiles", "Section", "SectionKey"]

SectionKey = Literal["summary", "loaded", "process", "handoffs", "rework", "reentry",
                     "candidates", "kpis", "variants"]
#: The sections, in the order the report shows them: what finance needs first.
SECTION_KEYS: tuple[SectionKey, ...] = (
    "summary", "loaded", "process", "handoffs", "rework", "reentry", "candidates", "kpis",
    "variants",
)
#: Headings of the sections (the HTML report's ``<h2>``).
SECTION_TITLES: Mapping[str, str] = {
    "summary": "Executive summary",
    "loaded": "What was loaded",
    "process": "Process map",
    "handoffs": "Handoffs between departments",
    "rework": "Rework and blocks",
    "reentry": "Re-entry of information",
    "candidates": "Candidates: self-service, EDI and shared data",
    "kpis": "Weekly KPI trends",
    "variants": "Variants",
}


@dataclass(frozen=True, eq=False)
class Section:
    """One part of the report: content, or the reason it could not be computed.

    Parameters
    ----------
    key : str
        One of :data:`SECTION_KEYS`.
    reason : str or None
        Why the section has no content (``None`` when it has).
    notes : tuple of str
        Caveats the reader must see (e.g. "re-entry falls back to redo").
    tables : mapping of str to DataFrame
        Named tables, already sorted for display and for CSV.
    maps : mapping of str to object
        Map results to draw (rendered by :func:`procmine.report.write_report`).
    values : mapping of str to scalar
        Figures for the summary (totals, counts).
    results : mapping of str to object
        The analysis results the section was computed from (``handoffs``,
        ``reentry``, ``candidates``, ``projection``, ...), so that the workshop
        deck shows the same figures without computing them again. Not written
        to ``summary.json``.

    Examples
    --------
    >>> s = Section("reentry", reason="the log declares no information items")
    >>> s.available, s.title
    (False, 'Re-entry of information')
    """

    key: str
    reason: str | None = None
    notes: tuple[str, ...] = ()
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    maps: Mapping[str, Any] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)
    results: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def title(self) -> str:
        """The section heading."""
        return SECTION_TITLES.get(self.key, self.key)

    @property
    def available(self) -> bool:
        """True when the section has content."""
        return self.reason is None

    def __repr__(self) -> str:
        state = "ok" if self.available else f"not computed: {self.reason}"
        return f"Section({self.key!r}, {state}, tables={sorted(self.tables)})"

    def _repr_html_(self) -> str:
        from procmine.render.charts import html_table

        parts = [f"<h3>{html.escape(self.title)}</h3>"]
        if self.reason:
            parts.append(f"<p><em>Not computed: {html.escape(self.reason)}</em></p>")
        parts += [f"<p>{html.escape(n)}</p>" for n in self.notes]
        for name, table in self.tables.items():
            parts.append(html_table(table, caption=name, max_rows=20))
        return "".join(parts)


@dataclass(frozen=True, eq=False)
class Report:
    """Everything the batch report shows, computed by :func:`procmine.report.build_report`.

    Attributes
    ----------
    name : str
        The log's name.
    facts : mapping
        Events, cases, activities, departments, first and last event time.
    sections : mapping of str to Section
        By key, in the order of :data:`SECTION_KEYS`.
    currency : str
        Currency of every cost.
    """

    name: str
    facts: Mapping[str, Any]
    sections: Mapping[str, Section]
    currency: str = "EUR"

    def __getitem__(self, key: str) -> Section:
        return self.sections[key]

    @property
    def summary(self) -> Section:
        """The executive summary: period, cost model, totals, top actions, KPI changes."""
        return self.sections["summary"]

    @property
    def loaded(self) -> Section:
        """Rows read, loaded and rejected per source."""
        return self.sections["loaded"]

    @property
    def process(self) -> Section:
        """The process map (directly-follows graph)."""
        return self.sections["process"]

    @property
    def handoffs(self) -> Section:
        """Handoffs between departments, with waits and costs."""
        return self.sections["handoffs"]

    @property
    def rework(self) -> Section:
        """Rework (repeat, redo, change) and blocks (episodes opened and closed)."""
        return self.sections["rework"]

    @property
    def reentry(self) -> Section:
        """Re-entry of information items, with discrepancy rates."""
        return self.sections["reentry"]

    @property
    def candidates(self) -> Section:
        """Ranked candidates with the three sets of costs, as-is and to-be."""
        return self.sections["candidates"]

    @property
    def kpis(self) -> Section:
        """KPIs per day and per week."""
        return self.sections["kpis"]

    @property
    def variants(self) -> Section:
        """The most frequent variants."""
        return self.sections["variants"]

    def __repr__(self) -> str:
        ok = [k for k, s in self.sections.items() if s.available]
        missing = [k for k, s in self.sections.items() if not s.available]
        return (f"Report({self.name!r}: {self.facts.get('events', 0)} events; "
                f"sections {ok}" + (f"; not computed {missing}" if missing else "") + ")")

    def _repr_html_(self) -> str:
        return "".join(s._repr_html_() for s in self.sections.values())


@dataclass(frozen=True)
class ReportFiles:
    """Where :func:`procmine.report.write_report` wrote the report.

    Attributes
    ----------
    out_dir : Path
        The output folder.
    html, summary : Path
        ``report.html`` and ``summary.json``.
    tables, maps : mapping of str to Path
        CSV tables and SVG maps by name (``"handoffs"`` -> ``tables/handoffs.csv``).
    """

    out_dir: Path
    html: Path
    summary: Path
    tables: Mapping[str, Path]
    maps: Mapping[str, Path]

    @property
    def all(self) -> list[Path]:
        """Every file written, sorted."""
        return sorted([self.html, self.summary, *self.tables.values(), *self.maps.values()])
