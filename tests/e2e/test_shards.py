"""Shards and batches change nothing but where and when the work is done.

The same exports are processed twice: as the schedule does it, one run per night on the test
plant (one shard); and as a large plant's backfill, one run over the nights on a copy of the
plant with three hash shards and its cleaning in batches of one night, in process and (slow: every
step process imports the code) in parallel processes with the shipped multiprocess run config.
Clean readings, quarantine, daily aggregates and window features must be identical.
"""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
import yaml
from polars.testing import assert_frame_equal

from foresight import runner
from foresight.cli import main
from foresight.demo import exports_sources
from foresight.plant import load_plant

REPO = Path(__file__).resolve().parents[2]
NIGHTS = 3


@pytest.fixture(scope="module")
def plant():
    plant = load_plant()
    assert main(["simulate"]) == 0
    return plant


def _sharded_copy(plant, folder: Path) -> Path:
    """The test plant's exports under another plant: three shards, batches of one night."""
    doc = yaml.safe_load(plant.plant_file.read_text())
    exports = plant.exports_dir
    doc.pop("simulator")
    doc["name"] = "small-sharded"
    doc["sources"] = exports_sources(exports)
    doc["cmms_target"] = {"url": f"sqlite:///{folder}/cmms.sqlite", "mode": "shadow"}
    doc["shards"] = {"count": 3}
    doc["operations"] = {"readings_per_batch": 1}
    path = folder / "sharded.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def _read(store: Path, asset: str, night: str, shards: list[str]) -> pl.DataFrame:
    files = [store / s / asset / f"{night}.parquet" for s in shards] if shards else None
    frames = [pl.read_parquet(f) for f in files] if files else [
        pl.read_parquet(store / asset / f"{night}.parquet")
    ]  # fmt: skip
    frame = pl.concat(frames).with_columns(pl.col(pl.Categorical).cast(pl.String))
    return frame.drop("run_id", strict=False)


@pytest.mark.parametrize(
    "run_config",
    [None, pytest.param(REPO / "deploy" / "dagster.multiprocess.yaml", marks=pytest.mark.slow)],
    ids=["in-process", "multiprocess"],
)
def test_sharded_batched_backfill_equals_the_nightly_runs(plant, tmp_path, run_config):
    first = plant.history_start  # no earlier night: both see the same history
    nights = [first + timedelta(days=i) for i in range(NIGHTS)]
    for night in nights:
        runner.run_job("nightly", partition=night.isoformat(), assets=runner.INGEST_TO_FEATURES)
    sharded = load_plant(_sharded_copy(plant, tmp_path))
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster")}
    proc = subprocess.run(
        [
            sys.executable, "-m", "foresight.cli", "backfill", "--features-only",
            "--plant", str(sharded.plant_file), "--from", str(nights[0]), "--to", str(nights[-1]),
            *(["--run-config", str(run_config)] if run_config else []),
        ],
        env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"clean_sensor_readings 3 of 3 ({nights[-1]})" in proc.stderr  # progress per night
    shards = sharded.shards.names
    one, three = plant.state_dir / "store", sharded.state_dir / "store"
    for night in map(str, nights):
        keys = {
            "sensor_readings_clean": ["asset_id", "sensor", "ts_utc"],
            "quarantined_readings": ["source_file", "row_number"],
        }
        for asset, order in keys.items():
            assert_frame_equal(
                _read(three, asset, night, shards).sort(order),
                _read(one, asset, night, []).sort(order),
            )
        daily = "sensor_daily_aggregates"  # the same rows in the same order
        assert_frame_equal(_read(three, daily, night, []), _read(one, daily, night, []))
        # the same features; their column order follows the nights built together (one or three)
        assert_frame_equal(
            _read(three, "window_features", night, []),
            _read(one, "window_features", night, []),
            check_column_order=False,
        )
