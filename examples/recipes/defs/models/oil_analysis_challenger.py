"""Recipe (c), a challenger: the risk model retrained with the oil analysis features of (b).

Enable: copy to orchestration/defs/models/oil_analysis_challenger.py, with recipes (a) and (b)
(docs/recipes/challenger-model.md). It is in no job: materialize it from the UI. The promotion gate
replays it against the champion on the same nights and writes the verdict on its card.
"""

import dagster as dg
import polars as pl

from features.families import join_families
from models.challenger import Recipe, train_and_gate
from models.labels import failure_events
from orchestration.defs.models.assets import (
    FailureRiskModelConfig,
    active_count,
    card_metadata,
    gate_spec,
    training_spec,
)
from orchestration.defs.plant import OWNERS
from orchestration.defs.resources import ModelRegistryResource, PlantResource


@dg.asset(group_name="models", owners=OWNERS, kinds={"lightgbm"})
def oil_analysis_challenger(
    config: FailureRiskModelConfig,
    plant: PlantResource,
    model_registry: ModelRegistryResource,
    window_features: pl.DataFrame,
    oil_analysis_features: pl.DataFrame,
    failure_labels: pl.DataFrame,
    maintenance_failure_modes: pl.DataFrame,
    asset_register: pl.DataFrame,
) -> dg.MaterializeResult:
    """The risk model with oil analysis added, judged against the champion by the gate."""
    p = plant.plant()
    nightly = window_features.drop("night")  # what the nightly scoring has
    oil = oil_analysis_features.drop("night")
    entry = train_and_gate(
        model_registry.registry(),
        join_families(nightly, {"oil_analysis_features": oil}),
        failure_labels,
        failure_events(maintenance_failure_modes, p.timezone),
        Recipe("oil_analysis_challenger", training_spec(p, config), gate_spec(p), challenger=True),
        p.name,
        active_count(asset_register),
        scoring_columns=nightly.columns,
    )
    return dg.MaterializeResult(value=entry.card, metadata=card_metadata(entry))
