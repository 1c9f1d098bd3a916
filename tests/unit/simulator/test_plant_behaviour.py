"""Failures, maintenance, commissioning and degradation precursors."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import polars as pl
import pytest

from simulator import ASSET_TYPES, SimulationSettings, simulate_plant


def clean_numeric(df: pl.DataFrame, iso: str) -> pl.DataFrame:
    """Rows with a parseable UTC timestamp and numeric value, as typed columns."""
    return (
        df.filter(pl.col("timestamp").str.contains(iso) & pl.col("timestamp").str.ends_with("Z"))
        .with_columns(
            ts=pl.col("timestamp").str.strptime(
                pl.Datetime("us", "UTC"), "%Y-%m-%dT%H:%M:%SZ", strict=False
            ),
            v=pl.col("value").cast(pl.Float64, strict=False),
        )
        .drop_nulls(["v", "ts"])
    )


def test_failures_recorded_consistently(messy_plant):
    out, summary = messy_plant
    failures = pl.read_parquet(out / "ground_truth" / "failures.parquet")
    assert failures.height == summary.n_failures > 0
    con = sqlite3.connect(out / "cmms.sqlite")
    for row in failures.iter_rows(named=True):
        code, wo_type = con.execute(
            "select failure_code, wo_type from work_orders where wo_id=?", (row["wo_id"],)
        ).fetchone()
        assert wo_type == "CM"
        assert (code is None) == (row["recorded_as"] == "notes_only")
        assert row["onset_ts_utc"] <= row["failure_ts_utc"]
    share = (failures["recorded_as"] == "notes_only").mean()
    assert abs(share - 0.25) <= 0.5 / failures.height + 0.01


def test_no_readings_before_commissioning(messy_plant, load_historian, iso):
    out, _ = messy_plant
    assets = pl.read_database("select * from assets", sqlite3.connect(out / "cmms.sqlite"))
    late = assets.filter(pl.col("commissioned_on") > "2025-09-01")
    assert late.height >= 1
    df = load_historian(out).filter(pl.col("timestamp").str.contains(iso))
    for aid, comm in late.select("asset_id", "commissioned_on").iter_rows():
        days = df.filter(pl.col("asset_id") == aid)["timestamp"].str.slice(0, 10)
        assert days.len() > 0 and days.min() >= comm


def _main_sensor(asset_type: str, component: str, mode: str) -> str:
    comp = next(c for c in ASSET_TYPES[asset_type].components if c.name == component)
    effects = next(m for m in comp.modes if m.name == mode).effects
    return max(effects, key=lambda e: e[1])[0]


def test_degradation_raises_sensor_before_failure(messy_plant, load_historian, iso):
    out, _ = messy_plant
    failures = pl.read_parquet(out / "ground_truth" / "failures.parquet").filter(
        pl.col("precursor_strength") > 0.5
    )
    types = dict(
        sqlite3.connect(out / "cmms.sqlite")
        .execute("select asset_id, asset_type from assets")
        .fetchall()
    )
    df = clean_numeric(load_historian(out), iso).filter(pl.col("quality") == "good")
    # compare running readings only: every asset type reports shaft speed (0 when stopped)
    running = df.filter((pl.col("tag") == "speed") & (pl.col("v") > 100)).select("asset_id", "ts")
    df = df.join(running, on=["asset_id", "ts"], how="semi")
    start = df["ts"].min()
    checked = raised = 0
    for f in failures.iter_rows(named=True):
        if f["failure_ts_utc"] - start < timedelta(days=5):
            continue
        tag = _main_sensor(types[f["asset_id"]], f["component"], f["failure_mode"])
        s = df.filter((pl.col("asset_id") == f["asset_id"]) & (pl.col("tag") == tag))
        t = f["failure_ts_utc"]
        before = s.filter(pl.col("ts").is_between(t - timedelta(days=3), t, closed="left"))
        after = s.filter(pl.col("ts").is_between(t + timedelta(days=4), t + timedelta(days=20)))
        if before.height < 10 or after.height < 10:
            continue
        checked += 1
        raised += before["v"].median() > after["v"].median()
    assert checked >= 2
    assert raised / checked >= 0.8


@pytest.mark.slow
def test_default_plant_has_enough_failures(tmp_path):
    summary = simulate_plant(SimulationSettings(), tmp_path)
    assert summary.n_failures >= 40
    assert summary.n_readings > 5_000_000
