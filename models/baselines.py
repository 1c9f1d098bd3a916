"""Baselines reported beside every model: logistic regression, and a one-sensor threshold rule."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler


def fit_logistic(x: np.ndarray, y: np.ndarray, seed: int) -> Pipeline:
    """Median-imputed, standardised, class-balanced logistic regression."""
    model = make_pipeline(
        SimpleImputer(strategy="median", keep_empty_features=True),
        StandardScaler(),
        LogisticRegression(max_iter=2000, class_weight="balanced", C=0.1, random_state=seed),
    )
    return model.fit(x, y)


def most_telling_feature(x: np.ndarray, y: np.ndarray, names: list[str]) -> tuple[int, float]:
    """The sensor feature whose value alone ranks failures best on training data, and its sign.

    Only sensor statistics compete (names with a sensor prefix), as a rule on one sensor would.
    """
    best, best_auc, sign = -1, 0.5, 1.0
    for i, name in enumerate(names):
        if name.startswith(
            (
                "days_since",
                "component_age",
                "age_days",
                "cm_count",
                "mes_load_",
                "run_hours",
                "high_load",
            )
        ):
            continue
        column = x[:, i]
        known = ~np.isnan(column)
        if known.sum() < 50 or len(set(y[known])) < 2:
            continue
        auc = roc_auc_score(y[known], column[known])
        if max(auc, 1 - auc) > best_auc:
            best, best_auc, sign = i, max(auc, 1 - auc), 1.0 if auc >= 0.5 else -1.0
    return best, sign


def rule_scores(x: np.ndarray, feature: int, sign: float) -> np.ndarray:
    """The rule's score: the feature's value (sign-adjusted); missing values rank last."""
    column = sign * x[:, feature]
    return np.where(np.isnan(column), -np.inf, column)


@dataclass
class BaselineRankers:
    """Both baselines fitted per horizon, to replay beside the model (`models.backtest`).

    They see the same numeric features as the model (no categorical codes): logistic regression
    on all of them, the rule on the one sensor feature that ranked failures best in training.
    """

    features: list[str]
    logistic: dict[int, Pipeline] = field(default_factory=dict)
    rule: dict[int, tuple[int, float]] = field(default_factory=dict)

    @property
    def fitted(self) -> list[int]:
        """The horizons with fitted baselines (those whose training labels held both classes)."""
        return sorted(self.logistic)

    def matrix(self, frame: pl.DataFrame) -> np.ndarray:
        return frame.select(pl.col(self.features).cast(pl.Float64)).to_numpy()

    def scores(self, frame: pl.DataFrame, horizon: int) -> dict[str, np.ndarray]:
        """Each baseline's score per row (higher = riskier): {"logistic": ..., "rule": ...}."""
        x = self.matrix(frame)
        feature, sign = self.rule[horizon]
        rule = rule_scores(x, feature, sign) if feature >= 0 else np.zeros(frame.height)
        return {
            "logistic": self.logistic[horizon].predict_proba(x)[:, 1],
            "rule": np.nan_to_num(rule, neginf=-1e300),
        }


def fit_baselines(
    frame: pl.DataFrame, features: list[str], horizons: tuple[int, ...], seed: int
) -> BaselineRankers:
    """Fit both baselines per horizon on the labelled nights of `frame` (`label_<H>d`).

    A horizon whose labelled nights hold no failure (or nothing but failures) gets no baselines:
    neither can be fitted on one class, and `BaselineRankers.fitted` leaves it out.
    """
    rankers = BaselineRankers(features)
    for h in horizons:
        data = frame.filter(pl.col(f"label_{h}d").is_not_null())
        x, y = rankers.matrix(data), data[f"label_{h}d"].to_numpy()
        if len(np.unique(y)) < 2:
            continue
        rankers.logistic[h] = fit_logistic(x, y, seed)
        rankers.rule[h] = most_telling_feature(x, y, features)
    return rankers
