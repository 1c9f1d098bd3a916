"""Measure wall time and peak memory of one benchmark in a fresh process, and report them.

Each benchmark runs in a forked child so that its peak memory is its own. A fork inherits the
parent's resident pages, so the parent stays small: heavy imports and data loading happen in the
child, in the benchmark's untimed `setup`.

Peak memory is the process's high-water mark (VmHWM) while the timed code runs, inputs loaded by
`setup` included (they are resident in the nightly job too). Linux resets the mark on request
(`/proc/self/clear_refs`), which also gives each phase its own peak; where that is not allowed the
figure falls back to the peak of the whole process (`ru_maxrss`), setup included.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import re
import resource
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from queue import Empty
from typing import Any

RESULTS = Path(__file__).resolve().parent.parent / "bench-results.json"


@dataclass
class BenchResult:
    """One row of the report. `ratio` is this row's seconds / the seconds of row `ratio_against`."""

    name: str
    seconds: float
    peak_mb: float
    readings: int | None = None
    readings_per_s: float | None = None
    ratio: float | None = None
    ratio_against: str | None = None
    note: str = ""


class _PeakMemory:
    """High-water mark of resident memory since the last `restart`, across phase resets."""

    def __init__(self) -> None:
        self.best_mb = 0.0

    @staticmethod
    def _hwm_mb() -> float:
        try:
            status = Path("/proc/self/status").read_text()
        except OSError:
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024.0

    @staticmethod
    def _clear() -> None:
        # "5" resets the peak RSS to the current RSS; where not allowed (not Linux, no permission)
        # peaks cover the whole process, as the module docstring says
        with suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5")

    def restart(self) -> None:
        self._clear()
        self.best_mb = 0.0

    def mark(self) -> float:
        """Peak since the last mark (then reset), folding it into the overall peak."""
        peak = self._hwm_mb()
        self.best_mb = max(self.best_mb, peak)
        self._clear()
        return peak

    def overall(self) -> float:
        return max(self.best_mb, self._hwm_mb())


_PEAK = _PeakMemory()


class Phases:
    """Time and peak memory of named steps inside one benchmark, reported as extra rows."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    @contextmanager
    def __call__(self, name: str, readings: int | None = None) -> Iterator[None]:
        _PEAK.mark()
        start = time.perf_counter()
        yield
        seconds = time.perf_counter() - start
        self.rows.append(
            {"name": name, "seconds": seconds, "peak_mb": _PEAK.mark(), "readings": readings}
        )


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child(setup: Callable[[], Any] | None, fn: Callable[..., dict], queue: mp.Queue) -> None:
    state = setup() if setup is not None else None
    load_before = os.getloadavg()[0]
    cpu_before = _cpu_seconds()
    _PEAK.restart()
    start = time.perf_counter()
    extra = fn(state) if setup is not None else fn()
    seconds = time.perf_counter() - start
    peak_mb = _PEAK.overall()
    context = (
        f"cpu {_cpu_seconds() - cpu_before:.1f} s over {seconds:.1f} s wall; "
        f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    extra["note"] = f"{extra['note']}; {context}" if extra.get("note") else context
    queue.put({"seconds": seconds, "peak_mb": peak_mb, **extra})


def _result(name: str, fields: dict[str, Any]) -> BenchResult:
    seconds = fields.pop("seconds")
    result = BenchResult(
        name=name, seconds=round(seconds, 3), peak_mb=round(fields.pop("peak_mb"), 1), **fields
    )
    if result.readings and seconds > 0:
        result.readings_per_s = round(result.readings / seconds, 1)
    return result


def measure(
    name: str, fn: Callable[..., dict], setup: Callable[[], Any] | None = None
) -> list[BenchResult]:
    """Run `fn` in its own process and return its row, then one row per phase it reports.

    Args:
        fn: the timed code; returns extra fields (`readings`, `note`, ...), optionally `phases`
            (the rows of a `Phases` it used) and `extrapolate` (factor, readings, basis: a
            measured slice to scale linearly, added as a marked row). Called with setup's
            result if setup is given.
        setup: untimed preparation in the same child (imports, loading inputs).
    """
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(setup, fn, queue))
    proc.start()
    out = _collect(proc, queue)
    proc.join()
    if proc.exitcode != 0 or out is None:
        raise RuntimeError(f"benchmark {name} failed with exit code {proc.exitcode}")
    phases = out.pop("phases", [])
    scale = out.pop("extrapolate", None)
    rows = [_result(name, out)]
    rows += [_result(f"{name} / {p.pop('name')}", p) for p in phases]
    if scale is not None:
        rows.append(_scaled(rows[0], **scale))
    return rows


def _scaled(measured: BenchResult, factor: float, readings: int, basis: str) -> BenchResult:
    """A slice's time scaled linearly to the full size (marked as such); its peak stays measured."""
    return _result(
        f"{measured.name.split(', slice')[0]}, extrapolated",
        {
            "seconds": measured.seconds * factor,
            "peak_mb": measured.peak_mb,
            "readings": readings,
            "note": f"EXTRAPOLATED x{factor:,.1f} ({basis}) from the measured slice above; "
            "peak MB is the slice's, not scaled",
        },
    )


def _collect(proc: mp.Process, queue: mp.Queue) -> dict[str, Any] | None:
    """The child's result, read while it runs (a large result must not block its exit)."""
    while True:
        try:
            return queue.get(timeout=1.0)
        except Empty:
            if not proc.is_alive():
                try:  # it may have put its result just before exiting
                    return queue.get(timeout=1.0)
                except Empty:
                    return None


def run_untimed(fn: Callable[[], None]) -> None:
    """Run `fn` in a forked child (e.g. data generation), so its memory never reaches the parent."""
    ctx = mp.get_context("fork")
    proc = ctx.Process(target=fn)
    proc.start()
    proc.join()
    if proc.exitcode != 0:
        raise RuntimeError(f"{getattr(fn, '__name__', fn)} failed with exit code {proc.exitcode}")


def report(results: list[BenchResult]) -> None:
    """Print a readable table and write the same figures to bench-results.json."""
    header = f"{'benchmark':<50} {'seconds':>9} {'peak MB':>8} {'readings':>12} {'readings/s':>12}"
    print(f"\n{header}  ratio (time of this row / time of the row named)")
    for r in results:
        ratio = f"{r.ratio:,.1f}x {r.ratio_against}" if r.ratio else ""
        readings = f"{r.readings:,}" if r.readings else ""
        rate = f"{r.readings_per_s:,.0f}" if r.readings_per_s else ""
        name = f"  - {r.name.split(' / ', 1)[1]}" if " / " in r.name else r.name
        print(f"{name:<50} {r.seconds:>9.2f} {r.peak_mb:>8.0f} {readings:>12} {rate:>12}  {ratio}")
        for line in textwrap.wrap(r.note, 110):
            print(f"      {line}")
    RESULTS.write_text(json.dumps([asdict(r) for r in results], indent=2))
    print(f"\nwritten to {RESULTS}")
