"""The bridge to the simulator for simulated plants: the CLI and the nightly job call it (the
simulated exports, the simulated technicians); no domain package does."""

from __future__ import annotations

import glob
from collections import Counter
from collections.abc import Callable
from dataclasses import fields, replace
from datetime import date
from pathlib import Path

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


def answer_work_requests(plant: Plant, night: date) -> Counter[str] | None:
    """A simulated plant's technicians answer Foresight's requests due by `night`.

    Returns None where nobody answers: a real plant (its own technicians use the CMMS) or a
    shadow-mode plant (the requests never reached the CMMS).
    """
    if plant.simulator is None or plant.cmms_target.mode != "live":
        return None
    from simulator.technicians import RequestTable, TechnicianSettings, respond_to_requests

    mapping = plant.cmms_target.mapping
    table = RequestTable(
        table=mapping.table_name("work_requests"),
        schema=mapping.db_schema,
        columns=mapping.work_requests.columns,
    )
    return respond_to_requests(
        plant.writeback_url(),
        plant.exports_dir / "ground_truth",
        night,
        plant.timezone,
        TechnicianSettings(seed=plant.simulator.seed),
        table,
    )


def exports_sources(exports: Path | str) -> dict:
    """The `sources:` of a plant file reading a simulator's exports folder where it lies (for
    benchmark and test plants that reuse another plant's exports)."""
    return {
        "historian": {
            "files": f"{exports}/historian/readings_*.parquet",
            "format": "parquet",
            "tag_catalog": f"{exports}/historian/tags.csv",
        },
        "cmms": {"url": f"sqlite:///{exports}/cmms.sqlite"},
        "production_context": f"{exports}/mes/production_orders.csv",
    }
