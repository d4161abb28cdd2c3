"""The kinds of change procmine proposes, projects, generates and measures: one vocabulary.

A base module, so that the cost model and move engine (analysis), the generator
(which injects a change into a simulated world) and the command line all speak the
same kinds without importing each other.

Examples
--------
>>> CHANGE_KINDS
('customer_self_service', 'supplier_portal_edi', 'carrier_api', 'shared_data')
>>> KIND_PARTY["carrier_api"], KIND_PARTY["shared_data"]
('carrier', None)
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["CHANGE_KINDS", "KIND_PARTY", "ChangeKind"]

ChangeKind = Literal["customer_self_service", "supplier_portal_edi", "carrier_api", "shared_data"]
#: Kinds of change a candidate proposes.
CHANGE_KINDS: tuple[str, ...] = get_args(ChangeKind)

#: The outside party that takes over a step, by kind of change (shared data has none).
KIND_PARTY: dict[str, str | None] = {
    "customer_self_service": "customer",
    "supplier_portal_edi": "supplier",
    "carrier_api": "carrier",
    "shared_data": None,
}
