"""``procmine generate``: write a multi-source order-fulfilment sample with its ground truth."""

from __future__ import annotations

from pathlib import Path

import click

from procmine.cli._common import handle_errors, step
from procmine.generate import generate
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
@handle_errors
def generate_command(orders: int, seed: int, out: Path, start: str) -> None:
    """Write a sample: four system extracts, a sources file and the ground truth.

    DIR receives erp_sales_orders.csv, wms_events.csv (+ wms_picklists.csv),
    billing_events.csv, returns_cases.csv, sources.toml (load it with
    `procmine validate DIR/sources.toml`) and ground_truth/ (injected re-entries,
    handoffs by design, candidates, injected data problems).
    """
    step(f"simulating {orders:,} orders")
    sample = generate(orders, seed=seed, out=out, start=start)
    rows = ", ".join(f"{name} {count:,}" for name, count in sample.rows.items())
    click.echo(f"wrote {sample.orders:,} orders, {sample.events:,} events to {sample.out} "
               f"(rows: {rows}; {sample.reentries:,} re-entries, "
               f"{sample.rejects:,} injected rejects)")
    click.echo(f"load it with: procmine validate {sample.sources_file}")
