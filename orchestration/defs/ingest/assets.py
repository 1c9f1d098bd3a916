"""Source assets: asset register, tag catalogue, maintenance logs, production context, readings."""

from datetime import date

import dagster as dg
import polars as pl

from connectors import site
from data_quality.suites import (
    validate_asset_register,
    validate_production_context,
    validate_work_orders,
)
from orchestration.defs.io import staged
from orchestration.defs.metadata import md
from orchestration.defs.operations.progress import log_progress
from orchestration.defs.operations.retries import SOURCE_RETRY, source_errors
from orchestration.defs.plant import NIGHTLY, OWNERS, SHARDS, nights_of, shard_key
from orchestration.defs.quality.gate import CHECK_NAME, check_result, gate_spec
from orchestration.defs.resources import PlantResource

INGEST = {
    "group_name": "ingest",
    "owners": OWNERS,
    "kinds": {"polars"},
    "retry_policy": SOURCE_RETRY,
}


@dg.asset(**INGEST, check_specs=[gate_spec("asset_register")])
def asset_register(
    context: dg.AssetExecutionContext, plant: PlantResource, tag_catalog: pl.DataFrame
):
    """The asset register: each asset's type, site, criticality and commissioning date."""
    p = plant.plant()
    with source_errors():
        register = site.read_register(p)
    report = validate_asset_register(
        register, tag_catalog, date.today(), gx_results_dir(p, context)
    )
    by_type = register.group_by("asset_type", "status").len("assets").sort("asset_type", "status")
    yield dg.Output(
        register,
        metadata={
            "assets": register.height,
            "active": int((register["status"] == "active").sum()),
            "by_type": md(by_type),
        },
    )
    yield check_result(report, "asset_register")


@dg.asset(**INGEST)
def tag_catalog(plant: PlantResource) -> dg.MaterializeResult:
    """Sensor metadata per asset type: canonical unit and physically valid range of every tag."""
    p = plant.plant()
    with source_errors():
        catalog = site.read_catalog(p)
    return dg.MaterializeResult(
        value=catalog,
        metadata={"tags": catalog.height, "asset_types": catalog["asset_type"].n_unique()},
    )


@dg.asset(**INGEST, check_specs=[gate_spec("maintenance_logs")])
def maintenance_logs(
    context: dg.AssetExecutionContext, plant: PlantResource, asset_register: pl.DataFrame
):
    """Work orders (preventive, corrective, inspections), times in UTC, with their notes."""
    p = plant.plant()
    with source_errors():
        orders = site.read_logs(p)
    report = validate_work_orders(orders, asset_register, gx_results_dir(p, context))
    yield dg.Output(
        orders,
        metadata={
            "work_orders": orders.height,
            "corrective": int((orders["wo_type"] == "CM").sum()),
            "assets": orders["asset_id"].n_unique(),
            "opened": f"{orders['opened_utc'].min()} .. {orders['opened_utc'].max()}",
        },
    )
    yield check_result(report, "maintenance_logs")


@dg.asset(**INGEST, check_specs=[gate_spec("production_context")])
def production_context(
    context: dg.AssetExecutionContext, plant: PlantResource, asset_register: pl.DataFrame
):
    """Production orders from the MES: product spec, material batch and load regime over time."""
    p = plant.plant()
    if p.sources.production_context is None:
        orders = pl.DataFrame(schema={"asset_id": pl.String, "start_utc": pl.Datetime("us", "UTC")})
        yield dg.Output(orders, metadata={"orders": 0, "note": "no production context configured"})
        yield dg.AssetCheckResult(
            asset_key="production_context",
            check_name=CHECK_NAME,
            passed=True,
            description="all rules passed",  # nothing configured, nothing to check
        )
        return
    with source_errors():
        orders = site.read_context(p)
    report = validate_production_context(orders, asset_register, gx_results_dir(p, context))
    yield dg.Output(
        orders, metadata={"orders": orders.height, "assets": orders["asset_id"].n_unique()}
    )
    yield check_result(report, "production_context")


def readings_raw_asset(shard: str) -> dg.AssetsDefinition:
    """The raw readings of one shard (of the whole fleet for a one-shard plant)."""
    register_in = {"asset_register": dg.AssetIn()} if SHARDS.needs_register else {}

    @dg.asset(key=shard_key(shard, "sensor_readings_raw"), ins=register_in, **INGEST, **NIGHTLY)
    def sensor_readings_raw(context: dg.AssetExecutionContext, plant: PlantResource, **register):
        """Historian files that arrived on the night(s), as raw text rows (nothing parsed away).

        Their GX gate runs with the cleaning (`sensor_readings_clean`), which applies every rule
        to every row once for both.
        """
        p, nights = plant.plant(), nights_of(context)
        keep = SHARDS.selector(shard, register.get("asset_register")) if SHARDS.sharded else None
        batches, files = site.reading_batches(p, nights), 0
        with staged(p.state_dir, context, "") as out, source_errors():
            for done, batch in enumerate(batches, start=1):
                raw = site.read_readings(p, batch, keep)
                out.write_by_night(batch, raw)
                files += raw["source_file"].n_unique() if raw.height else 0
                log_progress(
                    context, f"{raw.height:,} raw readings read", batch, done, len(batches)
                )
        return dg.MaterializeResult(
            value=out, metadata={"rows": out.rows, "files": files, "nights": len(nights)}
        )

    return sensor_readings_raw


READINGS_RAW = [readings_raw_asset(shard) for shard in SHARDS.names]


def gx_results_dir(p, context: dg.AssetExecutionContext):
    """Where GX keeps this run's validation results (JSON), next to the plant's state."""
    return p.state_dir / "quality" / context.run.run_id
