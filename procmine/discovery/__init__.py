"""Process discovery: directly-follows maps, simplification, models and variants."""

from procmine.discovery.dfg import ProcessMap, process_map

__all__ = ["ProcessMap", "process_map"]
