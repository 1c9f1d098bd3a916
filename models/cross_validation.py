"""Grouped, time-ordered cross-validation: later nights, unseen assets, a horizon-long embargo.

Fold i validates on the (i + 1)-th of `n_folds + 1` consecutive blocks of nights, on one group of
assets only; it trains on the other assets' nights that end a horizon before the block starts, so
neither a label window nor an asset is shared between training and validation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import GroupKFold

from foresight.errors import ModelError
from models.baselines import fit_logistic, most_telling_feature, rule_scores
from models.lgbm import classifier
from models.risk_model import FailureRiskModel

if TYPE_CHECKING:
    from models.training import TrainingSpec

SCORERS = ("lightgbm", "logistic", "rule")


@dataclass(frozen=True)
class Fold:
    """Row masks of one fold over the frame it was made from."""

    number: int
    train: np.ndarray
    valid: np.ndarray


def grouped_time_folds(frame: pl.DataFrame, n_folds: int, embargo_days: int) -> list[Fold]:
    """Folds ordered in time and grouped by asset (see the module docstring).

    Raises:
        ModelError: fewer assets or nights than the folds need.
    """
    assets = np.array(sorted(frame["asset_id"].unique().to_list()))
    nights = frame["as_of"].unique().sort()
    if n_folds < 2 or len(assets) < n_folds or len(nights) < n_folds + 1:
        raise ModelError(
            f"cross-validation: {n_folds} folds need at least 2 folds, {n_folds} assets and "
            f"{n_folds + 1} nights; the data has {len(assets)} assets and {len(nights)} nights. "
            "Lower models.cv_folds in the plant file."
        )
    blocks = np.array_split(np.arange(len(nights)), n_folds + 1)
    groups = [assets[idx] for _, idx in GroupKFold(n_splits=n_folds).split(assets, groups=assets)]
    as_of, asset = frame["as_of"], frame["asset_id"]
    folds = []
    for i in range(n_folds):
        start, end = nights[int(blocks[i + 1][0])], nights[int(blocks[i + 1][-1])]
        held_out = asset.is_in(groups[i].tolist())
        valid = as_of.is_between(start, end) & held_out
        train = (as_of < start - timedelta(days=embargo_days)) & ~held_out
        if not train.any():
            raise ModelError(
                f"cross-validation: fold {i + 1} validates from {start} but no night ends "
                f"{embargo_days} days (the embargo) before it on other assets; "
                f"{len(nights)} nights are too few for {n_folds} folds. Lower models.cv_folds."
            )
        folds.append(Fold(i + 1, train.to_numpy(), valid.to_numpy()))
    return folds


def _fold_scores(
    model: FailureRiskModel, x: np.ndarray, y: np.ndarray, fold: Fold, seed: int
) -> dict[str, float]:
    x_train, y_train, x_valid = x[fold.train], y[fold.train], x[fold.valid]
    pos = int(y_train.sum())
    boosted = classifier(pos, len(y_train) - pos, seed).fit(
        x_train, y_train, categorical_feature=model.categorical_indices
    )
    feature, sign = most_telling_feature(x_train, y_train, model.features)
    scores = {
        "lightgbm": boosted.predict_proba(x_valid)[:, 1],
        "logistic": fit_logistic(x_train, y_train, seed).predict_proba(x_valid)[:, 1],
        "rule": np.nan_to_num(rule_scores(x_valid, feature, sign), neginf=-1e300)
        if feature >= 0
        else np.zeros(len(x_valid)),
    }
    y_valid = y[fold.valid]
    out = {}
    for name, score in scores.items():
        out[f"{name}_average_precision"] = float(average_precision_score(y_valid, score))
        out[f"{name}_roc_auc"] = float(roc_auc_score(y_valid, score))
    return out


def cross_validate(
    model: FailureRiskModel, frame: pl.DataFrame, horizon: int, spec: TrainingSpec
) -> dict:
    """Per-fold and mean AP / ROC AUC of LightGBM, logistic regression and the one-sensor rule.

    A fold whose training or validation rows hold no failure (or only failures) is reported as
    skipped with the reason; the means are over the evaluated folds.
    """
    label = f"label_{horizon}d"
    data = frame.filter(pl.col(label).is_not_null())
    x, y = model.matrix(data), data[label].to_numpy()
    rows = []
    for fold in grouped_time_folds(data, spec.cv_folds, embargo_days=horizon):
        nights = data["as_of"].filter(pl.Series(fold.valid))
        row: dict = {
            "fold": fold.number,
            "valid_from": str(nights.min()),
            "valid_to": str(nights.max()),
            "train_rows": int(fold.train.sum()),
            "valid_rows": int(fold.valid.sum()),
            "valid_positives": int(y[fold.valid].sum()),
        }
        if len(set(y[fold.train])) < 2 or len(set(y[fold.valid])) < 2:
            row["skipped"] = "training or validation rows hold only one class"
        else:
            row.update(_fold_scores(model, x, y, fold, spec.seed))
        rows.append(row)
    scored = [r for r in rows if "skipped" not in r]
    keys = [f"{s}_{m}" for s in SCORERS for m in ("average_precision", "roc_auc")]
    mean = {k: float(np.mean([r[k] for r in scored])) for k in keys} if scored else {}
    return {"folds": rows, "mean": mean, "evaluated_folds": len(scored)}
