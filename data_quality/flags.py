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
    """Add flag_stuck, flag_dead, flag_spike and flag_gap_before; sorted by asset, sensor, ts."""
    run_id = (pl.col("value") != pl.col("value").shift()).fill_null(True).cum_sum().over(SERIES)
    with_runs = clean.with_columns(_run=run_id)
    run_hours = (pl.col("ts_utc").max() - pl.col("ts_utc").min()).over(
        [*SERIES, "_run"]
    ).dt.total_seconds() / 3600.0
    stuck = run_hours >= rules.stuck_run_hours
    median = pl.col("value").rolling_median_by("ts_utc", window_size="24h").over(SERIES)
    flagged = with_runs.with_columns(
        flag_stuck=stuck & (pl.col("value") != 0.0),
        flag_dead=stuck & (pl.col("value") == 0.0),
        _dev=(pl.col("value") - median).abs(),
    )
    scale = (pl.col("_dev").median().over(SERIES) * 1.4826).clip(lower_bound=1e-9)
    step = pl.col("ts_utc").diff().over(SERIES)
    usual = step.median().over(SERIES)
    return flagged.with_columns(
        flag_spike=(pl.col("_dev") / scale > rules.spike_robust_z) & ~pl.col("flag_stuck"),
        flag_gap_before=(step > usual * rules.gap_factor).fill_null(False),
    ).drop("_run", "_dev")
