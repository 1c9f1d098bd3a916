"""The bridge to the simulator for simulated plants: the CLI calls it, no domain package does."""

from __future__ import annotations

import glob
from collections.abc import Callable
from dataclasses import fields, replace

from foresight.plant import Plant


def simulate_if_missing(plant: Plant, say: Callable[[str], None]) -> None:
    """Write the exports of a simulated plant unless its historian files are already there."""
    if plant.simulator is None or glob.glob(plant.path_of(plant.sources.historian.globs[0])):
        return
    from simulator import DefectRates, SimulationSettings, simulate_plant

    s = plant.simulator
    known = {f.name for f in fields(DefectRates)}
    defects = replace(DefectRates(), **{k: v for k, v in s.defects.items() if k in known})
    settings = SimulationSettings(
        seed=s.seed,
        n_assets=s.n_assets,
        start_date=s.start_date,
        days=s.days,
        sample_minutes=s.sample_minutes,
        timezone=plant.timezone,
        sites=s.sites,
        historian_format=s.historian_format,
        defects=defects,
    )
    say(
        f"simulating plant {plant.name!r}: {s.n_assets} assets, {s.days} days, "
        f"every {s.sample_minutes} min"
    )
    last = [-1]

    def progress(done: int, total: int, label: str) -> None:
        percent = 100 * done // max(total, 1)
        if percent // 10 != last[0]:
            last[0] = percent // 10
            say(f"  simulated {done}/{total} days ({percent} %) {label}")

    summary = simulate_plant(settings, plant.exports_dir, progress=progress)
    say(
        f"simulated {summary.n_readings:,} readings and {summary.n_failures} failures "
        f"into {plant.exports_dir}"
    )
