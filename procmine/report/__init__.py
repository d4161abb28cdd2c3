"""The batch report: every section computed, then written as HTML, JSON, CSV and SVG.

``write_report(build_report(log), "out/report")`` writes what DESIGN.md's output
contract lists; ``procmine report INPUT --out DIR`` does the same from the shell.
``workshop_deck(log).save("deck.html")`` writes the workshop deck of the same
figures (``procmine workshop INPUT --out deck.html``).
"""

from procmine.report.build import build_report
from procmine.report.deck import Deck, Slide, workshop_deck
from procmine.report.model import SECTION_KEYS, SECTION_TITLES, Report, ReportFiles, Section
from procmine.report.previous import PreviousRun, read_previous
from procmine.report.write import MAP_NAMES, TABLE_NAMES, write_report

__all__ = [
    "MAP_NAMES",
    "SECTION_KEYS",
    "SECTION_TITLES",
    "TABLE_NAMES",
    "Deck",
    "PreviousRun",
    "Report",
    "ReportFiles",
    "Section",
    "Slide",
    "build_report",
    "read_previous",
    "workshop_deck",
    "write_report",
]
