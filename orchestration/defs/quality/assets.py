"""Cleaning: clean readings and the quarantine, reconciled so that raw = clean + quarantined."""

from collections import Counter
from datetime import date, timedelta

import dagster as dg
import polars as pl

from data_quality.flags import FlagRules
from data_quality.gx_runner import SuiteReport, combine_reports
from data_quality.readings_batch import ReadingRules, gate_and_clean
from data_quality.scorecard import ScorecardRules, asset_status, sensor_scorecard
from foresight.batches import night_batches
from foresight.plant import Plant
from orchestration.defs.ingest.assets import gx_results_dir
from orchestration.defs.io import NightFiles, staged
from orchestration.defs.metadata import markdown_table
from orchestration.defs.operations.progress import log_progress
from orchestration.defs.plant import NIGHTLY, OWNERS, SHARDS, nights_of, shard_key
from orchestration.defs.quality.gate import check_result, gate_spec
from orchestration.defs.resources import PlantResource

DEDUP_LOOKBACK_NIGHTS = 3  # late copies of a reading arrive up to this many nights later
CLEAN_TEXT = "Readings parsed, in canonical units and UTC, de-duplicated and flagged."
QUARANTINE_TEXT = "Each raw reading kept out of the clean set, with the rule that did so."


def cleaning_assets(shard: str) -> dg.AssetsDefinition:
    """The cleaning step of one shard: its clean readings, its quarantine and their gate."""
    clean_key = shard_key(shard, "sensor_readings_clean")

    @dg.multi_asset(
        name="clean_sensor_readings" if not SHARDS.sharded else f"{shard}__clean_sensor_readings",
        outs={
            "sensor_readings_clean": dg.AssetOut(
                key=clean_key,
                description=CLEAN_TEXT,
                group_name="quality",
                owners=OWNERS,
                kinds={"polars"},
            ),
            "quarantined_readings": dg.AssetOut(
                key=shard_key(shard, "quarantined_readings"),
                description=QUARANTINE_TEXT,
                group_name="quality",
                owners=OWNERS,
                kinds={"polars"},
            ),
        },
        check_specs=[gate_spec(clean_key, partitioned=True)],
        ins={
            "sensor_readings_raw": dg.AssetIn(
                key=shard_key(shard, "sensor_readings_raw"),
                partition_mapping=dg.TimeWindowPartitionMapping(
                    start_offset=-DEDUP_LOOKBACK_NIGHTS, allow_nonexistent_upstream_partitions=True
                ),
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
        recognise late duplicates. The gate is a blocking check of the clean readings: the
        quarantine is kept even when it fails, the features are not built. A backfill works in
        batches of nights (`operations.readings_per_batch`), each staged as it is done.
        """
        p = plant.plant()
        register = SHARDS.register_of(shard, asset_register) if SHARDS.sharded else asset_register
        batches = _batches(sensor_readings_raw, nights_of(context), p.operations.readings_per_batch)
        with (
            staged(p.state_dir, context, "sensor_readings_clean") as clean,
            staged(p.state_dir, context, "quarantined_readings") as quarantine,
        ):
            reports, counts = [], Counter()
            for done, nights in enumerate(batches, start=1):
                report, batch_counts = _clean_batch(
                    context,
                    p,
                    sensor_readings_raw,
                    nights,
                    register,
                    tag_catalog,
                    (clean, quarantine),
                )
                reports.append((_label(nights), report))
                counts.update(batch_counts)
                log_progress(context, _progress_text(batch_counts), nights, done, len(batches))
        raw_rows = counts["raw_rows"]
        meta = {
            "raw_rows": raw_rows,
            **_counts(counts),
            "quarantined_share": round(counts["quarantined"] / raw_rows, 4) if raw_rows else 0.0,
            "reconciled (raw = clean + quarantined)": True,
        }
        yield dg.Output(clean, output_name="sensor_readings_clean", metadata=meta)
        yield dg.Output(quarantine, output_name="quarantined_readings", metadata=_counts(counts))
        yield check_result(combine_reports(reports), clean_key)

    return clean_sensor_readings


def _batches(raw: pl.LazyFrame, nights: list[date], budget: int) -> list[list[date]]:
    """The run's nights in batches of at most `budget` raw readings (counted from one column)."""
    rows = raw.filter(pl.col("night").is_in(nights)).group_by("night").len().collect()
    return night_batches(dict(rows.iter_rows()), nights, budget)


def _clean_batch(
    context: dg.AssetExecutionContext,
    p: Plant,
    lazy_raw: pl.LazyFrame,
    nights: list[date],
    register: pl.DataFrame,
    catalog: pl.DataFrame,
    out: tuple[NightFiles, NightFiles],
) -> tuple[SuiteReport, Counter]:
    """Gate and clean one batch of nights, stage its clean rows and its quarantine per night."""
    raw = lazy_raw.filter(pl.col("night").is_in(nights)).collect(engine="streaming")
    lookback = min(nights) - timedelta(days=DEDUP_LOOKBACK_NIGHTS)
    results = gx_results_dir(p, context)
    batch = gate_and_clean(
        raw,
        catalog,
        register,
        nights=nights,
        timezone=p.timezone,
        run_id=context.run.run_id,
        rules=reading_rules(p),
        earlier=lazy_raw.filter(pl.col("night").is_between(lookback, min(nights), closed="left")),
        results_dir=results if len(nights) == len(nights_of(context)) else results / _label(nights),
    )
    out[0].write_by_night(nights, batch.result.clean)
    out[1].write_by_night(nights, batch.result.quarantine)
    return batch.report, batch.counts


def reading_rules(p: Plant) -> ReadingRules:
    """The plant file's `quality:` limits for the readings gate and the sensor flags."""
    q = p.quality
    return ReadingRules(
        max_unknown=q.max_unknown_asset_share,
        max_malformed=q.max_malformed_share,
        min_reporting_share=q.min_reporting_share,
        flags=FlagRules(q.stuck_run_hours, q.spike_robust_z),
    )


def _label(nights: list[date]) -> str:
    return str(nights[0]) if len(nights) == 1 else f"{nights[0]}_{nights[-1]}"


def _counts(counts: Counter) -> dict[str, int]:
    """Clean, quarantined and per-reason counts, in the order the metadata has always shown."""
    return {
        k: v
        for k, v in sorted(counts.items())
        if k != "raw_rows" and (k in ("clean", "quarantined") or k.startswith("quarantined."))
    }


def _progress_text(counts: Counter) -> str:
    raw, clean, quarantined = counts["raw_rows"], counts["clean"], counts["quarantined"]
    return f"{raw:,} raw readings, {clean:,} clean, {quarantined:,} quarantined"


CLEANING = [cleaning_assets(shard) for shard in SHARDS.names]


def scorecard_asset(shard: str) -> dg.AssetsDefinition:
    """The data-quality scorecard of one shard's assets."""

    @dg.asset(
        key=shard_key(shard, "data_quality_scorecard"),
        group_name="quality",
        owners=OWNERS,
        kinds={"polars"},
        ins={
            "sensor_readings_clean": dg.AssetIn(key=shard_key(shard, "sensor_readings_clean")),
            "quarantined_readings": dg.AssetIn(key=shard_key(shard, "quarantined_readings")),
        },
        **NIGHTLY,
    )
    def data_quality_scorecard(
        context: dg.AssetExecutionContext,
        plant: PlantResource,
        sensor_readings_clean: pl.LazyFrame,
        quarantined_readings: pl.LazyFrame,
        tag_catalog: pl.DataFrame,
        asset_register: pl.DataFrame,
    ) -> dg.MaterializeResult:
        """Per asset and sensor each night: coverage, freshness, quarantine share, sensor flags."""
        p = plant.plant()
        rules = ScorecardRules(min_coverage=p.quality.min_coverage_for_score)
        register = SHARDS.register_of(shard, asset_register) if SHARDS.sharded else asset_register
        batches = _batches(
            sensor_readings_clean, nights_of(context), p.operations.readings_per_batch
        )
        cards = []
        for nights in batches:
            of = pl.col("night").is_in(nights)
            clean = sensor_readings_clean.filter(of).collect(engine="streaming")
            quarantine = quarantined_readings.filter(of).collect(engine="streaming")
            cards.append(sensor_scorecard(clean, quarantine, tag_catalog, register, nights, rules))
        card = pl.concat(cards)
        return dg.MaterializeResult(value=card, metadata=scorecard_metadata(card, rules))

    return data_quality_scorecard


def scorecard_metadata(card: pl.DataFrame, rules: ScorecardRules) -> dict:
    """Was the night sane, per sensor: how many sensors are poor, the ten poorest."""
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
    return {
        "sensors": card.height,
        "poor_sensors": int(card["poor"].sum()),
        "assets_insufficient": int((status["data_quality_status"] != "ok").sum()),
        "mean_coverage": round(float(card["coverage"].mean() or 0.0), 3),
        "poorest_sensors": dg.MetadataValue.md(markdown_table(worst)),
    }


SCORECARDS = [scorecard_asset(shard) for shard in SHARDS.names]
