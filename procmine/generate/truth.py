"""Ground truth of a generated sample: what a correct loader and analysis must find.

Computed from the rows as written (after injected data problems), with the rules of the
canonical log: one event per kept row and order (``<source>:<row>``, or
``<source>:<row>:<k>`` when a row reaches several orders), ordered by order, then time,
ties in source order then row order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from procmine.generate._csv import write_csv
from procmine.generate.extracts import ITEM_COLUMNS, ITEM_OWNERS, Extracts, handling_unit
from procmine.generate.simulate import SOURCES, TIMEZONE, _dates, frame

if TYPE_CHECKING:
    from procmine.generate.change import Change

__all__ = ["CANDIDATES", "CHANGE_FILE", "CHANGE_KPIS", "CHANGE_PATTERN", "PARALLEL_BY_DESIGN",
           "REENTRY_COLUMNS", "STATUSES", "TRUTH_FILES", "canonical_events", "change_truth",
           "concurrent_pairs", "department_actor", "normalize_value", "order_kpis",
           "write_truth"]

#: Steps that could move to the information's owner, or vanish by sharing data.
CANDIDATES: tuple[dict[str, str | None], ...] = (
    {"activity": "Enter order", "department": "Sales", "kind": "customer_self_service",
     "item": "order_lines", "owner": "customer", "evidence": "values"},
    {"activity": "Enter order", "department": "Sales", "kind": "customer_self_service",
     "item": "delivery_address", "owner": "customer", "evidence": "values"},
    {"activity": "Enter order", "department": "Sales", "kind": "customer_self_service",
     "item": "requested_date", "owner": "customer", "evidence": "values"},
    {"activity": "Enter supplier delivery date", "department": "Purchasing",
     "kind": "supplier_portal_edi", "item": "supplier_delivery_date", "owner": "supplier",
     "evidence": "values"},
    {"activity": "Register carrier hand-over", "department": "Shipping", "kind": "carrier_api",
     "item": "tracking_number", "owner": "carrier", "evidence": "values"},
    {"activity": "Create invoice", "department": "Billing", "kind": "shared_data",
     "item": "delivery_address", "owner": "customer", "evidence": "values"},
    {"activity": "Create invoice", "department": "Billing", "kind": "shared_data",
     "item": "price", "owner": "internal", "evidence": "values"},
    {"activity": "Record return request", "department": "Customer Service",
     "kind": "customer_self_service", "item": "return_reason", "owner": "customer",
     "evidence": "owner"},
    {"activity": "Receive returned goods", "department": "Returns", "kind": "shared_data",
     "item": "return_reason", "owner": "customer", "evidence": "values"},
    {"activity": "Answer order status enquiry", "department": "Customer Service",
     "kind": "customer_self_service", "item": None, "owner": "customer",
     "evidence": "request keyword"},
)

#: The rework rule's change activities (kind ``change``).
CHANGE_PATTERN = (r"(?i)\b(?:change[sd]?|changing|update[sd]?|updating|correct(?:ed|ion|s)?"
                  r"|amend(?:ed|ment|s)?)\b")
#: Statuses opened by "<X> Set" and closed by the next "<X> Removed" of the same order.
STATUSES = ("Credit Block", "Address Block")
_OUTSIDE = ("customer", "supplier", "carrier")

# Threads of the designed process that run side by side: an activity of one thread and
# one of a thread beside it may happen in either order. Every other succession is sequential.
_FULFILMENT = ("Release pick list", "Pick item", "Report stock-out", "Create supplier backorder",
               "Supplier confirms delivery date", "Enter supplier delivery date",
               "Receive supplier goods", "Pack order", "Carrier pick-up scan",
               "Register carrier hand-over", "Carrier delivery scan",
               "Send shipping notification")
_PACKAGE = ("Pick item", "Report stock-out", "Pack order", "Carrier pick-up scan",
            "Register carrier hand-over", "Carrier delivery scan", "Send shipping notification")
_BACKORDER = ("Create supplier backorder", "Supplier confirms delivery date",
              "Enter supplier delivery date", "Receive supplier goods")
_SERVICE = ("Answer order status enquiry", "Change delivery date")
_INVOICING = ("Create invoice", "Send invoice", "Payment received")
_PAYMENT = ("Payment received", "Send payment reminder", "Call customer about payment")
_RETURNS = ("Record return request", "Send return label", "Receive returned goods",
            "Inspect returned goods", "Create credit note")
_THREADS = (
    (_SERVICE, _FULFILMENT + _INVOICING + _SERVICE),  # customers call any time until delivery
    (_PACKAGE, _PACKAGE),  # the packages of a split delivery go their own ways
    (_BACKORDER, _PACKAGE),  # in-stock packages leave while the back-order is open
    (("Send shipping notification",), ("Register carrier hand-over",)),
    (("Carrier delivery scan",), _INVOICING),  # invoiced at hand-over, delivered later
    (_RETURNS, _PAYMENT),  # goods come back while the invoice is being paid
)
#: Activity pairs (unordered, sorted) that the design lets run in parallel.
PARALLEL_BY_DESIGN: tuple[tuple[str, str], ...] = tuple(sorted({
    (min(a, b), max(a, b)) for left, right in _THREADS for a in left for b in right if a != b
}))
#: A parallel-by-design pair is concurrent in a log when both of its successions are
#: common: ``|dependency| < 0.9`` (the heuristics miner's measure and ProM's default).
DEPENDENCY_THRESHOLD = 0.9


def concurrent_pairs(events: pd.DataFrame) -> list[tuple[str, str]]:
    """The parallel-by-design pairs whose both orders are common in ``events``.

    ``dependency(a, b) = (|a>b| - |b>a|) / (|a>b| + |b>a| + 1)`` over the directly
    follows relation of the orders (canonical order); both successions must occur.
    """
    case = events["case_id"].to_numpy(object)
    act = events["activity"].to_numpy(object)
    same = case[1:] == case[:-1]
    follows = pd.DataFrame({"a": act[:-1][same], "b": act[1:][same]}).value_counts()
    out = []
    for a, b in PARALLEL_BY_DESIGN:  # a few hundred designed pairs, not events
        forward, backward = int(follows.get((a, b), 0)), int(follows.get((b, a), 0))
        dependency = (forward - backward) / (forward + backward + 1.0)
        if forward and backward and abs(dependency) < DEPENDENCY_THRESHOLD:
            out.append((a, b))
    return out


#: The files of ``ground_truth/``, in the order :func:`write_truth` writes them.
TRUTH_FILES = ("ground_truth.json", "reentries.csv", "rework.csv", "episodes.csv",
               "handoffs.csv", "orders.csv", "robot_events.csv")

REENTRY_COLUMNS = ("case_id", "item", "event_id", "first_department", "repeat_department",
                   "same_value", "first_event_id", "first_party", "repeat_party",
                   "first_value", "repeat_value", "object_id")


def normalize_value(values: pd.Series) -> pd.Series:
    """Values as compared for re-entry: trimmed, single spaces, case-folded.

    Examples
    --------
    >>> normalize_value(pd.Series(["  Kerkstraat  12 ", "kerkstraat 12"])).tolist()
    ['kerkstraat 12', 'kerkstraat 12']
    """
    return values.astype("str").str.strip().str.replace(r"\s+", " ", regex=True).str.casefold()


def canonical_events(extracts: Extracts) -> pd.DataFrame:
    """One row per event a correct loader produces, in canonical order.

    Columns: ``case_id``, ``event_id``, ``source``, ``row``, ``k``, ``utc``, ``activity``,
    ``resource``, ``department``, ``party``, ``automated``, ``object_id`` (the WMS unit:
    the package, or package/item when picking), ``package``,
    ``placeholder`` (the department placeholder read as missing, or empty), ``outlier``,
    ``designed_rework``, ``held`` (a pick-up the order was held back for) and one column
    per item.
    """
    sim = extracts.sim
    order_ids = ("SO-" + sim.orders["order_no"].astype("str")).to_numpy(dtype=object)
    frames = []
    for rank, source in enumerate(SOURCES):
        meta = extracts.rows[source]
        kept = meta[meta["reject"] == ""]
        key = kept["key"].to_numpy(dtype=np.int64)
        if source == "billing":
            size = sim.invoices["size"].to_numpy()[key]
            start = sim.invoices["start"].to_numpy()[key]
            rep = np.repeat(np.arange(len(kept)), size)
            first_of_row = np.repeat(np.cumsum(size) - size, size)
            k = np.arange(len(rep)) - first_of_row
            order = sim.members[start[rep] + k]
            kept = kept.iloc[rep].reset_index(drop=True)
            multi = size[rep] > 1
            kk = k + 1
        elif source == "returns":
            order = sim.returns["order"].to_numpy()[key]
            multi = np.zeros(len(kept), dtype=bool)
            kk = np.zeros(len(kept), dtype=np.int64)
            kept = kept.reset_index(drop=True)
        else:
            order = key
            multi = np.zeros(len(kept), dtype=bool)
            kk = np.zeros(len(kept), dtype=np.int64)
            kept = kept.reset_index(drop=True)
        row_text = kept["row"].astype("str")
        event_id = source + ":" + row_text
        event_id = event_id.where(~multi, event_id + ":" + pd.Series(kk).astype("str"))
        table = frame({
            "case_id": order_ids[order], "event_id": event_id.to_numpy(object),
            "source": source, "rank": rank, "row": kept["row"].to_numpy(), "k": kk,
            "utc": kept["utc"].to_numpy(dtype=np.int64),
            "activity": kept["activity"].to_numpy(object),
            "resource": kept["resource"].to_numpy(object),
            "department": kept["department"].to_numpy(object),
            "party": kept["party"].to_numpy(object),
            "automated": kept["automated"].to_numpy(bool),
            "object_id": handling_unit(kept),
            "package": (kept["package"].to_numpy(object) if "package" in kept
                        else np.full(len(kept), None, dtype=object)),
            "placeholder": kept["placeholder"].to_numpy(object),
            "outlier": kept["outlier"].to_numpy(bool),
            "designed_rework": kept["rework"].fillna(False).to_numpy(bool)
            if "rework" in kept else np.zeros(len(kept), dtype=bool),
            "held": kept["held"].fillna(False).to_numpy(bool)
            if "held" in kept else np.zeros(len(kept), dtype=bool),
        })
        for item in ITEM_COLUMNS[source]:
            table[item] = pd.Series(kept[item].to_numpy(object), dtype=object)
        frames.append(table)
    events = pd.concat(frames, ignore_index=True)
    for item in ITEM_OWNERS:
        if item not in events:
            events[item] = None
    case_code, _ = pd.factorize(events["case_id"], sort=True)
    order = np.lexsort((events["k"], events["row"], events["rank"], events["utc"], case_code))
    return events.take(order).reset_index(drop=True)


def department_actor(events: pd.DataFrame) -> pd.Series:
    """The actor at department level: the department, else an outside party, else missing.

    Examples
    --------
    >>> e = pd.DataFrame({"department": ["Sales", None, None],
    ...                   "party": ["internal", "carrier", "internal"]})
    >>> department_actor(e).tolist()
    ['Sales', 'carrier', None]
    """
    dept = events["department"].astype(object)
    outside = events["party"].astype(object).where(events["party"].isin(_OUTSIDE), None)
    return dept.where(dept.notna(), outside).astype(object)


def _handoff_events(events: pd.DataFrame, concurrent: list[tuple[str, str]]) -> pd.DataFrame:
    """Every department-level handoff: consecutive known actors of an order that differ."""
    actor = department_actor(events)
    known = events[actor.notna().to_numpy()]
    who = actor[actor.notna()].to_numpy(object)
    case = known["case_id"].to_numpy(object)
    step = np.flatnonzero((case[1:] == case[:-1]) & (who[1:] != who[:-1]))
    a, b = step, step + 1
    act = known["activity"].to_numpy(object)
    utc = known["utc"].to_numpy(np.int64)
    pairs = pd.Series([f"{x}\t{y}" for x, y in concurrent], dtype=object)
    lo = np.where(act[a] <= act[b], act[a], act[b])
    hi = np.where(act[a] <= act[b], act[b], act[a])
    parallel = pd.Series(lo + "\t" + hi, dtype=object).isin(pairs).to_numpy()
    # the requested delivery date in force when the wait starts (the last one entered in
    # the order so far), from its midnight UTC: waiting until then is lead time
    in_force = known["requested_date"].groupby(known["case_id"], sort=False).ffill()
    due_at = pd.to_datetime(in_force, format="%Y-%m-%d", utc=True)
    due = due_at.to_numpy(dtype="datetime64[s]").view("int64")[a]
    start, end = utc[a], utc[b]
    lead = np.where(due_at.isna().to_numpy()[a], 0, np.clip(np.minimum(end, due) - start, 0, None))
    return frame({
        "case_id": case[b], "from_event_id": known["event_id"].to_numpy(object)[a],
        "to_event_id": known["event_id"].to_numpy(object)[b], "from": who[a], "to": who[b],
        "from_activity": act[a], "to_activity": act[b], "wait_s": end - start,
        "succession": np.where(parallel, "parallel", "sequential").astype(object),
        "planned_wait": known["held"].to_numpy(bool)[b], "lead_s": lead,
        "delay_s": end - start - lead,
    })


def _handoffs(handoffs: pd.DataFrame) -> pd.DataFrame:
    par = handoffs["succession"] == "parallel"
    return (handoffs.assign(parallel=par, sequential=~par)
            .groupby(["from", "to"], sort=True)
            .agg(count=("case_id", "size"), cases=("case_id", "nunique"),
                 sequential=("sequential", "sum"), parallel=("parallel", "sum"))
            .reset_index())


def _object_key(events: pd.DataFrame) -> pd.Series:
    """The sub-object an event is about; the order itself ('') when it names none."""
    return events["object_id"].fillna("").astype(object)


def _reentries(events: pd.DataFrame) -> pd.DataFrame:
    out = []
    base = events[["case_id", "event_id", "department", "party"]].assign(
        object_id=_object_key(events))
    for item in ITEM_OWNERS:
        mask = events[item].notna().to_numpy()
        if not mask.any():
            continue
        entries = base[mask].assign(**{item: events[item].to_numpy(object)[mask]})
        scope = entries["case_id"] + "\t" + entries["object_id"]
        entries = entries.assign(scope=scope.to_numpy(object))
        first = entries.groupby("scope", sort=False).head(1).set_index("scope")
        later = entries[entries.duplicated("scope", keep="first")]
        ref = first.loc[later["scope"]]
        repeat_values = later[item].to_numpy(dtype=object)
        first_values = ref[item].to_numpy(dtype=object)
        same = repeat_values == first_values
        differ = ~same  # normalise only where the raw text differs (few rows)
        same[differ] = (normalize_value(pd.Series(repeat_values[differ])).to_numpy()
                        == normalize_value(pd.Series(first_values[differ])).to_numpy())
        out.append(frame({
            "case_id": later["case_id"].to_numpy(object), "item": item,
            "event_id": later["event_id"].to_numpy(object),
            "first_department": ref["department"].to_numpy(object),
            "repeat_department": later["department"].to_numpy(object),
            "same_value": same,
            "first_event_id": ref["event_id"].to_numpy(object),
            "first_party": ref["party"].to_numpy(object),
            "repeat_party": later["party"].to_numpy(object),
            "first_value": ref[item].to_numpy(object),
            "repeat_value": later[item].to_numpy(object),
            "object_id": later["object_id"].to_numpy(object),
        }))
    if not out:
        return pd.DataFrame(columns=list(REENTRY_COLUMNS))
    table = pd.concat(out, ignore_index=True)
    case_code, _ = pd.factorize(table["case_id"], sort=True)
    order = np.lexsort((table["event_id"], table["item"], case_code))
    return table.take(order).reset_index(drop=True)[list(REENTRY_COLUMNS)]


def _rework(events: pd.DataFrame) -> pd.DataFrame:
    """Every rework event by the rule (change / repeat / redo), in log order."""
    actor = department_actor(events)
    key = [events["case_id"], events["activity"], _object_key(events)]
    groups = events.assign(actor=actor).groupby(key, sort=False)
    prev_actor = groups["actor"].shift(1)
    prev_event = groups["event_id"].shift(1)
    again = prev_event.notna().to_numpy()
    change = events["activity"].str.contains(CHANGE_PATTERN, regex=True).to_numpy(bool)
    same = (actor.notna() & prev_actor.notna()).to_numpy() & (
        actor.to_numpy(object) == prev_actor.to_numpy(object))
    kind = np.where(change, "change", np.where(same, "repeat", "redo"))
    hit = change | again
    return frame({
        "case_id": events["case_id"].to_numpy(object)[hit],
        "event_id": events["event_id"].to_numpy(object)[hit],
        "activity": events["activity"].to_numpy(object)[hit],
        "object_id": events["object_id"].to_numpy(object)[hit],
        "kind": kind[hit].astype(object),
        "actor": actor.to_numpy(object)[hit],
        "previous_event_id": prev_event.to_numpy(object)[hit],
        "previous_actor": prev_actor.to_numpy(object)[hit],
        "designed": events["designed_rework"].to_numpy(bool)[hit],
    })


def _episodes(events: pd.DataFrame) -> pd.DataFrame:
    """Every episode: opened by "<X> Set", closed by the next "<X> Removed" of the order."""
    out = []
    for status in STATUSES:  # two statuses, not a loop over events
        mask = events["activity"].isin([f"{status} Set", f"{status} Removed"]).to_numpy()
        sub = events[mask]
        case = sub["case_id"].to_numpy(object)
        is_set = (sub["activity"] == f"{status} Set").to_numpy()
        first = np.ones(len(sub), dtype=bool)
        first[1:] = (case[1:] != case[:-1]) | (is_set[1:] != is_set[:-1])
        runs = np.flatnonzero(first)  # first event of each run of Sets or of Removeds
        opens = runs[is_set[runs]]
        pos = np.searchsorted(runs, opens)
        nxt = np.where(pos + 1 < len(runs), runs[np.minimum(pos + 1, len(runs) - 1)], -1)
        closed = (nxt >= 0) & (case[np.maximum(nxt, 0)] == case[opens])
        close = np.where(closed, nxt, 0)
        utc = sub["utc"].to_numpy(np.int64)
        ids = sub["event_id"].to_numpy(object)
        dept = sub["department"].to_numpy(object)
        out.append(frame({
            "case_id": case[opens], "status": status.lower(),
            "open_event_id": ids[opens],
            "close_event_id": np.where(closed, ids[close], None),
            "duration_s": pd.Series(utc[close] - utc[opens], dtype="Int64").where(closed),
            "closed_by": np.where(closed, dept[close], None),
        }))
    table = pd.concat(out, ignore_index=True)
    return table.sort_values(["case_id", "status", "open_event_id"], kind="stable",
                             ignore_index=True)


def _local_midnight_utc(start: np.datetime64, day: np.ndarray) -> np.ndarray:
    local = (start.astype("datetime64[D]") + day.astype(np.int64)).astype("datetime64[s]")
    index = pd.DatetimeIndex(local).tz_localize(TIMEZONE, ambiguous=False,
                                                nonexistent="shift_forward")
    return index.tz_convert("UTC").tz_localize(None).as_unit("s").asi8


def _orders(extracts: Extracts, events: pd.DataFrame) -> pd.DataFrame:
    """Per order: requested date, packages, key steps and whether the customer heard of each."""
    sim = extracts.sim
    o = sim.orders
    case_id = ("SO-" + o["order_no"].astype("str")).to_numpy(object)
    day = o["requested_day"].to_numpy(np.int64)
    has = {a: pd.Index(events.loc[events["activity"] == a, "case_id"].unique())
           for a in ("Send order confirmation", "Carrier pick-up scan",
                     "Send shipping notification", "Create invoice", "Send invoice")}
    packed = events[events["package"].notna()]
    numbers = (packed.drop_duplicates(["case_id", "package"])
               .sort_values(["case_id", "package"])
               .groupby("case_id")["package"].agg(";".join))
    ids = pd.Index(case_id)
    accepted = o["accepted"].to_numpy(bool)
    confirmed = ids.isin(has["Send order confirmation"])
    shipped = ids.isin(has["Carrier pick-up scan"])
    notified = ids.isin(has["Send shipping notification"])
    invoiced = ids.isin(has["Create invoice"])
    sent = ids.isin(has["Send invoice"])
    package_numbers = numbers.reindex(ids).to_numpy(object)
    return frame({
        "case_id": case_id,
        "requested_date": _dates(sim.start, day),
        "requested_utc": _local_midnight_utc(sim.start, day),
        "planned_wait": o["planned_wait"].to_numpy(bool),
        "packages": pd.Series(package_numbers).str.count(";").add(1).fillna(0)
        .astype(np.int64).to_numpy(),
        "package_numbers": package_numbers,
        "accepted": accepted, "order_confirmation": confirmed,
        "shipped": shipped, "shipping_notification": notified,
        "invoiced": invoiced, "invoice_sent": sent,
        "informed": (~accepted | confirmed) & (~shipped | notified) & (~invoiced | sent),
        "informed_all_three": accepted & confirmed & shipped & notified & invoiced & sent,
    })


def _bools(table: pd.DataFrame) -> pd.DataFrame:
    table = table.copy()
    for name in table.columns:
        if table[name].dtype == bool:
            table[name] = np.where(table[name], "true", "false")
    return table


def _automated(extracts: Extracts, events: pd.DataFrame) -> pd.DataFrame:
    """The ERP events done by an account whose ``UserType`` is ``Robot``."""
    auto = events[events["automated"].to_numpy(bool) & (events["source"] == "erp").to_numpy()]
    return frame({
        "event_id": auto["event_id"].to_numpy(object),
        "activity": auto["activity"].to_numpy(object),
        "resource": auto["resource"].to_numpy(object),
    })


# -- the true effect of an injected change ----------------------------------------------------

#: The per-order file of a sample with a change (beside the other ground-truth files).
CHANGE_FILE = "change_orders.csv"

#: Activities by role in the order KPIs (the generator's names for what the patterns of
#: :mod:`procmine.analysis.kpis` match in its log): payment, return, endings, and the key
#: steps with the confirmation each needs (first step, then a later confirmation).
_PAID = "Payment received"
_RETURN_STEPS = ("Record return request", "Send return label", "Receive returned goods",
                 "Inspect returned goods")
_TERMINAL = ("Cancel order", "Carrier delivery scan", "Payment received")
_KEY_STEPS = (
    (("Check credit",), "Send order confirmation"),
    (("Carrier pick-up scan", "Register carrier hand-over"), "Send shipping notification"),
    (("Create invoice",), "Send invoice"),
)
_EXEMPT = ("Warehouse", "Shipping")
_OPEN_DAYS = 14

_CYCLE = ("seconds from the order's first to its last event (kpis: cycle_time_s, first to "
          "last event)")
_O2C = ("seconds from the order's first event to its first 'Payment received', over the "
        "orders paid in the log (kpis: order_to_cash_s; its PAYMENT_PATTERN matches exactly "
        "that activity in generated logs)")
#: KPI (the keys of :data:`procmine.analysis.compare.KPIS`) -> (per-order column,
#: statistic, truth definition and how it lines up with :mod:`procmine.analysis.kpis`).
CHANGE_KPIS: dict[str, tuple[str, str, str]] = {
    "cycle_time_median_s": ("cycle_time_s", "median", _CYCLE),
    "cycle_time_mean_s": ("cycle_time_s", "mean", _CYCLE),
    "order_to_cash_median_s": ("order_to_cash_s", "median", _O2C),
    "order_to_cash_mean_s": ("order_to_cash_s", "mean", _O2C),
    "touchless_rate": (
        "touchless", "mean",
        "share of orders with no activity twice and no event of the internal party that is "
        "not automated, outside Warehouse and Shipping (a placeholder department is no "
        "exemption) (kpis: touchless, TOUCH_EXEMPT_DEPARTMENTS)"),
    "touchless_after_entry_rate": (
        "touchless_after_entry", "mean",
        "as touchless, but manual events count only after the order's first internal "
        "event (kpis: touchless_after_entry)"),
    "handoffs_per_order": (
        "handoffs", "mean",
        "department-level handoffs per order: consecutive events with known, different "
        "actors (the department, else customer, supplier or carrier), in canonical order "
        "(kpis: handoffs, the one counter of procmine.log.actors; here department_actor)"),
    "rework_share": (
        "rework", "mean",
        "share of orders with a rework event by the rule of rework.csv: a change activity, "
        "or the same activity for the same sub-object again (procmine.analysis.rework)"),
    "return_rate": (
        "returned", "mean",
        "share of orders with a step of the returns process (" + ", ".join(_RETURN_STEPS)
        + "; kpis: RETURN_PATTERN)"),
    "abandoned_rate": (
        "abandoned", "mean",
        "share of orders with none of " + ", ".join(_TERMINAL) + " (the endings kpis "
        "derives on generated logs) whose last event is more than 14 days before the "
        "log's last event (kpis: abandoned, open_days=14)"),
    "kept_informed_rate": (
        "kept_informed", "mean",
        "share of orders, among those with a key step, in which each key step's first "
        "occurrence is followed by its confirmation: Check credit -> Send order "
        "confirmation, Carrier pick-up scan or Register carrier hand-over -> Send shipping "
        "notification, Create invoice -> Send invoice (kpis: kept_informed, KEPT_INFORMED)"),
}


def order_kpis(events: pd.DataFrame) -> pd.DataFrame:
    """The KPI values of each order, from canonical events (:func:`canonical_events`).

    Columns: ``case_id``, ``start_utc``, ``cycle_time_s``, ``order_to_cash_s`` (NaN when
    unpaid), ``touchless``, ``touchless_after_entry``, ``handoffs``, ``rework``,
    ``returned``, ``abandoned``, ``kept_informed`` (NaN without a key step), ``outlier``
    (the order has an injected time outlier). Definitions: :data:`CHANGE_KPIS`.
    """
    n = len(events)
    case = events["case_id"].to_numpy(object)
    codes, names = pd.factorize(case)
    k = len(names)
    first = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    last = np.r_[first[1:] - 1, n - 1]
    utc = events["utc"].to_numpy(np.int64)
    activity = events["activity"].to_numpy(object)
    position = np.arange(n)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(codes[mask], minlength=k)

    pay = activity == _PAID
    paid_at = np.full(k, np.iinfo(np.int64).max)
    np.minimum.at(paid_at, codes[pay], utc[pay])
    paid = paid_at != np.iinfo(np.int64).max
    act_codes, act_names = pd.factorize(activity)
    pair = codes.astype(np.int64) * max(len(act_names), 1) + act_codes
    repeated = count(pd.Series(pair).duplicated().to_numpy()) > 0
    rework = pd.Index(names).isin(_rework(events)["case_id"].unique())
    internal = (events["party"] == "internal").to_numpy(bool)
    exempt = events["department"].isin(_EXEMPT).to_numpy(bool)
    manual = internal & ~exempt & ~events["automated"].to_numpy(bool)
    entry = np.full(k, n)
    np.minimum.at(entry, codes[internal], position[internal])
    actor = department_actor(events)
    known = np.flatnonzero(actor.notna().to_numpy())
    who = actor.to_numpy(object)[known]
    hand = known[1:][(codes[known][1:] == codes[known][:-1]) & (who[1:] != who[:-1])]
    ended = count(np.isin(activity, _TERMINAL)) > 0
    log_end = utc.max(initial=0)
    have = np.zeros(k, dtype=bool)
    missed = np.zeros(k, dtype=bool)
    for steps, confirmation in _KEY_STEPS:  # three key steps, not a loop over events
        is_step = np.isin(activity, steps)
        first_step = np.full(k, n)
        np.minimum.at(first_step, codes[is_step], position[is_step])
        last_confirm = np.full(k, -1)
        is_confirm = activity == confirmation
        np.maximum.at(last_confirm, codes[is_confirm], position[is_confirm])
        has = first_step < n
        have |= has
        missed |= has & (last_confirm < first_step)
    return pd.DataFrame({
        "case_id": pd.Series(np.asarray(names, dtype=object), dtype=object),
        "start_utc": utc[first],
        "cycle_time_s": (utc[last] - utc[first]).astype(float),
        "order_to_cash_s": np.where(paid, paid_at - utc[first], np.nan),
        "touchless": ((count(manual) == 0) & ~repeated).astype(float),
        "touchless_after_entry": ((count(manual & (position > entry[codes])) == 0)
                                  & ~repeated).astype(float),
        "handoffs": count(np.isin(position, hand)).astype(float),
        "rework": rework.astype(float),
        "returned": (count(np.isin(activity, _RETURN_STEPS)) > 0).astype(float),
        "abandoned": (~ended & (log_end - utc[last] > _OPEN_DAYS * 86400)).astype(float),
        "kept_informed": np.where(have, (~missed).astype(float), np.nan),
        "outlier": count(events["outlier"].to_numpy(bool)) > 0,
    })


def _statistic(values: pd.Series, statistic: str) -> float | None:
    """The mean or median of the values there are (``None`` when there are none)."""
    values = values.dropna()
    if values.empty:
        return None
    return float(values.median() if statistic == "median" else values.mean())


def change_truth(change: Change, with_change: pd.DataFrame, without: pd.DataFrame,
                 after: pd.Series, changed_events: int) -> tuple[dict[str, object], pd.DataFrame]:
    """The ``change`` section of ``ground_truth.json`` and the per-order table beside it.

    ``with_change`` and ``without`` are :func:`order_kpis` of the same orders simulated
    with and without the change, on common random numbers; ``after`` says, per case id,
    whether the order started on or after the change's date. Orders with an injected time
    outlier are left out of the statistics (as kpis leaves them out of its tables).
    """
    table = with_change.set_index("case_id")
    other = without.set_index("case_id").reindex(table.index)
    is_after = after.reindex(table.index).to_numpy(bool)
    bulk = ~(table["outlier"].to_numpy(bool) | other["outlier"].to_numpy(bool))
    per_order = pd.DataFrame({"case_id": table.index.to_numpy(object),
                              "period": np.where(is_after, "after", "before").astype(object),
                              "outlier": ~bulk})
    kpis: dict[str, object] = {}
    for name, (column, statistic, definition) in CHANGE_KPIS.items():
        now, then = table[column], other[column]
        if column not in per_order:
            per_order[column] = now.to_numpy()
            per_order[f"{column}_without_change"] = then.to_numpy()
        after_value = _statistic(now[bulk & is_after], statistic)
        base_value = _statistic(then[bulk & is_after], statistic)
        differs = ~((now == then) | (now.isna() & then.isna())).to_numpy() & bulk & is_after
        kpis[name] = {
            "statistic": statistic, "per_order": column,
            "before": _statistic(now[bulk & ~is_after], statistic),
            "after": after_value, "after_without_change": base_value,
            # the same value in every order of both worlds: exactly no effect
            "effect": (0.0 if not differs.any() else None if after_value is None
                       or base_value is None else after_value - base_value),
            "affected": bool(differs.any()),
            "orders_changed": int(differs.sum()),
            "truth": definition,
        }
    section: dict[str, object] = {
        "kind": change.kind, "activity": change.activity, "department": change.department,
        "party": change.party, "date": change.date,
        "from_utc": f"{change.date}T00:00:00+00:00",
        "what_changes": change.description,
        "orders_before": int((~is_after).sum()), "orders_after": int(is_after.sum()),
        "orders_left_out_as_outliers": int((~bulk).sum()),
        "changed_events": int(changed_events),
        "method": (
            "The orders are simulated twice with common random numbers: the same random "
            "draws, each belonging to the same order (invoice-level draws to the invoice's "
            "first order), once with the change for the orders started on or after the date "
            "and once without it; the injected data problems fall on the same events in "
            "both. Each KPI's effect is its statistic over the after-period orders with the "
            "change minus the same over the same orders without it, computed from the "
            "generator's own events as a correct loader reads them (canonical events, after "
            "the rejects), not by procmine's analysis. 'affected' is false, and the effect "
            "exactly 0, when no after-period order has a different value. Per order: "
            + CHANGE_FILE + "."),
        "kpis": kpis,
    }
    return section, per_order


def write_truth(extracts: Extracts, out: Path, *, seed: int, change: Change | None = None,
                without: Extracts | None = None) -> dict[str, object]:
    """Write ``ground_truth/``: ``ground_truth.json`` and one CSV per kind of finding.

    ``reentries.csv``, ``rework.csv``, ``episodes.csv``, ``handoffs.csv``, ``orders.csv``
    and ``robot_events.csv`` (see ``sample_logs/README.md`` for their columns).
    With a ``change`` (and ``without``: the extracts of the same world without it), also
    the ``change`` section and :data:`CHANGE_FILE` (see :func:`change_truth`).
    Returns the JSON document as a dict.
    """
    sim = extracts.sim
    events = canonical_events(extracts)
    reentries = _reentries(events)
    orders = _orders(extracts, events)
    concurrent = concurrent_pairs(events)
    handoff_events = _handoff_events(events, concurrent)
    handoffs = _handoffs(handoff_events)
    rework = _rework(events)
    episodes = _episodes(events)
    automated = _automated(extracts, events)
    rejects: list[dict[str, object]] = []
    for source in SOURCES:
        meta = extracts.rows[source]
        bad = meta[meta["reject"] != ""]
        rejects.extend({"source": source, "row": int(r), "reason": str(why)}
                       for r, why in zip(bad["row"], bad["reject"], strict=True))
    rows = {s: len(extracts.rows[s]) for s in SOURCES}
    per_source = events["source"].value_counts()
    counts = dict(sorted(sim.counts.items()))
    counts.update({
        "reentries": len(reentries),
        "reentries_same_value": int(reentries["same_value"].sum()),
        "reentries_discrepant": int((~reentries["same_value"].astype(bool)).sum()),
        "injected_rejects": len(rejects),
    })
    by_item = reentries.groupby("item").size()
    placed = events[events["placeholder"] != ""]
    placeholders = {
        source: {"column": "Department", "canonical": "department", "events": len(group),
                 "values": {str(k): int(v) for k, v in
                            group["placeholder"].value_counts().sort_index().items()}}
        for source, group in placed.groupby("source", sort=False)
    }
    outliers = events[events["outlier"].to_numpy(bool)]
    robots = extracts.rows["erp"]
    robot_accounts = sorted(robots.loc[robots["automated"].astype(bool), "resource"].unique())
    manual = ~events["automated"].to_numpy(bool)
    support = []
    for c in CANDIDATES:  # ten designed candidates
        step = manual & (events["activity"] == c["activity"]).to_numpy() & (
            events["department"] == c["department"]).to_numpy()
        support.append({**c, "events": int(step.sum()),
                        "orders": int(events.loc[step, "case_id"].nunique())})
    seq = int((handoff_events["succession"] == "sequential").sum())
    kinds = rework["kind"].value_counts()
    truth: dict[str, object] = {
        "seed": int(seed),
        "orders": len(sim.orders),
        "events": len(events),
        "cases": int(events["case_id"].nunique()),
        "events_per_source": {s: int(per_source.get(s, 0)) for s in SOURCES},
        "rows_per_source": rows,
        "rejects_per_source": {s: sum(r["source"] == s for r in rejects) for s in SOURCES},
        "handoffs_by_design": [
            {"from": f, "to": t, "count": int(c), "cases": int(k), "sequential": int(q),
             "parallel": int(p)}
            for f, t, c, k, q, p in handoffs[["from", "to", "count", "cases", "sequential",
                                              "parallel"]].itertuples(index=False)
        ],
        "causal": {"handoffs": len(handoff_events), "sequential": seq,
                   "parallel": len(handoff_events) - seq,
                   "causal_share": round(seq / len(handoff_events), 6)
                   if len(handoff_events) else None},
        "concurrent_pairs": [list(p) for p in concurrent],
        "parallel_by_design": len(PARALLEL_BY_DESIGN),
        "reversed_pairs": [["Pack order", "Carrier pick-up scan"]],
        "departments": sorted(events["department"].dropna().unique().tolist()),
        "items": {item: owner for item, (owner, _) in ITEM_OWNERS.items()},
        "reentries_per_item": {str(k): int(v) for k, v in by_item.items()},
        "candidates": support,
        "robot_accounts": [str(r) for r in robot_accounts],
        "robot_events": len(automated),
        "placeholders": placeholders,
        "time_outliers": [
            {"source": s, "row": int(r), "event_id": e, "case_id": c, "activity": a,
             "utc": str(pd.Timestamp(int(u), unit="s", tz="UTC").isoformat())}
            for s, r, e, c, a, u in outliers[["source", "row", "event_id", "case_id",
                                              "activity", "utc"]].itertuples(index=False)
        ],
        "rework": {"events": len(rework), "designed": int(rework["designed"].sum()),
                   **{str(k): int(kinds.get(k, 0)) for k in ("change", "repeat", "redo")}},
        "episodes": {
            status.lower(): {
                "episodes": int((sel := episodes["status"] == status.lower()).sum()),
                "open": int((sel & episodes["close_event_id"].isna()).sum()),
                "median_s": (float(episodes.loc[sel, "duration_s"].dropna().median())
                             if episodes.loc[sel, "duration_s"].notna().any() else None),
            } for status in STATUSES
        },
        "informed": {"orders_informed_all_three": int(orders["informed_all_three"].sum()),
                     "orders_informed": int(orders["informed"].sum())},
        "injected_rejects": rejects,
        "counts": counts,
    }
    per_order = None
    if change is not None and without is not None and sim.after is not None:
        case_ids = "SO-" + sim.orders["order_no"].astype("str")
        after = pd.Series(sim.after, index=case_ids.to_numpy(object))
        events_without = canonical_events(without)

        def keyed(ev: pd.DataFrame) -> int:
            """The step's events done by people, in orders of the after period."""
            return int((~ev["automated"].to_numpy(bool) & (ev["party"] == "internal").to_numpy()
                        & (ev["activity"] == change.activity).to_numpy()
                        & after.reindex(ev["case_id"]).to_numpy(bool)).sum())

        truth["change"], per_order = change_truth(
            change, order_kpis(events), order_kpis(events_without), after,
            keyed(events_without) - keyed(events))
    folder = out / "ground_truth"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ground_truth.json").write_text(json.dumps(truth, indent=2, ensure_ascii=False)
                                              + "\n", encoding="utf-8")
    write_csv(_bools(reentries.assign(same_value=reentries["same_value"].astype(bool))),
              folder / "reentries.csv")
    write_csv(_bools(rework), folder / "rework.csv")
    write_csv(episodes, folder / "episodes.csv")
    write_csv(_bools(handoff_events), folder / "handoffs.csv")
    write_csv(_bools(orders.drop(columns="requested_utc")), folder / "orders.csv")
    write_csv(automated, folder / "robot_events.csv")
    if per_order is not None:
        write_csv(_bools(per_order), folder / CHANGE_FILE)
    return truth
