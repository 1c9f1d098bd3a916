"""Benchmark data, generated once into $FORESIGHT_HOME/bench and reused until its sources change.

- `plant-<key>/`: one arrival night (NIGHT) of the simulated 1,000-asset x 20-sensor x 1-minute
  plant (~28.8 M readings) with its CMMS, MES orders and tag catalogue (quality benchmark input).
- `clean-<key>/clean.parquet`: that night cleaned by our own cleaning (feature benchmark input).
- `history-<key>/history_daily.parquet`: level-1 rows of the 30 nights before NIGHT;
  `minute_slice.parquet`: SLICE_SERIES series over all 31 nights at minute level (baselines);
  `night_size.json`: series (after the spec's exclusions) and readings of the clean night.

The 30 earlier nights are not simulated (30 x 20 s plus 30 cleanings). Night NIGHT-k is the real
`aggregate_daily` run on a smaller synthetic frame: tonight's clean readings moved k days back,
values scaled by (1 - VALUE_DRIFT_PER_DAY * k) so the windows see a slow drift, with every late
reading but only one minute in SUBSAMPLE of the night's own day; the counts and sums of those
on-time rows (columns `n`, `n_*`, `sum_*`) are then multiplied by SUBSAMPLE. The row layout is the
real one (every series, its regimes, the late rows of the three days before); hours above a limit,
means, slopes and shares keep their scale. Regimes come from the plant's real MES orders.
The pandas and sktime baselines get the same replay at full minute resolution (`minute_history`).
Folder keys: see `bench_data`.
"""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from foresight.paths import REPO_ROOT, foresight_home
from simulator import SimulationSettings, simulate_plant

logger = logging.getLogger(__name__)

NIGHT = date(2026, 2, 10)  # day 41 of 60: 30 earlier nights exist, no DST change (2026-03-29)
HISTORY_NIGHTS = 30
VALUE_DRIFT_PER_DAY = 0.002
SUBSAMPLE = 10
SLICE_SERIES = 20  # series the pandas and sktime baselines are measured on
SETTINGS = SimulationSettings(
    n_assets=1000,
    sample_minutes=1,
    asset_types=("conveyor_motor",),
    days=60,
    start_date=date(2026, 1, 1),
    seed=1,
)
TIMEZONE = SETTINGS.timezone
ARRIVAL_DATE = r"(\d{4}-\d{2}-\d{2})"


@dataclass(frozen=True)
class BenchData:
    """Where the cached inputs are."""

    plant_dir: Path
    clean_dir: Path
    history_dir: Path

    @property
    def cmms_url(self) -> str:
        return f"sqlite:///{self.plant_dir / 'cmms.sqlite'}"

    @property
    def historian_glob(self) -> str:
        return str(self.plant_dir / "historian" / "readings_*.parquet")

    @property
    def tag_catalog(self) -> str:
        return str(self.plant_dir / "historian" / "tags.csv")

    @property
    def production_orders(self) -> str:
        return str(self.plant_dir / "mes" / "production_orders.csv")

    @property
    def clean_path(self) -> Path:
        return self.clean_dir / "clean.parquet"

    @property
    def history_path(self) -> Path:
        return self.history_dir / "history_daily.parquet"

    @property
    def slice_path(self) -> Path:
        return self.history_dir / "minute_slice.parquet"

    @property
    def night_size_path(self) -> Path:
        return self.history_dir / "night_size.json"

    def folders(self) -> tuple[Path, Path, Path]:
        return self.plant_dir, self.clean_dir, self.history_dir


def cache_root() -> Path:
    """$FORESIGHT_HOME/bench (default .state/bench, git-ignored)."""
    return foresight_home() / "bench"


def _key(sources: tuple[str, ...], *extra: object) -> str:
    """A hash of `extra` and of the sources' syntax trees (a reformatting changes no key)."""
    digest = hashlib.sha256(repr(extra).encode())
    for rel in sources:
        root = REPO_ROOT / rel
        for file in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
            digest.update(file.relative_to(REPO_ROOT).as_posix().encode())
            digest.update(ast.dump(ast.parse(file.read_text(encoding="utf-8"))).encode())
    return digest.hexdigest()[:12]


def bench_data() -> BenchData:
    """The cache folders for the current settings (they may not exist yet).

    The plant's key follows the simulator's code; the derived folders follow the plant and this
    file only, not the cleaning or feature code, which changes daily: rebuild them after a change
    of their output with `python -m bench --refresh` (or delete the folders).
    """
    plant = _key(("simulator",), SETTINGS, NIGHT)
    derived = _key(
        ("bench/data.py",), plant, HISTORY_NIGHTS, VALUE_DRIFT_PER_DAY, SUBSAMPLE, SLICE_SERIES
    )
    root = cache_root()
    return BenchData(
        root / f"plant-{plant}", root / f"clean-{derived}", root / f"history-{derived}"
    )


def forget(data: BenchData) -> None:
    """Drop the derived folders (clean night, level-1 history) so that `prepare` rebuilds them."""
    for folder in (data.clean_dir, data.history_dir):
        shutil.rmtree(folder, ignore_errors=True)


def is_ready(data: BenchData) -> bool:
    """Every folder was completely written."""
    return all((folder / ".complete").exists() for folder in data.folders())


def prepare(data: BenchData) -> None:
    """Generate whatever is missing; folders of earlier keys are removed first."""
    steps: list[Callable[[Path], None]] = [
        lambda out: simulate_plant(SETTINGS, out, days=(NIGHT, NIGHT)),
        lambda out: _clean_night(data, out),
        lambda out: _history(data, out),
    ]
    for folder, step in zip(data.folders(), steps, strict=True):
        if not (folder / ".complete").exists():
            logger.info("generating %s", folder)
            _replace(folder, step)


def _replace(target: Path, build: Callable[[Path], None]) -> None:
    """Build into a temporary folder, then rename it into place (a crash leaves no half cache)."""
    kind = target.name.split("-", 1)[0]
    for old in target.parent.glob(f"{kind}-*"):
        shutil.rmtree(old)
    partial = target.with_name(target.name + ".partial")
    partial.mkdir(parents=True)
    build(partial)
    (partial / ".complete").touch()
    partial.rename(target)


def _clean_night(data: BenchData, out: Path) -> None:
    from connectors.cmms import read_asset_register
    from connectors.historian import read_historian, read_tag_catalog
    from data_quality.cleaning import clean_readings
    from data_quality.flags import FlagRules

    raw = read_historian(data.historian_glob, "parquet", ARRIVAL_DATE, [NIGHT])
    register = read_asset_register(data.cmms_url)
    catalog = read_tag_catalog(data.tag_catalog)
    result = clean_readings(
        raw, catalog, register, nights=[NIGHT], timezone=TIMEZONE, run_id="bench", rules=FlagRules()
    )
    result.clean.write_parquet(out / "clean.parquet")


def _history(data: BenchData, out: Path) -> None:
    from connectors.mes import read_production_orders
    from features.daily import aggregate_daily, hourly_regimes
    from features.spec import load_feature_spec

    clean = pl.read_parquet(data.clean_path)
    on_night = pl.col("ts_utc").dt.convert_time_zone(TIMEZONE).dt.date() == pl.col("night")
    frame = clean.filter(~on_night | (pl.col("ts_utc").dt.minute() % SUBSAMPLE == 0))
    del clean
    regimes = hourly_regimes(read_production_orders(data.production_orders, TIMEZONE))
    limits = load_feature_spec().limits
    nights = []
    for k in range(1, HISTORY_NIGHTS + 1):
        daily = aggregate_daily(_moved_back(frame, k), TIMEZONE, regimes, limits)
        additive = [c for c in daily.columns if c == "n" or c.startswith(("n_", "sum_"))]
        on_time = pl.col("day") == pl.col("night")
        scaled = pl.when(on_time).then(pl.col(additive) * SUBSAMPLE).otherwise(pl.col(additive))
        nights.append(daily.with_columns(scaled))
        logger.info("level-1 history: night %s, %d rows", NIGHT - timedelta(days=k), daily.height)
    pl.concat(nights).write_parquet(out / "history_daily.parquet")
    _baseline_slice(data, out)


def _baseline_slice(data: BenchData, out: Path) -> None:
    """Minute readings of SLICE_SERIES random series over 31 nights, and the night's size."""
    from connectors.cmms import read_asset_register
    from features.spec import load_feature_spec

    # the baselines work on text keys, like the pandas and sktime code they stand for
    clean = pl.read_parquet(data.clean_path).with_columns(
        pl.col("asset_id", "sensor").cast(pl.String)
    )
    types = read_asset_register(data.cmms_url).select("asset_id", "asset_type")
    excluded = pl.DataFrame(
        [(t, s) for t, sensors in load_feature_spec().excluded.items() for s in sensors],
        schema={"asset_type": pl.String, "sensor": pl.String},
        orient="row",
    )
    kept = (
        clean.join(types, on="asset_id")
        .join(excluded, on=["asset_type", "sensor"], how="anti")
        .drop("asset_type")
    )
    size = {"series": kept.select("asset_id", "sensor").n_unique(), "readings": clean.height}
    (out / "night_size.json").write_text(json.dumps(size))
    minute_history(kept, SLICE_SERIES, HISTORY_NIGHTS).write_parquet(out / "minute_slice.parquet")


def _moved_back(readings: pl.DataFrame, k: int) -> pl.DataFrame:
    """Readings as if they had been taken and delivered k days earlier, values drifted."""
    back = pl.duration(days=k)
    return readings.with_columns(
        night=pl.col("night") - back,
        ts_utc=pl.col("ts_utc") - back,
        value=pl.col("value") * (1.0 - VALUE_DRIFT_PER_DAY * k),
    )


def minute_history(clean: pl.DataFrame, n_series: int, nights_back: int) -> pl.DataFrame:
    """Tonight's clean readings of `n_series` random series plus their replayed earlier nights.

    The replay of `_history` at full minute resolution. A replayed late reading can land on a
    minute that a replayed on-time reading already holds (about 1 % of rows); the later arrival
    is dropped, so each series has one reading per minute, as pandas and sktime users expect.
    """
    series = clean.select("asset_id", "sensor").unique().sort("asset_id", "sensor")
    chosen = series.sample(n_series, seed=1)
    tonight = clean.join(chosen, on=["asset_id", "sensor"], how="semi")
    frames = [_moved_back(tonight, k) for k in range(nights_back + 1)]
    return (
        pl.concat(frames)
        .sort("asset_id", "sensor", "ts_utc", "night")
        .unique(["asset_id", "sensor", "ts_utc"], keep="first", maintain_order=True)
    )
