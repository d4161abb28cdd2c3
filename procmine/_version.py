"""The version of procmine (one place; the package and the report read it here)."""

__all__ = ["__version__"]

__version__ = "0.1.0"
