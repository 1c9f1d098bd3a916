"""Freshness: flag a source that stopped delivering.

- The CMMS work orders and the MES production orders are read whole every night, so a stalled
  export would go unnoticed: a check on each says how old its newest record is, as of the run's
  night (`operations.freshness_days` in the plant file), and warns past the limit.
- The historian drives the nightly runs: if its exports stop, the arrival sensor requests nothing
  and no gate fails. Dagster's time-partition freshness check on the raw readings (each shard's)
  warns when the previous night has not been materialized by 06:00 plant time; the sensor below
  evaluates it (the daemon runs it).
"""

from datetime import date

import dagster as dg
import polars as pl

from data_quality.freshness import source_freshness
from orchestration.defs.plant import PLANT, SHARDS, night_of, shard_key
from orchestration.defs.resources import PlantResource

CHECK = "source_still_delivers"


def _run_night(context: dg.AssetCheckExecutionContext) -> date:
    """The run's (last) night: its partition, the end of its range, else today in plant time."""
    tags = context.run.tags
    key = tags.get("dagster/partition") or tags.get("dagster/asset_partition_range_end")
    if key:
        return night_of(key)
    from datetime import datetime

    return datetime.now(PLANT.zone).date()


def _result(
    context, frame: pl.DataFrame, column: str, source: str, limit: float, timezone: str
) -> dg.AssetCheckResult:
    verdict = source_freshness(frame, column, _run_night(context), timezone, limit, source)
    return dg.AssetCheckResult(
        passed=verdict.passed,
        severity=dg.AssetCheckSeverity.WARN,
        description=verdict.sentence(),
        # no record at all: no age (not -1, and a newest record at the cut-off is 0.0, not -1)
        metadata={"newest_record": str(verdict.newest), "age_days": verdict.age_days},
    )


@dg.asset_check(asset="maintenance_logs", name=CHECK, blocking=False)
def maintenance_logs_still_deliver(
    context: dg.AssetCheckExecutionContext, plant: PlantResource, maintenance_logs: pl.DataFrame
) -> dg.AssetCheckResult:
    """The CMMS's newest work order is recent (a stalled export would feed stale labels)."""
    p = plant.plant()
    if p.run_to_failure is not None:
        return dg.AssetCheckResult(passed=True, description="run-to-failure histories: no export")
    limit = p.operations.freshness_days.maintenance_logs
    return _result(context, maintenance_logs, "opened_utc", "CMMS work orders", limit, p.timezone)


@dg.asset_check(asset="production_context", name=CHECK, blocking=False)
def production_context_still_delivers(
    context: dg.AssetCheckExecutionContext, plant: PlantResource, production_context: pl.DataFrame
) -> dg.AssetCheckResult:
    """The MES's newest production order is recent (load regimes would go stale)."""
    p = plant.plant()
    if p.sources.production_context is None:
        return dg.AssetCheckResult(passed=True, description="no production context configured")
    limit = p.operations.freshness_days.production_context
    return _result(
        context, production_context, "start_utc", "MES production orders", limit, p.timezone
    )


historian_freshness = dg.build_time_partition_freshness_checks(
    assets=[shard_key(shard, "sensor_readings_raw") for shard in SHARDS.names],
    deadline_cron="0 6 * * *",
    timezone=PLANT.timezone,
    severity=dg.AssetCheckSeverity.WARN,
)
historian_freshness_sensor = dg.build_sensor_for_freshness_checks(
    freshness_checks=historian_freshness, name="historian_freshness"
)
