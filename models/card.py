"""The model card: what a model was trained on, with which features, and how well it did."""

from __future__ import annotations

import polars as pl

from models.risk_model import FailureRiskModel


def model_card(model: FailureRiskModel, frame: pl.DataFrame, metrics: dict, plant: str) -> dict:
    """A JSON-ready card; `score` holds the figures the promotion gate compares."""
    horizons = [m for key, m in metrics.items() if key.endswith("d") and "average_precision" in m]
    return {
        "version": model.version,
        "plant": plant,
        "data_from": str(frame["as_of"].min()),
        "data_to": str(frame["as_of"].max()),
        "rows": frame.height,
        "features": model.features,
        "metrics": metrics,
        "reliability": {f"{h}d": m.reliability for h, m in model.horizons.items()},
        "score": {
            "mean_average_precision": sum(m["average_precision"] for m in horizons)
            / max(len(horizons), 1),
        },
    }
