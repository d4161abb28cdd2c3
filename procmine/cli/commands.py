"""Where each command module is attached to the ``procmine`` group."""

from __future__ import annotations

import click

__all__ = ["register"]


def register(group: click.Group) -> click.Group:
    """Attach every command (one module each) to ``group``."""
    # One line per command module; keep the list sorted.
    return group
