"""The batch report: every section computed, then written as HTML, JSON, CSV and SVG.

>>> from procmine.report import build_report, write_report  # doctest: +SKIP
>>> files = write_report(build_report(log), "out/report")     # doctest: +SKIP
"""

from procmine.report.build import build_report
from procmine.report.model import SECTION_KEYS, SECTION_TITLES, Report, ReportFiles, Section
from procmine.report.write import MAP_NAMES, TABLE_NAMES, write_report

__all__ = [
    "MAP_NAMES",
    "SECTION_KEYS",
    "SECTION_TITLES",
    "TABLE_NAMES",
    "Report",
    "ReportFiles",
    "Section",
    "build_report",
    "write_report",
]
