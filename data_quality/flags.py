"""Flag suspicious clean readings (kept, never deleted): stuck, dead and spiking sensors."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

SERIES = ["asset_id", "sensor"]


@dataclass(frozen=True)
class FlagRules:
    """Thresholds of the flags; the plant file's `quality` section sets them."""

    stuck_run_hours: float = 6.0  # identical values for at least this long: stuck (0.0: dead)
    spike_robust_z: float = 8.0  # jump away from both neighbours, in typical steps of the series
    gap_factor: float = 3.0  # a pause longer than this many usual sampling intervals is a gap


def _spike_excess() -> pl.Expr:
    """How far a reading sticks out from both neighbours, in typical steps of its series.

    |value - median(previous, value, next)| is the smaller jump to a neighbour when the reading
    lies above (or below) both, else 0; so a level change (start-up, shutdown, load step) is no
    spike, while one reading far from two agreeing neighbours is. The typical step is the median
    non-zero |value - previous| of the series (about one noise sigma; a stuck stretch must not
    shrink it). The first and last reading of a series have one neighbour and are not judged.
    """
    median = pl.col("value").rolling_median(window_size=3, min_samples=3, center=True)
    step = pl.col("value").diff().abs()
    typical = step.filter(step > 0).median()
    return ((pl.col("value") - median).abs() / typical).over("_sid").fill_null(0.0)


def flag_readings(clean: pl.DataFrame, rules: FlagRules) -> pl.DataFrame:
    """Add flag_stuck, flag_dead, flag_spike and flag_gap_before; sorted by asset, sensor, ts.

    Runs of identical values are found with one run-length id over the sorted frame (a new series
    always starts a new run); spikes are single readings far from both neighbours.
    """
    with_runs = clean.with_columns(
        _run=pl.struct(*SERIES, "value").rle_id(), _sid=pl.struct(*SERIES).rle_id()
    )
    span = (pl.col("ts_utc").max() - pl.col("ts_utc").min()).over("_run")
    stuck = span.dt.total_seconds() >= rules.stuck_run_hours * 3600.0
    flagged = with_runs.with_columns(
        flag_stuck=stuck & (pl.col("value") != 0.0),
        flag_dead=stuck & (pl.col("value") == 0.0),
    )
    step = pl.col("ts_utc").diff().over("_sid")
    usual = step.median().over("_sid")
    return flagged.with_columns(
        flag_spike=(_spike_excess() > rules.spike_robust_z) & ~pl.col("flag_stuck"),
        flag_gap_before=(step > usual * rules.gap_factor).fill_null(False),
    ).drop("_run", "_sid")
