"""Features: daily aggregates of every sensor (level 1) and point-in-time windows per asset (level 2)."""

import dagster as dg
import polars as pl

from features.context import (
    assemble_features,
    build_load_features,
    build_maintenance_features,
    daily_load,
)
from features.daily import aggregate_daily
from features.spec import load_feature_spec
from features.windows import build_window_features
from orchestration.defs.plant import OWNERS, nightly_partitions, nights_of
from orchestration.defs.resources import PlantResource

FEATURES = {"group_name": "features", "owners": OWNERS, "kinds": {"polars"}}
SPEC = load_feature_spec()


@dg.asset(
    **FEATURES, partitions_def=nightly_partitions, backfill_policy=dg.BackfillPolicy.single_run()
)
def sensor_daily_aggregates(
    plant: PlantResource, sensor_readings_clean: pl.DataFrame
) -> dg.MaterializeResult:
    """Per asset, sensor and day: count, sums, min, max, last and flagged count, mergeable across nights."""
    daily = aggregate_daily(sensor_readings_clean, plant.plant().timezone)
    return dg.MaterializeResult(
        value=daily, metadata={"rows": daily.height, "readings": int(daily["n"].sum() or 0)}
    )


@dg.asset(
    **FEATURES,
    partitions_def=nightly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    ins={
        "sensor_daily_aggregates": dg.AssetIn(
            partition_mapping=dg.TimeWindowPartitionMapping(
                start_offset=-SPEC.max_window_days, allow_nonexistent_upstream_partitions=True
            )
        )
    },
)
def window_features(
    context: dg.AssetExecutionContext,
    plant: PlantResource,
    sensor_daily_aggregates: pl.DataFrame,
    production_context: pl.DataFrame,
    maintenance_logs: pl.DataFrame,
    asset_register: pl.DataFrame,
) -> dg.MaterializeResult:
    """One row per asset and night: sensor windows, load context, maintenance history, attributes."""
    p, nights = plant.plant(), nights_of(context)
    windows = build_window_features(sensor_daily_aggregates, SPEC, nights)
    load = (
        build_load_features(daily_load(production_context, p.timezone), SPEC, nights)
        if production_context.height
        else pl.DataFrame(schema={"asset_id": pl.String, "as_of": pl.Date})
    )
    maintenance = build_maintenance_features(maintenance_logs, asset_register, nights, p.timezone)
    table = assemble_features(windows, load, maintenance, asset_register).with_columns(
        night=pl.col("as_of")
    )
    feature_cols = [c for c in table.columns if c not in ("asset_id", "as_of", "night")]
    return dg.MaterializeResult(
        value=table,
        metadata={
            "rows": table.height,
            "assets": table["asset_id"].n_unique(),
            "features": len(feature_cols),
            "columns": dg.MetadataValue.md("\n".join(f"- `{c}`" for c in feature_cols)),
        },
    )
