"""Per failure mode: a classifier where the mode has enough labelled failures, else a cold start.

A cold-start mode (and a whole plant with too few failures) is scored by the unsupervised health
score (`models.health`), and every score row says so in its `method` column.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import polars as pl

from foresight.errors import ModelError
from models.health import fit_health
from models.labels import count_failures, labelled_modes
from models.risk_model import FailureRiskModel, feature_columns

if TYPE_CHECKING:
    from models.training import TrainingSpec

logger = logging.getLogger(__name__)


def cold_start_model(
    model: FailureRiskModel, frame: pl.DataFrame, failures: int, seed: int
) -> FailureRiskModel:
    """Turn `model` into a health-score-only model: no classifier, and the reason recorded."""
    model.cold_start = {"any": failures}
    for mode in labelled_modes(frame):
        model.cold_start[mode] = count_failures(frame, mode)
    model.features = feature_columns(frame)
    model.health = fit_health(frame, model.features, seed)
    logger.warning("%s", model.method_note())
    return model


def fit_modes(
    model: FailureRiskModel,
    frame: pl.DataFrame,
    spec: TrainingSpec,
    fit: Callable[..., tuple],
) -> dict[str, dict]:
    """One classifier per failure mode and horizon where the mode has enough labelled failures.

    Modes below `spec.min_failures_per_mode`, or whose failures all fall outside the training or
    validation nights, go to the health score (cold start); the metrics say which and why.
    """
    metrics: dict[str, dict] = {}
    for mode in labelled_modes(frame):
        failures = count_failures(frame, mode)
        if failures < spec.min_failures_per_mode:
            model.cold_start[mode] = failures
            metrics[mode] = {"method": "cold start", "failures": failures}
            continue
        try:
            fitted = {
                h: fit(model, frame, h, spec, label=f"label_{h}d__{mode}") for h in spec.horizons
            }
        except ModelError as exc:
            model.cold_start[mode] = failures
            metrics[mode] = {"method": "cold start", "failures": failures, "why": str(exc)}
            continue
        model.modes[mode] = {h: pair[0] for h, pair in fitted.items()}
        metrics[mode] = {
            "method": "lightgbm",
            "failures": failures,
            **{
                f"{h}d_average_precision": pair[1]["average_precision"]
                for h, pair in fitted.items()
            },
        }
    if model.cold_start:
        model.health = fit_health(frame, model.features, spec.seed)
    return metrics
