"""Flag suspicious clean readings (kept, never deleted): stuck, dead and spiking sensors."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

SERIES = ["asset_id", "sensor"]


@dataclass(frozen=True)
class FlagRules:
    """Thresholds of the flags; the plant file's `quality` section sets them."""

    stuck_run_hours: float = 6.0  # identical values for at least this long: stuck (0.0: dead)
    spike_robust_z: float = 8.0  # |value - 24 h rolling median| over this many robust sigmas
    gap_factor: float = 3.0  # a pause longer than this many usual sampling intervals is a gap


def flag_readings(clean: pl.DataFrame, rules: FlagRules) -> pl.DataFrame:
    """Add flag_stuck, flag_dead, flag_spike and flag_gap_before; sorted by asset, sensor, ts.

    Runs of identical values are found with one run-length id over the sorted frame (a new series
    always starts a new run); spikes compare a reading with the rolling median of its 25 neighbours.
    """
    with_runs = clean.with_columns(
        _run=pl.struct(*SERIES, "value").rle_id(), _sid=pl.struct(*SERIES).rle_id()
    )
    span = (pl.col("ts_utc").max() - pl.col("ts_utc").min()).over("_run")
    stuck = span.dt.total_seconds() >= rules.stuck_run_hours * 3600.0
    median = pl.col("value").rolling_median(window_size=25, min_samples=1, center=True).over("_sid")
    flagged = with_runs.with_columns(
        flag_stuck=stuck & (pl.col("value") != 0.0),
        flag_dead=stuck & (pl.col("value") == 0.0),
        _dev=(pl.col("value") - median).abs(),
    )
    scale = (pl.col("_dev").median().over("_sid") * 1.4826).clip(lower_bound=1e-9)
    step = pl.col("ts_utc").diff().over("_sid")
    usual = step.median().over("_sid")
    return flagged.with_columns(
        flag_spike=(pl.col("_dev") / scale > rules.spike_robust_z) & ~pl.col("flag_stuck"),
        flag_gap_before=(step > usual * rules.gap_factor).fill_null(False),
    ).drop("_run", "_sid", "_dev")
