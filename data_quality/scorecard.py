"""The data-quality scorecard: coverage, freshness, quarantine share, flags per asset and sensor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

INSUFFICIENT = "insufficient data"


@dataclass(frozen=True)
class ScorecardRules:
    """When a sensor counts as poor, and when an asset has too little good data to be scored."""

    min_coverage: float = 0.5  # share of the usual readings per night
    max_flagged_share: float = 0.5
    max_poor_sensor_share: float = 0.5


def sensor_scorecard(
    clean: pl.DataFrame,
    quarantine: pl.DataFrame,
    catalog: pl.DataFrame,
    register: pl.DataFrame,
    nights: list[date],
    rules: ScorecardRules,
) -> pl.DataFrame:
    """One row per night, active asset and declared sensor (a silent sensor shows 0 coverage).

    coverage = readings stamped on the night / the fleet's median for that sensor that night.
    """
    expected = (
        register.filter(pl.col("status") == "active")
        .join(catalog.select("asset_type", "sensor"), on="asset_type")
        .join(pl.DataFrame({"night": nights}, schema={"night": pl.Date}), how="cross")
    )
    flagged = pl.col("flag_stuck") | pl.col("flag_dead") | pl.col("flag_spike")
    got = (
        clean.group_by("night", "asset_id", "sensor")
        .agg(
            readings=pl.len(),
            # clean rows are never stamped after their night, so "not late" is "stamped on the
            # night" in plant time (the UTC date would miss the readings of local 00:00-02:00)
            on_night=(~pl.col("late")).sum(),
            last_ts=pl.col("ts_utc").max(),
            flagged_share=flagged.mean(),
            stuck=pl.col("flag_stuck").any(),
            dead=pl.col("flag_dead").any(),
            spikes=pl.col("flag_spike").sum(),
            gaps=pl.col("flag_gap_before").sum(),
            unit_converted=pl.col("unit_converted").sum(),
        )
        .with_columns(pl.col("asset_id", "sensor").cast(pl.String))
    )  # categorical in clean readings
    held = quarantine.group_by("night", "asset_id", "sensor").agg(quarantined=pl.len())
    card = (
        expected.select("night", "asset_id", "asset_type", "sensor")
        .join(got, on=["night", "asset_id", "sensor"], how="left")
        .join(held, on=["night", "asset_id", "sensor"], how="left")
        .with_columns(
            pl.col(
                "readings", "on_night", "quarantined", "spikes", "gaps", "unit_converted"
            ).fill_null(0)
        )
    )
    usual = pl.col("on_night").median().over("night", "asset_type", "sensor").clip(lower_bound=1)
    return (
        card.with_columns(
            coverage=(pl.col("on_night") / usual).clip(upper_bound=1.0),
            share_quarantined=pl.col("quarantined")
            / (pl.col("readings") + pl.col("quarantined")).clip(lower_bound=1),
        )
        .with_columns(
            poor=(pl.col("coverage") < rules.min_coverage)
            | pl.col("dead").fill_null(False)
            | (pl.col("flagged_share").fill_null(0) > rules.max_flagged_share),
        )
        .sort("night", "asset_id", "sensor")
    )


def asset_status(scorecard: pl.DataFrame, rules: ScorecardRules) -> pl.DataFrame:
    """Per night and asset: `ok`, or `insufficient data` when too many of its sensors are poor."""
    return (
        scorecard.group_by("night", "asset_id")
        .agg(
            coverage=pl.col("coverage").mean(),
            poor_sensors=pl.col("poor").sum(),
            sensors=pl.len(),
        )
        .with_columns(
            data_quality_status=pl.when(
                (pl.col("poor_sensors") / pl.col("sensors") > rules.max_poor_sensor_share)
                | (pl.col("coverage") < rules.min_coverage)
            )
            .then(pl.lit(INSUFFICIENT))
            .otherwise(pl.lit("ok"))
        )
        .sort("night", "asset_id")
    )
