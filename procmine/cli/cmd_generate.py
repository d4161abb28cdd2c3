"""``procmine generate``: write a multi-source order-fulfilment sample with its ground truth."""

from __future__ import annotations

from pathlib import Path

import click

from procmine._changes import CHANGE_KINDS
from procmine.cli._common import handle_errors, step
from procmine.generate import generate
from procmine.generate.change import as_change
from procmine.generate.sample import MAX_ORDERS

__all__ = ["generate_command"]


@click.command("generate", short_help="Write a four-source sample log with its ground truth.")
@click.option("--orders", type=click.IntRange(min=1, max=MAX_ORDERS), required=True,
              metavar="N", help=f"Number of orders to simulate (about 15 events each; at most "
              f"{MAX_ORDERS:,}).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, metavar="S",
              help="Random seed; the same seed writes byte-identical files.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              metavar="DIR", help="Folder to write into (created if needed).")
@click.option("--start", default="2024-01-01", show_default=True, metavar="DATE",
              help="First day of order intake (YYYY-MM-DD).")
@click.option("--change", "change", default=None, metavar="KIND:ACTIVITY@DATE",
              help="Inject one change for the orders started on or after DATE (UTC), e.g. "
              "'carrier_api:Register carrier hand-over@2024-03-01'; KIND is one of "
              f"{', '.join(CHANGE_KINDS)}. Its true effect on each KPI goes into the "
              "ground truth.")
@handle_errors
def generate_command(orders: int, seed: int, out: Path, start: str,
                     change: str | None) -> None:
    """Write a sample: four system extracts, a sources file and the ground truth.

    DIR receives erp_sales_orders.csv, wms_events.csv (+ wms_picklists.csv),
    billing_events.csv, returns_cases.csv, sources.toml (load it with
    `procmine validate DIR/sources.toml`) and ground_truth/ (injected re-entries,
    handoffs by design, candidates, injected data problems).

    With --change, the orders started from its date on run with the change and the
    ground truth holds its true effect (ground_truth.json "change",
    ground_truth/change_orders.csv).
    """
    plan = as_change(change) if change is not None else None
    step(f"simulating {orders:,} orders" + (f" with {plan} (twice: with and without it)"
                                            if plan is not None else ""))
    sample = generate(orders, seed=seed, out=out, start=start, change=plan)
    rows = ", ".join(f"{name} {count:,}" for name, count in sample.rows.items())
    click.echo(f"wrote {sample.orders:,} orders, {sample.events:,} events to {sample.out} "
               f"(rows: {rows}; {sample.reentries:,} re-entries, "
               f"{sample.rejects:,} injected rejects)")
    if sample.change is not None:
        click.echo(f"change {sample.change}: its true effect is in {sample.ground_truth} "
                   "(\"change\")")
    click.echo(f"load it with: procmine validate {sample.sources_file}")
