"""Where each command module is attached to the ``procmine`` group."""

from __future__ import annotations

import click

__all__ = ["register"]


def register(group: click.Group) -> click.Group:
    """Attach every command (one module each) to ``group``, in alphabetical order.

    Each command also accepts ``--quiet`` and ``--debug`` after its name.
    """
    from procmine.cli import (
        cmd_compare,
        cmd_generate,
        cmd_handoffs,
        cmd_map,
        cmd_report,
        cmd_validate,
        cmd_workshop,
    )
    from procmine.cli._common import global_flags

    for command in (
        cmd_compare.compare_command,
        cmd_generate.generate_command,
        cmd_handoffs.handoffs_command,
        cmd_map.map_command,
        cmd_report.report_command,
        cmd_validate.validate,
        cmd_workshop.workshop_command,
    ):
        group.add_command(global_flags(command))
    return group
