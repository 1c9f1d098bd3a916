"""Score active assets: calibrated risk per horizon, band, rank, drivers and data-quality status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from models.explain import driver_sentence, top_drivers
from models.risk_model import FailureRiskModel

INSUFFICIENT = "insufficient data"


@dataclass(frozen=True)
class ScoringPolicy:
    """Band thresholds and the coverage below which an asset is not scored."""

    high: float = 0.5
    medium: float = 0.2
    min_coverage: float = 0.5


def data_coverage(features: pl.DataFrame) -> pl.DataFrame:
    """Share of the usual daily reading count each asset delivered in its last day (vs its type)."""
    counts = [c for c in features.columns if c.endswith("__n__1d")]
    total = pl.sum_horizontal([pl.col(c).fill_null(0) for c in counts]) if counts else pl.lit(0)
    return (
        features.select("asset_id", "asset_type", total.alias("_n"))
        .with_columns(
            coverage=pl.col("_n") / pl.col("_n").median().over("asset_type").clip(lower_bound=1)
        )
        .select("asset_id", "coverage")
    )


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


def _drivers(
    model: FailureRiskModel, frame: pl.DataFrame, horizon: int, units: dict[str, str]
) -> list[str]:
    contrib = model.contributions(frame, horizon)
    texts = []
    for row_index, row in enumerate(frame.iter_rows(named=True)):
        typical = model.typical.get(row.get("asset_type") or "", {})
        parts = []
        for i in top_drivers(contrib[row_index], model.features):
            name = model.features[i]
            sensor = name.split("__", 1)[0]
            unit = "" if "flagged_share" in name else units.get(sensor, "")
            value = row.get(name)
            parts.append(
                driver_sentence(
                    name, value if isinstance(value, float | int) else None, typical.get(name), unit
                )
            )
        texts.append("; ".join(parts) if parts else "no single driver stands out")
    return texts


def score_assets(
    model: FailureRiskModel,
    features: pl.DataFrame,
    active: pl.DataFrame,
    as_of: date,
    policy: ScoringPolicy,
    units: dict[str, str],
) -> pl.DataFrame:
    """One row per active asset and horizon; assets with too little data get no risk, and say so."""
    coverage = data_coverage(features)
    frame = (
        active.select("asset_id")
        .join(features, on="asset_id", how="left")
        .join(coverage, on="asset_id", how="left")
        .with_columns(pl.col("coverage").fill_null(0.0))
    )
    enough = frame["coverage"].to_numpy() >= policy.min_coverage
    rows = []
    for horizon in sorted(model.horizons):
        risk = np.where(enough, model.predict_risk(frame, horizon), np.nan)
        drivers = _drivers(model, frame, horizon, units)
        rows.append(
            frame.select("asset_id", "coverage").with_columns(
                horizon_days=pl.lit(horizon, pl.Int32),
                risk=pl.Series(risk).fill_nan(None),
                drivers=pl.Series(
                    [
                        d if ok else "too few readings in the last day to score"
                        for d, ok in zip(drivers, enough, strict=True)
                    ]
                ),
            )
        )
    scores = pl.concat(rows)
    return scores.with_columns(
        as_of=pl.lit(as_of),
        band=_band(pl.col("risk"), policy),
        data_quality_status=pl.when(pl.col("risk").is_null())
        .then(pl.lit(INSUFFICIENT))
        .otherwise(pl.lit("ok")),
        rank=pl.col("risk").rank("ordinal", descending=True).over("horizon_days").cast(pl.Int32),
        model_version=pl.lit(model.version),
    ).sort("horizon_days", "rank", "asset_id", nulls_last=True)
