"""How figures read to people: one format for money, durations, counts and shares.

Every display (notebook tables, maps, the report, the workshop deck, the compare
page) formats through these functions, so that a figure reads the same everywhere:
money with its currency code, in whole units from 100 up (the costs are estimates
from rates and times: cents on a yearly saving are false precision; the CSV tables
keep every digit), durations in the unit a person would use (minutes, hours,
days), counts with thousands separators.
"""

from __future__ import annotations

import math

__all__ = ["count", "duration", "money", "months", "number", "share", "signed", "signed_money"]


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


#: From this amount up, money is shown in whole units of its currency.
WHOLE_UNITS_FROM = 100


def _amount(number: float, sign: str = "") -> str:
    """The amount's digits: two decimals below :data:`WHOLE_UNITS_FROM` (as it rounds),
    whole units from it, half a unit rounded away from zero (1,234.50 -> 1,235)."""
    if abs(round(number, 2)) < WHOLE_UNITS_FROM:
        return f"{number:{sign},.2f}"
    whole = math.floor(abs(number) + 0.5)
    return f"{-whole if number < 0 else whole:{sign},d}"


def money(value: float | None, currency: str) -> str:
    """An amount with thousands separators and its currency code: in whole units from
    :data:`WHOLE_UNITS_FROM` up, with cents below.

    Examples
    --------
    >>> money(1234567.891, "EUR"), money(99.5, "EUR"), money(-250.5, "EUR")
    ('1,234,568 EUR', '99.50 EUR', '-251 EUR')
    >>> money(float("nan"), "EUR")
    '–'
    """
    if _missing(value):
        return "–"
    return f"{_amount(float(value))} {currency}".strip()  # type: ignore[arg-type]


def signed_money(value: float | None, currency: str) -> str:
    """An amount with its sign always shown (for changes and savings), rounded as
    :func:`money` rounds.

    Examples
    --------
    >>> signed_money(-12.5, "EUR"), signed_money(3, "USD"), signed_money(0, "EUR")
    ('-12.50 EUR', '+3.00 USD', '±0.00 EUR')
    >>> signed_money(-8000, "EUR"), signed_money(1234.5, "EUR")
    ('-8,000 EUR', '+1,235 EUR')
    """
    if _missing(value):
        return "–"
    number = float(value)  # type: ignore[arg-type]
    if round(number, 2) == 0:
        return f"±0.00 {currency}".strip()
    return f"{_amount(number, '+')} {currency}".strip()


def duration(seconds: float | None) -> str:
    """A duration in the unit a person would use: s, min, h or d.

    Under a minute in seconds, under an hour in minutes, under two days in hours
    (one decimal), else days (one decimal). Negative durations keep their sign.

    Examples
    --------
    >>> [duration(s) for s in (42, 600, 5400, 3 * 86400, float("nan"), -7200, 1e9)]
    ['42 s', '10 min', '1.5 h', '3.0 d', '–', '-2.0 h', '11,574.1 d']
    """
    if _missing(seconds):
        return "–"
    value = float(seconds)  # type: ignore[arg-type]
    sign, size = ("-" if value < 0 else ""), abs(value)
    if size < 60:
        return f"{sign}{size:.0f} s"
    if size < 3600:
        return f"{sign}{size / 60:.0f} min"
    if size < 2 * 86400:
        return f"{sign}{size / 3600:.1f} h"
    return f"{sign}{size / 86400:,.1f} d"


def count(value: float | None) -> str:
    """A count with thousands separators (a fractional value keeps one decimal).

    Examples
    --------
    >>> count(1234567), count(2.25), count(None)
    ('1,234,567', '2.2', '–')
    """
    if _missing(value):
        return "–"
    number = float(value)  # type: ignore[arg-type]
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.1f}"


def share(value: float | None, *, decimals: int = 1) -> str:
    """A fraction (0..1) as a percentage.

    Examples
    --------
    >>> share(0.1234), share(1), share(0.5, decimals=0)
    ('12.3%', '100.0%', '50%')
    """
    if _missing(value):
        return "–"
    return f"{100 * float(value):.{decimals}f}%"  # type: ignore[arg-type]


def number(value: float | None, *, decimals: int = 2) -> str:
    """A plain number with thousands separators (ratios such as handoffs per order).

    Examples
    --------
    >>> number(1234.5678), number(1.8333, decimals=1), number(None)
    ('1,234.57', '1.8', '–')
    """
    if _missing(value):
        return "–"
    return f"{float(value):,.{decimals}f}"  # type: ignore[arg-type]


def months(value: float | None) -> str:
    """A number of months (a payback period), one decimal; infinite as "never".

    Examples
    --------
    >>> months(4.25), months(float("inf")), months(None)
    ('4.2 months', 'never', '–')
    """
    if _missing(value):
        return "–"
    number_ = float(value)  # type: ignore[arg-type]
    if math.isinf(number_):
        return "never" if number_ > 0 else "–"
    return f"{number_:,.1f} months"


def signed(text: str, value: float | None) -> str:
    """``text`` (a formatted change) with a ``+`` in front when ``value`` is positive.

    Examples
    --------
    >>> signed(duration(7200), 7200), signed(duration(-60), -60), signed(count(0), 0)
    ('+2.0 h', '-1 min', '±0')
    """
    if _missing(value):
        return "–"
    number_ = float(value)  # type: ignore[arg-type]
    if number_ > 0 and not text.startswith("+"):
        return "+" + text
    if number_ == 0 and not text.startswith(("±", "-", "+")):
        return "±" + text
    return text
