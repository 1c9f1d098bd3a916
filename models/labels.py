"""Failure labels from maintenance logs: a failure within H days of each night, censoring-aware."""

from __future__ import annotations

from datetime import date

import polars as pl


def failure_events(work_orders: pl.DataFrame, timezone: str) -> pl.DataFrame:
    """Failures: corrective work orders with a failure code, dated by their local open day.

    Where the notes model has read a code from the notes (`failure_code_inferred`), that counts.
    """
    if "failure_code_inferred" in work_orders.columns:
        work_orders = work_orders.with_columns(
            failure_code=pl.col("failure_code_inferred"), component=pl.col("component_inferred")
        )
    return (
        work_orders.filter(
            (pl.col("wo_type") == "CM")
            & pl.col("failure_code").is_not_null()
            & (pl.col("status") != "cancelled")
            & pl.col("opened_utc").is_not_null()
        )
        .select(
            "asset_id",
            "component",
            "failure_code",
            "wo_id",
            failure_day=pl.col("opened_utc").dt.convert_time_zone(timezone).dt.date(),
        )
        .sort("asset_id", "failure_day")
    )


def label_failures(
    grid: pl.DataFrame, events: pl.DataFrame, horizons: tuple[int, ...], observed_until: date
) -> pl.DataFrame:
    """Add `days_to_failure` and one `label_<H>d` column per horizon to an (asset_id, as_of) grid.

    label = 1 if a failure falls in (as_of, as_of + H]; 0 if none did and the whole horizon is
    observed (as_of + H <= observed_until); null (censored, not a negative) otherwise.
    """
    nxt = events.select("asset_id", next_failure=pl.col("failure_day")).sort("next_failure")
    joined = (
        grid.sort("as_of")
        .join_asof(
            nxt,
            left_on="as_of",
            right_on="next_failure",
            by="asset_id",
            strategy="forward",
            allow_exact_matches=False,
            check_sortedness=False,
        )
        .with_columns(days_to_failure=(pl.col("next_failure") - pl.col("as_of")).dt.total_days())
    )
    labels = []
    for h in horizons:
        failed = pl.col("days_to_failure").is_not_null() & (pl.col("days_to_failure") <= h)
        observed = pl.col("as_of") + pl.duration(days=h) <= pl.lit(observed_until)
        labels.append(
            pl.when(failed)
            .then(1)
            .when(observed)
            .then(0)
            .otherwise(None)
            .cast(pl.Int8)
            .alias(f"label_{h}d")
        )
    return joined.with_columns(labels).drop("next_failure").sort("asset_id", "as_of")


def run_to_failure_grid(grid: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """The nights of a run-to-failure fleet that can be labelled: before each asset's failure.

    Each history ends in its failure (the asset is gone after it) or is cut off before one (its
    future is unknown: scored, never trained on), so only assets with a failure on record, on
    nights before it, are kept.
    """
    ends = events.group_by("asset_id").agg(end=pl.col("failure_day").max())
    return (
        grid.join(ends, on="asset_id", how="inner")
        .filter(pl.col("as_of") < pl.col("end"))
        .drop("end")
    )
