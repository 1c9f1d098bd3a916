"""Level 1: aggregate clean readings to mergeable rows per asset, sensor, day, night and regime.

Every column is a count, sum, min, max or a (time, value) pair, so that rows of the same day that
arrived on different nights merge exactly: that is how late data joins the windows only from the
night it arrived. The regime (idle, or the MES load regime) lets level 2 look at running hours only
and compare like with like.
"""

from __future__ import annotations

import polars as pl

DAY_KEYS = ["asset_id", "sensor", "day", "night", "regime"]
IDLE = "idle"
UNKNOWN_REGIME = "running"  # a plant without MES context: every reading counts as running


def hourly_regimes(orders: pl.DataFrame) -> pl.DataFrame:
    """The load regime of each asset for every UTC hour inside a production order."""
    if orders.is_empty():
        return pl.DataFrame(
            schema={"asset_id": pl.String, "hour": pl.Datetime("us", "UTC"), "regime": pl.String}
        )
    return (
        orders.filter(pl.col("start_utc").is_not_null() & (pl.col("end_utc") > pl.col("start_utc")))
        .select(
            "asset_id",
            hour=pl.datetime_ranges(
                pl.col("start_utc").dt.truncate("1h"), "end_utc", "1h", closed="left"
            ),
            regime=pl.col("load_regime").fill_null("normal"),
        )
        .explode("hour")
        .unique(["asset_id", "hour"], keep="last")
    )


def aggregate_daily(
    clean: pl.DataFrame | pl.LazyFrame,
    timezone: str,
    regimes: pl.DataFrame | None = None,
    limits: dict[str, float] | None = None,
) -> pl.DataFrame:
    """Daily aggregates: n, sums, min, max, first, last, p95, flagged count, seconds above limit.

    `t` is the reading time in days since 1970-01-01 (UTC), so slopes come out per day.
    """
    t = pl.col("ts_utc").dt.epoch("us").cast(pl.Float64) / 86_400e6
    flagged = pl.col("flag_stuck") | pl.col("flag_dead") | pl.col("flag_spike")
    frame = clean.lazy()
    # clean readings hold asset and sensor as categoricals: small look-ups are joined as such
    keys = frame.collect_schema()
    limit_of = pl.DataFrame(
        {"sensor": list((limits or {}).keys()), "_limit": list((limits or {}).values())},
        schema={"sensor": pl.String, "_limit": pl.Float64},
    ).with_columns(pl.col("sensor").cast(keys["sensor"]))
    frame = frame.with_columns(
        day=pl.col("ts_utc").dt.convert_time_zone(timezone).dt.date(), t=t
    ).join(limit_of.lazy(), on="sensor", how="left")
    if regimes is None:
        frame = frame.with_columns(regime=pl.lit(UNKNOWN_REGIME))
    else:
        frame = (
            frame.with_columns(hour=pl.col("ts_utc").dt.truncate("1h"))
            .join(
                regimes.lazy().with_columns(pl.col("asset_id").cast(keys["asset_id"])),
                on=["asset_id", "hour"],
                how="left",
            )
            .with_columns(pl.col("regime").fill_null(IDLE))
        )
    seconds_each = 86_400.0 / pl.len().over("asset_id", "sensor", "day")
    above = (pl.col("value") > pl.col("_limit")).fill_null(False)
    frame = frame.with_columns(_sec=seconds_each, _above=above)
    return (
        frame.group_by(DAY_KEYS)
        .agg(
            n=pl.len().cast(pl.Int64),
            sum_v=pl.col("value").sum(),
            sum_vv=(pl.col("value") ** 2).sum(),
            min_v=pl.col("value").min(),
            max_v=pl.col("value").max(),
            first_t=pl.col("t").min(),
            first_v=pl.col("value").sort_by("t").first(),
            last_t=pl.col("t").max(),
            last_v=pl.col("value").sort_by("t").last(),
            p95=pl.col("value").quantile(0.95, interpolation="linear"),
            n_flagged=flagged.sum().cast(pl.Int64),
            sec_above=pl.col("_sec").filter(pl.col("_above")).sum(),
            sum_t=pl.col("t").sum(),
            sum_tt=(pl.col("t") ** 2).sum(),
            sum_tv=(pl.col("t") * pl.col("value")).sum(),
        )
        .with_columns(pl.col("asset_id", "sensor").cast(pl.String))
        .sort(DAY_KEYS)
        .collect()
    )
