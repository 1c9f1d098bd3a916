"""Baselines reported beside every model: logistic regression, and a one-sensor threshold rule."""

from __future__ import annotations

import numpy as np
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
            ("days_since", "component_age", "age_days", "cm_count", "load_", "run_hours")
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
