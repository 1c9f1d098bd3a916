"""Benchmark 4: the real nightly job, end to end through Dagster, at growing fleet sizes.

One night (ingest, quality gate, cleaning, features, scoring, write-back, report) of a fleet of
n assets x 20 sensors x 1-minute readings, for n = 100, 1,000 and 5,000, and a 30-night backfill
of the 1,000-asset fleet in one run, through `foresight.runner.run_job` (what `foresight nightly`
and `foresight backfill` do). Inputs: `bench/fleets.py`.

- In process (the command line's default): steps one after another in the measured process.
  With the shipped multiprocess run config (`execution` given): one process per step, at most two
  at once, so the shards of a sharded plant run side by side.
- Peak memory: the measured process and every process under it, sampled every 0.1 s (their
  resident memory added up), and the measured process's own high-water mark: the larger.
- Dagster's own time comes from the run's event log: `outside steps` is the run's wall time
  minus the time inside steps (from each STEP_START to its STEP_SUCCESS, which covers our asset
  code and our IO manager); `step floor` is the shortest step, a step whose own work is
  near nothing, so about what Dagster spends inside every step; with processes, `process start`
  is the median time from launching a step's process to the step's start (imports included).
- Setup (untimed): the history before the night: for 100 and 1,000 assets the 30 earlier nights
  (for 1,000 this is the timed backfill, run first); for 5,000 the three earlier nights, so the
  windows of its night see 4 days, not 31 (noted in the row).
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import fleets
from bench.fleets import NIGHT, Fleet

MULTIPROCESS = {"config": {"multiprocess": {"max_concurrent": 2}}}
STAGES = {  # step name prefixes -> the stage they belong to, for the phase rows
    "ingest": ("asset_register", "tag_catalog", "maintenance_logs", "production_context"),
    "readings": ("sensor_readings_raw",),
    "gate + cleaning": ("clean_sensor_readings", "data_quality_scorecard"),
    "features": ("sensor_daily_aggregates", "maintenance_failure_modes", "window_features"),
    "scoring": ("risk_scores",),
    "write-back + report": ("technician_feedback", "cmms_risk_scores", "planner_report"),
}


class TreeMemory:
    """Resident memory of this process and all its descendants, sampled in a thread."""

    def __init__(self, every: float = 0.1) -> None:
        self.every = every
        self.samples: list[tuple[float, float]] = []  # (time, MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.time(), _tree_rss_mb(os.getpid())))
            self._stop.wait(self.every)

    def peak(self, start: float = 0.0, end: float = float("inf")) -> float:
        inside = [mb for t, mb in self.samples if start <= t <= end]
        return max(inside, default=0.0)


def _tree_rss_mb(root: int) -> float:
    """VmRSS of `root` and every process whose ancestry leads to it (from /proc)."""
    parent: dict[int, int] = {}
    rss: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue  # the process ended while we looked
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        parent[int(entry.name)] = int(fields.get("PPid", "0").strip())
        rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024.0
    total = 0.0
    for pid, mb in rss.items():
        p = pid
        while p not in (0, 1) and p != root:
            p = parent.get(p, 0)
        total += mb if p == root else 0.0
    return total


def setup(f: Fleet, shards: int | None = None) -> dict[str, Any]:
    """Untimed, in the measuring process: the plant active, its definitions loaded."""
    os.environ.update(fleets.environment(f))
    from foresight import runner
    from foresight.plant import load_plant

    plant = load_plant(fleets.plant_file(f, shards))
    runner.activate(plant)
    runner.job_definition("nightly")  # imports and definitions: not part of the night
    return {"fleet": f, "plant": plant}


def history(f: Fleet) -> None:
    """Untimed, in a process of its own (its memory must not count): the nights before NIGHT
    that are not in the store yet, in one backfill run."""
    from foresight import runner

    setup(f)
    first = fleets.first_night(f.assets)
    gap = runner.missing_range(
        first, NIGHT - timedelta(days=1), runner.materialized_nights("window_features")
    )
    if gap:
        runner.run_job("nightly", partition_range=gap)


def one_night(state: dict[str, Any], execution: dict | None = None) -> dict[str, Any]:
    """The nightly job for NIGHT, as `foresight nightly --as-of NIGHT` runs it."""
    return _measured_run(state, execution, partition=NIGHT.isoformat())


def backfill(state: dict[str, Any], execution: dict | None = None) -> dict[str, Any]:
    """The nightly job over the 30 nights before NIGHT in one run (`foresight backfill`)."""
    first = NIGHT - timedelta(days=fleets.BACKFILL_NIGHTS)
    span = (first.isoformat(), (NIGHT - timedelta(days=1)).isoformat())
    return _measured_run(state, execution, partition_range=span)


def _measured_run(state: dict[str, Any], execution: dict | None, **partitions) -> dict[str, Any]:
    import dagster as dg

    from foresight import runner

    instance = dg.DagsterInstance.get()
    before = {r.run_id for r in instance.get_runs()}
    with TreeMemory() as memory:
        started = time.time()
        runner.run_job("nightly", execution=execution, **partitions)
        ended = time.time()
    # the run this call started (a daemon or sensor on the same instance may start others)
    run = next(
        r for r in instance.get_runs(dg.RunsFilter(job_name="nightly")) if r.run_id not in before
    )
    steps = _steps(instance.all_logs(run.run_id))
    readings = _raw_readings(instance, run.run_id)
    overhead = _overhead(steps, started, ended)
    phases = _phases(steps, memory, readings)
    shards = state["plant"].shards.names
    note = (
        f"{len(steps)} steps ({len(shards)} shard{'s' * (len(shards) > 1)}, "
        f"{'in process' if execution is None else 'multiprocess, 2 at once'}); {overhead}"
    )
    own = _own_hwm_mb()
    return {
        "readings": readings,
        "peak_mb": max(memory.peak(), own),
        "phases": phases,
        "note": note,
    }


def _own_hwm_mb() -> float:
    from bench.harness import _PEAK

    return _PEAK.overall()


def _steps(records) -> dict[str, dict[str, float]]:
    """Per step: start, end (success) and, with processes, when its process was launched."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for r in records:
        event = r.dagster_event
        if event is None or r.step_key is None:
            continue
        kind = event.event_type_value
        if kind == "STEP_WORKER_STARTING":
            out[r.step_key].setdefault("launch", r.timestamp)
        elif kind == "STEP_START":
            out[r.step_key]["start"] = r.timestamp
        elif kind == "STEP_SUCCESS":
            out[r.step_key]["end"] = r.timestamp
    return {k: v for k, v in out.items() if "start" in v and "end" in v}


def _overhead(steps: dict[str, dict[str, float]], started: float, ended: float) -> str:
    """Dagster's share of the run, from the event log (see the module docstring)."""
    inside = [v["end"] - v["start"] for v in steps.values()]
    first = min(v.get("launch", v["start"]) for v in steps.values())
    busy = _union_seconds([(v["start"], v["end"]) for v in steps.values()])
    wall = ended - started
    text = (
        f"Dagster: run {wall:.1f} s, inside steps {busy:.1f} s (sum {sum(inside):.1f} s), "
        f"outside steps {wall - busy:.1f} s ({first - started:.1f} s before the first), "
        f"step floor {min(inside):.2f} s"
    )
    starts = [v["start"] - v["launch"] for v in steps.values() if "launch" in v]
    if starts:
        text += f", process start per step median {statistics.median(starts):.1f} s"
    return text


def _union_seconds(spans: list[tuple[float, float]]) -> float:
    """Seconds covered by at least one of the spans (steps running side by side count once)."""
    total, reach = 0.0, float("-inf")
    for a, b in sorted(spans):
        if b > reach:
            total += b - max(a, reach)
            reach = b
    return total


def _phases(steps, memory: TreeMemory, readings: int) -> list[dict[str, Any]]:
    """One row per stage: its steps' covered seconds and the peak memory while they ran."""
    rows = []
    for stage, prefixes in STAGES.items():
        spans = [
            (v["start"], v["end"])
            for k, v in steps.items()
            if k.split("__")[-1].startswith(prefixes)
        ]
        if not spans:
            continue
        start, end = min(a for a, _ in spans), max(b for _, b in spans)
        rows.append(
            {
                "name": stage,
                "seconds": _union_seconds(spans),
                "peak_mb": memory.peak(start, end),
                "readings": readings if stage in ("readings", "gate + cleaning") else None,
            }
        )
    return rows


def _raw_readings(instance, run_id: str) -> int:
    """Raw readings the run read: the `rows` of its raw-readings materializations (per shard)."""
    total = 0
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None or event.event_type_value != "ASSET_MATERIALIZATION":
            continue
        mat = event.event_specific_data.materialization
        if mat.asset_key.path[-1] == "sensor_readings_raw":
            total += int(mat.metadata["rows"].value) // max(1, _partitions(mat))
    return total


def _partitions(mat) -> int:
    # a range run records one materialization per night, each with the run's total rows
    return int(mat.metadata["nights"].value)
