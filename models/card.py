"""The model card: what a model was trained on, with which features, and how well it did."""

from __future__ import annotations

import polars as pl

from models.risk_model import FailureRiskModel


def model_card(model: FailureRiskModel, frame: pl.DataFrame, metrics: dict, plant: str) -> dict:
    """A JSON-ready card: data, features, metrics (incl. cross-validation), method, cold starts.

    `score` holds the validation figures; the promotion gate's backtest figures are added as
    `gate` once the gate has run.
    """
    horizons = [m for key, m in metrics.items() if key.endswith("d") and "average_precision" in m]
    return {
        "version": model.version,
        "plant": plant,
        "data_from": str(frame["as_of"].min()),
        "data_to": str(frame["as_of"].max()),
        "rows": frame.height,
        "method": model.method_note(),
        "cold_start": model.cold_start,  # mode ("any": the whole model) -> labelled failures
        "modes": sorted(model.modes),
        "asset_types": sorted(model.typical),
        "features": model.features,
        "metrics": metrics,
        "cross_validation": cross_validation_table(metrics),
        "reliability": {f"{h}d": m.reliability for h, m in model.horizons.items()},
        "score": {
            "mean_average_precision": sum(m["average_precision"] for m in horizons) / len(horizons)
            if horizons
            else None,
        },
    }


def cross_validation_table(metrics: dict) -> list[dict]:
    """One row per horizon and fold (and a mean row) of the grouped, time-ordered CV."""
    rows = []
    for key, m in metrics.items():
        cv = m.get("cv") if isinstance(m, dict) else None
        if not cv:
            continue
        rows += [{"horizon": key, **fold} for fold in cv["folds"]]
        rows.append({"horizon": key, "fold": "mean", **cv["mean"]})
    return rows
