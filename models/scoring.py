"""Score active assets: calibrated risk per horizon, band, rank, drivers and data-quality status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from models.explain import driver_sentence, top_drivers, unit_of
from models.risk_model import FailureRiskModel

INSUFFICIENT = "insufficient data"


@dataclass(frozen=True)
class ScoringPolicy:
    """Band thresholds of the calibrated risk."""

    high: float = 0.5
    medium: float = 0.2


def _band(risk: pl.Expr, policy: ScoringPolicy) -> pl.Expr:
    return (
        pl.when(risk.is_null())
        .then(pl.lit(INSUFFICIENT))
        .when(risk >= policy.high)
        .then(pl.lit("high"))
        .when(risk >= policy.medium)
        .then(pl.lit("medium"))
        .otherwise(pl.lit("low"))
    )


def _driver_texts(
    model: FailureRiskModel, row: dict, contrib: np.ndarray, units: dict[str, str], k: int = 3
) -> str:
    """The k strongest upward drivers of one score that have a value, in words."""
    typical = model.typical.get(row.get("asset_type") or "", {})
    parts = []
    for i in top_drivers(contrib, model.features, k=len(model.features)):
        name, value = model.features[i], row.get(model.features[i])
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue  # missingness is not a reason a planner can act on
        if isinstance(value, str):
            parts.append(f"{name.replace('_', ' ')} {value}")
        else:
            unit = unit_of(name, units)
            parts.append(driver_sentence(name, float(value), typical.get(name), unit))
        if len(parts) == k:
            break
    return "; ".join(parts) if parts else "no single driver stands out"


def _drivers(
    model: FailureRiskModel, frame: pl.DataFrame, horizon: int, units: dict[str, str]
) -> list[str]:
    contrib = model.contributions(frame, horizon)
    return [
        _driver_texts(model, row, contrib[i], units)
        for i, row in enumerate(frame.iter_rows(named=True))
    ]


def _remaining_life(
    model: FailureRiskModel, frame: pl.DataFrame, enough: np.ndarray
) -> list[pl.Series]:
    """Median and 80 % interval of days to failure (capped); null where not scored or no model."""
    if model.rul is None:
        values = [np.full(frame.height, np.nan)] * 3
    else:
        values = [np.where(enough, v, np.nan) for v in model.rul.predict(model.matrix(frame))]
    names = ("rul_days", "rul_low_days", "rul_high_days")
    return [pl.Series(n, v).fill_nan(None).round(1) for n, v in zip(names, values, strict=True)]


def score_assets(
    model: FailureRiskModel,
    features: pl.DataFrame,
    active: pl.DataFrame,
    as_of: date,
    policy: ScoringPolicy,
    units: dict[str, str],
    quality: pl.DataFrame,
) -> pl.DataFrame:
    """One row per active asset and horizon; assets with too little data get no risk, and say so.

    Args:
        quality: the night's `asset_id`, `data_quality_status` and `coverage` (the scorecard's).
    """
    frame = (
        active.select("asset_id")
        .join(features, on="asset_id", how="left")
        .join(
            quality.select("asset_id", "data_quality_status", "coverage"), on="asset_id", how="left"
        )
        .with_columns(
            pl.col("coverage").fill_null(0.0),
            pl.col("data_quality_status").fill_null(INSUFFICIENT),
        )
    )
    enough = (frame["data_quality_status"] == "ok").to_numpy()
    rul = _remaining_life(model, frame, enough)
    rows = []
    for horizon in sorted(model.horizons):
        raw = model.predict_raw(frame, horizon)
        risk = np.where(enough, model.horizons[horizon].calibrator.predict(raw), np.nan)
        drivers = [
            text if ok else f"not scored: data coverage {cov:.0%} of usual on the night"
            for text, ok, cov in zip(
                _drivers(model, frame, horizon, units), enough, frame["coverage"], strict=True
            )
        ]
        rows.append(
            frame.select("asset_id", "coverage", "data_quality_status").with_columns(
                *rul,
                horizon_days=pl.lit(horizon, pl.Int32),
                risk=pl.Series(risk).fill_nan(None),
                score_raw=pl.Series(np.where(enough, raw, np.nan)).fill_nan(None),
                drivers=pl.Series(drivers, dtype=pl.String),
            )
        )
    return (
        pl.concat(rows)
        .with_columns(
            as_of=pl.lit(as_of),
            band=_band(pl.col("risk"), policy),
            # ties of the calibrated steps are broken by the raw score
            rank=pl.struct("risk", "score_raw")
            .rank("ordinal", descending=True)
            .over("horizon_days")
            .cast(pl.Int32),
            model_version=pl.lit(model.version),
        )
        .sort("horizon_days", "rank", "asset_id", nulls_last=True)
    )
