"""FailureRiskModel: one calibrated LightGBM classifier per horizon, with its feature contract."""

from __future__ import annotations

from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np
import polars as pl
from sklearn.isotonic import IsotonicRegression

from foresight.errors import ModelError
from models.health import HealthModel
from models.rul import RulModel

CATEGORICAL = ("asset_type", "criticality", "load_regime_now", "product_spec_now")
NOT_FEATURES = {"asset_id", "as_of", "site"}


def feature_columns(frame: pl.DataFrame) -> list[str]:
    """Model inputs: every numeric column plus the categorical attributes, never keys or labels."""
    numeric = [
        c
        for c, t in frame.schema.items()
        if c not in NOT_FEATURES
        and not c.startswith(("label_", "days_to_failure"))
        and t.is_numeric()
        and "__n__" not in c  # reading counts measure the historian, not the machine
    ]
    return sorted(numeric) + [c for c in CATEGORICAL if c in frame.columns]


@dataclass
class HorizonModel:
    """A classifier for one horizon and the isotonic map from its raw score to a probability."""

    horizon_days: int
    booster: lgb.LGBMClassifier
    calibrator: IsotonicRegression
    reliability: list[dict] = field(default_factory=list)  # out-of-sample calibration by risk bin


@dataclass
class FailureRiskModel:
    """Everything needed to score and explain: features, category codes, per-horizon models."""

    version: str
    features: list[str]
    categories: dict[str, list[str]]
    horizons: dict[int, HorizonModel] = field(default_factory=dict)
    # asset_type -> feature -> median on the training data, for "above typical" in explanations
    typical: dict[str, dict[str, float]] = field(default_factory=dict)
    rul: RulModel | None = None
    # per failure mode (label suffix) and horizon, where the mode had enough labelled failures
    modes: dict[str, dict[int, HorizonModel]] = field(default_factory=dict)
    # modes (and "any failure" under the key "any") scored by the health score: labelled failures
    cold_start: dict[str, int] = field(default_factory=dict)
    health: HealthModel | None = None
    min_failures: dict[str, int] = field(default_factory=dict)  # needed: "any" and "mode"
    horizon_days: tuple[int, ...] = ()

    def __setstate__(self, state: dict) -> None:
        # models pickled before per-mode models and cold start existed load with empty ones
        self.__dict__.update(
            {"modes": {}, "cold_start": {}, "health": None, "min_failures": {}, **state}
        )

    @property
    def is_cold_start(self) -> bool:
        """No failure-risk classifier at all: every score is the unsupervised health score."""
        return not self.horizons

    def method_note(self) -> str:
        """How this model scores, in words, naming each cold-start fallback and why."""
        if self.is_cold_start:
            return (
                "cold start: unsupervised health score, only "
                f"{self.cold_start.get('any', 0)} labelled failures "
                f"({self.min_failures.get('any', '?')} needed for a risk model)"
            )
        cold = {m: n for m, n in self.cold_start.items() if m != "any"}
        if not cold:
            return "lightgbm"
        listed = ", ".join(f"{n} labelled failures of mode {m}" for m, n in sorted(cold.items()))
        return (
            f"lightgbm; cold start: unsupervised health score for rarer modes, only {listed} "
            f"({self.min_failures.get('mode', '?')} needed per mode)"
        )

    def predict_mode_risk(self, frame: pl.DataFrame, mode: str, horizon: int) -> np.ndarray:
        """Calibrated probability of a failure of `mode` within `horizon` days, per row."""
        fitted = self.modes[mode][horizon]
        raw = fitted.booster.predict_proba(self.matrix(frame))[:, 1]
        return fitted.calibrator.predict(raw)

    @property
    def categorical_indices(self) -> list[int]:
        return [i for i, name in enumerate(self.features) if name in self.categories]

    def matrix(self, frame: pl.DataFrame) -> np.ndarray:
        """The feature matrix in training order; categories coded with the training vocabulary."""
        missing = [c for c in self.features if c not in frame.columns]
        if missing:
            raise ModelError(
                f"model {self.version}: scoring data lacks {len(missing)} trained features "
                f"(e.g. {missing[:3]}). Retrain with `foresight train` or restore the feature spec."
            )
        cols = []
        for name in self.features:
            if name in self.categories:
                vocab = {v: i for i, v in enumerate(self.categories[name])}
                codes = [vocab.get(v, np.nan) for v in frame[name].to_list()]
                cols.append(np.asarray(codes, dtype=float))
            else:
                cols.append(frame[name].cast(pl.Float64).to_numpy())
        return np.column_stack(cols) if cols else np.empty((frame.height, 0))

    def predict_raw(self, frame: pl.DataFrame, horizon: int) -> np.ndarray:
        """The classifier's uncalibrated score: orders assets finer than the calibrated steps."""
        return self.horizons[horizon].booster.predict_proba(self.matrix(frame))[:, 1]

    def predict_risk(self, frame: pl.DataFrame, horizon: int) -> np.ndarray:
        """Calibrated probability of failure within `horizon` days, per row."""
        return self.horizons[horizon].calibrator.predict(self.predict_raw(frame, horizon))

    def contributions(self, frame: pl.DataFrame, horizon: int) -> np.ndarray:
        """SHAP contributions per feature (LightGBM pred_contrib), last column the bias."""
        booster = self.horizons[horizon].booster
        return booster.predict(self.matrix(frame), pred_contrib=True)
