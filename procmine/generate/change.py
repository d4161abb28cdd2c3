"""One change injected into the simulated world from a date on: ``KIND:ACTIVITY@DATE``.

The kinds are procmine's one vocabulary (:data:`procmine._changes.CHANGE_KINDS`), and
each means in the simulated world what the move engine
(:mod:`procmine.analysis.moves`) does to a log: the information's owner (customer,
supplier, carrier) does the step itself, computer to computer (``party`` the owner, no
department, automated), or shared data removes the keying (the step stays with its
department, done by a system). Orders *started* (their intake, in UTC) on or after
the date are simulated with the change, earlier ones without.

The generator applies each kind to the steps whose information that owner holds
(:data:`SUPPORTED`); any other step is refused with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from procmine._changes import CHANGE_KINDS, KIND_PARTY
from procmine._check import check_choice, close_matches
from procmine.errors import UsageError

__all__ = ["ACTIVITIES", "SUPPORTED", "Change", "as_change"]

#: (kind, activity) -> department of the step and what the change does in the simulation.
SUPPORTED: Final[dict[tuple[str, str], tuple[str, str]]] = {
    ("carrier_api", "Register carrier hand-over"): (
        "Shipping",
        "the carrier's system registers the hand-over with its pick-up scan, computer to "
        "computer (party carrier, its API account, automated, one minute after the scan); "
        "Shipping no longer types the tracking number (no copy, no typing slips), and "
        "invoicing, which waits for the hand-over, follows sooner"),
    ("supplier_portal_edi", "Enter supplier delivery date"): (
        "Purchasing",
        "the supplier enters the date it confirms itself, in the supplier portal (party "
        "supplier, SUPPLIER-PORTAL, automated, one minute after its confirmation); "
        "Purchasing no longer re-keys it (no copy, no slips), so the goods can come sooner"),
    ("shared_data", "Create invoice"): (
        "Billing",
        "billing takes address and price from the ERP for every customer: the invoices "
        "Billing keyed by hand (e-mail and phone customers whose billing was not "
        "integrated) are created and sent by the nightly billing run, with no re-keyed "
        "address or price"),
    ("customer_self_service", "Enter order"): (
        "Sales",
        "the customer keys the e-mail or phone order in a customer portal itself (party "
        "customer, CUSTOMER-PORTAL, automated, one minute after it reaches the company); "
        "Sales no longer keys it (no copy, no slips); the rest of the order runs as before"),
}

#: Every activity the simulation writes, by who does it (for the refusals' reasons).
_SYSTEM = ("Check credit", "Credit Block Set", "Address Block Set", "Release pick list",
           "Send shipping notification", "Send return label", "Payment received",
           "Send payment reminder")
_OUTSIDE = {"Receive web order": "customer", "Receive EDI order": "customer",
            "Receive order e-mail": "customer", "Receive order call": "customer",
            "Supplier confirms delivery date": "supplier", "Carrier pick-up scan": "carrier",
            "Carrier delivery scan": "carrier"}
_PHYSICAL = ("Pick item", "Report stock-out", "Pack order", "Receive supplier goods",
             "Receive returned goods", "Inspect returned goods")
_INTERNAL = ("Enter order", "Credit Block Removed", "Address Block Removed", "Cancel order",
             "Send order confirmation", "Create supplier backorder",
             "Enter supplier delivery date", "Register carrier hand-over",
             "Change delivery date", "Answer order status enquiry", "Create invoice",
             "Send invoice", "Call customer about payment", "Record return request",
             "Create credit note")
#: The activities of the simulated process.
ACTIVITIES: Final[tuple[str, ...]] = tuple(sorted({*_SYSTEM, *_OUTSIDE, *_PHYSICAL,
                                                   *_INTERNAL}))


@dataclass(frozen=True)
class Change:
    """One change from a date on: its kind, the step it changes, the first day.

    Orders whose intake (first event, UTC) is on or after ``date`` (midnight UTC) are
    simulated with the change. Build one from text with :func:`as_change`.

    Examples
    --------
    >>> Change("carrier_api", "Register carrier hand-over", "2024-03-01")
    Change(kind='carrier_api', activity='Register carrier hand-over', date='2024-03-01')
    >>> str(_)
    'carrier_api:Register carrier hand-over@2024-03-01'
    >>> Change("carrier_api", "Pick item", "2024-03-01")
    Traceback (most recent call last):
    ...
    procmine.errors.UsageError: change carrier_api:Pick item: 'Pick item' is physical work \
on the goods: no outside party's information is keyed in it; the generator applies \
carrier_api to: Register carrier hand-over
    """

    kind: str
    activity: str
    date: str

    def __post_init__(self) -> None:
        check_choice(self.kind, CHANGE_KINDS, option="change kind")
        if (self.kind, self.activity) not in SUPPORTED:
            raise UsageError(f"change {self.kind}:{self.activity}: "
                             f"{_why_not(self.kind, self.activity)}")
        try:
            day = np.datetime64(str(self.date), "D")
        except ValueError:
            day = None
        if day is None or str(day) != str(self.date):
            raise UsageError(f"change {self}: the date must be a day like '2024-03-01', "
                             f"got {self.date!r}")
        object.__setattr__(self, "date", str(day))  # a datetime.date reads as its text

    def __str__(self) -> str:
        return f"{self.kind}:{self.activity}@{self.date}"

    @property
    def department(self) -> str:
        """The department whose step changes."""
        return SUPPORTED[self.kind, self.activity][0]

    @property
    def party(self) -> str | None:
        """The outside party that takes the step over (``None`` for shared data)."""
        return KIND_PARTY[self.kind]

    @property
    def description(self) -> str:
        """What the change does in the simulated world."""
        return SUPPORTED[self.kind, self.activity][1]

    @property
    def day(self) -> np.datetime64:
        """The first day of the change."""
        return np.datetime64(self.date, "D")


def _why_not(kind: str, activity: str) -> str:
    """Why the generator cannot apply ``kind`` to ``activity`` (a known or unknown step)."""
    can = [a for k, a in SUPPORTED if k == kind]
    tail = f"; the generator applies {kind} to: {', '.join(can)}"
    if activity not in ACTIVITIES:
        hint = close_matches(activity, ACTIVITIES)
        return (f"the simulated process has no activity {activity!r}"
                + (f" (did you mean {' or '.join(map(repr, hint))}?)" if hint else "")
                + tail)
    if activity in _SYSTEM:
        return f"{activity!r} is done by a system already: nothing is keyed in it{tail}"
    if activity in _OUTSIDE:
        return (f"{activity!r} is done by the {_OUTSIDE[activity]} already, outside the "
                f"company{tail}")
    if activity in _PHYSICAL:
        return (f"{activity!r} is physical work on the goods: no outside party's "
                f"information is keyed in it{tail}")
    other = [k for k, a in SUPPORTED if a == activity]
    if other:
        party = KIND_PARTY[other[0]]
        owner = f"the {party}" if party else "the company's own systems"
        return (f"{activity!r} keys information that {owner} holds, so the change that "
                f"fits it is {other[0]}{tail}")
    return (f"{activity!r} is a decision or a conversation of the company's own staff: no "
            f"outside party or system holds what it needs{tail}")


def as_change(change: Change | str) -> Change:
    """A :class:`Change` from itself or from ``KIND:ACTIVITY@DATE``.

    Examples
    --------
    >>> as_change("shared_data:Create invoice@2024-02-01").activity
    'Create invoice'
    >>> as_change("carrier_api:Register carrier handover@2024-02-01")
    Traceback (most recent call last):
    ...
    procmine.errors.UsageError: change carrier_api:Register carrier handover: the \
simulated process has no activity 'Register carrier handover' (did you mean 'Register \
carrier hand-over'?); the generator applies carrier_api to: Register carrier hand-over
    """
    if isinstance(change, Change):
        return change
    if not isinstance(change, str):
        raise UsageError(f"change must be 'KIND:ACTIVITY@DATE' or a Change, got "
                         f"{type(change).__name__}")
    kind, colon, rest = change.partition(":")
    activity, at, date = rest.rpartition("@")
    if not colon or not at or not activity.strip():
        raise UsageError(f"change must read KIND:ACTIVITY@DATE (for example "
                         f"'carrier_api:Register carrier hand-over@2024-03-01'), got "
                         f"{change!r}")
    return Change(kind.strip(), activity.strip(), date.strip())
