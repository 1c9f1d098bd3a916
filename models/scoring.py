"""Score active assets: calibrated risk per horizon, band, rank, drivers and data-quality status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from models.explain import driver_sentence, top_drivers, unit_of
from models.risk_model import FailureRiskModel

INSUFFICIENT = "insufficient data"
COLD_START = "cold start"  # the band of a health-score-only model: no calibrated risk


@dataclass(frozen=True)
class ScoringPolicy:
    """Band thresholds of the calibrated risk."""

    high: float = 0.5
    medium: float = 0.2


def _band(risk: pl.Expr, policy: ScoringPolicy, cold_start: bool = False) -> pl.Expr:
    unscored = pl.col("data_quality_status") != "ok"
    if cold_start:
        return pl.when(unscored).then(pl.lit(INSUFFICIENT)).otherwise(pl.lit(COLD_START))
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
    if model.is_cold_start:
        rows = [_cold_start_rows(model, frame, enough, h) for h in model.horizon_days]
    else:
        rul = _remaining_life(model, frame, enough)
        rows = [
            _risk_rows(model, frame, enough, h, units).with_columns(*rul) for h in model.horizons
        ]
    return (
        pl.concat(rows, how="diagonal_relaxed")
        .with_columns(
            as_of=pl.lit(as_of),
            band=_band(pl.col("risk"), policy, cold_start=model.is_cold_start),
            # ties of the calibrated steps are broken by the raw score
            rank=pl.struct("risk", "score_raw")
            .rank("ordinal", descending=True)
            .over("horizon_days")
            .cast(pl.Int32),
            model_version=pl.lit(model.version),
            method=pl.lit(model.method_note()),
        )
        .sort("horizon_days", "rank", "asset_id", nulls_last=True)
    )


def _not_scored(frame: pl.DataFrame) -> list[str]:
    return [f"not scored: data coverage {c:.0%} of usual on the night" for c in frame["coverage"]]


def _risk_rows(
    model: FailureRiskModel,
    frame: pl.DataFrame,
    enough: np.ndarray,
    horizon: int,
    units: dict[str, str],
) -> pl.DataFrame:
    """Calibrated risk, drivers, the likeliest modelled failure mode and the health score."""
    raw = model.predict_raw(frame, horizon)
    risk = np.where(enough, model.horizons[horizon].calibrator.predict(raw), np.nan)
    drivers = np.where(enough, _drivers(model, frame, horizon, units), _not_scored(frame))
    return frame.select("asset_id", "coverage", "data_quality_status").with_columns(
        horizon_days=pl.lit(horizon, pl.Int32),
        risk=pl.Series(risk).fill_nan(None),
        score_raw=pl.Series(np.where(enough, raw, np.nan)).fill_nan(None),
        drivers=pl.Series(drivers.tolist(), dtype=pl.String),
        **_likeliest_mode(model, frame, enough, horizon),
        health_anomaly=_health(model, frame, enough),
    )


def _cold_start_rows(
    model: FailureRiskModel, frame: pl.DataFrame, enough: np.ndarray, horizon: int
) -> pl.DataFrame:
    """No risk model yet: assets ranked by the health score, and the drivers say why."""
    health = _health(model, frame, enough)
    note = model.method_note()
    drivers = [
        f"{note}; health anomaly {h:.2f} (more unusual than {h:.0%} of healthy nights of its type)"
        if ok and h is not None
        else (f"{note}; no health model for this asset type" if ok else text)
        for h, ok, text in zip(health, enough, _not_scored(frame), strict=True)
    ]
    return frame.select("asset_id", "coverage", "data_quality_status").with_columns(
        horizon_days=pl.lit(horizon, pl.Int32),
        risk=pl.lit(None, pl.Float64),
        score_raw=health,
        drivers=pl.Series(drivers, dtype=pl.String),
        health_anomaly=health,
    )


def _health(model: FailureRiskModel, frame: pl.DataFrame, enough: np.ndarray) -> pl.Series:
    if model.health is None:
        return pl.Series([None] * frame.height, dtype=pl.Float64)
    return pl.Series(np.where(enough, model.health.score(frame), np.nan)).fill_nan(None)


def _likeliest_mode(
    model: FailureRiskModel, frame: pl.DataFrame, enough: np.ndarray, horizon: int
) -> dict[str, pl.Series]:
    """The modelled failure mode with the highest calibrated risk, and that risk."""
    names = sorted(model.modes)
    if not names:
        return {
            "failure_mode": pl.Series([None] * frame.height, dtype=pl.String),
            "failure_mode_risk": pl.Series([None] * frame.height, dtype=pl.Float64),
        }
    risks = np.column_stack([model.predict_mode_risk(frame, m, horizon) for m in names])
    best = risks.argmax(axis=1)
    return {
        "failure_mode": pl.Series(
            [names[i] if ok else None for i, ok in zip(best, enough, strict=True)], dtype=pl.String
        ),
        "failure_mode_risk": pl.Series(np.where(enough, risks.max(axis=1), np.nan)).fill_nan(None),
    }
