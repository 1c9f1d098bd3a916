"""Features: daily sensor aggregates (level 1) and point-in-time windows per asset (level 2)."""

import dagster as dg
import polars as pl

from features.build import build_feature_table
from features.daily import aggregate_daily, hourly_regimes
from features.notes import evaluate_recovery, fit_note_classifier, infer_failure_codes
from features.spec import load_feature_spec
from foresight.batches import night_batches
from orchestration.defs.operations.progress import log_progress
from orchestration.defs.plant import NIGHTLY, OWNERS, SHARDS, nights_of, shard_key
from orchestration.defs.resources import PlantResource

FEATURES = {"group_name": "features", "owners": OWNERS, "kinds": {"polars"}}
SPEC = load_feature_spec()


def daily_aggregates_asset(shard: str) -> dg.AssetsDefinition:
    """Level 1 of one shard's readings (of the whole fleet for a one-shard plant)."""

    @dg.asset(
        key=shard_key(shard, "sensor_daily_aggregates"),
        ins={"sensor_readings_clean": dg.AssetIn(key=shard_key(shard, "sensor_readings_clean"))},
        **FEATURES,
        **NIGHTLY,
    )
    def sensor_daily_aggregates(
        context: dg.AssetExecutionContext,
        plant: PlantResource,
        sensor_readings_clean: pl.LazyFrame,
        production_context: pl.DataFrame,
    ) -> dg.MaterializeResult:
        """Per asset, sensor, day and regime: counts, sums, extremes, mergeable across nights."""
        p, nights = plant.plant(), nights_of(context)
        regimes = hourly_regimes(production_context) if production_context.height else None
        counts = sensor_readings_clean.group_by("night").len().collect()
        batches = night_batches(dict(counts.iter_rows()), nights, p.operations.readings_per_batch)
        parts = []
        for done, batch in enumerate(batches, start=1):
            clean = sensor_readings_clean.filter(pl.col("night").is_in(batch))
            parts.append(aggregate_daily(clean.collect(), p.timezone, regimes, SPEC.limits))
            log_progress(context, f"{parts[-1].height:,} daily rows", batch, done, len(batches))
        daily = pl.concat(parts)
        return dg.MaterializeResult(
            value=daily, metadata={"rows": daily.height, "readings": int(daily["n"].sum() or 0)}
        )

    return sensor_daily_aggregates


DAILY_AGGREGATES = [daily_aggregates_asset(shard) for shard in SHARDS.names]


@dg.asset(**FEATURES)
def maintenance_failure_modes(
    plant: PlantResource, maintenance_logs: pl.DataFrame
) -> dg.MaterializeResult:
    """Work orders with failure codes read from technicians' notes where the code field is empty."""
    p = plant.plant()
    model = fit_note_classifier(maintenance_logs)
    orders = infer_failure_codes(maintenance_logs, model)
    meta = {
        "corrective_orders": int((orders["wo_type"] == "CM").sum()),
        "codes_from_notes": int((orders["failure_code_source"] == "notes").sum()),
        "codes_missing": int(
            ((orders["wo_type"] == "CM") & orders["failure_code_inferred"].is_null()).sum()
        ),
    }
    truth = p.exports_dir / "ground_truth" / "failures.parquet"
    if p.simulator is not None and truth.is_file():  # a simulated plant knows the truth: measure
        recovery = evaluate_recovery(orders, pl.read_parquet(truth))
        meta |= {
            "notes_only_failures (truth)": recovery.true_notes_only,
            "recovered_precision": round(recovery.precision, 3),
            "recovered_recall": round(recovery.recall, 3),
        }
    return dg.MaterializeResult(value=orders, metadata=meta)


@dg.asset(
    **FEATURES,
    **NIGHTLY,
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
    maintenance_failure_modes: pl.DataFrame,
    asset_register: pl.DataFrame,
) -> dg.MaterializeResult:
    """One row per asset and night: sensor windows, load, maintenance history, attributes."""
    p = plant.plant()
    table = build_feature_table(
        sensor_daily_aggregates,
        production_context,
        maintenance_failure_modes,
        asset_register,
        SPEC,
        nights_of(context),
        p.timezone,
    ).with_columns(night=pl.col("as_of"))
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
