"""Level 1: aggregate clean readings to one mergeable row per asset, sensor, local day and night.

Every column is a sum, min, max or last, so that rows of the same day that arrived on different
nights merge exactly: that is how late data joins the windows only from the night it arrived.
"""

from __future__ import annotations

import polars as pl

DAY_KEYS = ["asset_id", "sensor", "day", "night"]


def aggregate_daily(clean: pl.DataFrame | pl.LazyFrame, timezone: str) -> pl.DataFrame:
    """Daily aggregates: n, sum, sum of squares, min, max, last, flagged count, time sums for slopes.

    `t` is the reading time in days since 1970-01-01 (UTC), so slopes come out per day.
    """
    t = pl.col("ts_utc").dt.epoch("us").cast(pl.Float64) / 86_400e6
    flagged = pl.col("flag_stuck") | pl.col("flag_dead") | pl.col("flag_spike")
    return (
        clean.lazy()
        .with_columns(day=pl.col("ts_utc").dt.convert_time_zone(timezone).dt.date(), t=t)
        .group_by(DAY_KEYS)
        .agg(
            n=pl.len().cast(pl.Int64),
            sum_v=pl.col("value").sum(),
            sum_vv=(pl.col("value") ** 2).sum(),
            min_v=pl.col("value").min(),
            max_v=pl.col("value").max(),
            last_t=pl.col("t").max(),
            last_v=pl.col("value").sort_by("t").last(),
            n_flagged=flagged.sum().cast(pl.Int64),
            sum_t=pl.col("t").sum(),
            sum_tt=(pl.col("t") ** 2).sum(),
            sum_tv=(pl.col("t") * pl.col("value")).sum(),
        )
        .sort(DAY_KEYS)
        .collect()
    )
