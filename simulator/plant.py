"""Entry point: simulate the whole demo plant and write every output under out_dir."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from simulator import ground_truth as gt
from simulator.cmms import build_work_orders, write_cmms
from simulator.defects import plan_defects
from simulator.fleet import build_fleet
from simulator.historian import write_day, write_tags
from simulator.mes import write_mes
from simulator.production import simulate_production
from simulator.render import Renderer, build_channels
from simulator.rows import DayAssembler
from simulator.settings import SimulationSettings
from simulator.timeline import Timeline
from simulator.wear import simulate_wear


@dataclass(frozen=True)
class SimulationSummary:
    """What was written, with headline counts."""

    out_dir: Path
    n_assets: int
    n_readings: int  # rows written to historian files, defects included
    n_failures: int
    first_day: date
    last_day: date
    n_notes_only_failures: int = 0
    n_pm_replacements: int = 0
    n_work_orders: int = 0
    n_production_orders: int = 0
    n_historian_files: int = 0

    def to_json(self) -> dict:
        """Return a JSON-friendly dict."""
        d = asdict(self)
        d.update(
            out_dir=str(self.out_dir),
            first_day=self.first_day.isoformat(),
            last_day=self.last_day.isoformat(),
        )
        return d


def _day_range(tl: Timeline, days: tuple[date, date] | None) -> range:
    """Return the arrival-day indices to write, clipped to the history."""
    if days is None:
        return range(tl.days)
    lo, hi = max(0, tl.day_index(days[0])), min(tl.days - 1, tl.day_index(days[1]))
    return range(lo, hi + 1)


def _write_historian(
    asm: DayAssembler,
    tl: Timeline,
    out: Path,
    settings: SimulationSettings,
    todo: range,
    progress: Callable[[int, int, str], None] | None,
) -> tuple[int, list[pl.DataFrame]]:
    """Write the selected arrival-day files; return row count and defect bookkeeping."""
    n_rows, parts = 0, []
    ext = settings.historian_format
    for i, day in enumerate(todo):
        d = tl.day_date(day)
        rows, defects = write_day(asm, day, out / f"readings_{d.isoformat()}.{ext}", ext)
        n_rows += rows
        for kind, ch, t in defects:
            if kind.size:
                parts.append(
                    pl.DataFrame(
                        {"kind": kind.astype(np.int64), "ch": ch, "t": t.astype(np.int64)}
                    ).with_columns(file_day=pl.lit(d, dtype=pl.Date))
                )
        if progress is not None:
            progress(i + 1, len(todo), d.isoformat())
    return n_rows, parts


def simulate_plant(
    settings: SimulationSettings,
    out_dir: Path,
    progress: Callable[[int, int, str], None] | None = None,
    days: tuple[date, date] | None = None,
) -> SimulationSummary:
    """Write the whole demo plant under out_dir (see the module README for the layout).

    `days` limits which arrival-day files are written; CMMS/MES/ground truth stay complete.
    """
    out = Path(out_dir)
    for sub in ("historian", "mes", "ground_truth"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    tl = Timeline.from_settings(settings)
    fleet = build_fleet(settings, tl)
    prod = simulate_production(settings.seed, fleet, tl)
    n_orders = write_mes(out / "mes" / "production_orders.csv", fleet, prod, tl)
    wear = simulate_wear(settings.seed, fleet, prod)  # adds repair downtime to prod.status
    channels = build_channels(settings.seed, fleet)  # one channel = one sensor of one asset
    plan = plan_defects(settings, fleet, prod, tl, channels.size)  # adds gaps to prod.status
    wos = build_work_orders(settings.seed, fleet, tl, wear)
    write_cmms(out / "cmms.sqlite", fleet, wos, tl)
    write_tags(out / "historian" / "tags.csv")
    doy = settings.start_date.timetuple().tm_yday
    renderer = Renderer(settings.seed, channels, prod, wear, plan, doy)
    asm = DayAssembler(
        settings.seed,
        tl,
        fleet,
        channels,
        renderer,
        plan,
        settings.defects,
        settings.historian_format == "csv",
    )
    todo = _day_range(tl, days)
    n_rows, parts = _write_historian(asm, tl, out / "historian", settings, todo, progress)
    failures = gt.failures_frame(fleet, wear, tl)
    failures.write_parquet((gt_dir := out / "ground_truth") / "failures.parquet")
    gt.resets_frame(fleet, wear, tl).write_parquet(gt_dir / "maintenance_resets.parquet")
    gt.defects_frame(plan, parts, fleet, channels, tl).write_parquet(gt_dir / "defects.parquet")
    summary = SimulationSummary(
        out_dir=out,
        n_assets=fleet.size,
        n_readings=n_rows,
        n_failures=failures.height,
        first_day=tl.day_date(todo[0] if todo else 0),
        last_day=tl.day_date(todo[-1] if todo else tl.days - 1),
        n_notes_only_failures=int((failures["recorded_as"] == "notes_only").sum()),
        n_pm_replacements=len(wear.resets),
        n_work_orders=len(wos),
        n_production_orders=n_orders,
        n_historian_files=len(todo),
    )
    _write_manifest(out / "manifest.json", settings, summary)
    return summary


def _write_manifest(path: Path, settings: SimulationSettings, summary: SimulationSummary) -> None:
    """Record the settings and counts (no wall-clock time, so reruns are byte-identical)."""
    doc = {"settings": asdict(settings), "summary": summary.to_json()}
    path.write_text(json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n")
