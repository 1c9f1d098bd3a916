"""Predictive work requests: which assets planners should look at, with priority and evidence."""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

GENERAL = "general"


def propose_work_requests(
    scores: pl.DataFrame, capacity: int, min_risk: float, snoozed: Collection[str] = ()
) -> pl.DataFrame:
    """The night's requests: assets above `min_risk` on the shortest horizon, at most `capacity`,
    leaving out the `snoozed` assets (given a request on one of the last nights: planners are
    still on it, so the next assets take their slots; `models.backtest.snoozed` replays this).

    Priority 1 (urgent) to 3 from the risk; the description carries the risk, the remaining life and
    the drivers, so that a planner can act without opening Foresight.
    """
    horizon = scores["horizon_days"].min()
    chosen = (
        scores.filter(
            (pl.col("horizon_days") == horizon)
            & (pl.col("risk") >= min_risk)
            & ~pl.col("asset_id").is_in(list(snoozed))
        )
        .sort("rank")
        .head(capacity)
    )
    life = (
        pl.when(pl.col("rul_days").is_null())
        .then(pl.lit("unknown"))
        .otherwise(
            pl.format(
                "{} d ({}-{} d)",
                pl.col("rul_days").round(0),
                pl.col("rul_low_days").round(0),
                pl.col("rul_high_days").round(0),
            )
        )
        if "rul_days" in scores.columns
        else pl.lit("unknown")
    )
    return chosen.select(
        "asset_id",
        pl.lit(GENERAL).alias("failure_mode"),
        pl.col("as_of").alias("night"),
        pl.col("horizon_days").cast(pl.Int32),
        pl.when(pl.col("risk") >= 0.5)
        .then(1)
        .when(pl.col("risk") >= 0.25)
        .then(2)
        .otherwise(3)
        .cast(pl.Int32)
        .alias("priority"),
        "risk",
        pl.format(
            "Foresight: {}% risk of failure within {} days (rank {}), remaining life {}. Why: {}",
            (pl.col("risk") * 100).round(1),
            pl.col("horizon_days"),
            pl.col("rank"),
            life,
            pl.col("drivers"),
        ).alias("description"),
        "model_version",
    )
