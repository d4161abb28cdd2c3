"""Time ``procmine.generate`` for about a million events (prints; asserts nothing).

Run: ``.venv/bin/python benchmarks/bench_generate.py [ORDERS]`` (default 67,000 orders,
about 970,000 events). The output folder is a temporary directory, removed afterwards.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from procmine.generate import generate
from procmine.generate.extracts import write_extracts
from procmine.generate.simulate import simulate
from procmine.generate.truth import write_truth


def main(orders: int = 67_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        began, cpu = time.perf_counter(), time.process_time()
        sample = generate(orders, seed=1, out=folder)
        total, cpu = time.perf_counter() - began, time.process_time() - cpu
        size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    print(f"generate({orders:,} orders): {sample.events:,} events, {size / 1e6:.0f} MB "
          f"in {total:.1f} s wall, {cpu:.1f} s CPU ({sample.events / total:,.0f} events/s)")
    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        sim = simulate(orders, seed=1, start=np.datetime64("2024-01-01"))
        t1 = time.perf_counter()
        extracts = write_extracts(sim, Path(folder), seed=1)
        t2 = time.perf_counter()
        write_truth(extracts, Path(folder), seed=1)
        t3 = time.perf_counter()
    print(f"  simulate {t1 - t0:.1f} s, write extracts {t2 - t1:.1f} s, "
          f"ground truth {t3 - t2:.1f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 67_000)
