"""Ground truth of a generated sample: what a correct loader and analysis must find.

Computed from the rows as written (after injected data problems), with the rules of the
canonical log: one event per kept row and order (``<source>:<row>``, or
``<source>:<row>:<k>`` when a row reaches several orders), ordered by order, then time,
ties in source order then row order.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from procmine.generate._csv import write_csv
from procmine.generate.extracts import ITEM_COLUMNS, ITEM_OWNERS, Extracts
from procmine.generate.simulate import SOURCES, frame

__all__ = ["CANDIDATES", "REENTRY_COLUMNS", "canonical_events", "normalize_value", "write_truth"]

#: Steps that could move to the information's owner, or vanish by sharing data.
CANDIDATES: tuple[dict[str, str | None], ...] = (
    {"activity": "Enter order", "department": "Sales", "kind": "customer_self_service",
     "item": "order_lines", "owner": "customer"},
    {"activity": "Enter order", "department": "Sales", "kind": "customer_self_service",
     "item": "delivery_address", "owner": "customer"},
    {"activity": "Enter order", "department": "Sales", "kind": "customer_self_service",
     "item": "requested_date", "owner": "customer"},
    {"activity": "Enter supplier delivery date", "department": "Purchasing",
     "kind": "supplier_portal_edi", "item": "supplier_delivery_date", "owner": "supplier"},
    {"activity": "Register carrier hand-over", "department": "Shipping", "kind": "carrier_api",
     "item": "tracking_number", "owner": "carrier"},
    {"activity": "Create invoice", "department": "Billing", "kind": "shared_data",
     "item": "delivery_address", "owner": "customer"},
    {"activity": "Create invoice", "department": "Billing", "kind": "shared_data",
     "item": "price", "owner": "internal"},
    {"activity": "Record return request", "department": "Customer Service",
     "kind": "customer_self_service", "item": "return_reason", "owner": "customer"},
    {"activity": "Receive returned goods", "department": "Returns", "kind": "shared_data",
     "item": "return_reason", "owner": "customer"},
    {"activity": "Answer order status enquiry", "department": "Customer Service",
     "kind": "customer_self_service", "item": None, "owner": "customer"},
)

REENTRY_COLUMNS = ("case_id", "item", "event_id", "first_department", "repeat_department",
                   "same_value", "first_event_id", "first_party", "repeat_party",
                   "first_value", "repeat_value")


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
    ``resource``, ``department``, ``party``, ``automated`` and one column per item.
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


def _handoffs(events: pd.DataFrame) -> pd.DataFrame:
    known = events[events["department"].notna()]
    case = known["case_id"].to_numpy(object)
    dept = known["department"].to_numpy(object)
    step = (case[1:] == case[:-1]) & (dept[1:] != dept[:-1])
    pairs = pd.DataFrame({"from": dept[:-1][step], "to": dept[1:][step], "case": case[1:][step]})
    return (pairs.groupby(["from", "to"], sort=True)
            .agg(count=("case", "size"), cases=("case", "nunique")).reset_index())


def _reentries(events: pd.DataFrame) -> pd.DataFrame:
    out = []
    base = events[["case_id", "event_id", "department", "party"]]
    for item in ITEM_OWNERS:
        mask = events[item].notna().to_numpy()
        if not mask.any():
            continue
        entries = base[mask].assign(**{item: events[item].to_numpy(object)[mask]})
        first = entries.groupby("case_id", sort=False).head(1).set_index("case_id")
        later = entries[entries.duplicated("case_id", keep="first")]
        ref = first.loc[later["case_id"]]
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
        }))
    if not out:
        return pd.DataFrame(columns=list(REENTRY_COLUMNS))
    table = pd.concat(out, ignore_index=True)
    case_code, _ = pd.factorize(table["case_id"], sort=True)
    order = np.lexsort((table["event_id"], table["item"], case_code))
    return table.take(order).reset_index(drop=True)[list(REENTRY_COLUMNS)]


def write_truth(extracts: Extracts, out: Path, *, seed: int) -> dict[str, object]:
    """Write ``ground_truth/ground_truth.json`` and ``ground_truth/reentries.csv``.

    Returns the JSON document as a dict.
    """
    sim = extracts.sim
    events = canonical_events(extracts)
    reentries = _reentries(events)
    handoffs = _handoffs(events)
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
    truth: dict[str, object] = {
        "seed": int(seed),
        "orders": len(sim.orders),
        "events": len(events),
        "cases": int(events["case_id"].nunique()),
        "events_per_source": {s: int(per_source.get(s, 0)) for s in SOURCES},
        "rows_per_source": rows,
        "rejects_per_source": {s: sum(r["source"] == s for r in rejects) for s in SOURCES},
        "handoffs_by_design": [
            {"from": f, "to": t, "count": int(c), "cases": int(k)}
            for f, t, c, k in handoffs[["from", "to", "count", "cases"]].itertuples(index=False)
        ],
        "departments": sorted(events["department"].dropna().unique().tolist()),
        "items": {item: owner for item, (owner, _) in ITEM_OWNERS.items()},
        "reentries_per_item": {str(k): int(v) for k, v in by_item.items()},
        "candidates": [dict(c) for c in CANDIDATES],
        "injected_rejects": rejects,
        "counts": counts,
    }
    folder = out / "ground_truth"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ground_truth.json").write_text(json.dumps(truth, indent=2, ensure_ascii=False)
                                              + "\n", encoding="utf-8")
    table = reentries.copy()
    table["same_value"] = np.where(table["same_value"].astype(bool), "true", "false")
    write_csv(table, folder / "reentries.csv")
    return truth
