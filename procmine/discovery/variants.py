"""Variants, re-exported from the log layer (:mod:`procmine.log.variants` is the one engine)."""

from procmine.log.variants import VARIANT_COLUMNS, Variants, variants

__all__ = ["VARIANT_COLUMNS", "Variants", "variants"]
