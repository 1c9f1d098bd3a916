"""Benchmark 4's inputs: simulated 1-minute fleets as plants, and a model to score them with.

Everything lives under $FORESIGHT_HOME/bench/e2e-<key>/ (the key follows the simulator's code and
these settings), generated once, outside any timing:
- `fleet-<n>/exports/`: the simulator's exports of an n-asset x 20-sensor x 1-minute plant
  (conveyor motors), one historian file per arrival night from `first_night(n)` to NIGHT. The
  simulator writes a night in blocks, so 5,000 assets (144 M readings a night) fit in memory.
- `fleet-<n>/plant.yaml`: a plant file pointing at them, with the shards of `SHARDS`; its state
  (Parquet store, Dagster instance, shadow CMMS, registry) is `fleet-<n>/home/plants/...`.
- `twin/`: a small hourly plant of the same asset type (60 assets, 200 days), trained once with
  `foresight train`; its champion is exported as a bundle and imported into every fleet (the
  fleets' feature columns are the twin's: same spec, same asset type). Training is not timed.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml

from bench.data import _key, cache_root
from foresight.demo import exports_sources
from foresight.paths import REPO_ROOT

logger = logging.getLogger(__name__)

NIGHT = date(2026, 2, 10)  # day 41 of 60, no DST change (2026-03-29): as the other benchmarks
START = date(2026, 1, 1)
BACKFILL_NIGHTS = 30
SHARDS = {100: 1, 1000: 1, 5000: 5}  # ~1,000 assets a shard: one shard's step stays ~3.5 GB
TIMEZONE = "Europe/Berlin"


def first_night(assets: int) -> date:
    """The first exported night: 30 earlier nights where the backfill is measured or cheap; the
    three the cleaning looks back on for 5,000 assets (the windows' earlier days are missing)."""
    return NIGHT - timedelta(days=BACKFILL_NIGHTS if assets <= 1000 else 3)


@dataclass(frozen=True)
class Fleet:
    """One benchmark plant: its exports, its plant file and its state folder."""

    assets: int
    root: Path

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def plant_file(self) -> Path:
        return self.root / "plant.yaml"

    @property
    def home(self) -> Path:
        """FORESIGHT_HOME of the fleet's runs (its state is home/plants/fleet-<n>)."""
        return self.root / "home"

    @property
    def name(self) -> str:
        return f"fleet-{self.assets}"


def _settings(assets: int, sample_minutes: int = 1, days: int = 60, seed: int = 1):
    from simulator import SimulationSettings

    return SimulationSettings(
        n_assets=assets,
        sample_minutes=sample_minutes,
        asset_types=("conveyor_motor",),
        days=days,
        start_date=START,
        seed=seed,
        timezone=TIMEZONE,
    )


def e2e_root() -> Path:
    """The cache folder: its key follows the simulator's code and the settings here (not this
    file's code: after a change of how fleets are made, delete the folder)."""
    key = _key(("simulator",), NIGHT, START, BACKFILL_NIGHTS, sorted(SHARDS.items()), TWIN)
    return cache_root() / f"e2e-{key}"


def fleet(assets: int) -> Fleet:
    return Fleet(assets, e2e_root() / f"fleet-{assets}")


def twin_root() -> Path:
    return e2e_root() / "twin"


def bundle_path() -> Path:
    return twin_root() / "champion.zip"


def ready(f: Fleet) -> bool:
    return (f.root / ".complete").exists() and bundle_path().is_file()


def prepare(f: Fleet) -> None:
    """Simulate the fleet's exports, write its plant file, import the twin's model (untimed)."""
    if not bundle_path().is_file():
        _train_twin()
    if not (f.root / ".complete").exists():
        logger.info("simulating %s (%s .. %s)", f.name, first_night(f.assets), NIGHT)
        _build(f.root, lambda out: _simulate(Fleet(f.assets, out)))
    _write_plant_file(f, shards=SHARDS[f.assets])
    _import_model(f)


def _build(target: Path, build) -> None:
    """Build into a temporary folder, then rename it into place (a crash leaves no half fleet;
    the other fleets stay)."""
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    build(partial)
    (partial / ".complete").touch()
    partial.rename(target)


def _simulate(f: Fleet) -> None:
    from simulator import simulate_plant

    settings = _settings(f.assets)
    simulate_plant(settings, f.exports, days=(first_night(f.assets), NIGHT), progress=_progress)


def _progress(done: int, total: int, day: str) -> None:
    logger.info("  simulated %d/%d nights (%s)", done, total, day)


def _write_plant_file(f: Fleet, shards: int, path: Path | None = None) -> Path:
    """A plant file next to the fleet's exports (paths relative to it, so the cache folder can
    move); a shadow CMMS, so the exports stay as simulated."""
    exports = "{plant_dir}/exports"
    doc = {
        "name": f.name,
        "timezone": TIMEZONE,
        "history_start": START.isoformat(),
        "sources": exports_sources(exports),
        "cmms_target": {"url": f"sqlite:///{exports}/cmms.sqlite", "mode": "shadow"},
        "planners_daily_capacity": max(3, f.assets // 20),
        "shards": {"count": shards},
    }
    target = path or (f.root / "plant.yaml")
    target.write_text(yaml.safe_dump(doc, sort_keys=False))
    return target


def plant_file(f: Fleet, shards: int | None = None) -> Path:
    """The fleet's plant file, or a copy of it with another number of shards (same state)."""
    if shards is None or shards == SHARDS[f.assets]:
        return f.plant_file
    return _write_plant_file(f, shards, f.root / f"plant-{shards}-shards.yaml")


def environment(f: Fleet) -> dict[str, str]:
    """The variables a run of the fleet needs: its state folder and its own Dagster instance."""
    home = f.home
    return {"FORESIGHT_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}


TWIN = (60, 60, 200, 3)  # assets, sampling minutes, days, seed: a small hourly history


def _train_twin() -> None:
    """Simulate the twin (conveyor motors only), `foresight train` it, export its champion."""
    from simulator import simulate_plant

    assets, minutes, days, seed = TWIN
    twin = Fleet(assets, twin_root())
    logger.info("simulating and training the twin model once (minutes): %s", twin.root)
    simulate_plant(_settings(assets, minutes, days, seed), twin.exports)
    plant = _write_plant_file(twin, shards=1, path=twin.root / "twin.yaml")
    text = plant.read_text().replace(f"name: {twin.name}", "name: twin")
    plant.write_text(text + "models: {cv_folds: 0, promotion_backtest_months: 1}\n")
    env = {**os.environ, **environment(twin), "FORESIGHT_PLANT": str(plant)}
    cli = [sys.executable, "-m", "foresight.cli"]
    subprocess.run([*cli, "train", "--plant", str(plant)], env=env, check=True, cwd=REPO_ROOT)
    out = bundle_path().with_suffix(".partial.zip")
    export = [*cli, "model", "--plant", str(plant), "export", "--out", str(out)]
    subprocess.run(export, env=env, check=True, cwd=REPO_ROOT)
    out.rename(bundle_path())


def _import_model(f: Fleet) -> None:
    """The twin's champion into the fleet's registry, checked against the twin's feature columns
    (the fleet has none before its first run; same spec and asset type give the same columns)."""
    import polars as pl

    from models.registry import ModelRegistry, import_bundle

    registry = ModelRegistry(f.home / "plants" / f.name / "models")
    if registry.champion_version() is not None:
        return
    store = twin_root() / "home" / "plants" / "twin" / "store" / "window_features"
    columns = pl.read_parquet(sorted(store.glob("*.parquet"))[-1]).columns
    import_bundle(registry, bundle_path(), columns, ["conveyor_motor"], champion=True)
