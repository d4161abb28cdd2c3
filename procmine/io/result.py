"""What a reader returns: canonical events, rejected rows, and where they came from."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import pandas as pd

from procmine.schema import CORE_COLUMNS, PARTIES, empty_rejects

__all__ = ["ITEM_TYPES", "InformationItem", "ReadResult", "SourceStats"]

#: How an information item's values are compared (re-entry): ``text`` after folding
#: whitespace and case, ``code`` exactly after trimming (leading zeros count), ``number``,
#: ``date`` and ``money`` as normalised numbers, dates and amounts.
ITEM_TYPES = ("text", "code", "number", "date", "money")


@dataclass(frozen=True)
class SourceStats:
    """Accounting for one extract: rows read = rows loaded + rows rejected.

    Parameters
    ----------
    name : str
        The source's name (the key in the sources file, or the file stem).
    path : str
        The file as given by the user.
    format : str
        ``csv``, ``parquet``, ``excel``, ``xes`` or ``ocel``.
    rows_read, rows_loaded, rows_rejected : int
        Data rows in the file (header not counted), rows that became at least
        one event, rows moved to the rejects table.
    events : int
        Events produced (a row correlated to several orders gives several).
    reasons : Mapping[str, int]
        Count of rejected rows per reason.
    rows_outside_view : int
        Rows of the file that are not part of this log's view and so are not
        counted as read: XES events whose lifecycle transition is not
        ``complete`` (when complete events exist), OCEL events related to no
        object of the chosen type. Zero for tables.
    missing_values : Mapping[str, int]
        Canonical column (``resource``, ``department``, ``party``,
        ``automated``) -> number of this source's events whose value there was
        a placeholder (``Empty``, ``N/A``, ``-``, ...) and so was read as
        missing. Only non-zero counts; empty cells are not counted.
    placeholders : Mapping[str, tuple of str]
        Canonical column -> the distinct placeholder values seen there, sorted.

    Examples
    --------
    >>> s = SourceStats("sales", "sales.csv", "csv", 10, 9, 1, 9, {"unparseable timestamp": 1})
    >>> s.rows_read == s.rows_loaded + s.rows_rejected
    True
    """

    name: str
    path: str
    format: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    events: int
    reasons: Mapping[str, int] = field(default_factory=dict)
    rows_outside_view: int = 0
    missing_values: Mapping[str, int] = field(default_factory=dict)
    placeholders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rows_read != self.rows_loaded + self.rows_rejected:
            raise AssertionError(
                f"{self.name}: rows read ({self.rows_read}) != loaded ({self.rows_loaded}) "
                f"+ rejected ({self.rows_rejected}); this is a procmine bug, please report it"
            )


@dataclass(frozen=True)
class InformationItem:
    """A piece of information that one or more sources carry (e.g. a delivery address).

    In the canonical log the item's values sit in one attribute column named
    after the item; ``columns`` records which source column fed it.

    Parameters
    ----------
    name : str
        Item name, also the canonical attribute column (``delivery_address``).
    owner : str
        The party best placed to enter it first: one of ``PARTIES``.
    columns : Mapping[str, str]
        Source name -> column in that source's extract.
    type : str
        How values are compared, one of :data:`ITEM_TYPES`: ``text`` (the
        default) after folding whitespace and case, ``code`` exactly after
        trimming (``05022`` differs from ``5022``), ``number``, ``date`` and
        ``money`` as normalised numbers, dates and amounts.

    Raises
    ------
    ValueError
        ``owner`` is not a party, or ``type`` is not one of :data:`ITEM_TYPES`.

    Examples
    --------
    >>> InformationItem("postcode", owner="customer", type="code").type
    'code'
    >>> InformationItem("postcode", type="zip")
    Traceback (most recent call last):
    ...
    ValueError: item 'postcode': type 'zip' is unknown; expected one of text, code, number, \
date, money
    """

    name: str
    owner: str = "internal"
    columns: Mapping[str, str] = field(default_factory=dict)
    type: str = "text"

    def __post_init__(self) -> None:
        if self.owner not in PARTIES:
            raise ValueError(f"item {self.name!r}: owner must be one of {PARTIES}")
        if self.type not in ITEM_TYPES:
            raise ValueError(f"item {self.name!r}: type {self.type!r} is unknown; expected one "
                             f"of {', '.join(ITEM_TYPES)}")

    def column_in(self, source: str, present: Collection[str] | None = None) -> str:
        """The column of one table ``source`` that carries the item: the one ``columns``
        names for it, else the one column ``columns`` names (a single table's item,
        whatever source it was named under) if the table has it (``present``), else a
        column named like the item among ``present`` (a log written in the canonical
        schema), else that one column or the item's name.

        Examples
        --------
        >>> item = InformationItem("delivery_address", columns={"erp": "ShipTo"})
        >>> item.column_in("erp"), item.column_in("orders"), InformationItem("a").column_in("x")
        ('ShipTo', 'ShipTo', 'a')
        """
        if source in self.columns:
            return self.columns[source]
        if present is not None and self.name in present and not (
                len(self.columns) == 1 and next(iter(self.columns.values())) in present):
            return self.name
        if len(self.columns) == 1:
            return next(iter(self.columns.values()))
        return self.name


def check_item_names(item_columns: Mapping[str, str], present: Collection[str], *,
                     where: str) -> None:
    """Refuse an item whose name would take the place of a canonical column or of another
    column of the table (``present``) in the log: its values sit in a column named after
    it. ``item_columns``: item name -> the column that carries it.

    Examples
    --------
    >>> check_item_names({"address": "ShipTo"}, ["ShipTo", "Dept"], where="t.csv")
    >>> try:
    ...     check_item_names({"Dept": "ShipTo"}, ["ShipTo", "Dept"], where="t.csv")
    ... except ValueError as problem:
    ...     print(str(problem).split(" in the log")[0])
    t.csv: information item 'Dept' would take the place of the table's own column 'Dept'
    """
    from procmine.errors import UsageError

    for item, column in item_columns.items():
        if item in CORE_COLUMNS or (item in present and item != column):
            taken = (f"the canonical column {item!r}" if item in CORE_COLUMNS
                     else f"the table's own column {item!r}")
            raise UsageError(f"{where}: information item {item!r} would take the place of "
                             f"{taken} in the log; name the item otherwise (its values come "
                             f"from {column!r})")


@dataclass(frozen=True)
class ReadResult:
    """Everything a reader produced.

    ``events`` has passed :func:`procmine.schema.validate_events`; ``rejects``
    has the columns of :data:`procmine.schema.REJECT_COLUMNS`, sorted by
    source then row.
    """

    events: pd.DataFrame
    rejects: pd.DataFrame = field(default_factory=empty_rejects)
    sources: tuple[SourceStats, ...] = ()
    items: tuple[InformationItem, ...] = ()
    name: str = "log"
