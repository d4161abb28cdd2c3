"""Vectorised simulation of order fulfilment: sales, warehouse, billing and returns events.

Every step of the process is computed for all orders at once with numpy arrays
(boolean masks for the branches); the only Python loops run over process
steps and order lines, never over orders or events. Times are minutes of local
(Europe/Amsterdam) wall-clock time since midnight of the start date.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from procmine.generate.change import Change

__all__ = ["SOURCES", "Simulation", "dutch_holidays", "frame", "intake_days", "simulate",
           "to_utc"]

#: The four extracts, in the order the sources file lists them.
SOURCES: tuple[str, ...] = ("erp", "wms", "billing", "returns")

TIMEZONE = "Europe/Amsterdam"

# Working windows: (opens, closes) in minutes after local midnight, and the number of
# working days counted from Monday (5 = Mon-Fri, 6 = Mon-Sat, 7 = every day).
SALES = (8 * 60 + 30, 17 * 60 + 30, 5)
CREDIT = (9 * 60, 17 * 60, 5)
SERVICE = (8 * 60, 18 * 60, 5)
PURCHASING = (8 * 60 + 30, 17 * 60, 5)
WAREHOUSE = (6 * 60, 22 * 60, 5)
SHIPPING = (7 * 60, 21 * 60, 5)
BILLING = (8 * 60 + 30, 17 * 60, 5)
RETURNS = (8 * 60, 16 * 60 + 30, 5)
CARRIER_ROUND = (8 * 60, 20 * 60, 6)
SUPPLIER_OFFICE = (8 * 60, 17 * 60, 5)

USERS: dict[str, tuple[str, ...]] = {
    "Sales": ("sales.anna", "sales.bram", "sales.carla", "sales.daan", "sales.eva"),
    "Credit": ("credit.frank", "credit.greta"),
    "Customer Service": ("cs.hanna", "cs.ivo", "cs.julia", "cs.kees"),
    "Purchasing": ("purch.lotte", "purch.milan", "purch.noor"),
    "Warehouse": ("wh.otto", "wh.pien", "wh.quinten", "wh.roos", "wh.sem", "wh.tess"),
    "Shipping": ("ship.umut", "ship.vera", "ship.wim"),
    "Billing": ("bill.xander", "bill.yara", "bill.zoe"),
    "Returns": ("ret.alex", "ret.bo"),
}

CARRIERS = ("POSTNL-API", "DHL-API", "DPD-API")
RETURN_REASONS = (
    "Damaged in transit",
    "Wrong item delivered",
    "Not as described",
    "No longer needed",
    "Defective on arrival",
    "Late delivery – no longer needed",
)

_STREETS = (
    "Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg", "Schoolstraat", "Nieuwstraat",
    "Julianastraat", "Beatrixlaan", "Industrieweg", "Havenstraat", "Marktplein", "Prinsengracht",
    "Herengracht", "Keizersgracht", "Lindenlaan", "Parallelweg", "Eikenlaan", "Beukenlaan",
    "Zuiderzeeweg", "Handelskade", "Müllerstraße", "Königsallee", "Rue de l'Église",
    "Avenue Louise", "Hauptstraße", "Bahnhofstraße",
)
_CITIES = (
    ("Amsterdam", ("1012 AB", "1071 DJ", "1094 KL")),
    ("Rotterdam", ("3011 AD", "3024 EH", "3062 PA")),
    ("Utrecht", ("3511 LX", "3572 BC", "3584 CS")),
    ("Den Haag", ("2511 CV", "2585 GJ", "2595 AA")),
    ("Eindhoven", ("5611 AZ", "5641 JB", "5653 LM")),
    ("Groningen", ("9711 LM", "9725 AK", "9743 NB")),
    ("Zwolle", ("8011 CW", "8021 AB", "8043 MT")),
    ("Tilburg", ("5038 EA", "5011 HV", "5046 TB")),
    ("Düsseldorf", ("40210", "40476", "40591")),
    ("Köln", ("50667", "50823", "50935")),
    ("Bruxelles", ("1000", "1050", "1180")),
    ("Liège", ("4000", "4020", "4031")),
)


def _misspell(word: str) -> str:
    """Swap the first pair of differing adjacent letters after the first (a typing slip)."""
    chars = list(word)
    for i in range(2, len(chars) - 1):
        if chars[i] != chars[i + 1] and chars[i].isalpha() and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
            return "".join(chars)
    return word + "e"


_STREET = np.array(_STREETS, dtype=object)
_STREET_TYPO = np.array([_misspell(s) for s in _STREETS], dtype=object)
_CITY = np.array([c for c, _ in _CITIES], dtype=object)
_CITY_TYPO = np.array([_misspell(c) for c, _ in _CITIES], dtype=object)
_POSTCODE = np.array([list(p) for _, p in _CITIES], dtype=object)  # (cities, 3)

N_SKU = 400
MAX_LINES = 5


@dataclass(frozen=True)
class Simulation:
    """What :func:`simulate` returns: per-source event rows plus order and invoice tables.

    ``events[source]`` has one row per extract row (before injected data problems),
    with internal columns: ``key`` (order index; invoice index for billing; return
    index for returns), ``activity``, ``t`` (local minutes since the start),
    ``resource``, ``department``, ``party``, ``automated``, ``seq`` (process order
    of the step), item columns and source-specific extras.
    """

    start: np.datetime64
    orders: pd.DataFrame
    invoices: pd.DataFrame
    members: np.ndarray
    returns: pd.DataFrame
    events: dict[str, pd.DataFrame]
    counts: dict[str, int]
    #: With a change: per order, whether it started on or after the change's date (in
    #: both worlds, with the change applied or not); ``None`` without a change.
    after: np.ndarray | None = None


def to_utc(local_seconds: np.ndarray, *, strict: bool) -> np.ndarray:
    """Local Europe/Amsterdam epoch seconds -> UTC epoch seconds.

    ``strict`` raises on a nonexistent or ambiguous local time (for extracts written in
    local time, whose readers cannot resolve those); otherwise the later offset is used.
    """
    index = pd.DatetimeIndex(local_seconds.astype("datetime64[s]"))
    if strict:
        aware = index.tz_localize(TIMEZONE, ambiguous="raise", nonexistent="raise")
    else:
        aware = index.tz_localize(TIMEZONE, ambiguous=np.zeros(len(index), dtype=bool),
                                  nonexistent="shift_forward")
    return aware.tz_convert("UTC").tz_localize(None).as_unit("s").asi8


def frame(columns: dict[str, object]) -> pd.DataFrame:
    """A DataFrame that keeps object arrays as object columns (fast to take and write)."""
    return pd.DataFrame({
        name: pd.Series(values, dtype=object)
        if isinstance(values, np.ndarray) and values.dtype == object else values
        for name, values in columns.items()
    })


# -- calendar ---------------------------------------------------------------------------------


def _easter(year: int) -> np.datetime64:
    """Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return np.datetime64(f"{year:04d}-{month:02d}-{day + 1:02d}")


def dutch_holidays(years: range) -> np.ndarray:
    """Public holidays on which offices, warehouse and carriers do not work.

    New Year, Easter Monday, King's Day (27 April, 26 when a Sunday), Ascension Day,
    Whit Monday, Christmas and Boxing Day.

    Examples
    --------
    >>> [str(d) for d in dutch_holidays(range(2024, 2025))]  # doctest: +NORMALIZE_WHITESPACE
    ['2024-01-01', '2024-04-01', '2024-04-27', '2024-05-09', '2024-05-20', '2024-12-25',
     '2024-12-26']
    """
    days = []
    for year in years:  # a handful of years, not a loop over events
        easter = _easter(year)
        kings = np.datetime64(f"{year:04d}-04-27")
        if (kings.astype(np.int64) + 3) % 7 == 6:  # a Sunday
            kings = kings - 1
        days += [np.datetime64(f"{year:04d}-01-01"), easter + 1, kings, easter + 39,
                 easter + 50, np.datetime64(f"{year:04d}-12-25"),
                 np.datetime64(f"{year:04d}-12-26")]
    return np.array(sorted(days), dtype="datetime64[D]")


class _Calendar:
    """Working-time arithmetic on local minutes since midnight of the start date.

    Working days are Monday to Friday (or Saturday, for 6-day calendars) outside public
    holidays; 7-day calendars (batch jobs) run every day.
    """

    def __init__(self, start: np.datetime64, rng: np.random.Generator) -> None:
        first = start.astype("datetime64[D]")
        self.weekday0 = int((first.astype(np.int64) + 3) % 7)  # Monday = 0
        year = int(str(first)[:4])
        self.holidays = (dutch_holidays(range(year, year + 4)) - first).astype(np.int64)
        self.rng = rng

    def _split(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        day = np.floor(t / 1440.0)
        return day, t - day * 1440.0

    def _off(self, day: np.ndarray, workdays: int) -> np.ndarray:
        """True on days without work: weekends (per calendar) and public holidays."""
        off = (day.astype(np.int64) + self.weekday0) % 7 >= workdays
        if workdays < 7:
            off |= np.isin(day.astype(np.int64), self.holidays)
        return off

    def _to_workday(self, day: np.ndarray, workdays: int) -> np.ndarray:
        for _ in range(10):  # at most a weekend plus a few holidays in a row
            off = self._off(day, workdays)
            if not off.any():
                break
            day = day + off
        return day

    def snap(self, t: np.ndarray, hours: tuple[int, int, int], jitter: float = 40.0) -> np.ndarray:
        """Move times outside working hours to the next opening (plus a little queue)."""
        opens, closes, workdays = hours
        day, mod = self._split(t)
        working = ~self._off(day, workdays)
        inside = working & (mod >= opens) & (mod < closes)
        before = working & (mod < opens)
        nxt = self._to_workday(np.where(before, day, day + 1), workdays)
        # a queue after opening, but never past closing time
        late = opens + self.rng.uniform(0.0, min(jitter, closes - opens - 1), len(t))
        return np.where(inside, t, nxt * 1440.0 + late)

    def manual(self, ready: np.ndarray, median_min: float, hours: tuple[int, int, int],
               sigma: float = 0.9) -> np.ndarray:
        """A person's step: a log-normal wait after ``ready``, in working hours."""
        wait = median_min * np.exp(sigma * self.rng.standard_normal(len(ready)))
        return self.snap(ready + np.maximum(wait, 1.0), hours)

    def auto(self, ready: np.ndarray, low: float, high: float) -> np.ndarray:
        """A system's step: a short delay, any time of day."""
        return ready + self.rng.uniform(low, high, len(ready))

    def slot(self, ready: np.ndarray, slots: tuple[int, ...], workdays: int,
             jitter: float = 0.0) -> np.ndarray:
        """Next scheduled run (batch job, wave, carrier round) at or after ``ready``."""
        day, mod = self._split(ready)
        working = ~self._off(day, workdays)
        result = np.full(len(ready), np.nan)
        for s in reversed(slots):
            result = np.where(working & (mod <= s), day * 1440.0 + s, result)
        nxt = self._to_workday(day + 1, workdays)
        result = np.where(np.isnan(result), nxt * 1440.0 + slots[0], result)
        return result + self.rng.uniform(0.0, jitter, len(ready)) if jitter else result


# -- event accumulation -----------------------------------------------------------------------


_BASE_COLUMNS = ("key", "activity", "t", "resource", "department", "party", "automated", "seq")
_SOURCE_COLUMNS: dict[str, tuple[str, ...]] = {
    "erp": ("channel", "customer", "delivery_address", "order_lines", "requested_date", "price",
            "supplier_delivery_date"),
    "wms": ("picklist", "item_no", "qty", "tracking_number", "package"),
    "billing": ("order_refs", "delivery_address", "price"),
    "returns": ("invoice", "return_reason"),
}


class _Recorder:
    """Collects event blocks (one per process step) and builds one frame per source."""

    def __init__(self) -> None:
        self.blocks: dict[str, list[dict[str, object]]] = {s: [] for s in SOURCES}
        self.step = 0

    def add(self, source: str, activity: str, key: np.ndarray, t: np.ndarray, *,
            resource: np.ndarray | str | None, department: np.ndarray | str | None,
            party: str = "internal", automated: bool = False,
            **columns: np.ndarray | str | None) -> None:
        self.step += 1
        if len(key) == 0:
            return
        block: dict[str, object] = {
            "key": np.asarray(key, dtype=np.int64), "activity": activity,
            "t": np.asarray(t, dtype=float), "resource": resource, "department": department,
            "party": party, "automated": automated, "seq": self.step,
        }
        block.update(columns)
        self.blocks[source].append(block)

    def frames(self) -> dict[str, pd.DataFrame]:
        out = {}
        for source, blocks in self.blocks.items():
            names: list[str] = [*_BASE_COLUMNS, *_SOURCE_COLUMNS[source]]
            for block in blocks:
                names.extend(k for k in block if k not in names)
            columns: dict[str, list[np.ndarray]] = {name: [] for name in names}
            for block in blocks:
                n = len(block["key"])  # type: ignore[arg-type]
                for name in names:
                    value = block.get(name)
                    if isinstance(value, np.ndarray):
                        columns[name].append(value)
                    else:
                        columns[name].append(np.full(n, value, dtype=object))
            table = frame({
                name: np.concatenate(parts) if parts else np.array([], dtype=object)
                for name, parts in columns.items()
            })
            for name in ("key", "seq", "picklist", "invoice"):
                if name in table and not table[name].isna().any():
                    table[name] = table[name].astype(np.int64)
            table["t"] = table["t"].astype(float)
            table["automated"] = table["automated"].astype(bool)
            out[source] = table
        return out


# -- value builders -----------------------------------------------------------------------


def _pick(pool: tuple[str, ...], n: int, rng: np.random.Generator) -> np.ndarray:
    return np.array(pool, dtype=object)[rng.integers(0, len(pool), n)]


def _text(values: np.ndarray) -> pd.Series:
    return pd.Series(values, dtype="str")


def _address(street: np.ndarray, number: np.ndarray, pc: np.ndarray, city: np.ndarray,
             typo: np.ndarray) -> np.ndarray:
    """Address strings; ``typo`` 1 = house number slip, 2 = street, 3 = city misspelled."""
    streets = np.where(typo == 2, _STREET_TYPO[street], _STREET[street])
    cities = np.where(typo == 3, _CITY_TYPO[city], _CITY[city])
    numbers = number + (typo == 1)
    text = (_text(streets) + " " + pd.Series(numbers).astype("str") + ", "
            + _text(_POSTCODE[city, pc]) + " " + _text(cities))
    return text.to_numpy(dtype=object)


def _lines(sku: np.ndarray, qty: np.ndarray, n_lines: np.ndarray) -> np.ndarray:
    """'A-1043 x2; B-2201 x1' from (orders, MAX_LINES) arrays."""
    codes = _sku_codes()
    result = _text(codes[sku[:, 0]]) + " x" + pd.Series(qty[:, 0]).astype("str")
    for j in range(1, MAX_LINES):
        part = _text(codes[sku[:, j]]) + " x" + pd.Series(qty[:, j]).astype("str")
        result = result.where(n_lines <= j, result + "; " + part)
    return result.to_numpy(dtype=object)


def _sku_codes() -> np.ndarray:
    idx = np.arange(N_SKU)
    prefix = np.array(list("ABCDEFGH"), dtype=object)[idx % 8]
    return (_text(prefix) + "-" + pd.Series(1000 + idx * 17 % 9000).astype("str")).to_numpy(object)


def _money(cents: np.ndarray) -> np.ndarray:
    whole = pd.Series(cents // 100).astype("str")
    frac = pd.Series(cents % 100).astype("str").str.zfill(2)
    return (whole + "." + frac).to_numpy(dtype=object)


def _dates(start: np.datetime64, day: np.ndarray) -> np.ndarray:
    days = start.astype("datetime64[D]") + day.astype(np.int64)
    return np.datetime_as_string(days, unit="D").astype(object)


def _tracking(carrier: np.ndarray, number: np.ndarray) -> np.ndarray:
    prefix = np.array(["3SPOST", "JVGL0", "0"], dtype=object)[carrier]
    return (_text(prefix) + pd.Series(number).astype("str")).to_numpy(dtype=object)


def _digit_slip(x: np.ndarray) -> np.ndarray:
    """Swap the last two digits (or bump the last one when they are equal)."""
    d0, d1 = x % 10, (x // 10) % 10
    swapped = x - d0 - 10 * d1 + d1 + 10 * d0
    return np.where(d0 == d1, x - d0 + (d0 + 1) % 10, swapped)


# -- the process --------------------------------------------------------------------------


def intake_days(n_orders: int) -> int:
    """Days of order intake: about 60 orders a day, at least four weeks, at most a year.

    Examples
    --------
    >>> intake_days(1000), intake_days(6000), intake_days(10**6)
    (28, 100, 365)
    """
    return int(np.clip(int(n_orders) // 60, 28, 365))


def simulate(n_orders: int, *, seed: int, start: np.datetime64, change: Change | None = None,
             apply: bool = True) -> Simulation:
    """Simulate ``n_orders`` orders from intake to payment and returns.

    With a ``change``, orders started (UTC) on or after its date are simulated with it
    when ``apply`` is true; with ``apply`` false the same world runs without it, on
    common random numbers: every random draw is the same in both worlds and belongs to
    the same order (invoice-level draws to the invoice's first order), so the two
    worlds differ only by what the change does. Without a change the draws are those
    of earlier versions (the same seed writes the same bytes).

    Parameters
    ----------
    n_orders : int
        Number of orders (at least 1).
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same events.
    start : numpy.datetime64
        First day of order intake (local midnight).
    change : Change, optional
        The change (see :mod:`procmine.generate.change`).
    apply : bool
        Apply the change (else: the same world without it).

    Returns
    -------
    Simulation

    Examples
    --------
    >>> sim = simulate(50, seed=1, start=np.datetime64("2024-01-01"))
    >>> len(sim.orders), sorted(sim.events)
    (50, ['billing', 'erp', 'returns', 'wms'])
    """
    rng = np.random.default_rng(seed)
    cal = _Calendar(start, rng)
    rec = _Recorder()
    n = int(n_orders)
    days = intake_days(n)
    counts: dict[str, int] = {}

    # ---- orders arrive -------------------------------------------------------------------
    channel_names = np.array(["web", "edi", "email", "phone"], dtype=object)
    channel = rng.choice(4, size=n, p=[0.45, 0.20, 0.20, 0.15])
    web_hours = np.array([1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 6, 6, 6, 6, 7, 8, 10, 11, 10,
                          7, 3], dtype=float)  # consumers shop in the evening
    hour = np.where(channel == 0, rng.choice(24, size=n, p=web_hours / web_hours.sum()),
                    np.where(channel == 1, rng.integers(0, 24, n), rng.integers(7, 23, n)))
    t0 = rng.integers(0, days, n) * 1440.0 + hour * 60.0 + rng.uniform(0.0, 60.0, n)
    t0 = np.where(channel == 3, cal.snap(t0, SALES, jitter=400.0), t0)
    order = np.argsort(t0, kind="stable")
    channel, t0 = channel[order], t0[order]
    web, edi, email, phone = (channel == k for k in range(4))
    base = 10 ** max(5, len(str(n)))
    order_no = base + 1 + np.arange(n)
    plan = change
    crn = plan is not None  # common random numbers: draw counts never depend on the change
    after = np.zeros(n, dtype=bool)
    if plan is not None:
        start_s = int(start.astype("datetime64[s]").astype(np.int64))
        intake_utc = to_utc(start_s + np.floor(t0 * 60.0).astype(np.int64), strict=False)
        after = intake_utc >= int(plan.day.astype("datetime64[s]").astype(np.int64))
    no_order = np.zeros(n, dtype=bool)

    def changes(activity: str) -> np.ndarray:
        """The orders whose ``activity`` the change alters."""
        if plan is None or not apply or plan.activity != activity:
            return no_order
        return after

    # customers: consumers order on the web shop; business customers by EDI, e-mail or phone
    n_edi_cust = max(3, n // 80)
    n_mail_cust = max(5, n // 35)
    n_consumers = max(10, int(n * 0.7))
    customer = np.where(
        web, n_edi_cust + n_mail_cust + rng.integers(0, n_consumers, n),
        np.where(edi, rng.integers(0, n_edi_cust, n), n_edi_cust + rng.integers(0, n_mail_cust, n)),
    )
    n_cust = n_edi_cust + n_mail_cust + n_consumers
    collective = np.zeros(n_cust, dtype=bool)
    collective[:n_edi_cust] = rng.random(n_edi_cust) < 0.5
    integrated = np.ones(n_cust, dtype=bool)  # billing takes order data from the ERP
    integrated[n_edi_cust:n_edi_cust + n_mail_cust] = rng.random(n_mail_cust) < 0.4
    cust_street = rng.integers(0, len(_STREETS), n_cust)
    cust_number = rng.integers(1, 250, n_cust)
    cust_city = rng.integers(0, len(_CITIES), n_cust)
    cust_pc = rng.integers(0, 3, n_cust)
    customer_no = (pd.Series(["K"] * n_cust, dtype="str")
                   + pd.Series(100000 + np.arange(n_cust)).astype("str")).to_numpy(object)

    # what the customer asks for
    other = rng.random(n) < 0.1  # deliver somewhere else than the customer's own address
    street = np.where(other, rng.integers(0, len(_STREETS), n), cust_street[customer])
    number = np.where(other, rng.integers(1, 250, n), cust_number[customer])
    city = np.where(other, rng.integers(0, len(_CITIES), n), cust_city[customer])
    pc = np.where(other, rng.integers(0, 3, n), cust_pc[customer])
    n_lines = rng.choice(np.arange(1, MAX_LINES + 1), size=n, p=[0.35, 0.28, 0.18, 0.12, 0.07])
    sku0 = rng.integers(0, N_SKU, n)
    stride = rng.integers(1, N_SKU // MAX_LINES, n)
    sku = (sku0[:, None] + stride[:, None] * np.arange(MAX_LINES)[None, :]) % N_SKU
    qty = rng.integers(1, 10, (n, MAX_LINES))
    unit_price = rng.integers(250, 25000, N_SKU)
    has_line = np.arange(MAX_LINES)[None, :] < n_lines[:, None]
    net_cents = (qty * unit_price[sku] * has_line).sum(axis=1)
    order_day = np.floor(t0 / 1440.0)
    # most customers want delivery within two weeks; some business customers order weeks
    # ahead for a date of their own: those orders wait, packed, until shortly before it
    planned = ~web & (rng.random(n) < 0.12)
    req_day = order_day + np.where(planned, rng.integers(21, 43, n), rng.integers(2, 15, n))
    no_typo = np.zeros(n, dtype=np.int64)

    address0 = _address(street, number, pc, city, no_typo)
    lines0 = _lines(sku, qty, n_lines)
    req0 = _dates(start, req_day)
    price0 = _money(net_cents)
    o_all = np.arange(n)
    order_cols = {"channel": channel_names[channel], "customer": customer_no[customer]}

    def erp(activity: str, idx: np.ndarray, t: np.ndarray, **kw: object) -> None:
        extra = {k: v[idx] for k, v in order_cols.items()}
        extra.update(kw)
        rec.add("erp", activity, idx, t[idx], **extra)

    # ---- intake ----------------------------------------------------------------------------
    i = o_all[web]
    erp("Receive web order", i, t0, resource="WEBSHOP", department=None, party="customer",
        automated=True, delivery_address=address0[i], order_lines=lines0[i],
        requested_date=req0[i], price=price0[i])
    i = o_all[edi]
    erp("Receive EDI order", i, t0, resource="EDI-GW", department=None, party="customer",
        automated=True, delivery_address=address0[i], order_lines=lines0[i],
        requested_date=req0[i])
    i = o_all[email]
    erp("Receive order e-mail", i, t0, resource="MAIL-GW", department=None, party="customer",
        automated=True, delivery_address=address0[i], order_lines=lines0[i],
        requested_date=req0[i])
    i = o_all[phone]
    erp("Receive order call", i, t0, resource="PHONE-CTI", department=None, party="customer",
        automated=True)

    # manual order entry re-keys (e-mail) or first keys (phone) what the customer sent.
    # A slip is only made on the last re-entry of an item in a case, so that comparing with
    # the first entry and with the previous entry give the same answer.
    manual_entry = email | phone
    manual_invoice = manual_entry & ~integrated[customer]
    t = t0.copy()
    t_entry = np.where(email, cal.manual(t0, 150.0, SALES), t0 + rng.uniform(4.0, 12.0, n))
    portal = changes("Enter order") & manual_entry  # the customer keys it in a portal
    t_entry = np.where(portal, t0 + 1.0, t_entry)
    t = np.where(manual_entry, t_entry, t)
    slip = email & (rng.random(n) < 0.03)
    addr_typo_sales = np.where(slip & ~manual_invoice, rng.integers(1, 4, n), 0)
    lines_typo = email & (rng.random(n) < 0.03)
    qty_sales = qty + (lines_typo[:, None] & (np.arange(MAX_LINES)[None, :] == 0))
    req_typo = email & (rng.random(n) < 0.03)
    req_sales = _dates(start, req_day + np.where(rng.random(n) < 0.5, 1, -1) * req_typo)
    address_sales = _address(street, number, pc, city, addr_typo_sales)
    lines_sales = _lines(sku, qty_sales, n_lines)
    i = o_all[manual_entry]
    sales = _pick(USERS["Sales"], len(i), rng)
    keyed = ~portal[i]
    i, sales = i[keyed], sales[keyed]
    erp("Enter order", i, t, resource=sales, department="Sales",
        delivery_address=address_sales[i], order_lines=lines_sales[i],
        requested_date=req_sales[i], price=price0[i])
    counts["orders_keyed_by_sales"] = len(i)
    if crn:  # the customer's own entry: the first entry of a phone order's items, no copy
        i = o_all[portal & phone]
        erp("Enter order", i, t, resource="CUSTOMER-PORTAL", department=None,
            party="customer", automated=True, delivery_address=address0[i],
            order_lines=lines0[i], requested_date=req0[i], price=price0[i])
        i = o_all[portal & email]
        erp("Enter order", i, t, resource="CUSTOMER-PORTAL", department=None,
            party="customer", automated=True)

    # ---- credit check ------------------------------------------------------------------------
    t = cal.auto(t, 1.0, 5.0)
    erp("Check credit", o_all, t, resource="RPA-CREDIT", department="Credit", automated=True)
    hold = rng.random(n) < np.where(web, 0.03, 0.10)
    t_hold = cal.auto(t, 1.0, 2.0)
    erp("Credit Block Set", o_all[hold], t_hold, resource="RPA-CREDIT", department="Credit",
        automated=True)
    t_release = cal.manual(t_hold, 300.0, CREDIT)
    credit_cancel = hold & (rng.random(n) < 0.12)  # their block is never removed: still open
    erp("Credit Block Removed", o_all[hold & ~credit_cancel], t_release,
        resource=_pick(USERS["Credit"], int((hold & ~credit_cancel).sum()), rng),
        department="Credit")
    erp("Cancel order", o_all[credit_cancel], t_release,
        resource=_pick(USERS["Credit"], int(credit_cancel.sum()), rng), department="Credit")
    t = np.where(hold, t_release, t)
    alive = ~credit_cancel
    counts["credit_blocks"] = int(hold.sum())
    counts["credit_blocks_open"] = int(credit_cancel.sum())

    # an incomplete ship-to address blocks keyed orders until Customer Service reaches the
    # customer (days); a few customers never answer and the order is left blocked
    addr_block = alive & manual_entry & (rng.random(n) < 0.06)
    addr_open = addr_block & (rng.random(n) < 0.1)
    t_ablock = cal.auto(t, 1.0, 3.0)
    erp("Address Block Set", o_all[addr_block], t_ablock, resource="RPA-ADDRESS",
        department="Sales", automated=True)
    t_aclear = cal.manual(t_ablock, 15 * 1440.0, SERVICE, sigma=0.5)
    closed = addr_block & ~addr_open
    erp("Address Block Removed", o_all[closed], t_aclear,
        resource=_pick(USERS["Customer Service"], int(closed.sum()), rng),
        department="Customer Service")
    t = np.where(closed, t_aclear, t)
    alive &= ~addr_open
    counts["address_blocks"] = int(addr_block.sum())
    counts["address_blocks_open"] = int(addr_open.sum())
    accepted = alive.copy()

    # ---- order confirmation --------------------------------------------------------------
    t_conf = np.where(manual_entry, cal.manual(t, 60.0, SALES), cal.auto(t, 2.0, 10.0))
    conf_sent = alive & (rng.random(n) >= 0.03)  # now and then nobody confirms the order
    auto_conf = conf_sent & ~manual_entry
    erp("Send order confirmation", o_all[auto_conf], t_conf, resource="RPA-CONFIRM",
        department="Sales", automated=True)
    man_conf = conf_sent & manual_entry
    erp("Send order confirmation", o_all[man_conf], t_conf,
        resource=_pick(USERS["Sales"], int(man_conf.sum()), rng), department="Sales")
    t = np.where(alive, t_conf, t)
    customer_cancel = alive & (rng.random(n) < 0.015)
    t_cancel = cal.manual(t, 240.0, SERVICE)
    erp("Cancel order", o_all[customer_cancel], t_cancel,
        resource=_pick(USERS["Customer Service"], int(customer_cancel.sum()), rng),
        department="Customer Service")
    alive &= ~customer_cancel
    counts["cancelled"] = int((~alive).sum())
    t_confirmed = t.copy()

    # ---- warehouse: pick list, picking, stock-outs ----------------------------------------
    live = o_all[alive]
    picklist_no = np.full(n, -1, dtype=np.int64)
    t_wave = cal.slot(t + 5.0, (390, 630, 870), 5, jitter=2.0)
    rel_order = live[np.lexsort((live, t_wave[live]))]
    picklist_no[rel_order] = 5000001 + np.arange(len(rel_order))

    # some orders leave in two or three packages (split deliveries): each line goes into one
    multi = alive & (n_lines >= 2) & (rng.random(n) < 0.15)
    n_pkg = 1 + multi + (multi & (n_lines >= 3) & (rng.random(n) < 0.3))
    pkg_line = (np.arange(MAX_LINES)[None, :] * n_pkg[:, None]) // n_lines[:, None]
    pk_base = "PK-" + pd.Series(picklist_no).astype("str") + "-"
    pkg_ids = np.stack([(pk_base + str(k + 1)).to_numpy(dtype=object) for k in range(3)],
                       axis=1)
    line_pkg = np.take_along_axis(pkg_ids, np.minimum(pkg_line, 2), axis=1)  # (n, MAX_LINES)
    counts["multi_package_orders"] = int((n_pkg > 1).sum())
    counts["packages"] = int(n_pkg[alive].sum())

    def wms(activity: str, idx: np.ndarray, t: np.ndarray, **kw: object) -> None:
        rec.add("wms", activity, idx, t[idx], picklist=picklist_no[idx],
                **kw)  # type: ignore[arg-type]

    wms("Release pick list", live, t_wave, resource="WMS-AUTO", department="Warehouse",
        automated=True)
    picker = _pick(USERS["Warehouse"], n, rng)
    t = cal.manual(t_wave, 90.0, WAREHOUSE)
    stockout = alive[:, None] & has_line & (rng.random((n, MAX_LINES)) < 0.04)
    codes = _sku_codes()
    t_line = np.zeros((n, MAX_LINES))  # when each line was (finally) picked
    for j in range(MAX_LINES):
        t = np.where(has_line[:, j], t + rng.uniform(1.0, 6.0, n), t)
        t_line[:, j] = t
        ok = alive & has_line[:, j] & ~stockout[:, j]
        out = alive & stockout[:, j]
        wms("Pick item", o_all[ok], t, resource=picker[ok], department="Warehouse",
            item_no=codes[sku[ok, j]], qty=qty[ok, j], package=line_pkg[ok, j])
        wms("Report stock-out", o_all[out], t, resource=picker[out], department="Warehouse",
            item_no=codes[sku[out, j]], qty=qty[out, j], package=line_pkg[out, j])
    backorder = stockout.any(axis=1)
    counts["backorders"] = int(backorder.sum())

    # purchasing: back-order at the supplier, supplier confirms, purchasing re-keys the date
    b = o_all[backorder]
    t_bo = cal.manual(t, 180.0, PURCHASING)
    erp("Create supplier backorder", b, t_bo, resource=_pick(USERS["Purchasing"], len(b), rng),
        department="Purchasing")
    by_edi = rng.random(n) < 0.4
    t_sup = np.where(by_edi, cal.auto(t_bo, 20.0, 600.0), cal.manual(t_bo, 900.0, SUPPLIER_OFFICE))
    sup_day = np.floor(t_sup / 1440.0) + rng.integers(2, 11, n)
    sup_date = _dates(start, sup_day)
    erp("Supplier confirms delivery date", o_all[backorder & by_edi], t_sup,
        resource="SUPPLIER-EDI", department=None, party="supplier", automated=True,
        supplier_delivery_date=sup_date[backorder & by_edi])
    erp("Supplier confirms delivery date", o_all[backorder & ~by_edi], t_sup,
        resource="MAIL-GW", department=None, party="supplier", automated=True,
        supplier_delivery_date=sup_date[backorder & ~by_edi])
    t_key = cal.manual(t_sup, 240.0, PURCHASING)
    sup_typo = rng.random(n) < 0.04
    sup_date_keyed = _dates(start, sup_day + np.where(rng.random(n) < 0.5, 1, 10) * sup_typo)
    by_portal = changes("Enter supplier delivery date")  # the supplier enters it itself
    t_key = np.where(by_portal, t_sup + 1.0, t_key)
    buyers = _pick(USERS["Purchasing"], len(b), rng)
    keyed = ~by_portal[b]
    erp("Enter supplier delivery date", b[keyed], t_key, resource=buyers[keyed],
        department="Purchasing", supplier_delivery_date=sup_date_keyed[b[keyed]])
    if crn:
        erp("Enter supplier delivery date", o_all[backorder & by_portal], t_key,
            resource="SUPPLIER-PORTAL", department=None, party="supplier", automated=True)
    arrival = np.maximum(sup_day * 1440.0 + rng.uniform(360.0, 900.0, n)
                         + 1440.0 * (rng.random(n) < 0.2), t_key + 60.0)
    t_receipt = cal.snap(arrival, WAREHOUSE)
    wms("Receive supplier goods", b, t_receipt, resource=_pick(USERS["Warehouse"], len(b), rng),
        department="Warehouse")
    t_bo_pick = cal.manual(t_receipt, 60.0, WAREHOUSE)
    picker2 = _pick(USERS["Warehouse"], n, rng)
    for j in range(MAX_LINES):  # the re-pick of a line that was out of stock: designed rework
        out = stockout[:, j]
        t_bo_pick = np.where(out, t_bo_pick + rng.uniform(1.0, 4.0, n), t_bo_pick)
        t_line[:, j] = np.where(out, t_bo_pick, t_line[:, j])
        wms("Pick item", o_all[out], t_bo_pick, resource=picker2[out], department="Warehouse",
            item_no=codes[sku[out, j]], qty=qty[out, j], package=line_pkg[out, j],
            rework=True)

    # per package: packing, carrier pick-up (the carrier creates the tracking number),
    # Shipping re-keys it, the carrier delivers. A package leaves once its own lines are
    # picked, so in-stock packages of a back-ordered order go ahead (a split delivery).
    # Orders for a date weeks ahead wait, packed, until two days before it (lead time).
    carrier = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    track_no = rng.integers(10**9, 10**10, (n, 3))
    ship_typo = rng.random((n, 3)) < 0.015
    hold_until = (req_day - 2) * 1440.0 + 360.0
    # a step recorded out of order now and then (a late posting): packing after pick-up
    pool = o_all[alive & (n_pkg == 1) & ~planned & ~backorder]
    n_rev = max(1, round(0.001 * len(pool))) if n >= 200 and len(pool) else 0
    reversed_ = np.zeros(n, dtype=bool)
    if n_rev:
        reversed_[rng.choice(pool, size=n_rev, replace=False)] = True
    counts["reversed_steps"] = n_rev
    t_hand = np.full(n, -np.inf)
    t_deliv = np.full(n, -np.inf)
    t_scan_first = np.full(n, np.inf)
    for k in range(3):
        has_k = alive & (n_pkg > k)
        in_k = has_line & (pkg_line == k)
        ready = np.where(in_k, t_line, 0.0).max(axis=1)
        idx = o_all[has_k]
        t_pack = cal.manual(ready, 40.0, WAREHOUSE)
        earliest = np.where(planned, np.maximum(t_pack + 30.0, hold_until), t_pack + 30.0)
        t_scan = cal.slot(earliest, (960, 1110), 5, jitter=20.0)
        held = planned & (hold_until > t_pack + 30.0)  # the wait before pick-up is lead time
        t_posted = np.where(reversed_, t_scan + rng.uniform(2.0, 4.0, n), t_pack)
        wms("Pack order", idx, t_posted, resource=_pick(USERS["Warehouse"], len(idx), rng),
            department="Warehouse", package=pkg_ids[idx, k])
        tracking = _tracking(carrier, track_no[:, k])
        for c_no, name in enumerate(CARRIERS):
            c = has_k & (carrier == c_no)
            wms("Carrier pick-up scan", o_all[c], t_scan, resource=name, department=None,
                party="carrier", automated=True, tracking_number=tracking[c],
                package=pkg_ids[c, k], held=held[c])
        keyed = np.where(ship_typo[:, k], _digit_slip(track_no[:, k]), track_no[:, k])
        tracking_keyed = _tracking(carrier, keyed)
        t_hand_k = cal.manual(t_scan + 1.0, 25.0, SHIPPING)
        by_api = changes("Register carrier hand-over")  # the carrier's system registers it
        t_hand_k = np.where(by_api, t_scan + 1.0, t_hand_k)
        clerks = _pick(USERS["Shipping"], len(idx), rng)
        keyed = ~by_api[idx]
        j = idx[keyed]
        wms("Register carrier hand-over", j, t_hand_k, resource=clerks[keyed],
            department="Shipping", tracking_number=tracking_keyed[j], package=pkg_ids[j, k])
        if crn:
            for c_no, name in enumerate(CARRIERS):
                c = has_k & by_api & (carrier == c_no)
                wms("Register carrier hand-over", o_all[c], t_hand_k, resource=name,
                    department=None, party="carrier", automated=True, package=pkg_ids[c, k])
        t_deliv_k = cal.snap(t_scan + rng.uniform(900.0, 3600.0, n), CARRIER_ROUND, jitter=600.0)
        for c_no, name in enumerate(CARRIERS):
            c = has_k & (carrier == c_no)
            wms("Carrier delivery scan", o_all[c], t_deliv_k, resource=name, department=None,
                party="carrier", automated=True, package=pkg_ids[c, k])
        t_hand = np.where(has_k, np.maximum(t_hand, t_hand_k), t_hand)
        t_deliv = np.where(has_k, np.maximum(t_deliv, t_deliv_k), t_deliv)
        t_scan_first = np.where(has_k, np.minimum(t_scan_first, t_scan), t_scan_first)
    t_hand = np.where(alive, t_hand, t_confirmed)
    t_deliv = np.where(alive, t_deliv, t_confirmed)
    t_scan_first = np.where(alive, t_scan_first, t_confirmed)

    # the customer is told when the (first) package leaves; now and then the message fails
    notified = alive & (rng.random(n) >= 0.08)
    t_notify = cal.auto(t_scan_first, 5.0, 30.0)
    erp("Send shipping notification", o_all[notified], t_notify, resource="RPA-NOTIFY",
        department="Shipping", automated=True)

    # customers move their delivery date: Customer Service changes it, some twice
    moved = alive & (rng.random(n) < 0.05)
    twice = moved & (rng.random(n) < 0.6)
    t_ch1 = cal.snap(t_confirmed + rng.uniform(0.05, 0.5, n) * (t_deliv - t_confirmed), SERVICE)
    t_ch1 = np.maximum(t_ch1, t_confirmed + 1.0)
    t_ch2 = cal.manual(t_ch1 + 1440.0 * rng.uniform(1.0, 4.0, n), 60.0, SERVICE)
    erp("Change delivery date", o_all[moved], t_ch1,
        resource=_pick(USERS["Customer Service"], int(moved.sum()), rng),
        department="Customer Service", rework=True)
    erp("Change delivery date", o_all[twice], t_ch2,
        resource=_pick(USERS["Customer Service"], int(twice.sum()), rng),
        department="Customer Service", rework=True)
    counts["delivery_date_changes"] = int(moved.sum() + twice.sum())
    counts["orders_delivery_date_changed_twice"] = int(twice.sum())

    # "where is my order?": customers ask Customer Service for the status
    wismo = alive & (rng.random(n) < np.where(backorder, 0.35, 0.07))
    t_ask = cal.snap(t_confirmed + rng.uniform(0.0, 1.0, n) * (t_deliv - t_confirmed), SERVICE)
    t_ask = np.maximum(t_ask, t_confirmed + 1.0)
    erp("Answer order status enquiry", o_all[wismo], t_ask,
        resource=_pick(USERS["Customer Service"], int(wismo.sum()), rng),
        department="Customer Service")
    counts["status_enquiries"] = int(wismo.sum())

    # ---- invoicing ------------------------------------------------------------------------
    # shared data: billing takes address and price from the ERP, for every customer
    manual_invoice = manual_invoice & ~changes("Create invoice")
    coll = alive & collective[customer]
    day_hand = np.floor(t_hand / 1440.0).astype(np.int64)
    week = (day_hand + cal.weekday0) // 7
    run_day = (week + 1) * 7 - cal.weekday0  # the Monday after
    t_inv = np.where(
        coll, run_day * 1440.0 + 300.0 + rng.uniform(0.0, 20.0, n),
        np.where(manual_invoice, cal.manual(t_hand, 1200.0, BILLING),
                 cal.slot(t_hand + 1.0, (1320,), 7, jitter=30.0)),
    )
    group = np.where(coll, customer.astype(np.int64) * 100000 + week, -1 - o_all)
    g_live = group[live]
    uniq, inverse = np.unique(g_live, return_inverse=True)
    first_t = np.full(len(uniq), np.inf)
    np.minimum.at(first_t, inverse, t_inv[live])
    inv_order = np.lexsort((uniq, first_t))  # invoices numbered by creation time
    inv_rank = np.empty(len(uniq), dtype=np.int64)
    inv_rank[inv_order] = np.arange(len(uniq))
    invoice_of = np.full(n, -1, dtype=np.int64)
    invoice_of[live] = inv_rank[inverse]
    n_inv = len(uniq)
    inv_t = np.empty(n_inv)
    inv_t[inv_rank] = first_t
    # order references, ascending (order numbers all have the same number of digits)
    members = live[np.lexsort((order_no[live], invoice_of[live]))]
    inv_sorted = invoice_of[members]
    inv_size = np.bincount(inv_sorted, minlength=n_inv)
    inv_start = np.searchsorted(inv_sorted, np.arange(n_inv))
    ids = ("SO-" + pd.Series(order_no[members]).astype("str")).to_numpy(dtype=object)
    refs = _text(ids[inv_start])
    for k in range(1, int(inv_size.max(initial=1))):
        more = inv_size > k
        refs = refs.where(~more, refs + ";" + _text(ids[np.minimum(inv_start + k, len(ids) - 1)]))
    inv_refs = refs.to_numpy(dtype=object)
    inv_first = members[inv_start]  # the (first) order of each invoice
    inv_manual = manual_invoice[inv_first]
    inv_web = web[inv_first]
    counts["invoices"] = n_inv
    counts["multi_order_invoices"] = int((inv_size > 1).sum())
    # invoice-level draws: in invoice order, or (with a change) one per order, taken by
    # the invoice's first order, so that they do not depend on the invoices' numbering
    size = n if crn else n_inv

    def spread(values: np.ndarray) -> np.ndarray:
        if not crn:
            return values
        out = np.zeros(n)
        out[inv_first] = values
        return out

    def at(values: np.ndarray) -> np.ndarray:
        return values[inv_first] if crn else values

    def clerks_for(invoices: np.ndarray) -> np.ndarray:
        if not crn:
            return _pick(USERS["Billing"], len(invoices), rng)
        return _pick(USERS["Billing"], n, rng)[inv_first[invoices]]

    # re-keyed values on manual invoices: address and price
    addr_typo_bill = np.where(manual_invoice & (rng.random(n) < 0.02), rng.integers(1, 4, n), 0)
    address_bill = _address(street, number, pc, city, addr_typo_bill)
    price_typo = manual_invoice & (rng.random(n) < 0.02)
    price_bill = _money(net_cents + price_typo * np.array([100, 900, 1000])[rng.integers(0, 3, n)])
    inv_ids = np.arange(n_inv)

    def bill(activity: str, idx: np.ndarray, t: np.ndarray, **kw: object) -> None:
        rec.add("billing", activity, idx, t[idx], department="Billing",
                order_refs=inv_refs[idx], **kw)  # type: ignore[arg-type]

    a = inv_ids[~inv_manual]
    bill("Create invoice", a, inv_t, resource="BILLING-RUN", automated=True)
    m = inv_ids[inv_manual]
    bill("Create invoice", m, inv_t, resource=clerks_for(m),
         delivery_address=address_bill[inv_first[m]], price=price_bill[inv_first[m]])
    t_send = np.where(inv_manual, at(cal.manual(spread(inv_t), 20.0, BILLING)),
                      at(cal.auto(spread(inv_t), 5.0, 30.0)))
    inv_sent = at(rng.random(size)) >= 0.02  # a few invoices are never sent to the customer
    a_sent, m_sent = inv_ids[~inv_manual & inv_sent], inv_ids[inv_manual & inv_sent]
    bill("Send invoice", a_sent, t_send, resource="BILLING-RUN", automated=True)
    bill("Send invoice", m_sent, t_send, resource=clerks_for(m_sent))
    # web orders are paid by card (captured at invoicing); business customers pay on terms
    t_capture = at(cal.auto(spread(t_send), 1.0, 3.0))
    due = t_send + 30 * 1440.0
    late = ~inv_web & (at(rng.random(size)) < 0.15)
    t_remind = at(cal.slot(spread(due + 7 * 1440.0), (450,), 5, jitter=5.0))
    t_call = at(cal.manual(spread(t_remind + 5 * 1440.0), 120.0, BILLING))
    calls = late & (at(rng.random(size)) < 0.4)
    t_pay = np.where(
        inv_web, t_capture,
        at(cal.slot(spread(np.where(
            late, np.where(calls, t_call, t_remind) + at(rng.uniform(1.0, 10.0, size)) * 1440.0,
            t_send + at(rng.uniform(10.0, 30.0, size)) * 1440.0)), (420,), 5, jitter=15.0)),
    )
    bill("Send payment reminder", inv_ids[late], t_remind, resource="DUNNING-RUN", automated=True)
    bill("Call customer about payment", inv_ids[calls], t_call, resource=clerks_for(inv_ids[calls]))
    bill("Payment received", inv_ids[inv_web], t_pay, resource="PSP-GW", automated=True)
    bill("Payment received", inv_ids[~inv_web], t_pay, resource="BANK-IMPORT", automated=True)
    counts["payment_reminders"] = int(late.sum())

    # ---- returns (only orders invoiced alone: the return's invoice names one order) --------
    single = np.zeros(n, dtype=bool)
    single[live] = inv_size[invoice_of[live]] == 1
    returned = single & (rng.random(n) < np.where(web, 0.10, np.where(edi, 0.02, 0.04)))
    r = o_all[returned]
    n_ret = len(r)
    counts["returns"] = n_ret
    t_req = cal.manual(np.maximum(t_deliv, t_inv) + 1440.0 * rng.uniform(0.5, 12.0, n), 60.0,
                       SERVICE)
    ret_rank = np.argsort(np.lexsort((r, t_req[r])), kind="stable")
    ret_no = np.empty(n_ret, dtype=np.int64)
    ret_no[:] = 700001 + ret_rank
    reason = rng.integers(0, len(RETURN_REASONS), n)
    reason_differs = rng.random(n) < 0.15
    reason_rekeyed = np.where(reason_differs, (reason + rng.integers(1, len(RETURN_REASONS), n))
                              % len(RETURN_REASONS), reason)
    reasons = np.array(RETURN_REASONS, dtype=object)
    ret_idx = np.arange(n_ret)
    ret_inv = invoice_of[r]

    def ret(activity: str, t: np.ndarray, **kw: object) -> None:
        rec.add("returns", activity, ret_idx, t[r], invoice=ret_inv, **kw)  # type: ignore[arg-type]

    def staff(pool: tuple[str, ...]) -> np.ndarray:
        """Who handles each return: drawn per order with a change (common random numbers)."""
        return _pick(pool, n, rng)[r] if crn else _pick(pool, n_ret, rng)

    ret("Record return request", t_req, resource=staff(USERS["Customer Service"]),
        department="Customer Service", return_reason=reasons[reason[r]])
    t_label = cal.auto(t_req, 1.0, 4.0)
    ret("Send return label", t_label, resource="RMA-AUTO", department="Customer Service",
        automated=True)
    t_goods = cal.manual(t_label + 1440.0 * rng.uniform(2.0, 7.0, n), 120.0, RETURNS)
    ret("Receive returned goods", t_goods, resource=staff(USERS["Returns"]),
        department="Returns", return_reason=reasons[reason_rekeyed[r]])
    t_inspect = cal.manual(t_goods, 180.0, RETURNS)
    ret("Inspect returned goods", t_inspect, resource=staff(USERS["Returns"]),
        department="Returns")
    t_credit = cal.manual(t_inspect, 600.0, BILLING)
    rec.add("billing", "Create credit note", ret_inv, t_credit[r],
            resource=staff(USERS["Billing"]), department="Billing",
            order_refs=inv_refs[ret_inv])

    events = rec.frames()
    orders = pd.DataFrame({
        "order_no": order_no, "channel": channel_names[channel],
        "customer": customer_no[customer], "cancelled": ~alive, "picklist": picklist_no,
        "invoice": invoice_of, "backorder": backorder, "returned": returned,
        "requested_day": req_day.astype(np.int64), "planned_wait": planned & alive,
        "packages": np.where(alive, n_pkg, 0), "accepted": accepted,
        "order_confirmation": conf_sent, "shipped": alive, "shipping_notification": notified,
        "reversed_step": reversed_,
    })
    invoices = pd.DataFrame({"refs": inv_refs, "size": inv_size, "manual": inv_manual,
                             "start": inv_start, "sent": inv_sent})
    returns = pd.DataFrame({"order": r, "return_no": ret_no, "invoice": ret_inv})
    counts["orders"] = n
    counts["shipped"] = len(live)
    return Simulation(start=start, orders=orders, invoices=invoices, members=members,
                      returns=returns, events=events, counts=counts,
                      after=after if plan is not None else None)
