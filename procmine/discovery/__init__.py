"""Process discovery: directly-follows maps, simplification, models, variants, object-centric maps.

pm4py is imported only by :mod:`procmine.discovery._pm4py`, lazily, when a
model is discovered or written; maps and variants are computed with pandas.
"""

from procmine.discovery.dfg import ProcessMap, process_map
from procmine.discovery.models import ProcessModel, discover_model, write_bpmn, write_pnml
from procmine.discovery.ocdfg import ObjectCentricMap, object_centric_map
from procmine.discovery.variants import Variants, variants

__all__ = [
    "ObjectCentricMap",
    "ProcessMap",
    "ProcessModel",
    "Variants",
    "discover_model",
    "object_centric_map",
    "process_map",
    "variants",
    "write_bpmn",
    "write_pnml",
]
