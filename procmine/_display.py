"""How results show themselves in Jupyter: a registry of HTML functions, one per result type,
and the one table display they all use (human units, long tables cut with a count).

Lower layers (discovery, log) define results; the render layer knows how to
draw them. So that discovery never imports render, a result's ``_repr_html_``
asks this registry, and render registers its drawing functions when it is
imported (``import procmine`` imports it). Without a registered function a
result shows its ``repr``, escaped.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from typing import Any, Final

from procmine import _format

__all__ = ["MAX_ROWS", "column_kind", "fallback_html", "format_value", "html_of",
           "register_html", "repr_html", "table_html"]

#: Rows a notebook table shows before it says how many more there are.
MAX_ROWS: Final = 20

_REGISTRY: dict[type, Callable[[Any], str]] = {}
#: Called once, the first time a result finds no HTML registered: ``procmine`` sets it to
#: import the render layer (which registers the drawings and tables), so ``import procmine``
#: stays light and a notebook still shows every result in full.
_LOADER: Callable[[], None] | None = None
_LOADED = False


def register_html(cls: type, fn: Callable[[Any], str]) -> None:
    """Show instances of ``cls`` (and of its subclasses) in Jupyter with ``fn(obj)``.

    A later registration for the same class replaces the earlier one.

    Examples
    --------
    >>> class Thing:
    ...     pass
    >>> register_html(Thing, lambda obj: "<b>a thing</b>")
    >>> html_of(Thing())
    '<b>a thing</b>'
    """
    if not isinstance(cls, type):
        raise TypeError(f"register_html: expected a class, got {type(cls).__name__}")
    if not callable(fn):
        raise TypeError(f"register_html: expected a function, got {type(fn).__name__}")
    _REGISTRY[cls] = fn


def html_of(obj: object) -> str | None:
    """The HTML registered for ``obj``'s class (nearest in its MRO), or None.

    When nothing is registered for it, the loader (:data:`_LOADER`) runs once,
    and the lookup is tried again.

    Examples
    --------
    >>> html_of(object()) is None
    True
    """
    global _LOADED
    for attempt in range(2):
        for klass in type(obj).__mro__:
            fn = _REGISTRY.get(klass)
            if fn is not None:
                return fn(obj)
        if attempt or _LOADED or _LOADER is None:
            return None
        _LOADED = True
        _LOADER()
    return None


def fallback_html(obj: object) -> str:
    """``repr(obj)`` as escaped preformatted HTML.

    Examples
    --------
    >>> fallback_html("<map>")
    '<pre>&#x27;&lt;map&gt;&#x27;</pre>'
    """
    return f"<pre>{html.escape(repr(obj))}</pre>"


def repr_html(obj: object) -> str:
    """What a result's ``_repr_html_`` returns: the registered HTML, else :func:`fallback_html`.

    Examples
    --------
    >>> repr_html(3)
    '<pre>3</pre>'
    """
    shown = html_of(obj)
    return fallback_html(obj) if shown is None else shown


# -- one table display ---------------------------------------------------------------------
_MONEY: Final = re.compile(r"(^|_)(cost|costs|saving|savings|price|amount)(_|$)")
_SHARE: Final = re.compile(r"(^|_)(rate|share|support|coverage|covered)(_|$)")


def column_kind(name: str, dtype: object = None) -> str:
    """How a column is shown, by procmine's naming conventions (then by its dtype).

    ``*_s`` durations (seconds), ``*_minutes`` durations in minutes,
    ``*_months`` months, ``cost``/``*_cost*``/``*saving*``/``price`` money,
    ``*_rate``/``share*``/``support`` shares of 1; otherwise whole numbers are
    counts, datetimes dates, booleans yes/no, other numbers plain numbers.

    Examples
    --------
    >>> [column_kind(c) for c in ("median_wait_s", "labour_minutes", "annual_saving",
    ...  "cost", "current_cost_annual", "touchless_rate", "share_of_orders", "payback_months")]
    ['duration', 'minutes', 'money', 'money', 'money', 'share', 'share', 'months']
    >>> column_kind("cases", "int64"), column_kind("per_case", "float64"), column_kind("activity")
    ('count', 'number', 'text')
    """
    name = str(name).lower()
    if name.endswith("_s"):
        return "duration"
    if name.endswith("_minutes") or name == "minutes":
        return "minutes"
    if name.endswith("_months"):
        return "months"
    if _MONEY.search(name):
        return "money"
    if _SHARE.search(name):
        return "share"
    kind = getattr(dtype, "kind", None) if dtype is not None else None
    if dtype is not None and kind is None:
        import numpy as np

        try:
            kind = np.dtype(dtype).kind  # type: ignore[call-overload]
        except TypeError:
            kind = None
    text = str(dtype).lower() if dtype is not None else ""
    if kind == "b" or text == "boolean":
        return "bool"
    if kind in ("i", "u") or text.startswith(("int", "uint")):
        return "count"
    if kind == "f" or text.startswith("float"):
        return "number"
    if kind == "M" or text.startswith("datetime"):
        return "date"
    return "text"


def _is_missing(value: object) -> bool:
    """None, NaN, NaT or pd.NA (a list or an array is a value, not missing)."""
    import pandas as pd

    return bool(pd.api.types.is_scalar(value) and pd.isna(value))


def format_value(value: object, kind: str, *, currency: str = "", change: bool = False) -> str:
    """One cell as a person reads it (``kind`` from :func:`column_kind`); missing is "–".

    Examples
    --------
    >>> format_value(5400, "duration"), format_value(12.5, "money", currency="EUR")
    ('1.5 h', '12.50 EUR')
    >>> format_value(-3600, "duration", change=True), format_value(0.25, "share")
    ('-1.0 h', '25.0%')
    """
    if _is_missing(value):
        return "–"
    if kind in ("duration", "minutes", "money", "share", "months", "count", "number"):
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return str(value)
        if kind == "money":
            return (_format.signed_money(number, currency) if change
                    else _format.money(number, currency))
        text = {"duration": lambda: _format.duration(number),
                "minutes": lambda: _format.duration(number * 60),
                "share": lambda: (f"{100 * number:+.1f} pp" if change else _format.share(number)),
                "months": lambda: _format.months(number),
                "count": lambda: _format.count(number),
                "number": lambda: (_format.count(number) if number.is_integer()
                                   else _format.number(number, decimals=1 if abs(number) >= 10
                                                       else 2)),
                }[kind]()
        return _format.signed(text, number) if change and kind != "share" and math.isfinite(
            number) else text
    if kind == "bool":
        return "yes" if bool(value) else "no"
    if kind == "date":
        stamp = getattr(value, "strftime", None)
        if stamp is not None:
            whole = getattr(value, "hour", 0) == 0 and getattr(value, "minute", 0) == 0
            return value.strftime("%Y-%m-%d" if whole else "%Y-%m-%d %H:%M")  # type: ignore[attr-defined]
    return str(value)


def table_html(
    frame: Any,
    *,
    currency: str = "",
    max_rows: int = MAX_ROWS,
    noun: str = "rows",
    kinds: dict[str, str] | None = None,
    row_kind: str | None = None,
    changes: tuple[str, ...] = ("change",),
    caption: str | None = None,
    where: str = ".table",
) -> str:
    """A table as escaped HTML in human units, cut after ``max_rows`` rows with a count.

    Every column is shown by :func:`column_kind` (its name, then its dtype), or by
    ``kinds`` (column -> kind) where given. With ``row_kind`` (a column such as
    ``metric``), the numbers of each row are shown by that row's name instead
    (``handoff_wait_s`` in hours or days, ``total_cost`` as money). Columns in
    ``changes`` are signed. The first ``max_rows`` rows are shown, then
    "… 2,700 more variants (all in .table)" (``where`` names the attribute
    that holds them all). Nothing is computed: the frame is only read.

    Parameters
    ----------
    frame : pandas.DataFrame
    currency : str, keyword-only
        Shown after every amount of money.
    max_rows : int, keyword-only
    noun : str, keyword-only
        What a row is, plural ("variants", "edges"), for the count of hidden rows.
    kinds : dict, optional, keyword-only
    row_kind : str, optional, keyword-only
    changes : tuple of str, keyword-only
    caption : str, optional, keyword-only
    where : str, keyword-only

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"source": ["Sales"], "median_wait_s": [5400.0], "cost": [12.5]})
    >>> out = table_html(t, currency="EUR")
    >>> "1.5 h" in out and "12.50 EUR" in out and "5400" not in out
    True
    >>> long = pd.DataFrame({"variant": range(1, 2721)})
    >>> out = table_html(long, noun="variants")
    >>> out.count("<tr>") - 1, "… 2,700 more variants" in out
    (20, True)
    """
    kinds = dict(kinds or {})
    columns = [str(c) for c in frame.columns]
    column_kinds = {c: kinds.get(c) or column_kind(c, frame[c].dtype) for c in columns}
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    rows = []
    shown = frame.head(max(int(max_rows), 0))
    for record in shown.itertuples(index=False, name=None):
        cells = []
        by_row = None
        if row_kind is not None and row_kind in columns:
            by_row = column_kind(str(record[columns.index(row_kind)]))
        for column, value in zip(columns, record, strict=True):
            kind = column_kinds[column]
            if by_row is not None and column != row_kind and kind in ("number", "count"):
                kind = by_row if by_row not in ("text",) else kind
            text = format_value(value, kind, currency=currency, change=column in changes)
            numeric = kind not in ("text", "date", "bool")
            align = " style='text-align:right'" if numeric else " style='text-align:left'"
            cells.append(f"<td{align}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = len(frame) - len(shown)
    tail = (f"<p class='procmine-more'>… {more:,} more {html.escape(noun)} "
            f"(all in <code>{html.escape(where)}</code>)</p>" if more > 0 else "")
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (f"<table class='procmine-table'>{title}<thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{tail}")
