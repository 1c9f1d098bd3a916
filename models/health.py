"""Cold start: an unsupervised health score per asset type, for failure modes too rare to learn.

An IsolationForest per asset type learns what that type's healthy nights look like (nights whose
longest horizon passed without a failure). A night's `health_anomaly` is the share of those healthy
nights that were less unusual: 0.5 is an ordinary night, 0.99 is more unusual than 99 % of them.
It ranks assets; it is not a probability of failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl
from sklearn.ensemble import IsolationForest
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline

from foresight.errors import ModelError

MIN_HEALTHY_NIGHTS = 30  # fewer and the percentile of "healthy" is noise


@dataclass
class TypeHealth:
    """One asset type's forest and the sorted anomaly scores of its healthy training nights."""

    forest: Pipeline
    healthy_scores: np.ndarray


@dataclass
class HealthModel:
    """Per asset type forests over numeric features; unknown asset types are not scored."""

    features: list[str]
    per_type: dict[str, TypeHealth] = field(default_factory=dict)

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        """`health_anomaly` per row in [0, 1]; NaN for an asset type without a fitted forest."""
        missing = [c for c in [*self.features, "asset_type"] if c not in frame.columns]
        if missing:
            raise ModelError(
                f"health score: scoring data lacks {len(missing)} trained features "
                f"(e.g. {missing[:3]}). Retrain with `foresight train`."
            )
        out = np.full(frame.height, np.nan)
        types = frame["asset_type"].to_numpy()
        x = frame.select(pl.col(self.features).cast(pl.Float64)).to_numpy()
        for asset_type, health in self.per_type.items():
            rows = types == asset_type
            if rows.any():
                raw = -health.forest.score_samples(x[rows])
                ranks = np.searchsorted(health.healthy_scores, raw, side="left")
                out[rows] = ranks / len(health.healthy_scores)
        return out


def healthy_nights(frame: pl.DataFrame) -> pl.Series:
    """True where the longest any-failure horizon was observed and passed without a failure."""
    labels = [c for c in frame.columns if c.startswith("label_") and "__" not in c]
    if not labels:
        return pl.Series("healthy", [True] * frame.height)
    longest = max(labels, key=lambda c: int(c.removeprefix("label_").removesuffix("d")))
    return (frame[longest] == 0).fill_null(False).alias("healthy")


def fit_health(frame: pl.DataFrame, features: list[str], seed: int) -> HealthModel:
    """Fit one IsolationForest per asset type on that type's healthy nights.

    Raises:
        ModelError: no asset type has enough healthy nights to learn from.
    """
    numeric = [c for c in features if frame.schema[c].is_numeric()]
    model = HealthModel(features=numeric)
    healthy = frame.filter(healthy_nights(frame))
    for (asset_type,), part in healthy.partition_by("asset_type", as_dict=True).items():
        if part.height < MIN_HEALTHY_NIGHTS:
            continue
        x = part.select(pl.col(numeric).cast(pl.Float64)).to_numpy()
        forest = make_pipeline(
            # columns this type never has (another type's sensors) are dropped by the imputer
            SimpleImputer(strategy="median", keep_empty_features=True),
            IsolationForest(n_estimators=200, random_state=seed, n_jobs=1),
        ).fit(x)
        model.per_type[asset_type] = TypeHealth(forest, np.sort(-forest.score_samples(x)))
    if not model.per_type:
        raise ModelError(
            f"health score: no asset type has {MIN_HEALTHY_NIGHTS} healthy nights to learn from "
            f"({healthy.height} healthy nights in all). Build more history before training."
        )
    return model
