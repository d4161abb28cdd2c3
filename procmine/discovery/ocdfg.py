"""Object-centric directly-follows map of an OCEL 2.0 log: one DFG per object type.

Each object's events (through the event-to-object relations), ordered by time
(ties by the file's event order), give directly-follows pairs; the map keeps,
per object type and pair of activities, the distinct event couples (as
pm4py's ``discover_ocdfg`` counts them), the objects that took the path and
the median wait. Computed with pandas from the tables of
:class:`procmine.io.ocel.OcelLog`.

References
----------
Berti & van der Aalst (2023), *OC-PM: analyzing object-centric event logs and
process models*, Int. J. Softw. Tools Technol. Transfer 25.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from procmine._display import repr_html

if TYPE_CHECKING:
    from procmine.io.ocel import OcelLog

__all__ = ["ObjectCentricMap", "object_centric_map"]


@dataclass(frozen=True, eq=False)
class ObjectCentricMap:
    """Directly-follows per object type.

    Attributes
    ----------
    nodes : pandas.DataFrame
        ``object_type``, ``activity``, ``events`` (distinct events of that
        activity touching objects of the type), ``objects``.
    edges : pandas.DataFrame
        ``object_type``, ``source``, ``target``, ``event_couples`` (distinct
        pairs of events), ``objects`` (objects that took the path),
        ``median_wait_s``.
    start, end : pandas.DataFrame
        ``object_type``, ``activity``, ``objects``: how many objects of the
        type start / end their life with it.
    name : str
    table : pandas.DataFrame
        The main table: ``edges``.
    tables : dict of str to pandas.DataFrame
        Every table by name: ``nodes``, ``edges``, ``start``, ``end``, ``summary``.

    Notes
    -----
    In Jupyter the map shows :meth:`summary` and the drawing of
    :func:`procmine.render.draw_object_centric_map` (simplified to each type's
    most frequent paths when large), not every path; ``edges`` holds them all.
    The drawing is registered by :mod:`procmine.render` with
    :mod:`procmine._display`; without render the map shows its ``repr``.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    start: pd.DataFrame
    end: pd.DataFrame
    name: str = "ocel"

    @property
    def table(self) -> pd.DataFrame:
        """The edges (every result's main table is its ``table``)."""
        return self.edges

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name: ``nodes``, ``edges``, ``start``, ``end``, ``summary``."""
        return {"nodes": self.nodes, "edges": self.edges, "start": self.start, "end": self.end,
                "summary": self.summary()}

    @property
    def object_types(self) -> list[str]:
        """Object types in the map, sorted."""
        return sorted(self.nodes["object_type"].unique().tolist())

    def __repr__(self) -> str:
        return (f"ObjectCentricMap({self.name!r}: {len(self.object_types)} object types, "
                f"{len(self.nodes)} activity nodes, {len(self.edges)} paths)")

    def summary(self) -> pd.DataFrame:
        """One row per object type: ``object_type``, ``activities``, ``paths``,
        ``event_couples`` (summed over its paths), ``objects`` (objects of the type,
        counted where their lives start)."""
        types = pd.Index(self.object_types, name="object_type")
        table = pd.DataFrame({
            "activities": self.nodes.groupby("object_type").size(),
            "paths": self.edges.groupby("object_type").size(),
            "event_couples": self.edges.groupby("object_type")["event_couples"].sum(),
            "objects": self.start.groupby("object_type")["objects"].sum(),
        }).reindex(types).fillna(0).astype("int64")
        return table.reset_index()

    def _repr_html_(self) -> str:
        return repr_html(self)


def object_centric_map(ocel: OcelLog) -> ObjectCentricMap:
    """Discover the object-centric directly-follows map of an OCEL log.

    Parameters
    ----------
    ocel : OcelLog
        From :func:`procmine.io.ocel.load_ocel`; only its ``events`` and
        ``relations`` tables are read.

    Returns
    -------
    ObjectCentricMap

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> ts = pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-01 11:00"], utc=True)
    >>> events = pd.DataFrame({"event_id": ["e1", "e2", "e3"],
    ...     "activity": ["place", "pick", "ship"], "timestamp": ts, "row": [1, 2, 3]})
    >>> relations = pd.DataFrame({"event_id": ["e1", "e2", "e3", "e1", "e3"],
    ...     "object_id": ["o1", "o1", "o1", "i1", "i1"],
    ...     "object_type": ["orders", "orders", "orders", "items", "items"]})
    >>> m = object_centric_map(SimpleNamespace(events=events, relations=relations, name="x"))
    >>> m.edges[["object_type", "source", "target", "event_couples", "median_wait_s"]]
      object_type source target  event_couples  median_wait_s
    0       items  place   ship              1         7200.0
    1      orders   pick   ship              1         3600.0
    2      orders  place   pick              1         3600.0
    """
    events = ocel.events
    order = events.loc[:, ["event_id", "activity", "timestamp"]].copy()
    order["position"] = np.arange(len(order))
    rel = ocel.relations.loc[:, ["event_id", "object_id", "object_type"]].drop_duplicates(
        ["event_id", "object_id"])
    rel = rel.merge(order, on="event_id", how="inner", validate="many_to_one")
    rel = rel.sort_values(["object_type", "object_id", "timestamp", "position"],
                          kind="stable").reset_index(drop=True)
    obj = rel["object_id"].to_numpy()
    typ = rel["object_type"].to_numpy()
    same = (obj[1:] == obj[:-1]) & (typ[1:] == typ[:-1]) if len(rel) else np.zeros(0, bool)
    ts = rel["timestamp"].to_numpy(dtype="datetime64[us]").view("int64")
    act = rel["activity"].to_numpy()
    eid = rel["event_id"].to_numpy()
    pairs = pd.DataFrame({
        "object_type": typ[1:][same], "source": act[:-1][same], "target": act[1:][same],
        "e1": eid[:-1][same], "e2": eid[1:][same], "object_id": obj[1:][same],
        "wait": (ts[1:] - ts[:-1])[same] / 1e6,
    })
    keys = ["object_type", "source", "target"]
    couples = pairs.drop_duplicates([*keys, "e1", "e2"]).groupby(keys).size()
    stats = pairs.groupby(keys).agg(objects=("object_id", "nunique"),
                                    median_wait_s=("wait", "median"))
    edges = stats.assign(event_couples=couples).reset_index()
    edges = edges.loc[:, [*keys, "event_couples", "objects", "median_wait_s"]]
    edges["event_couples"] = edges["event_couples"].astype("int64")
    edges = edges.sort_values(keys, kind="stable").reset_index(drop=True)
    nodes = rel.groupby(["object_type", "activity"]).agg(
        events=("event_id", "nunique"), objects=("object_id", "nunique")).reset_index()

    def terminal(keep: Literal["first", "last"]) -> pd.DataFrame:
        first = ~rel.duplicated(["object_type", "object_id"], keep=keep)
        table = rel.loc[first].groupby(["object_type", "activity"]).size()
        return table.rename("objects").reset_index()

    return ObjectCentricMap(nodes=nodes, edges=edges, start=terminal("first"),
                            end=terminal("last"), name=getattr(ocel, "name", "ocel"))
