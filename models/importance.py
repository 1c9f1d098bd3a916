"""Which features a trained model leans on: LightGBM split gain, as shares, per horizon."""

from __future__ import annotations

import polars as pl

from models.risk_model import FailureRiskModel


def feature_importance(model: FailureRiskModel) -> pl.DataFrame:
    """One row per feature: its share of the total split gain for each horizon and their mean.

    Shares sum to 1 per horizon; sorted by the mean share, largest first. Empty for a cold-start
    model (it has no classifier).
    """
    if model.is_cold_start:
        return pl.DataFrame(schema={"feature": pl.String, "mean_gain_share": pl.Float64})
    shares = {}
    for horizon, fitted in sorted(model.horizons.items()):
        gain = fitted.booster.booster_.feature_importance(importance_type="gain")
        total = float(gain.sum()) or 1.0
        shares[f"gain_share_{horizon}d"] = [float(g) / total for g in gain]
    table = pl.DataFrame({"feature": model.features, **shares})
    mean = pl.mean_horizontal(*[pl.col(c) for c in shares])
    return table.with_columns(mean_gain_share=mean).sort(
        "mean_gain_share", "feature", descending=[True, False]
    )
