"""The nightly job (ingest to write-back), its 02:00 schedule, the training and backtest jobs."""

import dagster as dg

from orchestration.defs.operations.freshness import historian_freshness
from orchestration.defs.plant import nightly_partitions

NIGHTLY_GROUPS = ["ingest", "quality", "features", "writeback"]
# evaluated by their sensor against the clock, not as part of a run (a backfill of old nights
# would find the newest night missing every time)
CLOCK_CHECKS = dg.AssetSelection.checks(*historian_freshness)

nightly = dg.define_asset_job(
    name="nightly",
    description="One night: pull exports, gate and clean them, build features, score, write back.",
    selection=(dg.AssetSelection.groups(*NIGHTLY_GROUPS) | dg.AssetSelection.assets("risk_scores"))
    - CLOCK_CHECKS,
    partitions_def=nightly_partitions,
)

training = dg.define_asset_job(
    name="training",
    description="Label failures from work orders, train the risk model, and promote it if it wins.",
    selection=dg.AssetSelection.assets("failure_labels", "failure_risk_model"),
)

backtest = dg.define_asset_job(
    name="backtest",
    description="Replay past months night by night with models retrained on what was known then.",
    selection=dg.AssetSelection.assets("risk_backtest"),
)

nightly_schedule = dg.build_schedule_from_partitioned_job(
    nightly,
    hour_of_day=2,
    name="nightly_at_0200_plant_time",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
