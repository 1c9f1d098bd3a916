"""Measure wall time and peak memory of one benchmark in a fresh process, and report them."""

from __future__ import annotations

import json
import multiprocessing as mp
import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "bench-results.json"


@dataclass
class BenchResult:
    name: str
    seconds: float
    peak_mb: float
    readings: int | None = None
    readings_per_s: float | None = None
    ratio: float | None = None
    ratio_against: str | None = None
    note: str = ""


def _child(fn: Callable[[], dict], queue: mp.Queue) -> None:
    start = time.perf_counter()
    extra = fn()
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    queue.put({"seconds": seconds, "peak_mb": peak_mb, **extra})


def measure(name: str, fn: Callable[[], dict]) -> BenchResult:
    """Run `fn` in its own process (so peak memory is its own); fn returns extra fields."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, queue))
    proc.start()
    proc.join()
    if proc.exitcode != 0:
        raise RuntimeError(f"benchmark {name} failed with exit code {proc.exitcode}")
    out = queue.get()
    result = BenchResult(name=name, seconds=round(out.pop("seconds"), 3), peak_mb=round(out.pop("peak_mb"), 1), **out)
    if result.readings:
        result.readings_per_s = round(result.readings / result.seconds, 1)
    return result


def report(results: list[BenchResult]) -> None:
    """Print a readable table and write the same figures to bench-results.json."""
    print(f"\n{'benchmark':<52} {'seconds':>9} {'peak MB':>9} {'readings':>12} {'readings/s':>12}  ratio")
    for r in results:
        ratio = f"{r.ratio:.1f}x vs {r.ratio_against}" if r.ratio else ""
        readings = f"{r.readings:,}" if r.readings else ""
        rate = f"{r.readings_per_s:,.0f}" if r.readings_per_s else ""
        print(f"{r.name:<52} {r.seconds:>9.2f} {r.peak_mb:>9.0f} {readings:>12} {rate:>12}  {ratio}")
        if r.note:
            print(f"    {r.note}")
    RESULTS.write_text(json.dumps([asdict(r) for r in results], indent=2))
    print(f"\nwritten to {RESULTS}")
