"""Cleaning: clean readings and the quarantine, reconciled so that raw = clean + quarantined."""

import dagster as dg
import polars as pl

from data_quality.cleaning import classify_readings, clean_classified
from data_quality.flags import FlagRules
from data_quality.readings_gate import validate_classified
from data_quality.scorecard import ScorecardRules, asset_status, sensor_scorecard
from orchestration.defs.ingest.assets import gx_results_dir
from orchestration.defs.metadata import markdown_table
from orchestration.defs.plant import NIGHTLY, OWNERS, nights_of
from orchestration.defs.quality.gate import check_result, gate_spec
from orchestration.defs.resources import PlantResource

DEDUP_LOOKBACK_NIGHTS = 3  # late copies of a reading arrive up to this many nights later


@dg.multi_asset(
    outs={
        "sensor_readings_clean": dg.AssetOut(
            description="Readings parsed, in canonical units and UTC, de-duplicated and flagged.",
            group_name="quality",
            owners=OWNERS,
            kinds={"polars"},
        ),
        "quarantined_readings": dg.AssetOut(
            description="Each raw reading kept out of the clean set, with the rule that did so.",
            group_name="quality",
            owners=OWNERS,
            kinds={"polars"},
        ),
    },
    check_specs=[gate_spec("sensor_readings_clean", partitioned=True)],
    ins={
        "sensor_readings_raw": dg.AssetIn(
            partition_mapping=dg.TimeWindowPartitionMapping(
                start_offset=-DEDUP_LOOKBACK_NIGHTS, allow_nonexistent_upstream_partitions=True
            )
        )
    },
    **NIGHTLY,
)
def clean_sensor_readings(
    context: dg.AssetExecutionContext,
    plant: PlantResource,
    sensor_readings_raw: pl.LazyFrame,
    asset_register: pl.DataFrame,
    tag_catalog: pl.DataFrame,
):
    """Apply every rule to every raw row once: the readings gate (GX) and the cleaning use it.

    Of the earlier nights, only the rows that could repeat one of tonight's are read, to
    recognise late duplicates. The gate is a blocking check of
    the clean readings: the quarantine is kept even when it fails, the features are not built.
    """
    p = plant.plant()
    nights = nights_of(context)
    raw = sensor_readings_raw.filter(pl.col("night").is_in(nights)).collect(engine="streaming")
    earlier = sensor_readings_raw.filter(pl.col("night") < min(nights))
    classified = classify_readings(raw, tag_catalog, asset_register, p.timezone, earlier=earlier)
    report = validate_classified(
        classified,
        asset_register,
        nights=nights,
        max_unknown=p.quality.max_unknown_asset_share,
        max_malformed=p.quality.max_malformed_share,
        min_reporting_share=p.quality.min_reporting_share,
        results_dir=gx_results_dir(p, context),
    )
    rules = FlagRules(p.quality.stuck_run_hours, p.quality.spike_robust_z)
    result = clean_classified(classified, nights=nights, run_id=context.run.run_id, rules=rules)
    raw_rows = raw.height
    counts = result.counts()
    reconciled = raw_rows == counts["clean"] + counts["quarantined"]
    share = round(counts["quarantined"] / raw_rows, 4) if raw_rows else 0.0
    meta = {
        "raw_rows": raw_rows,
        **counts,
        "quarantined_share": share,
        "reconciled (raw = clean + quarantined)": reconciled,
    }
    if not reconciled:
        raise dg.Failure(f"cleaning lost rows: raw {raw_rows} != clean + quarantined {counts}")
    yield dg.Output(result.clean, output_name="sensor_readings_clean", metadata=meta)
    yield dg.Output(result.quarantine, output_name="quarantined_readings", metadata=counts)
    yield check_result(report, "sensor_readings_clean")


@dg.asset(
    group_name="quality",
    owners=OWNERS,
    kinds={"polars"},
    **NIGHTLY,
)
def data_quality_scorecard(
    context: dg.AssetExecutionContext,
    plant: PlantResource,
    sensor_readings_clean: pl.DataFrame,
    quarantined_readings: pl.DataFrame,
    tag_catalog: pl.DataFrame,
    asset_register: pl.DataFrame,
) -> dg.MaterializeResult:
    """Per asset and sensor each night: coverage, freshness, quarantine share, sensor flags."""
    rules = ScorecardRules(min_coverage=plant.plant().quality.min_coverage_for_score)
    card = sensor_scorecard(
        sensor_readings_clean,
        quarantined_readings,
        tag_catalog,
        asset_register,
        nights_of(context),
        rules,
    )
    status = asset_status(card, rules)
    worst = (
        card.filter(pl.col("poor"))
        .sort("coverage")
        .head(10)
        .select(
            "night",
            "asset_id",
            "sensor",
            "coverage",
            "share_quarantined",
            "stuck",
            "dead",
            "spikes",
        )
    )
    return dg.MaterializeResult(
        value=card,
        metadata={
            "sensors": card.height,
            "poor_sensors": int(card["poor"].sum()),
            "assets_insufficient": int((status["data_quality_status"] != "ok").sum()),
            "mean_coverage": round(float(card["coverage"].mean() or 0.0), 3),
            "poorest_sensors": dg.MetadataValue.md(markdown_table(worst)),
        },
    )
