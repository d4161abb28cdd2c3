"""Process models by the inductive miner (through pm4py): BPMN and Petri net, with export.

The model is discovered once and kept behind an opaque handle; procmine's
surface shows plain facts (activity labels, node and flow counts) and writes
BPMN 2.0 XML and PNML files. pm4py's objects never leave
:mod:`procmine.discovery._pm4py`.

References
----------
Leemans, Fahland & van der Aalst (2013), *Discovering block-structured process
models from event logs — a constructive approach*, Petri Nets 2013.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from procmine._display import repr_html
from procmine.discovery import _pm4py
from procmine.errors import InputError, UsageError
from procmine.log._require import require_log
from procmine.schema import ACTIVITY, CASE_ID

if TYPE_CHECKING:
    from procmine.log import EventLog

__all__ = ["ProcessModel", "discover_model", "read_bpmn_activities", "write_bpmn", "write_pnml"]

#: Columns of :attr:`ProcessModel.table`.
ACTIVITY_COLUMNS = ("activity", "events", "cases", "in_model")
#: Columns of ``ProcessModel.tables["elements"]``.
ELEMENT_COLUMNS = ("notation", "kind", "count")


def _activity_table(events: pd.DataFrame, tasks: list[str]) -> pd.DataFrame:
    grouped = events.groupby(ACTIVITY, sort=True)[CASE_ID].agg(["size", "nunique"])
    names = grouped.index.astype("str")
    return pd.DataFrame({
        "activity": pd.Series(names, dtype="str"),
        "events": grouped["size"].to_numpy(dtype="int64"),
        "cases": grouped["nunique"].to_numpy(dtype="int64"),
        "in_model": names.isin(tasks),
    })


def _empty_activities() -> pd.DataFrame:
    return pd.DataFrame({"activity": pd.Series([], dtype="str"),
                         "events": pd.Series([], dtype="int64"),
                         "cases": pd.Series([], dtype="int64"),
                         "in_model": pd.Series([], dtype="bool")})


def _empty_elements() -> pd.DataFrame:
    return pd.DataFrame({"notation": pd.Series([], dtype="str"),
                         "kind": pd.Series([], dtype="str"),
                         "count": pd.Series([], dtype="int64")})


@dataclass(frozen=True, eq=False)
class ProcessModel:
    """An inductive-miner model of a log, as BPMN and as a Petri net.

    Attributes
    ----------
    activities : tuple of str
        The labelled tasks (= the log's activities, sorted).
    n_bpmn_nodes, n_bpmn_flows : int
        Size of the BPMN diagram (tasks, gateways, events; sequence flows).
    n_places, n_transitions : int
        Size of the Petri net (transitions include silent ones).
    noise_threshold : float
        The inductive miner's noise threshold used (0 = every behaviour kept).
    name : str
        The log's name.
    table : pandas.DataFrame
        The main table, one row per activity of the log (sorted by name):
        ``activity``, ``events``, ``cases``, ``in_model`` (a labelled task of
        the model; with a noise threshold an activity may be left out).
    elements : pandas.DataFrame
        What the model is made of: ``notation`` (``bpmn`` or ``petri_net``),
        ``kind`` (BPMN element classes such as ``Task``, ``ExclusiveGateway``,
        ``sequence_flow``; ``place``, ``transition``, ``silent_transition``),
        ``count``. Sorted by notation, then kind.
    tables : dict of str to pandas.DataFrame
        ``activities`` (= ``table``) and ``elements``.

    Notes
    -----
    In Jupyter the model shows what :mod:`procmine.render` registers with
    :mod:`procmine._display` (its summary and activity table), or its ``repr``.
    """

    activities: tuple[str, ...]
    n_bpmn_nodes: int
    n_bpmn_flows: int
    n_places: int
    n_transitions: int
    noise_threshold: float
    name: str = "log"
    table: pd.DataFrame = field(default_factory=_empty_activities, repr=False)
    elements: pd.DataFrame = field(default_factory=_empty_elements, repr=False)
    _bpmn: Any = field(default=None, repr=False)
    _petri: Any = field(default=None, repr=False)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name: ``activities`` (the ``table``) and ``elements``."""
        return {"activities": self.table, "elements": self.elements}

    def __repr__(self) -> str:
        return (f"ProcessModel({self.name!r}: {len(self.activities)} activities, BPMN "
                f"{self.n_bpmn_nodes} nodes / {self.n_bpmn_flows} flows, Petri net "
                f"{self.n_places} places / {self.n_transitions} transitions)")

    def _repr_html_(self) -> str:
        return repr_html(self)


def discover_model(log: EventLog, *, noise_threshold: float = 0.0) -> ProcessModel:
    """Discover a process model with the inductive miner.

    Parameters
    ----------
    log : EventLog
    noise_threshold : float, keyword-only
        In [0, 1): the infrequent inductive miner's threshold (0 keeps all behaviour).

    Returns
    -------
    ProcessModel

    Raises
    ------
    InputError
        The log has no events.
    UsageError
        ``log`` is not an EventLog, or ``noise_threshold`` outside [0, 1).

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog
    >>> frame = pd.DataFrame({"case_id": ["o1", "o1", "o2", "o2"],
    ...     "activity": ["Enter", "Ship", "Enter", "Ship"],
    ...     "timestamp": pd.date_range("2024-01-01", periods=4, freq="h", tz="UTC")})
    >>> model = discover_model(EventLog.from_frame(frame))
    >>> model.activities
    ('Enter', 'Ship')
    >>> model.table
      activity  events  cases  in_model
    0    Enter       2      2      True
    1     Ship       2      2      True
    """
    log = require_log(log, where="discover_model")
    if not 0.0 <= float(noise_threshold) < 1.0:
        raise UsageError(f"noise_threshold must be in [0, 1), got {noise_threshold!r}")
    if log.n_events == 0:
        raise InputError(f"{log.name}: the log has no events; nothing to discover")
    bpmn, petri = _pm4py.inductive_models(log.events, noise_threshold=float(noise_threshold))
    tasks, nodes, flows = _pm4py.bpmn_facts(bpmn)
    places, transitions, _ = _pm4py.petri_facts(petri)
    silent = _pm4py.silent_transitions(petri)
    kinds = Counter(kind for _, kind, _ in nodes)
    rows = [("bpmn", kind, n) for kind, n in kinds.items()]
    rows += [("bpmn", "sequence_flow", len(flows)), ("petri_net", "place", places),
             ("petri_net", "transition", transitions - silent),
             ("petri_net", "silent_transition", silent)]
    elements = pd.DataFrame(rows, columns=list(ELEMENT_COLUMNS)).astype(
        {"notation": "str", "kind": "str", "count": "int64"})
    elements = elements.sort_values(["notation", "kind"], kind="stable").reset_index(drop=True)
    return ProcessModel(
        activities=tuple(tasks), n_bpmn_nodes=len(nodes), n_bpmn_flows=len(flows),
        n_places=places, n_transitions=transitions, noise_threshold=float(noise_threshold),
        name=log.name, table=_activity_table(log.events, tasks), elements=elements,
        _bpmn=bpmn, _petri=petri,
    )


def _check_model(model: object) -> ProcessModel:
    if not isinstance(model, ProcessModel):
        raise UsageError(
            f"expected a ProcessModel from discover_model(), got {type(model).__name__}")
    return model


def write_bpmn(model: ProcessModel, path: str | Path) -> Path:
    """Write the model as BPMN 2.0 XML (with diagram layout); returns the path.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> from procmine import EventLog
    >>> frame = pd.DataFrame({"case_id": ["o1", "o1"], "activity": ["Enter", "Ship"],
    ...     "timestamp": pd.date_range("2024-01-01", periods=2, freq="h", tz="UTC")})
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "model.bpmn"
    >>> read_bpmn_activities(write_bpmn(discover_model(EventLog.from_frame(frame)), out))
    ['Enter', 'Ship']
    """
    target = Path(path)
    _pm4py.write_bpmn(_check_model(model)._bpmn, target)
    return target


def write_pnml(model: ProcessModel, path: str | Path) -> Path:
    """Write the model's Petri net (with initial and final marking) as PNML; returns the path."""
    target = Path(path)
    _pm4py.write_pnml(_check_model(model)._petri, target)
    return target


def read_bpmn_activities(path: str | Path) -> list[str]:
    """The task labels of a BPMN 2.0 file, read through pm4py (sorted)."""
    return _pm4py.read_bpmn_labels(Path(path))
