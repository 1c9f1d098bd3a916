"""Train the failure-risk model: time-ordered split, LightGBM per horizon, isotonic calibration."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import lightgbm as lgb
import numpy as np
import polars as pl
from sklearn.metrics import average_precision_score, roc_auc_score

from foresight.errors import ModelError
from models.baselines import fit_logistic, most_telling_feature, rule_scores
from models.calibration import isotonic, reliability_table
from models.cross_validation import cross_validate
from models.labels import count_failures
from models.lgbm import COMMON, classifier
from models.modes import cold_start_model, fit_modes
from models.risk_model import CATEGORICAL, FailureRiskModel, HorizonModel, feature_columns
from models.rul import fit_rul

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingSpec:
    """How to train: horizons, minimum failures, validation share, planners' capacity, seed."""

    horizons: tuple[int, ...] = (7, 30)
    min_failures: int = 8
    validation_share: float = 0.25
    capacity: int = 3
    seed: int = 7
    max_features: int = 150  # screened by gain on the training nights only
    baselines: bool = True  # also score logistic regression and the one-sensor rule
    min_failures_per_mode: int = 5  # fewer labelled failures of a mode: health-score cold start
    per_mode: bool = True  # also one classifier per failure mode (off in replays, for speed)
    cv_folds: int = 3  # grouped, time-ordered folds reported in the card (0: none)
    rul: bool = True  # also the remaining-life model (off in the promotion gate's replays)
    rul_cap_days: int = 60  # remaining life beyond this is learned as "at least the cap"
    rul_point: str = "median"  # or "mean": squared error, for fleets with most targets at the cap


def precision_at_k(frame: pl.DataFrame, score: np.ndarray, label: str, k: int) -> float:
    """Mean over nights of the share of true failures among the k highest-risk assets."""
    ranked = (
        frame.select("as_of", label)
        .with_columns(score=pl.Series(score))
        .with_columns(rank=pl.col("score").rank("ordinal", descending=True).over("as_of"))
    )
    top = ranked.filter(pl.col("rank") <= k).group_by("as_of").agg(pl.col(label).mean())
    return float(top[label].mean()) if top.height else float("nan")


def _split(frame: pl.DataFrame, share: float, horizon: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Train on early nights, validate on late ones, a horizon apart so that labels don't leak."""
    nights = frame["as_of"].unique().sort()
    start = nights[int(len(nights) * (1 - share))]
    gap_end = start - timedelta(days=horizon)
    return frame.filter(pl.col("as_of") < gap_end), frame.filter(pl.col("as_of") >= start)


def fit_horizon(
    model: FailureRiskModel,
    frame: pl.DataFrame,
    horizon: int,
    spec: TrainingSpec,
    label: str | None = None,
) -> tuple[HorizonModel, dict[str, float | str]]:
    """Fit, validate and calibrate one classifier for `label` (default: any failure, `horizon`).

    Raises:
        ModelError: too few failure-labelled nights in the training or validation nights.
    """
    label = label or f"label_{horizon}d"
    data = frame.filter(pl.col(label).is_not_null())
    train, valid = _split(data, spec.validation_share, horizon)
    y_train, y_valid = train[label].to_numpy(), valid[label].to_numpy()
    if y_train.sum() < spec.min_failures or y_valid.sum() < 1:
        raise ModelError(
            f"{label}: only {int(y_train.sum())} failure-labelled nights to train on "
            f"and {int(y_valid.sum())} to validate on; need {spec.min_failures} and 1. "
            "Collect more history."
        )
    pos, neg = int(y_train.sum()), int(len(y_train) - y_train.sum())
    cats = model.categorical_indices
    probe = classifier(pos, neg, spec.seed).fit(
        model.matrix(train), y_train, categorical_feature=cats
    )
    raw_valid = probe.predict_proba(model.matrix(valid))[:, 1]
    calibrator = isotonic().fit(raw_valid, y_valid)
    reliability = reliability_table(raw_valid, y_valid, valid["as_of"].to_numpy())
    y_all = data[label].to_numpy()
    final = classifier(int(y_all.sum()), int(len(y_all) - y_all.sum()), spec.seed).fit(
        model.matrix(data), y_all, categorical_feature=cats
    )
    metrics = {
        **_scores("", valid, y_valid, raw_valid, label, spec.capacity),
        **(
            _baselines(model, train, valid, label, spec)
            if spec.baselines and "__" not in label
            else {}
        ),
        "base_rate": float(y_valid.mean()),
        "train_rows": float(len(y_train)),
        "valid_rows": float(len(y_valid)),
        "train_positive_rows": float(pos),
    }
    return HorizonModel(horizon, final, calibrator, reliability), metrics


def _baselines(
    model: FailureRiskModel,
    train: pl.DataFrame,
    valid: pl.DataFrame,
    label: str,
    spec: TrainingSpec,
) -> dict[str, float | str]:
    """Logistic regression and the most telling one-sensor rule, on the same split."""
    x_train, x_valid = model.matrix(train), model.matrix(valid)
    y_train, y_valid = train[label].to_numpy(), valid[label].to_numpy()
    logistic = fit_logistic(x_train, y_train, spec.seed).predict_proba(x_valid)[:, 1]
    feature, sign = most_telling_feature(x_train, y_train, model.features)
    rule = rule_scores(x_valid, feature, sign) if feature >= 0 else np.zeros(len(y_valid))
    return {
        **_scores("logistic_", valid, y_valid, logistic, label, spec.capacity),
        **_scores(
            "rule_", valid, y_valid, np.nan_to_num(rule, neginf=-1e300), label, spec.capacity
        ),
        "rule_feature": model.features[feature] if feature >= 0 else "none",
    }


def _scores(
    prefix: str, frame: pl.DataFrame, y: np.ndarray, score: np.ndarray, label: str, k: int
) -> dict[str, float]:
    """Average precision, ROC AUC and precision at k of one scorer on the validation nights."""
    return {
        f"{prefix}average_precision": float(average_precision_score(y, score)),
        f"{prefix}roc_auc": float(roc_auc_score(y, score)),
        f"{prefix}precision_at_k": precision_at_k(frame, score, label, k),
    }


def _screen_features(model: FailureRiskModel, frame: pl.DataFrame, spec: TrainingSpec) -> list[str]:
    """The features with the most split gain in quick fits on the training nights of each horizon.

    Screening never sees the validation nights, so the validation metrics stay out of sample.
    """
    gains = pl.DataFrame({"feature": model.features, "gain": [0.0] * len(model.features)})
    for horizon in spec.horizons:
        label = f"label_{horizon}d"
        data = frame.filter(pl.col(label).is_not_null())
        train, _ = _split(data, spec.validation_share, horizon)
        y = train[label].to_numpy()
        if y.sum() == 0:
            continue
        quick = lgb.LGBMClassifier(
            **{**COMMON, "colsample_bytree": 0.5},
            n_estimators=80,
            learning_rate=0.1,
            random_state=spec.seed,
            importance_type="gain",
        ).fit(model.matrix(train), y, categorical_feature=model.categorical_indices)
        share = quick.feature_importances_ / max(quick.feature_importances_.sum(), 1e-12)
        gains = gains.with_columns(pl.col("gain") + pl.Series(share))
    ranked = gains.filter(pl.col("gain") > 0).sort("gain", "feature", descending=[True, False])
    return ranked["feature"].head(spec.max_features).sort().to_list()


def _cross_validation(
    model: FailureRiskModel, frame: pl.DataFrame, horizon: int, spec: TrainingSpec
) -> dict:
    """The CV figures, or why there are none (too little history): the card shows either."""
    try:
        return cross_validate(model, frame, horizon, spec)
    except ModelError as exc:
        return {"folds": [], "mean": {}, "evaluated_folds": 0, "not_run": str(exc)}


def _typical_values(frame: pl.DataFrame, features: list[str]) -> dict[str, dict[str, float]]:
    numeric = [f for f in features if f not in CATEGORICAL]
    medians = frame.group_by("asset_type").agg(pl.col(numeric).median())
    return {
        row["asset_type"]: {k: v for k, v in row.items() if k != "asset_type" and v is not None}
        for row in medians.iter_rows(named=True)
    }


def train_failure_risk_model(
    frame: pl.DataFrame, spec: TrainingSpec, version: str
) -> tuple[FailureRiskModel, dict[str, dict[str, float]]]:
    """Fit one calibrated classifier per horizon on labelled features; return model and metrics.

    Args:
        frame: features with `label_<H>d` columns (null = censored) for every horizon.
    With fewer than `spec.min_failures` labelled failures the model is a cold start: the
    unsupervised health score only, and it says so (`model.method_note()`).

    Raises:
        ModelError: too few failures in the training or validation nights of a horizon.
    """
    features = feature_columns(frame)
    categories = {
        c: sorted(frame[c].drop_nulls().unique().to_list())
        for c in CATEGORICAL
        if c in frame.columns
    }
    model = FailureRiskModel(
        version=version,
        features=features,
        categories=categories,
        min_failures={"any": spec.min_failures, "mode": spec.min_failures_per_mode},
        horizon_days=spec.horizons,
    )
    model.typical = _typical_values(frame, features)
    failures = count_failures(frame)
    if failures < spec.min_failures:
        return cold_start_model(model, frame, failures, spec.seed), {
            "cold_start": {"failures": failures}
        }
    if len(features) > spec.max_features:
        model.features = _screen_features(model, frame, spec)
        model.categories = {c: v for c, v in categories.items() if c in model.features}
    metrics: dict[str, dict] = {}
    for horizon in spec.horizons:
        model.horizons[horizon], metrics[f"{horizon}d"] = fit_horizon(model, frame, horizon, spec)
        if spec.cv_folds:
            metrics[f"{horizon}d"]["cv"] = _cross_validation(model, frame, horizon, spec)
        logger.info("horizon %s d: %s", horizon, metrics[f"{horizon}d"])
    if spec.rul:
        model.rul, metrics["rul"] = fit_rul(
            model.matrix,
            frame,
            model.categorical_indices,
            spec.validation_share,
            spec.seed,
            spec.rul_cap_days,
            spec.rul_point,
        )
    if spec.per_mode:
        metrics["modes"] = fit_modes(model, frame, spec, fit_horizon)
    return model, metrics
