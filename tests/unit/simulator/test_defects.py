"""Every defect kind is recorded in ground truth and visible in the exported files."""

from __future__ import annotations

import sqlite3

import polars as pl

from simulator import DefectRates, SimulationSettings, simulate_plant

KINDS = {
    "gap",
    "stuck_sensor",
    "dead_sensor",
    "unit_change",
    "timezone_shift",
    "duplicate_reading",
    "late_reading",
    "spike",
    "unknown_asset_id",
    "malformed_row",
}


def test_every_defect_kind_in_ground_truth(messy_plant):
    out, _ = messy_plant
    defects = pl.read_parquet(out / "ground_truth" / "defects.parquet")
    assert set(defects["kind"]) == KINDS


def test_defects_visible_in_files(messy_plant, load_historian, iso):
    out, _ = messy_plant
    df = load_historian(out)
    assert {"degF", "psi"} <= set(df["unit"])
    assert df["timestamp"].str.contains(r"\+0[12]:00$").any()
    con = sqlite3.connect(out / "cmms.sqlite")
    ids = {r[0] for r in con.execute("select asset_id from assets")}
    assert (~df["asset_id"].is_in(list(ids))).sum() > 0
    assert df.select("asset_id", "tag", "timestamp").is_duplicated().sum() > 0
    valid_ts = df.filter(pl.col("timestamp").str.contains(iso))
    lag = valid_ts.select(
        (
            pl.col("file_day").str.to_date()
            - pl.col("timestamp").str.slice(0, 10).str.to_date(strict=False)
        ).dt.total_days()
    )
    assert lag.to_series().max() >= 2  # readings arriving days late
    assert df["value"].is_in(["ERR", "", "#N/A"]).any()
    assert (~df["timestamp"].str.contains(iso)).any()
    assert set(df["quality"]) >= {"good", "bad", "uncertain"}


def test_stuck_sensor_repeats_value(messy_plant, load_historian):
    out, _ = messy_plant
    defects = pl.read_parquet(out / "ground_truth" / "defects.parquet")
    df = load_historian(out).filter(pl.col("timestamp").str.ends_with("Z"))
    hits = 0
    for d in defects.filter(pl.col("kind") == "stuck_sensor").iter_rows(named=True):
        lo = d["start_ts_utc"].strftime("%Y-%m-%dT%H:%M:%SZ")
        hi = d["end_ts_utc"].strftime("%Y-%m-%dT%H:%M:%SZ")
        vals = df.filter(
            (pl.col("asset_id") == d["asset_id"])
            & (pl.col("tag") == d["tag"])
            & (pl.col("timestamp") >= lo)
            & (pl.col("timestamp") < hi)
            & (pl.col("unit") != "degF")
            & (pl.col("unit") != "psi")
            & (pl.col("quality") == "good")
        )["value"]
        if vals.len() >= 4:
            hits += 1
            assert vals.mode().len() == 1 and (vals == vals.mode()[0]).mean() > 0.9
    assert hits >= 1


def test_clean_plant_has_no_row_defects(tmp_path, load_historian):
    settings = SimulationSettings(seed=2, n_assets=4, days=8, defects=DefectRates.none())
    simulate_plant(settings, tmp_path)
    df = load_historian(tmp_path)
    assert df["timestamp"].str.ends_with("Z").all()
    assert not df.select("asset_id", "tag", "timestamp").is_duplicated().any()
    assert pl.read_parquet(tmp_path / "ground_truth" / "defects.parquet").height == 0
