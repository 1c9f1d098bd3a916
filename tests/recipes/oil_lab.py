"""A simulated oil laboratory for a simulated plant: the export the source recipe reads.

The demo plant has no lab, so this plays one, as `simulator/` plays the historian and the CMMS:
every asset is sampled about every two weeks and the result is reported a few days later. Iron
(wear debris) climbs while a failure develops (most for bearings), water climbs while a seal
fails; both drop back after the repair. Written in the lab's own shape: its column names, local
times, one CSV for the whole history.

    .venv/bin/python -m tests.recipes.oil_lab   # for the active plant (FORESIGHT_PLANT)
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from connectors.cmms import read_asset_register
from foresight.plant import Plant, load_plant

SAMPLE_EVERY_DAYS = 14


def _progress(failures: pl.DataFrame, at: datetime) -> dict[str, float]:
    """Per component of the asset: how far a developing failure has come at `at` (0 .. 1)."""
    out: dict[str, float] = {}
    for onset, failure, component in failures.select(
        "onset_ts_utc", "failure_ts_utc", "component"
    ).iter_rows():
        if onset <= at <= failure:
            span = max((failure - onset).total_seconds(), 1.0)
            out[component] = max(out.get(component, 0.0), (at - onset).total_seconds() / span)
    return out


def lab_results(plant: Plant, seed: int = 5) -> pl.DataFrame:
    """One row per oil sample of every asset over the simulated history, in the lab's columns."""
    rng = np.random.default_rng(seed)
    zone, utc = ZoneInfo(plant.timezone), ZoneInfo("UTC")
    register = read_asset_register(plant.url_of(plant.sources.cmms))
    truth = pl.read_parquet(plant.exports_dir / "ground_truth" / "failures.parquet")
    start, days = plant.simulator.start_date, plant.simulator.days
    rows = []
    for asset in register["asset_id"]:
        failures = truth.filter(pl.col("asset_id") == asset)
        iron0, water0 = rng.uniform(5, 15), rng.uniform(50, 200)
        day = int(rng.integers(0, SAMPLE_EVERY_DAYS))
        while day < days:
            sampled = datetime.combine(start + timedelta(days=day), datetime.min.time())
            sampled = sampled.replace(hour=9, tzinfo=zone) + timedelta(
                minutes=int(rng.integers(0, 90))
            )
            reported = (sampled + timedelta(days=int(rng.integers(2, 6)))).replace(hour=15)
            wear = _progress(failures, sampled.astimezone(utc))
            iron = iron0 + 120 * wear.get("bearing", 0) ** 2 + 25 * max(wear.values(), default=0)
            water = water0 + 1500 * wear.get("seal", 0)
            rows.append(
                {
                    "sample_no": f"OA-{asset}-{day:04d}",
                    "equipment": asset,
                    "sampled": sampled.strftime("%Y-%m-%d %H:%M"),
                    "reported": reported.strftime("%Y-%m-%d %H:%M"),
                    "fe_ppm": round(iron * rng.lognormal(0, 0.15), 1),
                    "h2o_ppm": round(water * rng.lognormal(0, 0.2)),
                    "visc40_cst": round(rng.normal(46, 1.5), 1),
                }
            )
            day += SAMPLE_EVERY_DAYS + int(rng.integers(-2, 3))
    return pl.DataFrame(rows)


def write_oil_lab(plant: Plant) -> Path:
    """Write the lab's export under the plant's exports (`lab/oil_analysis.csv`); its path."""
    path = plant.exports_dir / "lab" / "oil_analysis.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    lab_results(plant).write_csv(path)
    return path


if __name__ == "__main__":
    print(write_oil_lab(load_plant(sys.argv[1] if len(sys.argv) > 1 else None)))
