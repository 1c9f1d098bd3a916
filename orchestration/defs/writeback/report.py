"""The planners' report: the night's ranked risk list as self-contained HTML and CSV."""

import dagster as dg
import polars as pl

from connectors.feedback import technician_precision
from connectors.work_request_table import read_open_requests, requests_of_night, shadow_sentence
from orchestration.defs.plant import NIGHTLY, OWNERS, nights_of
from orchestration.defs.resources import CmmsDatabase, PlantResource
from orchestration.defs.writeback.assets import cmms_risk_scores
from reports.publish import publish_report
from reports.risk_report import ReportInputs

HISTORY_NIGHTS = 60


def _night_warnings(context: dg.AssetExecutionContext) -> list[str]:
    """Quality rules that failed tonight without blocking the run (this run's check results)."""
    events = context.instance.all_logs(
        context.run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    )
    texts = [e.dagster_event.event_specific_data.description for e in events if e.dagster_event]
    return [t for t in texts if t and t != "all rules passed"]


def _recent(partitions: int) -> dg.AssetIn:
    mapping = dg.TimeWindowPartitionMapping(
        start_offset=-partitions, allow_nonexistent_upstream_partitions=True
    )
    return dg.AssetIn(partition_mapping=mapping)


@dg.asset(
    group_name="writeback",
    owners=OWNERS,
    kinds={"html"},
    **NIGHTLY,
    deps=[cmms_risk_scores],  # after the write-back, so that tonight's requests show
    ins={
        "risk_scores": _recent(HISTORY_NIGHTS),
        "sensor_daily_aggregates": _recent(HISTORY_NIGHTS),
    },
)
def planner_report(
    context: dg.AssetExecutionContext,
    plant: PlantResource,
    cmms: CmmsDatabase,
    risk_scores: pl.DataFrame,
    sensor_daily_aggregates: pl.DataFrame,
    maintenance_failure_modes: pl.DataFrame,
    asset_register: pl.DataFrame,
    technician_feedback: pl.DataFrame,
) -> dg.MaterializeResult:
    """The night's risk list for planners: trends, remaining life, reasons, plots (HTML, CSV)."""
    p, night = plant.plant(), nights_of(context)[-1]
    url = cmms.url(p)
    tonight = risk_scores.filter(pl.col("as_of") == night)
    shadow = None
    if p.cmms_target.mode == "shadow":
        written = requests_of_night(url, night, p.cmms_target.mapping)
        shadow = shadow_sentence(tonight.height, written)
    inputs = ReportInputs(
        plant=p.name,
        night=night,
        scores=tonight,
        risk_history=risk_scores.filter(pl.col("as_of") < night).select(
            "asset_id", "as_of", "horizon_days", "risk"
        ),
        daily=sensor_daily_aggregates,
        work_orders=maintenance_failure_modes,
        register=asset_register,
        warnings=_night_warnings(context),
        requests=read_open_requests(url, p.cmms_target.mapping),
        feedback=technician_precision(technician_feedback.filter(pl.col("night") == night)),
        shadow_note=shadow,
    )
    page, csv = publish_report(inputs, p.state_dir / "reports")
    return dg.MaterializeResult(
        metadata={
            "night": night.isoformat(),
            "scores": tonight.height,
            "html": dg.MetadataValue.path(str(page)),
            "csv": dg.MetadataValue.path(str(csv)),
        }
    )
