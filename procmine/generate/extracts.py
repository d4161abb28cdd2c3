"""Write simulated events as four system extracts that differ like real systems do.

- ``erp_sales_orders.csv``: comma, UTF-8, ISO 8601 UTC times with ``Z``, order ``SO-100123``.
- ``wms_events.csv``: semicolon, local time (Europe/Amsterdam) ``dd/mm/yyyy HH:MM``, keyed by
  pick list ``PL-5000001``; ``wms_picklists.csv`` maps pick lists to numeric order numbers.
- ``billing_events.csv``: comma, UTC ``yyyy-mm-dd HH:MM:SS``, keyed by invoice; one invoice
  may cover several orders (``OrderRefs`` joined with ``;``).
- ``returns_cases.csv``: semicolon, Windows-1252, local ``dd-mm-yyyy HH:MM``, keyed by return
  number with the invoice it refers to (return -> invoice -> order).

A few realistic data problems are injected (an unparseable timestamp, an empty activity, an
exact duplicate row, a pick list that reaches no order); each is recorded with the row it
sits on, so that a loader's rejects can be checked against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from procmine.generate._csv import write_csv
from procmine.generate.simulate import SOURCES, USERS, Simulation, frame, to_utc

__all__ = ["FILES", "Extracts", "extract_tables", "sources_toml", "write_extracts"]

#: File of each source, and of the pick-list lookup.
FILES: dict[str, str] = {
    "erp": "erp_sales_orders.csv",
    "wms": "wms_events.csv",
    "billing": "billing_events.csv",
    "returns": "returns_cases.csv",
    "picklists": "wms_picklists.csv",
}
_CSV = {  # delimiter, encoding
    "erp": (",", "utf-8"),
    "wms": (";", "utf-8"),
    "billing": (",", "utf-8"),
    "returns": (";", "cp1252"),
    "picklists": (",", "utf-8"),
}
#: Item -> column, per source (the same mapping is written into sources.toml).
ITEM_COLUMNS: dict[str, dict[str, str]] = {
    "erp": {"delivery_address": "ShipTo", "order_lines": "Lines",
            "requested_date": "ReqDeliveryDate", "price": "NetValue",
            "supplier_delivery_date": "SupplierDate"},
    "wms": {"tracking_number": "TrackingNo"},
    "billing": {"delivery_address": "BillShipTo", "price": "NetAmount"},
    "returns": {"return_reason": "Reason"},
}
ITEM_OWNERS: dict[str, tuple[str, str]] = {
    "delivery_address": ("customer", "Ship-to address of the order"),
    "order_lines": ("customer", "Articles and quantities ordered"),
    "requested_date": ("customer", "Delivery date the customer asked for"),
    "supplier_delivery_date": ("supplier", "Date the supplier confirmed for a back-order"),
    "tracking_number": ("carrier", "Parcel tracking number created by the carrier"),
    "return_reason": ("customer", "Why the customer sends goods back"),
    "price": ("internal", "Net order value"),
}
#: How each item's values compare (the sources file's ``type``): dates as dates, the net
#: value as an amount, the carrier's tracking number exactly; the rest as text.
ITEM_TYPES: dict[str, str] = {
    "requested_date": "date", "supplier_delivery_date": "date", "price": "money",
    "tracking_number": "code",
}


@dataclass(frozen=True)
class Extracts:
    """What :func:`write_extracts` wrote, with one metadata row per data row of each extract.

    ``rows[source]`` is aligned with the file's data rows (``row`` = spreadsheet row, header
    = 1) and holds ``key`` (order, invoice or return index; -1 for rows reaching no order),
    ``utc`` (epoch seconds as a loader will read the time), ``activity``, ``resource``,
    ``department``, ``party``, ``automated``, item columns and ``reject`` (the reason a
    loader must reject the row, or empty).
    """

    files: tuple[Path, ...]
    rows: dict[str, pd.DataFrame]
    sim: Simulation


# -- formatting ------------------------------------------------------------------------------

_ISO = {"Y": (0, 1, 2, 3), "M": (5, 6), "D": (8, 9), "h": (11, 12), "m": (14, 15), "s": (17, 18)}


def _format_times(seconds: np.ndarray, template: str) -> np.ndarray:
    """Epoch seconds -> text, by rearranging the characters of ISO strings (fast, exact).

    ``template`` uses ``YYYY MM DD hh mm ss``; every other character is literal.
    """
    iso = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s").astype("U19")
    chars = iso.view("U1").reshape(-1, 19)
    out = np.empty((len(iso), len(template)), dtype="U1")
    seen: dict[str, int] = {}
    for j, symbol in enumerate(template):
        if symbol in _ISO:
            k = seen.get(symbol, 0)
            out[:, j] = chars[:, _ISO[symbol][k]]
            seen[symbol] = k + 1
        else:
            out[:, j] = symbol
    return out.view(f"U{len(template)}").ravel().astype(object)


def _text(values: object) -> pd.Series:
    return pd.Series(values, dtype="str")


def _numbered(prefix: str, numbers: np.ndarray) -> np.ndarray:
    return (prefix + pd.Series(numbers, dtype="int64").astype("str")).to_numpy(dtype=object)


#: WMS steps about one line of a package (their unit is package/item, not the package).
LINE_STEPS = ("Pick item", "Report stock-out")


def handling_unit(ev: pd.DataFrame) -> np.ndarray:
    """The WMS unit an event is about, as its warehouse task records it: the package for
    packing and shipping, the package's line (``PK-.../SKU``) for picking. Picking the
    second line of a package is not rework; picking the same line again is.
    """
    package = ev["package"] if "package" in ev else pd.Series(None, index=ev.index)
    item = ev["item_no"] if "item_no" in ev else pd.Series(None, index=ev.index)
    unit = package.astype("str")
    line = ev["activity"].isin(LINE_STEPS) & item.notna() & package.notna()
    unit = unit.where(~line, unit + "/" + item.astype("str"))
    out = unit.to_numpy(dtype=object, copy=True)
    out[package.isna().to_numpy()] = None
    return out


def _opt(values: pd.Series) -> np.ndarray:
    """Object array with None for missing (written as an empty field)."""
    arr = values.to_numpy(dtype=object, copy=True)
    arr[pd.isna(values).to_numpy()] = None
    return arr


# -- building the extracts ---------------------------------------------------------------------


def _clock(frame: pd.DataFrame, start_s: int, *, minutes: bool, local_out: bool
           ) -> tuple[np.ndarray, np.ndarray]:
    """(seconds to print, UTC seconds a reader gets) for the rows of ``frame``."""
    t = frame["t"].to_numpy(dtype=float)
    seconds = np.floor(t) * 60.0 if minutes else np.floor(t * 60.0)
    local = start_s + seconds.astype(np.int64)
    utc = to_utc(local, strict=local_out)
    return (local if local_out else utc), utc


def _order_rows(frame: pd.DataFrame, *keys: np.ndarray) -> pd.DataFrame:
    order = np.lexsort(tuple(reversed(keys)))
    return frame.take(order).reset_index(drop=True)


def _erp(sim: Simulation, start_s: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    ev = sim.events["erp"]
    printed, utc = _clock(ev, start_s, minutes=False, local_out=False)
    ev = ev.assign(utc=utc, printed=printed)
    ev = _order_rows(ev, ev["utc"].to_numpy(), ev["seq"].to_numpy(), ev["key"].to_numpy())
    order_no = sim.orders["order_no"].to_numpy()[ev["key"].to_numpy()]
    raw = frame({
        "ChangeNo": np.arange(1, len(ev) + 1) + 880000,
        "OrderNo": _numbered("SO-", order_no),
        "Activity": ev["activity"].to_numpy(object),
        "ChangedAt": _format_times(ev["printed"].to_numpy(), "YYYY-MM-DDThh:mm:ssZ"),
        "User": ev["resource"].to_numpy(object),
        "UserType": np.where(ev["automated"].to_numpy(bool), "Robot", "Human").astype(object),
        "Department": _opt(ev["department"]),
        "PartyType": ev["party"].to_numpy(object),
        "Channel": ev["channel"].to_numpy(object),
        "CustomerNo": ev["customer"].to_numpy(object),
    })
    for item, column in ITEM_COLUMNS["erp"].items():
        raw[column] = _opt(ev[item])
    return raw, ev


def _wms(sim: Simulation, start_s: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    ev = sim.events["wms"]
    printed, utc = _clock(ev, start_s, minutes=True, local_out=True)
    ev = ev.assign(utc=utc, printed=printed)
    ev = _order_rows(ev, ev["utc"].to_numpy(), ev["seq"].to_numpy(), ev["key"].to_numpy())
    qty = ev["qty"]
    raw = frame({
        "TransId": np.arange(1, len(ev) + 1) + 3_000_000,
        "PickListNo": _numbered("PL-", ev["picklist"].to_numpy(dtype=np.int64)),
        "EventType": ev["activity"].to_numpy(object),
        "EventTime": _format_times(ev["printed"].to_numpy(), "DD/MM/YYYY hh:mm"),
        "UserId": ev["resource"].to_numpy(object),
        "Department": _opt(ev["department"]),
        "ActorType": ev["party"].to_numpy(object),
        "PackageNo": _opt(ev["package"]),
        "Unit": handling_unit(ev),
        "ItemNo": _opt(ev["item_no"]),
        "Qty": np.where(qty.isna(), None, qty.astype("str").to_numpy(object)),
        "TrackingNo": _opt(ev["tracking_number"]),
    })
    return raw, ev


def _billing(sim: Simulation, start_s: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    ev = sim.events["billing"]
    printed, utc = _clock(ev, start_s, minutes=False, local_out=False)
    ev = ev.assign(utc=utc, printed=printed)
    ev = _order_rows(ev, ev["utc"].to_numpy(), ev["seq"].to_numpy(), ev["key"].to_numpy())
    raw = frame({
        "EntryNo": np.arange(1, len(ev) + 1) + 120000,
        "InvoiceNo": _numbered("INV-", 2400001 + ev["key"].to_numpy()),
        "OrderRefs": ev["order_refs"].to_numpy(object),
        "Event": ev["activity"].to_numpy(object),
        "PostedAt": _format_times(ev["printed"].to_numpy(), "YYYY-MM-DD hh:mm:ss"),
        "PostedBy": ev["resource"].to_numpy(object),
        "Batch": np.where(ev["automated"].to_numpy(bool), "true", "false").astype(object),
        "BillShipTo": _opt(ev["delivery_address"]),
        "NetAmount": _opt(ev["price"]),
    })
    return raw, ev


def _returns(sim: Simulation, start_s: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    ev = sim.events["returns"]
    printed, utc = _clock(ev, start_s, minutes=True, local_out=True)
    ev = ev.assign(utc=utc, printed=printed)
    ret_no = sim.returns["return_no"].to_numpy()[ev["key"].to_numpy()]
    ev = _order_rows(ev, ret_no, ev["utc"].to_numpy(), ev["seq"].to_numpy())
    ret_no = sim.returns["return_no"].to_numpy()[ev["key"].to_numpy()]
    raw = frame({
        "ReturnNo": _numbered("RMA-", ret_no),
        "InvoiceNo": _numbered("INV-", 2400001 + ev["invoice"].to_numpy(dtype=np.int64)),
        "Step": ev["activity"].to_numpy(object),
        "StepTime": _format_times(ev["printed"].to_numpy(), "DD-MM-YYYY hh:mm"),
        "Handler": ev["resource"].to_numpy(object),
        "Reason": _opt(ev["return_reason"]),
    })
    return raw, ev


# -- data problems --------------------------------------------------------------------------


def _share(rows: int, rate: float) -> int:
    """How many rows get a problem: about ``rate``, at least one once an extract has 100 rows."""
    return max(1, round(rate * rows)) if rows >= 100 else 0


def _victims(meta: pd.DataFrame, activities: tuple[str, ...], count: int,
             rng: np.random.Generator, taken: np.ndarray) -> np.ndarray:
    pool = np.flatnonzero(meta["activity"].isin(activities).to_numpy() & ~taken)
    if "stable" in meta:  # with a change: the same events in both worlds, whatever their rows
        pool = pool[np.argsort(meta["stable"].to_numpy()[pool], kind="stable")]
    if count <= 0 or len(pool) == 0:
        return np.array([], dtype=np.int64)
    return np.sort(rng.choice(pool, size=min(count, len(pool)), replace=False))


def _mask(n: int, rows: np.ndarray) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return mask


def _inject(source: str, raw: pd.DataFrame, meta: pd.DataFrame, rng: np.random.Generator,
            next_picklist: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Corrupt or add a few rows (about 0.2 % of the rows of extracts with 100+ rows).

    Each affected row records the reason a loader must give when rejecting it.
    """
    raw, meta = raw.copy(), meta.copy()
    meta["reject"] = ""
    meta["placeholder"] = ""
    meta["outlier"] = False
    n = len(raw)
    taken = np.zeros(n, dtype=bool)
    position = np.arange(n, dtype=float)
    extra_raw: list[pd.DataFrame] = []
    extra_meta: list[pd.DataFrame] = []
    position_extra: list[np.ndarray] = []

    def duplicate(activities: tuple[str, ...], rate: float) -> None:
        # the extract job wrote a row twice: the copy follows the original
        dup = _victims(meta, activities, _share(n, rate), rng, taken)
        extra_raw.append(raw.iloc[dup])
        extra_meta.append(meta.iloc[dup].assign(reject="duplicate event"))
        position_extra.append(dup + 0.5)

    def placeholders(activities: tuple[str, ...]) -> None:
        # an unset org unit written as a placeholder (SAP's "Empty"): read as missing
        for value, rate in (("Empty", 0.012), ("N/A", 0.003)):
            rows = _victims(meta, activities, _share(n, rate), rng,
                            taken | meta["department"].isna().to_numpy())
            raw.loc[rows, "Department"] = value
            meta.loc[rows, "department"] = None
            meta.loc[rows, "placeholder"] = value
            taken[rows] = True

    if source == "erp":
        bad = _victims(meta, ("Send order confirmation", "Check credit"),
                       _share(n, 0.001), rng, taken)
        raw.loc[bad, "ChangedAt"] = "0000-00-00T00:00:00Z"  # a zero date from the database
        meta.loc[bad, "reject"] = "unparseable timestamp"
        taken[bad] = True
        empty = _victims(meta, ("Send order confirmation",), _share(n, 0.0007), rng, taken)
        raw.loc[empty, "Activity"] = None
        meta.loc[empty, "reject"] = "missing activity"
        taken[empty] = True
        # time outliers that still load: the credit robot's clock reset to the epoch, and
        # a year typed as 2099
        if n >= 100:
            reset = _victims(meta, ("Check credit",), 2, rng, taken)
            offset = rng.integers(60, 3600, len(reset))
            raw.loc[reset, "ChangedAt"] = _format_times(offset, "YYYY-MM-DDThh:mm:ssZ")
            meta.loc[reset, "utc"] = offset
            typo = _victims(meta, ("Answer order status enquiry",), 1, rng, taken | _mask(n, reset))
            stamp = raw.loc[typo, "ChangedAt"].astype("str")
            raw.loc[typo, "ChangedAt"] = ("2099" + stamp.str.slice(4)).to_numpy()
            meta.loc[typo, "utc"] = (pd.to_datetime(raw.loc[typo, "ChangedAt"], utc=True)
                                     .dt.tz_localize(None).astype("datetime64[s]")
                                     .astype("int64").to_numpy())
            for rows in (reset, typo):
                meta.loc[rows, "outlier"] = True
                taken[rows] = True
        placeholders(("Check credit", "Send order confirmation", "Create supplier backorder",
                      "Answer order status enquiry"))
    elif source == "billing":
        bad = _victims(meta, ("Send invoice", "Payment received"), _share(n, 0.0015),
                       rng, taken)
        stamp = raw.loc[bad, "PostedAt"].astype("str")
        feb30 = stamp.str.slice(0, 5) + "02-30" + stamp.str.slice(10)  # no such day
        raw.loc[bad, "PostedAt"] = feb30.to_numpy()
        meta.loc[bad, "reject"] = "unparseable timestamp"
    elif source == "returns":
        duplicate(("Send return label", "Inspect returned goods"), 0.002)
    elif source == "wms":
        placeholders(("Release pick list", "Pick item", "Pack order", "Receive supplier goods"))
        duplicate(("Pick item", "Pack order"), 0.001)
        # pick lists for internal stock transfers: they reach no order
        lists = _share(n, 0.0003)
        anchor = np.sort(rng.choice(n, size=lists, replace=False)) if n else np.zeros(0, int)
        if "stable" in meta and n:
            anchor = np.sort(np.argsort(meta["stable"].to_numpy(), kind="stable")[anchor])
        for j in range(3):
            rows = raw.iloc[anchor].copy()
            rows["PickListNo"] = _numbered("PL-", next_picklist + np.arange(len(anchor)))
            rows["EventType"] = "Release pick list" if j == 0 else "Pick item"
            rows["UserId"] = "WMS-AUTO" if j == 0 else USERS["Warehouse"][j]
            rows["ActorType"] = "internal"
            rows["ItemNo"] = None if j == 0 else f"H-{7000 + j}"
            rows["Qty"] = None if j == 0 else "20"
            rows["TrackingNo"] = None
            rows["Department"] = "Warehouse"
            rows["PackageNo"] = None
            rows["TransId"] = 3_900_000 + np.arange(len(anchor)) * 3 + j
            extra_raw.append(rows)
            extra_meta.append(meta.iloc[anchor].assign(
                key=-1, activity=rows["EventType"].to_numpy(), resource=rows["UserId"].to_numpy(),
                reject="no correlation to an order", tracking_number=None, package=None,
                department="Warehouse", placeholder="", outlier=False))
            position_extra.append(anchor + 0.6 + 0.1 * j)
    position = np.concatenate([position, *position_extra])
    if extra_raw:
        raw = pd.concat([raw, *extra_raw], ignore_index=True)
        meta = pd.concat([meta, *extra_meta], ignore_index=True)
        order = np.argsort(position, kind="stable")
        raw = raw.take(order).reset_index(drop=True)
        meta = meta.take(order).reset_index(drop=True)
    meta["row"] = np.arange(2, len(meta) + 2)
    return raw, meta.drop(columns="stable", errors="ignore")


def _stable_ids(sim: Simulation, source: str, meta: pd.DataFrame) -> np.ndarray:
    """Each row's rank by an identity that does not depend on its place or its step:
    (activity, the order it belongs to, package, item, then process order).

    Billing rows belong to their invoice's first order, returns rows to the returned
    order (invoice and return numbers follow creation times, which a change moves);
    a step done by someone else after a change is still the same event.
    """
    key = meta["key"].to_numpy(dtype=np.int64)
    if source == "billing":
        owner = sim.members[sim.invoices["start"].to_numpy()[key]]
    elif source == "returns":
        owner = sim.returns["order"].to_numpy()[key]
    else:
        owner = key
    codes = [pd.factorize(meta[c].astype("str"), sort=True)[0]
             for c in ("activity", "package", "item_no") if c in meta]
    order = np.lexsort((meta["seq"].to_numpy(dtype=np.int64), *reversed(codes[1:]), owner,
                        codes[0]))
    rank = np.empty(len(meta), dtype=np.int64)
    rank[order] = np.arange(len(meta))
    return rank


# -- writing ---------------------------------------------------------------------------------


def _write(frame: pd.DataFrame, path: Path, key: str) -> None:
    delimiter, encoding = _CSV[key]
    write_csv(frame, path, sep=delimiter, encoding=encoding)


def extract_tables(sim: Simulation, *, seed: int
                   ) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame], pd.DataFrame]:
    """The rows of the four extracts (with their data problems), their metadata and the
    pick-list lookup, as :func:`write_extracts` writes them (nothing is written)."""
    start_s = int(sim.start.astype("datetime64[s]").astype(np.int64))
    rng = np.random.default_rng([seed, 7919])
    builders = {"erp": _erp, "wms": _wms, "billing": _billing, "returns": _returns}
    raws: dict[str, pd.DataFrame] = {}
    rows: dict[str, pd.DataFrame] = {}
    next_picklist = int(sim.orders["picklist"].to_numpy().max(initial=5000000)) + 1
    for source in SOURCES:
        raw, meta = builders[source](sim, start_s)
        if sim.after is not None:
            meta = meta.assign(stable=_stable_ids(sim, source, meta))
        raws[source], rows[source] = _inject(source, raw, meta, rng, next_picklist)
    live = sim.orders[sim.orders["picklist"] >= 0].sort_values("picklist")
    lookup = frame({
        "PickListNo": _numbered("PL-", live["picklist"].to_numpy()),
        "OrderRef": live["order_no"].astype("str").to_numpy(object),
        "Warehouse": "DC-Tilburg",
    })
    return raws, rows, lookup


def write_extracts(sim: Simulation, out: Path, *, seed: int) -> Extracts:
    """Write the four extracts, the pick-list lookup and ``sources.toml`` into ``out``.

    Parameters
    ----------
    sim : Simulation
        From :func:`procmine.generate.simulate.simulate`.
    out : pathlib.Path
        Folder to write into (created if needed).
    seed : int
        Seeds the choice of the rows that get data problems.

    Returns
    -------
    Extracts
    """
    out.mkdir(parents=True, exist_ok=True)
    raws, rows, lookup = extract_tables(sim, seed=seed)
    files: list[Path] = []
    for source in SOURCES:
        path = out / FILES[source]
        _write(raws[source], path, source)
        files.append(path)
    path = out / FILES["picklists"]
    _write(lookup, path, "picklists")
    files.append(path)
    path = out / "sources.toml"
    path.write_text(sources_toml(name=f"Generated order fulfilment (seed {seed}, "
                                      f"{len(sim.orders)} orders)"), encoding="utf-8")
    files.append(path)
    return Extracts(files=tuple(files), rows=rows, sim=sim)


def _by_resource(pairs: list[tuple[str, str]]) -> str:
    return "\n".join(f'"{user}" = "{dept}"' for user, dept in pairs)


def sources_toml(*, name: str) -> str:
    """The sources file describing the four extracts (see SPEC: sources file format).

    Examples
    --------
    >>> import tomllib
    >>> spec = tomllib.loads(sources_toml(name="demo"))
    >>> sorted(spec["sources"]), spec["items"]["tracking_number"]["owner"]
    (['billing', 'erp', 'returns', 'wms'], 'carrier')
    """
    items = "\n".join(
        f'[items.{item}]\nowner = "{owner}"\ndescription = "{text}"\n'
        + (f'type = "{ITEM_TYPES[item]}"\n' if item in ITEM_TYPES else "")
        for item, (owner, text) in ITEM_OWNERS.items()
    )

    def item_map(source: str) -> str:
        return "\n".join(f'{item} = "{col}"' for item, col in ITEM_COLUMNS[source].items())

    ret_depts = [("RMA-AUTO", "Customer Service")] + [
        (u, "Customer Service") for u in USERS["Customer Service"]] + [
        (u, "Returns") for u in USERS["Returns"]]
    return f"""\
# Sources file of a sample generated by `procmine generate` (see ground_truth/ for what
# was injected). Paths are relative to this file.

[log]
name = "{name}"
timezone = "UTC"

{items}
[lookups.picklist_order]
file = "{FILES["picklists"]}"
key = "PickListNo"
value = "OrderRef"

[lookups.invoice_orders]
source = "billing"
key = "InvoiceNo"
value = "OrderRefs"
separator = ";"

[sources.erp]
file = "{FILES["erp"]}"
format = "csv"
delimiter = ","
encoding = "utf-8"
timezone = "UTC"
party_column = "PartyType"
department_column = "Department"
automated_column = "UserType"
automated_values = ["Robot"]

[sources.erp.columns]
case_id = "OrderNo"
activity = "Activity"
timestamp = "ChangedAt"
resource = "User"

[sources.erp.items]
{item_map("erp")}

[sources.erp.attributes]
channel = "Channel"
customer = "CustomerNo"

[sources.wms]
file = "{FILES["wms"]}"
format = "csv"
delimiter = ";"
encoding = "utf-8"
timezone = "Europe/Amsterdam"
timestamp_format = "%d/%m/%Y %H:%M"
party_column = "ActorType"
department_column = "Department"
object_column = "Unit"
automated_resources = ["WMS-AUTO", "POSTNL-API", "DHL-API", "DPD-API"]

[sources.wms.columns]
activity = "EventType"
timestamp = "EventTime"
resource = "UserId"

[sources.wms.case]
column = "PickListNo"
via = ["picklist_order"]
normalize = {{ pattern = '^(?:SO-)?0*(\\d+)$', replace = 'SO-\\1' }}

[sources.wms.items]
{item_map("wms")}

[sources.wms.attributes]
item_no = "ItemNo"
quantity = "Qty"

[sources.billing]
file = "{FILES["billing"]}"
format = "csv"
delimiter = ","
encoding = "utf-8"
timezone = "UTC"
timestamp_format = "%Y-%m-%d %H:%M:%S"
party = "internal"
department = "Billing"
automated_column = "Batch"

[sources.billing.columns]
activity = "Event"
timestamp = "PostedAt"
resource = "PostedBy"

[sources.billing.case]
column = "InvoiceNo"
via = ["invoice_orders"]

[sources.billing.items]
{item_map("billing")}

[sources.billing.attributes]
invoice = "InvoiceNo"

[sources.returns]
file = "{FILES["returns"]}"
format = "csv"
delimiter = ";"
encoding = "cp1252"
timezone = "Europe/Amsterdam"
timestamp_format = "%d-%m-%Y %H:%M"
party = "internal"
automated_resources = ["RMA-AUTO"]

[sources.returns.department_by_resource]
{_by_resource(ret_depts)}

[sources.returns.columns]
activity = "Step"
timestamp = "StepTime"
resource = "Handler"

[sources.returns.case]
column = "InvoiceNo"
via = ["invoice_orders"]

[sources.returns.items]
{item_map("returns")}

[sources.returns.attributes]
return_no = "ReturnNo"
invoice = "InvoiceNo"
"""
