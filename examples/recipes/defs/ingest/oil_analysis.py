"""Recipe (a), a new source: the oil laboratory's analyses, gated like every other source.

Enable: copy to orchestration/defs/ingest/oil_analysis.py (docs/recipes/new-source.md). It then
joins the nightly job (group `ingest`) and reads the lab's export every night.
"""

import dagster as dg
import polars as pl
from pydantic import Field

from connectors.records import RecordExport, read_records
from connectors.site import aliases
from data_quality.records import validate_records
from orchestration.defs.ingest.assets import gx_results_dir
from orchestration.defs.metadata import table_metadata
from orchestration.defs.plant import OWNERS
from orchestration.defs.quality.gate import check_result, gate_spec
from orchestration.defs.resources import PlantResource

# the lab's column names -> Foresight's; times are the plant's local wall-clock time
LAB_EXPORT = RecordExport(
    what="oil analysis",
    columns={
        "sample_id": "sample_no",
        "asset_id": "equipment",
        "sampled_at": "sampled",
        "reported_at": "reported",
        "iron_ppm": "fe_ppm",
        "water_ppm": "h2o_ppm",
        "viscosity_cst": "visc40_cst",
    },
    times=("sampled_at", "reported_at"),
    numbers=("iron_ppm", "water_ppm", "viscosity_cst"),
)
PLAUSIBLE = {"iron_ppm": (0, 2000), "water_ppm": (0, 50000), "viscosity_cst": (5, 1000)}


class OilAnalysisConfig(dg.Config):
    """Where the lab's exports are."""

    files: str = Field(
        "{exports}/lab/oil_analysis*.csv",
        description="Path or glob of the lab's CSV exports; {exports}, {state} and {plant_dir} "
        "are the plant's folders, a relative path is relative to the plant file.",
    )


@dg.asset(
    group_name="ingest",
    owners=OWNERS,
    kinds={"polars", "csv"},
    check_specs=[gate_spec("oil_analysis")],
)
def oil_analysis(
    context: dg.AssetExecutionContext,
    config: OilAnalysisConfig,
    plant: PlantResource,
    asset_register: pl.DataFrame,
):
    """Oil samples from the lab: iron, water and viscosity per asset, when sampled and reported."""
    p = plant.plant()
    records = read_records(p.path_of(config.files), LAB_EXPORT, p.timezone, aliases(p))
    report = validate_records(
        "oil_analysis",
        records,
        asset_register,
        PLAUSIBLE,
        unique_on=("asset_id", "sampled_at_utc"),
        results_dir=gx_results_dir(p, context),
    )
    yield dg.Output(records, metadata=table_metadata(records))
    yield check_result(report, "oil_analysis")
