"""Train a model on a recipe, register it with its card, and let the promotion gate decide.

The risk model of the training job and every challenger a data scientist adds go the same way:
the same registry, the same card, the same gate (`models.promotion`) against the same champion.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import polars as pl

from foresight.errors import ModelError
from models.card import model_card
from models.promotion import GateSpec, gate_new_model
from models.registry import ModelRegistry, Promotion
from models.risk_model import FailureRiskModel
from models.training import TrainingSpec, train_failure_risk_model

KEYS = ["asset_id", "as_of"]


@dataclass(frozen=True)
class Recipe:
    """What makes a model: who trains it (written on the card), how, and how it is judged.

    A challenger only challenges: it needs a champion already scoring.
    """

    name: str
    training: TrainingSpec
    gate: GateSpec
    challenger: bool = False


@dataclass(frozen=True)
class Entry:
    """A trained, registered and judged model."""

    model: FailureRiskModel
    card: dict
    promotion: Promotion


def train_and_gate(
    registry: ModelRegistry,
    features: pl.DataFrame,
    labels: pl.DataFrame,
    events: pl.DataFrame,
    recipe: Recipe,
    plant: str,
    assets: int,
    scoring_columns: Collection[str] | None = None,
) -> Entry:
    """Train on `features` joined with `labels`, save the version and its card, run the gate.

    Raises:
        ModelError: the recipe is a challenger and there is no champion yet (the first model
            comes from the training job).

    Args:
        features: one row per asset and night (`asset_id`, `as_of`), every column a candidate.
        events: failure events (`models.labels.failure_events`) for the gate's replays.
        assets: active assets, for the false-alarm rate of the replays.
        scoring_columns: the columns the nightly scoring has; a model needing others is judged
            but never promoted. None: the model was trained on the nightly table itself.
    """
    if recipe.challenger and registry.champion_version() is None:
        raise ModelError(
            f"challenger {recipe.name}: there is no champion in {registry.root} to challenge. "
            "Run the training job first (foresight train, or the 'training' job in the UI)."
        )
    frame = features.join(labels, on=KEYS, how="inner")
    model, metrics = train_failure_risk_model(frame, recipe.training, registry.next_version())
    registry.save(model, {**model_card(model, frame, metrics, plant), "recipe": recipe.name})
    unscorable = (
        sorted(set(model.features) - set(scoring_columns)) if scoring_columns is not None else []
    )
    promotion = gate_new_model(
        registry, model, features, events, recipe.training, recipe.gate, assets, unscorable
    )
    return Entry(model, registry.card(model.version), promotion)
