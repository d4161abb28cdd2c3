"""The ``procmine`` commands, each imported only when it runs.

:data:`COMMANDS` names every command's module, its click command and its short
help (the line ``procmine --help`` shows; a test checks it against the command's
own). :class:`LazyGroup` lists the commands from that table and imports a
command's module the first time the command is looked up, so ``procmine
handoffs`` never imports the render layer, graphviz, networkx or pm4py that
``procmine map`` or ``procmine report`` need, and ``procmine --help`` imports no
command at all.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import Any, Final, NamedTuple

import click

from procmine.cli._common import global_flags, start_run

__all__ = ["COMMANDS", "CommandEntry", "LazyGroup", "load_command", "main_group", "register"]


class CommandEntry(NamedTuple):
    """Where a command is defined, and the line ``procmine --help`` shows for it."""

    module: str
    attribute: str
    short_help: str


#: Every command, by name (alphabetical): its module, its click command, its short help.
COMMANDS: Final[dict[str, CommandEntry]] = {
    "compare": CommandEntry("procmine.cli.cmd_compare", "compare_command",
                            "Compare before and after a change, with intervals."),
    "generate": CommandEntry("procmine.cli.cmd_generate", "generate_command",
                             "Write a four-source sample log with its ground truth."),
    "handoffs": CommandEntry("procmine.cli.cmd_handoffs", "handoffs_command",
                             "Write the handoff table of INPUT (CSV)."),
    "map": CommandEntry("procmine.cli.cmd_map", "map_command",
                        "Draw the process map of INPUT to FILE."),
    "report": CommandEntry("procmine.cli.cmd_report", "report_command",
                           "Write the batch report (HTML, JSON, CSV tables, maps)."),
    "validate": CommandEntry("procmine.cli.cmd_validate", "validate",
                             "Load INPUT and print rows read / loaded / rejected per source."),
    "workshop": CommandEntry("procmine.cli.cmd_workshop", "workshop_command",
                             "Write a slide deck (one HTML file) for a workshop."),
}


def load_command(name: str) -> click.Command:
    """Import the module of command ``name`` and return its command (with ``--quiet``/``--debug``).

    Examples
    --------
    >>> load_command("generate").name
    'generate'
    """
    entry = COMMANDS[name]
    command: click.Command = getattr(importlib.import_module(entry.module), entry.attribute)
    return global_flags(command)


class _Commands(MutableMapping[str, click.Command]):
    """A group's commands: every name of :data:`COMMANDS`, each imported on first access."""

    def __init__(self) -> None:
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            if name not in COMMANDS:
                raise KeyError(name)
            self._loaded[name] = load_command(name)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __contains__(self, name: object) -> bool:  # without importing the command
        return name in COMMANDS or name in self._loaded

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*COMMANDS, *self._loaded}))

    def __len__(self) -> int:
        return len({*COMMANDS, *self._loaded})

    def loaded(self, name: str) -> click.Command | None:
        """The command if its module is imported already, else None."""
        return self._loaded.get(name)


class LazyGroup(click.Group):
    """A click group whose commands are imported when they run (see :data:`COMMANDS`).

    ``group.commands`` lists every command without importing one; looking a
    command up (running it, or ``procmine CMD --help``) imports its module.
    The group's help lists the short help of :data:`COMMANDS`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _Commands()

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, from the table: no command module is imported."""
        commands = self.commands
        assert isinstance(commands, _Commands)
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            command = commands.loaded(name)
            if command is not None:
                if command.hidden:
                    continue
                text = command.get_short_help_str(limit)
            else:
                text = click.Command(name, short_help=COMMANDS[name].short_help
                                     ).get_short_help_str(limit)
            rows.append((name, text))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="procmine", prog_name="procmine")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
@click.pass_context
def main_group(ctx: click.Context, quiet: bool, debug: bool) -> None:
    """procmine: order-fulfilment process mining.

    Load order-fulfilment extracts (a sources file, or one CSV/Parquet/Excel/XES/OCEL
    log), map handoffs between departments and parties, find information keyed in
    twice, and price moving steps to customers, suppliers and carriers.

    Exit codes: 0 success, 1 the input could not be used, 2 wrong usage.
    """
    start_run(ctx, quiet=quiet, debug=debug)


def register(group: click.Group) -> click.Group:
    """The ``procmine`` group with every command: ``group`` itself when it is a :class:`LazyGroup`.

    Each command also accepts ``--quiet`` and ``--debug`` after its name. A
    plain click group gets every command imported and attached.
    """
    if not isinstance(group, LazyGroup):
        for name in COMMANDS:
            group.add_command(load_command(name), name)
    return group
