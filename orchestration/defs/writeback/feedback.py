"""Feedback from the floor: how technicians judged Foresight's earlier predictive work requests."""

import dagster as dg
import polars as pl

from connectors.feedback import read_dispositions, technician_precision, unrecognised_dispositions
from connectors.interface_tables import interface_tables
from connectors.writeback import upgrade_tables
from foresight.demo import answer_work_requests
from orchestration.defs.metadata import markdown_table
from orchestration.defs.plant import NIGHTLY, OWNERS, nights_of
from orchestration.defs.resources import CmmsDatabase, PlantResource


def _feedback_metadata(feedback: pl.DataFrame, answered: dict | None) -> dict:
    precision = technician_precision(feedback)
    overall = precision.filter(pl.col("group") == "overall").row(0, named=True)
    unknown = unrecognised_dispositions(feedback)
    return {
        "requests": feedback.height,
        "technician_precision": overall["precision"],
        **{d: overall[d] for d in ("fault_confirmed", "no_fault_found", "deferred", "awaiting")},
        "precision_table": dg.MetadataValue.md(markdown_table(precision)),
        "unrecognised_dispositions": dg.MetadataValue.md(markdown_table(unknown)),
        "answered_tonight_by_simulated_technicians": (
            "nobody: not a simulated plant, or shadow mode"
            if answered is None
            else ", ".join(f"{n} {d}" for d, n in sorted(answered.items())) or "none due"
        ),
    }


@dg.asset(
    group_name="writeback",
    owners=OWNERS,
    kinds={"sqlalchemy"},
    **NIGHTLY,
)
def technician_feedback(
    context: dg.AssetExecutionContext, plant: PlantResource, cmms: CmmsDatabase
) -> dg.MaterializeResult:
    """What technicians found on Foresight's work requests: confirmed, no fault found, deferred."""
    p, night = plant.plant(), nights_of(context)[-1]  # a range run reads as of its last night
    url = cmms.url(p)
    # tables of an earlier Foresight gain the columns read below, before anyone reads them
    upgrade_tables(url, interface_tables(p.cmms_target.mapping))
    # the floor works during the day, before tonight's write-back (simulated plants only)
    answered = answer_work_requests(p, night)
    feedback = read_dispositions(url, p.cmms_target.mapping)
    return dg.MaterializeResult(
        value=feedback.with_columns(night=pl.lit(night)),
        metadata=_feedback_metadata(feedback, answered),
    )
