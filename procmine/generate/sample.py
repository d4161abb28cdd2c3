"""Generate a multi-source order-fulfilment sample with its ground truth."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np

from procmine.errors import UsageError
from procmine.generate.change import Change, as_change
from procmine.generate.extracts import Extracts, extract_tables, write_extracts
from procmine.generate.simulate import intake_days, simulate
from procmine.generate.truth import CHANGE_FILE, TRUTH_FILES, write_truth

__all__ = ["FIRST_START", "LAST_START", "MAX_CHANGE_ORDERS", "MAX_ORDERS", "GeneratedSample",
           "generate"]

#: Most orders one call simulates. Simulating takes about 25 KB of memory per order
#: (50,000 orders peak at 1.4 GB), so a million orders need some 25 GB; split larger
#: samples into several seeds.
MAX_ORDERS: Final = 1_000_000
#: Earliest and latest ``start``: the simulation covers up to a year of order intake, then
#: the deliveries, invoices, payments and returns that follow, on a holiday calendar of four
#: years from ``start``; every date it writes must stay before the year 10000.
FIRST_START: Final = np.datetime64("1900-01-01", "D")
LAST_START: Final = np.datetime64("9995-12-31", "D")
#: Most orders with a change: its true effect needs the world simulated twice.
MAX_CHANGE_ORDERS: Final = 200_000


@dataclass(frozen=True)
class GeneratedSample:
    """What :func:`generate` wrote: where, and how much.

    Attributes
    ----------
    out : pathlib.Path
        The folder written.
    sources_file : pathlib.Path
        ``out/sources.toml``: load the sample with it.
    ground_truth : pathlib.Path
        ``out/ground_truth/ground_truth.json`` (``reentries.csv`` beside it).
    files : tuple of pathlib.Path
        Every file written, extracts first.
    seed, orders, events : int
        The seed, the number of orders, and the events a correct loader produces.
    rows : Mapping[str, int]
        Data rows per extract (header not counted).
    events_per_source : Mapping[str, int]
        Events per source after rejects.
    reentries, rejects : int
        Injected re-entry events, and rows a correct loader rejects.
    change : Change or None
        The change injected from its date on (its true effect is the ``change`` section
        of the ground truth), or ``None``.
    """

    out: Path
    sources_file: Path
    ground_truth: Path
    files: tuple[Path, ...]
    seed: int
    orders: int
    events: int
    rows: Mapping[str, int] = field(default_factory=dict)
    events_per_source: Mapping[str, int] = field(default_factory=dict)
    reentries: int = 0
    rejects: int = 0
    change: Change | None = None

    def __repr__(self) -> str:
        with_change = f", change {self.change}" if self.change is not None else ""
        return (f"GeneratedSample({str(self.out)!r}: {self.orders} orders, {self.events} events, "
                f"{self.reentries} re-entries, {self.rejects} injected rejects{with_change})")

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td>{html.escape(s)}</td><td style='text-align:right'>{self.rows[s]}</td>"
            f"<td style='text-align:right'>{self.events_per_source.get(s, 0)}</td></tr>"
            for s in self.rows
        )
        return (
            f"<div><b>Generated sample</b> in <code>{html.escape(str(self.out))}</code>: "
            f"{self.orders} orders, {self.events} events, {self.reentries} re-entries, "
            f"{self.rejects} injected rejects (seed {self.seed})"
            + (f"; change <code>{html.escape(str(self.change))}</code> from its date on"
               if self.change is not None else "")
            + "<table><thead><tr><th>source</th><th>rows</th><th>events</th></tr></thead>"
            f"<tbody>{body}</tbody></table></div>"
        )


def generate(orders: int, *, seed: int = 0, out: str | Path,
             start: str = "2024-01-01", change: Change | str | None = None) -> GeneratedSample:
    """Simulate order fulfilment and write four system extracts plus their ground truth.

    Orders arrive by web shop, EDI, e-mail and phone; pass a credit check by a robot (some
    are blocked, a few cancelled) and an address check (some blocked for days), are
    picked in the warehouse (stock-outs go back to the supplier), shipped by a carrier,
    invoiced (some invoices cover several orders), paid (some after a reminder) and
    sometimes returned. Information is keyed in again where systems are
    not integrated (e-mail orders, supplier dates, tracking numbers, manual invoices,
    return reasons), now and then with a typing slip. Real-world pathologies come with
    their ground truth: robot accounts known only by a user-type column, placeholder
    departments, split deliveries (package numbers), orders held for a requested date,
    delivery dates changed twice, credit and address blocks, a rare reversed step,
    missing customer notifications and a few timestamps far outside the log. The same
    seed gives byte-identical files.

    Written into ``out``: ``erp_sales_orders.csv``, ``wms_events.csv``,
    ``wms_picklists.csv``, ``billing_events.csv``, ``returns_cases.csv``,
    ``sources.toml`` and ``ground_truth/`` (``ground_truth.json``, ``reentries.csv``,
    ``rework.csv``, ``episodes.csv``, ``handoffs.csv``, ``orders.csv``, ``robot_events.csv``).

    With a ``change`` (``KIND:ACTIVITY@DATE``, see :mod:`procmine.generate.change`), the
    orders started on or after DATE are simulated with it; the ground truth gains a
    ``change`` section with its true effect on each KPI (the same orders simulated without
    it, on common random numbers) and ``ground_truth/change_orders.csv`` (per order, each
    KPI with and without the change). The world is otherwise the same before and after
    the date: the same arrivals, mix and delays.

    Parameters
    ----------
    orders : int
        Number of orders to simulate (about 15 events each).
    seed : int, keyword-only
        Random seed.
    out : str or pathlib.Path, keyword-only
        Folder to write into (created if needed; files of the same name are replaced).
    start : str, keyword-only
        First day of order intake, ``YYYY-MM-DD``.
    change : Change or str, optional, keyword-only
        One change from a date on, e.g. ``"carrier_api:Register carrier hand-over@2024-03-01"``;
        the date must fall inside the intake (after its first day).

    Returns
    -------
    GeneratedSample

    Raises
    ------
    UsageError
        ``orders`` is not a whole number between 1 and :data:`MAX_ORDERS`, ``seed`` is
        negative, or ``start`` is not a date between :data:`FIRST_START` and
        :data:`LAST_START`; the change's kind, activity or date is unknown, the kind
        cannot apply to the activity (the message says why), or its date is outside
        the intake; checked before any work.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     sample = generate(200, seed=7, out=folder)
    ...     names = [p.name for p in sample.files]
    >>> sample.orders, sample.events > 2000
    (200, True)
    >>> names  # doctest: +NORMALIZE_WHITESPACE
    ['erp_sales_orders.csv', 'wms_events.csv', 'billing_events.csv', 'returns_cases.csv',
     'wms_picklists.csv', 'sources.toml', 'ground_truth.json', 'reentries.csv', 'rework.csv',
     'episodes.csv', 'handoffs.csv', 'orders.csv', 'robot_events.csv']

    A change from a date on, with its true effect in the ground truth:

    >>> import json
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     sample = generate(300, seed=7, out=folder,
    ...                       change="carrier_api:Register carrier hand-over@2024-01-15")
    ...     truth = json.loads(sample.ground_truth.read_text())["change"]
    >>> truth["kpis"]["handoffs_per_order"]["effect"] < 0, truth["kpis"]["return_rate"]["effect"]
    (True, 0.0)
    """
    if isinstance(orders, bool) or not isinstance(orders, (int, np.integer)) or orders < 1:
        raise UsageError(f"orders must be a whole number of at least 1, got {orders!r}")
    if orders > MAX_ORDERS:
        raise UsageError(f"orders must be at most {MAX_ORDERS:,} (about 25 KB of memory per "
                         f"order while simulating), got {int(orders):,}; generate several "
                         "samples with different seeds instead")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise UsageError(f"seed must be a whole number of at least 0, got {seed!r}")
    try:
        day = np.datetime64(str(start), "D")
    except ValueError:
        raise UsageError(f"start must be a date like '2024-01-01', got {start!r}") from None
    if str(day) != str(start):
        raise UsageError(f"start must be a date like '2024-01-01', got {start!r}")
    if not FIRST_START <= day <= LAST_START:
        raise UsageError(f"start must be between {FIRST_START} and {LAST_START} (the "
                         f"simulation covers up to four years from start), got {start!r}")
    plan = None if change is None else _check_change(as_change(change), int(orders), day)
    folder = Path(out)
    sim = simulate(int(orders), seed=int(seed), start=day, change=plan)
    extracts = write_extracts(sim, folder, seed=int(seed))
    without = None
    if plan is not None:  # the same world without the change, on common random numbers
        sim0 = simulate(int(orders), seed=int(seed), start=day, change=plan, apply=False)
        without = Extracts(files=(), rows=extract_tables(sim0, seed=int(seed))[1], sim=sim0)
    truth = write_truth(extracts, folder, seed=int(seed), change=plan, without=without)
    gt = folder / "ground_truth"
    names = (*TRUTH_FILES, CHANGE_FILE) if plan is not None else TRUTH_FILES
    return GeneratedSample(
        out=folder,
        sources_file=folder / "sources.toml",
        ground_truth=gt / "ground_truth.json",
        files=(*extracts.files, *(gt / name for name in names)),
        seed=int(seed),
        orders=int(orders),
        events=int(truth["events"]),  # type: ignore[call-overload]
        rows=dict(truth["rows_per_source"]),  # type: ignore[call-overload]
        events_per_source=dict(truth["events_per_source"]),  # type: ignore[call-overload]
        reentries=int(truth["counts"]["reentries"]),  # type: ignore[index]
        rejects=len(truth["injected_rejects"]),  # type: ignore[arg-type]
        change=plan,
    )


def _check_change(change: Change, orders: int, start: np.datetime64) -> Change:
    """The change, once its date is inside the intake (some orders before it, some after)."""
    if orders > MAX_CHANGE_ORDERS:
        raise UsageError(f"with a change, orders must be at most {MAX_CHANGE_ORDERS:,} (the "
                         f"world is simulated twice for its true effect), got {orders:,}")
    first, last = start + 1, start + intake_days(orders) - 1
    if not first <= change.day <= last:
        raise UsageError(
            f"change {change}: the date must fall inside the order intake, {first} to "
            f"{last} for {orders:,} orders from {start} (so that orders start both before "
            f"and after it), got {change.date}")
    return change
