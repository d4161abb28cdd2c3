"""Where each command module is attached to the ``procmine`` group."""

from __future__ import annotations

import click

__all__ = ["register"]


def register(group: click.Group) -> click.Group:
    """Attach every command (one module each) to ``group``."""
    # One line per command module; keep the list sorted.
    from procmine.cli import cmd_validate
    group.add_command(cmd_validate.validate)
    from procmine.cli import cmd_generate
    group.add_command(cmd_generate.generate_command)
    from procmine.cli import cmd_handoffs
    group.add_command(cmd_handoffs.handoffs_command)
    from procmine.cli import cmd_report
    group.add_command(cmd_report.report_command)
    from procmine.cli import cmd_map
    group.add_command(cmd_map.map_command)
    return group
