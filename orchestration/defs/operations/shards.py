"""Where a sharded plant's per-shard chains meet: the fleet's scorecard and daily aggregates.

Only a plant with several shards has these: its per-reading steps (raw readings, cleaning,
scorecard, daily aggregates) run once per shard, in parallel, under `<shard>/<asset>` keys; the
fleet-wide assets downstream (window features, scores, report) read the two small tables below,
each the shards' rows put together. A one-shard plant's chain carries the plain names itself.
"""

import dagster as dg
import polars as pl

from data_quality.scorecard import ScorecardRules
from orchestration.defs.plant import NIGHTLY, OWNERS, SHARDS, shard_key
from orchestration.defs.quality.assets import scorecard_metadata
from orchestration.defs.resources import PlantResource

DAILY_KEYS = ["asset_id", "sensor", "day", "night", "regime"]


def _of_every_shard(name: str) -> dict[str, dg.AssetIn]:
    return {shard: dg.AssetIn(key=shard_key(shard, name)) for shard in SHARDS.names}


def fleet_assets() -> list[dg.AssetsDefinition]:
    """The fan-in assets of a sharded plant (none for one shard)."""

    @dg.asset(
        group_name="quality",
        owners=OWNERS,
        kinds={"polars"},
        ins=_of_every_shard("data_quality_scorecard"),
        **NIGHTLY,
    )
    def data_quality_scorecard(plant: PlantResource, **shards: pl.DataFrame):
        """Per asset and sensor each night: coverage, freshness, quarantine share, sensor flags."""
        card = pl.concat(shards.values(), how="diagonal_relaxed").sort(
            "night", "asset_id", "sensor"
        )
        rules = ScorecardRules(min_coverage=plant.plant().quality.min_coverage_for_score)
        return dg.MaterializeResult(value=card, metadata=scorecard_metadata(card, rules))

    @dg.asset(
        group_name="features",
        owners=OWNERS,
        kinds={"polars"},
        ins=_of_every_shard("sensor_daily_aggregates"),
        **NIGHTLY,
    )
    def sensor_daily_aggregates(**shards: pl.DataFrame) -> dg.MaterializeResult:
        """Per asset, sensor, day and regime: counts, sums, extremes, mergeable across nights."""
        # in the order one shard's level 1 has: the fleet's features (and models) come out the same
        daily = pl.concat(shards.values(), how="diagonal_relaxed").sort(DAILY_KEYS)
        meta = {"rows": daily.height, "readings": int(daily["n"].sum() or 0), "shards": len(shards)}
        return dg.MaterializeResult(value=daily, metadata=meta)

    return [data_quality_scorecard, sensor_daily_aggregates]


FLEET = fleet_assets() if SHARDS.sharded else []
