"""Shared pieces of the command line: the group, error handling, mapping options, progress."""

from __future__ import annotations

import functools
import gc
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, overload

import click

from procmine.engine import LOAD_ENGINES
from procmine.errors import ProcmineError

if TYPE_CHECKING:
    from procmine.io.result import InformationItem

__all__ = [
    "ENGINE_COMMANDS",
    "INPUT_FORMATS",
    "Context",
    "Stages",
    "elapsed",
    "finish_stage",
    "global_flags",
    "handle_errors",
    "mapping_options",
    "printable",
    "progress",
    "split_list",
    "start_run",
    "step",
]

#: Values of ``--format`` for INPUT (``procmine.load(format=)``).
INPUT_FORMATS = ("csv", "parquet", "excel", "xes", "ocel", "sources", "delta")

T = TypeVar("T")


@dataclass
class Context:
    """Options of the top-level group, handed to every command."""

    quiet: bool = False
    debug: bool = False

    @property
    def show_progress(self) -> bool:
        """A progress bar goes to a terminal only, and never with --quiet."""
        return not self.quiet and sys.stderr.isatty()

    @property
    def log_progress(self) -> bool:
        """Off a terminal (a batch log), progress is one line per stage, unless --quiet."""
        return not self.quiet and not sys.stderr.isatty()

    def info(self, message: str) -> None:
        """One line of information on standard error, unless --quiet.

        In a batch log, the stage that was running is reported first (see :func:`step`).
        """
        if not self.quiet:
            finish_stage()
            click.echo(message, err=True)


def start_run(ctx: click.Context, *, quiet: bool, debug: bool) -> None:
    """What the ``procmine`` group does before any command: the flags, the clock."""
    ctx.obj = Context(quiet=quiet, debug=debug)
    ctx.find_root().meta.setdefault(_STARTED, time.perf_counter())


_collection_paused = False


@contextmanager
def collection_paused_at_start() -> Iterator[None]:
    """Python's cycle collector off until a command begins (:func:`resume_collection`),
    which then sets the objects made so far aside from collection, until the block ends.

    Importing pandas, pyarrow and the command's modules makes some hundred thousand
    objects, none of them garbage: the collector went over them some 170 times, one
    full pass among them (35 ms of a one-second ``procmine handoffs``). Set aside
    (:func:`gc.freeze`), they are not gone over again while the command runs; at the
    end of the block they are collectable again (:func:`gc.unfreeze`), for a caller
    that runs commands in its own process. A collector the caller turned off stays off.
    """
    global _collection_paused
    if not gc.isenabled():
        yield
        return
    gc.disable()
    _collection_paused = True
    try:
        yield
    finally:
        if _collection_paused:  # no command began
            _collection_paused = False
        else:
            gc.unfreeze()
        gc.enable()


def resume_collection() -> None:
    """Set aside the objects made so far and turn the cycle collector back on, if
    :func:`collection_paused_at_start` paused it."""
    global _collection_paused
    if _collection_paused:
        _collection_paused = False
        gc.freeze()
        gc.enable()


def handle_errors(func: Callable[..., T]) -> Callable[..., T]:
    """Turn ProcmineError into one line and its exit code (traceback with --debug)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        resume_collection()  # the command's modules are imported: collect as usual
        ctx = click.get_current_context()
        state = ctx.find_object(Context) or Context()
        try:
            result = func(*args, **kwargs)
            finish_stage()
            return result
        except ProcmineError as problem:
            if state.debug:
                traceback.print_exc()
            click.echo(f"procmine: error: {printable(str(problem))}", err=True)
            raise click.exceptions.Exit(problem.exit_code) from None
        except (MemoryError, KeyboardInterrupt):
            raise
        except OSError as problem:  # unreadable file, full disk: the user's to fix
            if state.debug:
                traceback.print_exc()
            click.echo(f"procmine: error: {printable(_os_message(problem))}", err=True)
            raise click.exceptions.Exit(1) from None
        except RuntimeError as problem:
            # pathlib before Python 3.13 reports a symbolic-link loop as a RuntimeError
            # ("Symlink loop from '...'"), 3.13 as OSError(ELOOP): the same fault.
            loop = str(problem).removeprefix("Symlink loop from ")
            if loop == str(problem):
                raise
            if state.debug:
                traceback.print_exc()
            name = loop.strip("'\"")
            click.echo(f"procmine: error: {printable(name)}: a symbolic link loop (the links "
                       "never reach a file); give the real file", err=True)
            raise click.exceptions.Exit(1) from None

    return wrapper


def _os_message(problem: OSError) -> str:
    """``FILE: reason`` for an operating-system error (not Python's ``[Errno 13] ...: 'FILE'``)."""
    if problem.filename is None or not problem.strerror:
        return str(problem)
    return f"{os.fsdecode(problem.filename)}: {problem.strerror}"


# Control characters (C0, DEL, C1), line and paragraph separators, bidirectional overrides.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e"
                          "\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    r"""``text`` with control characters escaped, safe to print as one line on a terminal.

    File names and values reach error messages as they are; an escape sequence
    in them would drive the terminal, a newline would split the one-line message.

    Examples
    --------
    >>> printable("bad\x1b[31mname.csv: row 2\nfake line")
    'bad\\x1b[31mname.csv: row 2\\nfake line'
    """
    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in _NAMED:
            return _NAMED[char]
        return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"

    return _UNPRINTABLE.sub(escape, text)


def _set_global_flag(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    state = ctx.find_object(Context)
    if state is None:
        state = ctx.ensure_object(Context)
    if value and param.name is not None:
        setattr(state, param.name, True)


def global_flags(command: click.Command) -> click.Command:
    """Accept ``--quiet``/``-q`` and ``--debug`` after the subcommand too.

    ``procmine report X --out D --quiet`` then means what
    ``procmine --quiet report X --out D`` means. Returns the same command.
    """
    names = {opt for param in command.params for opt in getattr(param, "opts", ())}
    for flags, help_text, name in ((("--quiet", "-q"), "Print nothing but errors.", "quiet"),
                                   (("--debug",), "Show the traceback of an error.", "debug")):
        if not names.intersection(flags):
            command.params.append(click.Option(
                [*flags, name], is_flag=True, expose_value=False, is_eager=True,
                callback=_set_global_flag, help=help_text))
    return command


def split_list(value: str | None) -> list[str] | None:
    """A comma-separated option value as a list (spaces around items stripped, empties dropped).

    Examples
    --------
    >>> split_list("Robot, System"), split_list(""), split_list(None)
    (['Robot', 'System'], [], None)
    """
    if value is None:
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


def item_options(items: Sequence[str], owners: Sequence[str],
                 types: Sequence[str]) -> list[InformationItem] | None:
    """``--item NAME[=COL]``, ``--item-owner NAME=PARTY`` and ``--item-type NAME=TYPE`` as
    information items (None when no ``--item`` is given); a wrong one is a usage error.

    Examples
    --------
    >>> [(i.name, i.owner, dict(i.columns), i.type) for i in item_options(
    ...     ["delivery_address=ShipTo", "postcode"], ["delivery_address=customer"],
    ...     ["postcode=code"])]
    [('delivery_address', 'customer', {'': 'ShipTo'}, 'text'), ('postcode', 'internal', {}, 'code')]
    """
    if not items:
        if owners or types:
            raise click.UsageError("--item-owner and --item-type describe an item named with "
                                   "--item NAME[=COL]; add --item")
        return None
    from procmine.io.result import InformationItem

    columns: dict[str, str] = {}
    for given in items:
        name, _, column = given.partition("=")
        name, column = name.strip(), column.strip()
        if not name or (_ and not column):
            raise click.UsageError(f"--item {given!r}: expected NAME or NAME=COLUMN, e.g. "
                                   "delivery_address=ShipTo")
        if name in columns:
            raise click.UsageError(f"--item {name!r} is given twice; give each item once")
        columns[name] = column
    described: dict[str, dict[str, str]] = {"owner": {}, "type": {}}
    for option, values in (("owner", owners), ("type", types)):
        for given in values:
            name, _, value = (part.strip() for part in given.partition("="))
            if not _ or not value or name not in columns:
                raise click.UsageError(
                    f"--item-{option} {given!r}: expected NAME={option.upper()} for an item "
                    f"named with --item (items: {', '.join(columns)})")
            described[option][name] = value
    try:
        return [InformationItem(name, described["owner"].get(name, "internal"),
                                columns={"": column} if column else {},
                                type=described["type"].get(name, "text"))
                for name, column in columns.items()]
    except ValueError as problem:  # an owner that is not a party, an unknown type
        raise click.UsageError(str(problem)) from None


_LIST_OPTIONS = ("automated_values", "automated_resources", "missing_values",
                 "resource_qualifier", "object_types")
_MAPPING_KEYS = ("case_id", "activity", "timestamp", "resource", "department", "party_column",
                 "automated_column", *_LIST_OPTIONS, "timestamp_format", "timezone",
                 "delimiter", "encoding", "object_type", "object_column", "engine",
                 "spark_master", "delta_version")


@overload
def mapping_options(func: Callable[..., T], *, input_format: bool = ...) -> Callable[..., T]:
    ...


@overload
def mapping_options(
    func: None = ..., *, input_format: bool = ...
) -> Callable[[Callable[..., T]], Callable[..., T]]:
    ...


def mapping_options(
    func: Callable[..., T] | None = None, *, input_format: bool = True
) -> Callable[..., T] | Callable[[Callable[..., T]], Callable[..., T]]:
    """Options that say how to read INPUT: its format and which column plays which role.

    They collect into one ``mapping`` dict (only the options given), passed to
    :func:`procmine.load`. The column options are for a single log file: a
    sources file maps its own columns, and giving these with one is a usage
    error (exit 2). ``--format`` (the input's format) is added unless
    ``input_format=False`` (the command then declares its own ``--format`` and
    puts an input format into ``mapping["format"]`` itself).
    """
    if func is None:
        return functools.partial(mapping_options, input_format=input_format)
    options = [
        click.option("--case-id", "case_id", metavar="COL",
                     help="Column holding the order (case) id."),
        click.option("--activity", metavar="COL", help="Column holding the activity."),
        click.option("--timestamp", metavar="COL", help="Column holding the completion time."),
        click.option("--resource", metavar="COL",
                     help="Column holding the user or system account."),
        click.option("--department", metavar="COL", help="Column holding the department."),
        click.option(
            "--timestamp-format", metavar="FMT",
            help="strftime format of the timestamps, e.g. '%d/%m/%Y %H:%M' (day first).",
        ),
        click.option(
            "--timezone", metavar="TZ",
            help="Time zone of timestamps without an offset, e.g. Europe/Amsterdam (default UTC).",
        ),
        click.option("--delimiter", metavar="CHAR",
                     help="CSV only: field separator (default ',').")
        ,
        click.option("--encoding", metavar="NAME",
                     help="CSV only: text encoding, e.g. cp1252 (default UTF-8).")
        ,
        click.option(
            "--object-type", metavar="TYPE",
            help="OCEL only: the object type that is the case (default 'orders').",
        ),
        click.option("--party-column", "party_column", metavar="COL",
                     help="Column holding the party: internal, customer, supplier or carrier."),
        click.option("--automated-column", "automated_column", metavar="COL",
                     help="Column saying whether a system or robot did the step (true/false, "
                          "yes/no, 1/0, or the values of --automated-values)."),
        click.option("--automated-values", "automated_values", metavar="V,V",
                     help="Values of --automated-column that mean automated, e.g. "
                          "Robot,System (case-insensitive); every other value means manual."),
        click.option("--automated-resources", "automated_resources", metavar="R,R",
                     help="Resources that are system accounts, e.g. EDI-GW,BATCH."),
        click.option("--missing-values", "missing_values", metavar="V,V",
                     help="Placeholders read as missing in the resource, department and party "
                          "columns, replacing the default list (Empty, EMPTY, N/A, NA, n/a, "
                          "NULL, null, None, none, -, ?, #); '' for none."),
        click.option("--object-column", "object_column", metavar="COL",
                     help="Column holding the sub-object of the order the event is about "
                          "(a package, a delivery, an order line): a step done again for "
                          "another sub-object is not rework."),
        click.option("--object-types", "object_types", metavar="T,T",
                     help="OCEL only: the order's sub-object types whose related objects "
                          "tell the events apart, e.g. items,packages (default: found from "
                          "the data; '' for none)."),
        click.option("--resource-qualifier", "resource_qualifier", metavar="Q,Q",
                     help="OCEL only: when an event has several employees, the qualifiers "
                          "that win, in order, e.g. shipper,forwarder."),
        click.option("--engine", type=click.Choice(LOAD_ENGINES), default=None,
                     help="Where the analysis runs: pandas (in memory, the default), duckdb "
                          "(logs larger than memory; procmine[duckdb]) or spark (a cluster; "
                          "procmine[spark]). Every engine gives the same tables."),
        click.option("--spark-master", "spark_master", metavar="URL",
                     help="With --engine spark: the Spark master, e.g. local[2], "
                          "spark://host:7077, or sc://host:15002 for Spark Connect "
                          "(default: the standard Spark configuration)."),
        click.option("--delta-version", "delta_version", type=click.IntRange(min=0),
                     metavar="N", default=None,
                     help="A Delta table's version N instead of its current one (with "
                          "--engine duckdb|spark)."),
        click.option("--item", "item", metavar="NAME[=COL]", multiple=True,
                     help="An information item a column carries, e.g. "
                          "delivery_address=ShipTo (default column: NAME), so that re-entry "
                          "compares its values; repeat for more items. One table only: a "
                          "sources file declares its own."),
        click.option("--item-owner", "item_owner", metavar="NAME=PARTY", multiple=True,
                     help="The party best placed to enter item NAME first: internal (the "
                          "default), customer, supplier or carrier."),
        click.option("--item-type", "item_type", metavar="NAME=TYPE", multiple=True,
                     help="How item NAME's values compare: text (the default; case and "
                          "spacing ignored), code (exactly), number, date or money."),
    ]
    if input_format:
        options.insert(0, click.option(
            "--format", "input_format", type=click.Choice(INPUT_FORMATS), default=None,
            help="Format of INPUT (default: from its suffix)."))
    command = func

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        mapping: dict[str, Any] = {k: kwargs.pop(k) for k in _MAPPING_KEYS if k in kwargs}
        _refuse_engine(mapping.get("engine"))
        if mapping.get("delta_version") is not None and mapping.get("engine") in (None,
                                                                                 "pandas"):
            raise click.UsageError("--delta-version reads a Delta table's older version, "
                                   "which an engine reads: add --engine duckdb or --engine "
                                   "spark")
        for key in _LIST_OPTIONS:
            if key in mapping:
                mapping[key] = split_list(mapping[key])
        fmt = kwargs.pop("input_format", None)
        if fmt is not None:
            mapping["format"] = fmt
        mapping["items"] = item_options(kwargs.pop("item", ()), kwargs.pop("item_owner", ()),
                                        kwargs.pop("item_type", ()))
        kwargs["mapping"] = {k: v for k, v in mapping.items() if v is not None}
        return command(*args, **kwargs)

    decorated: Callable[..., T] = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated


#: The commands that run on ``--engine duckdb|spark``; the others work in memory.
ENGINE_COMMANDS = ("handoffs", "map", "report")


def _refuse_engine(engine: str | None) -> None:
    """``--engine duckdb|spark`` on a command that works in memory: one line, exit 2."""
    ctx = click.get_current_context(silent=True)
    name = None if ctx is None else ctx.info_name
    if engine in (None, "pandas") or name is None or name in ENGINE_COMMANDS:
        return
    click.echo(f"procmine: error: procmine {printable(name)} works on the events in memory; "
               f"--engine {engine} is for procmine {', '.join(ENGINE_COMMANDS[:-1])} and "
               f"{ENGINE_COMMANDS[-1]}. Run procmine {printable(name)} without --engine, on "
               "a log that fits in memory (one period of it, say).", err=True)
    raise click.exceptions.Exit(2)


def progress(items: Iterable[T], *, desc: str, total: int | None = None) -> Iterator[T]:
    """Iterate with a progress bar on a terminal; silently otherwise."""
    from tqdm import tqdm

    state = _state()
    yield from tqdm(items, desc=desc, total=total, disable=not state.show_progress,
                    leave=False, file=sys.stderr)


_STARTED = "procmine.started"
_RUNNING = "procmine.stage"
_HELD = "procmine.held"
#: Off a terminal, progress lines are held until the command has run this long: a quick
#: run that fails writes its one error line only; a long one logs every stage.
_HOLD_S = 5.0


def elapsed() -> float:
    """Seconds since the command line started (the root click context), for progress lines."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return 0.0
    meta = ctx.find_root().meta
    return time.perf_counter() - meta.setdefault(_STARTED, time.perf_counter())


def _state() -> Context:
    ctx = click.get_current_context(silent=True)
    state = ctx.find_object(Context) if ctx is not None else None
    if ctx is not None:
        ctx.find_root().meta.setdefault(_STARTED, time.perf_counter())
    return state or Context()


def _meta() -> dict[str, Any] | None:
    ctx = click.get_current_context(silent=True)
    return None if ctx is None else ctx.find_root().meta


def _begin_stage(label: str) -> None:
    """Remember the stage now running (its line is written when it is over)."""
    _end_running()
    meta = _meta()
    if meta is not None:
        meta[_RUNNING] = (label, time.perf_counter())


def _end_running() -> None:
    meta = _meta()
    running = None if meta is None else meta.pop(_RUNNING, None)
    if meta is None or running is None:
        return
    label, started = running
    held = meta.setdefault(_HELD, [])
    held.append(f"{label}: {time.perf_counter() - started:.1f} s (at {elapsed():.1f} s)")
    if elapsed() >= _HOLD_S:
        _flush(meta)


def _flush(meta: dict[str, Any]) -> None:
    for line in meta.pop(_HELD, []):
        click.echo(line, err=True)


def finish_stage() -> None:
    """The command succeeded so far: write the batch-log lines of the stages that are over.

    Each line reads ``label: 2.1 s (at 5.3 s)``: the stage's seconds, and the seconds
    since the command started. Called by :meth:`Context.info` (the result line) and
    when a command returns. A stage that ends in an error writes no line, and in the
    first seconds of a run (``_HOLD_S``) the lines are held, so a quick run that fails
    writes its one error line only.
    """
    _end_running()
    meta = _meta()
    if meta is not None:
        _flush(meta)


def step(message: str) -> None:
    """Announce a long step, as it starts.

    On a terminal: ``… message`` at once. Off a terminal (a scheduled job's log):
    one line when the step is over, ``… message: 2.1 s (at 5.3 s)``, with its
    seconds and the seconds since the command started, so a batch log shows where
    the time goes (held in the first seconds of a run, see :func:`finish_stage`).
    Nothing with ``--quiet``. :class:`Stages` is the same for a
    command with a fixed list of stages; the two share the lines and the clock.
    """
    state = _state()
    if state.show_progress:
        click.echo(f"… {message}", err=True)
    elif state.log_progress:
        _begin_stage(f"… {message}")


class Stages:
    """Progress over the named stages of a long command (loading, analysis, writing).

    On a terminal (standard error): a bar, removed when done. Off a terminal (a
    scheduled job's log): one line per stage when it is over, ``report 2/10:
    analysis: handoffs: 3.1 s (at 5.2 s)`` (its seconds, and the seconds since the
    command started), and ``report: done in 61.0 s`` at the end (held in the first
    seconds of a run, see :func:`finish_stage`). Nothing with ``--quiet``. Use as a
    context manager and call it with each stage's name as it starts.

    Examples
    --------
    ::

        with Stages(3, desc="report") as stage:
            stage("loading orders.toml")
            log = load(path)
            stage("analysis: handoffs")
            ...
    """

    def __init__(self, total: int, *, desc: str) -> None:
        from tqdm import tqdm

        state = _state()
        self._log = state.log_progress
        self._total = total
        self._desc = desc
        self._done = 0
        self._bar = tqdm(total=total, desc=desc, disable=not state.show_progress, leave=False,
                         file=sys.stderr, bar_format="{desc}: {n_fmt}/{total_fmt} {bar} {postfix}")
        self._started = False

    def __call__(self, stage: str) -> None:
        if self._started:
            self._bar.update(1)
            self._done += 1
        self._started = True
        self._bar.set_postfix_str(stage)
        if self._log:
            _begin_stage(f"{self._desc} {self._done + 1}/{self._total}: {stage}")

    def __enter__(self) -> Stages:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._started and not any(exc):
            self._bar.update(1)
            if self._log:
                finish_stage()
                click.echo(f"{self._desc}: done in {elapsed():.1f} s", err=True)
        self._bar.close()
