"""Write-back: the night's scores into the CMMS interface tables, in one idempotent transaction."""

from datetime import timedelta

import dagster as dg
import polars as pl

from connectors.work_request_table import (
    assets_requested_between,
    requests_of_night,
    shadow_sentence,
)
from connectors.writeback import write_scores
from models.work_requests import propose_work_requests
from orchestration.defs.plant import NIGHTLY, OWNERS
from orchestration.defs.resources import CmmsDatabase, PlantResource
from orchestration.defs.writeback.feedback import technician_feedback


@dg.asset(
    group_name="writeback",
    owners=OWNERS,
    kinds={"sqlalchemy"},
    **NIGHTLY,
    deps=[technician_feedback],  # the day's answers are in before tonight's requests are written
)
def cmms_risk_scores(
    context: dg.AssetExecutionContext,
    plant: PlantResource,
    cmms: CmmsDatabase,
    risk_scores: pl.DataFrame,
):
    """Risk scores as the CMMS sees them; a shadow-mode plant writes to a shadow database."""
    p = plant.plant()
    target, url = p.cmms_target, cmms.url(p)
    p.state_dir.mkdir(parents=True, exist_ok=True)
    tonight = risk_scores.filter(pl.col("as_of") == risk_scores["as_of"].max())
    night = tonight["as_of"].max()
    snooze = p.work_request_snooze_nights
    snoozed = (
        assets_requested_between(
            url, night - timedelta(days=snooze), night - timedelta(days=1), target.mapping
        )
        if snooze
        else set()
    )
    requests = propose_work_requests(
        tonight, p.planners_daily_capacity, p.work_request_min_risk, snoozed
    )
    summary = write_scores(
        url,
        risk_scores,
        run_id=context.run.run_id,
        requests=requests,
        mapping=target.mapping,
    )
    written = requests_of_night(url, night, target.mapping)
    live = "off: written to the live CMMS"
    shadow = shadow_sentence(tonight.height, written) if target.mode == "shadow" else live
    return dg.MaterializeResult(
        metadata={
            "shadow_mode": shadow,
            "rows_written": summary.rows,
            "work_requests_proposed": requests.height,
            "assets_snoozed": len(snoozed),
            "work_requests_opened_or_updated": summary.requests_changed,
            "mode": target.mode,
            "target": summary.target,
            "tables": ", ".join(summary.tables),
        }
    )
