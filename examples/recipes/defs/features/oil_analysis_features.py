"""Recipe (b), a new feature family: oil analysis as of each night, from the source of recipe (a).

Enable: copy to orchestration/defs/features/oil_analysis_features.py, with recipe (a) enabled
(docs/recipes/new-feature-family.md). It joins the nightly job (group `features`).
"""

import dagster as dg
import polars as pl
from pydantic import Field

from features.records import build_record_features
from orchestration.defs.metadata import table_metadata
from orchestration.defs.plant import NIGHTLY, OWNERS, nights_of
from orchestration.defs.resources import PlantResource


class OilAnalysisFeaturesConfig(dg.Config):
    """What a data scientist may vary in this family."""

    windows_days: list[int] = Field(
        [90], description="Mean of the results reported in the last N days, one column per N."
    )


@dg.asset(group_name="features", owners=OWNERS, kinds={"polars"}, **NIGHTLY)
def oil_analysis_features(
    context: dg.AssetExecutionContext,
    config: OilAnalysisFeaturesConfig,
    plant: PlantResource,
    oil_analysis: pl.DataFrame,
    asset_register: pl.DataFrame,
) -> dg.MaterializeResult:
    """Per asset and night: the latest oil analysis the lab had reported by then, and its trend."""
    table = build_record_features(
        oil_analysis,
        asset_register["asset_id"].to_list(),
        nights_of(context),
        plant.plant().timezone,
        prefix="oil",
        values=("iron_ppm", "water_ppm", "viscosity_cst"),
        known_at="reported_at_utc",  # a result counts from the night it was reported, not sampled
        sampled_at="sampled_at_utc",
        windows_days=tuple(config.windows_days),
    ).with_columns(night=pl.col("as_of"))
    return dg.MaterializeResult(value=table, metadata=table_metadata(table))
