from datetime import date

import numpy as np
import polars as pl
import pytest

from foresight.errors import ModelError
from models.health import fit_health
from models.scoring import COLD_START, ScoringPolicy, score_assets
from models.training import TrainingSpec, train_failure_risk_model
from tests.unit.models.conftest import HORIZONS, labelled, synthetic_fleet


def _night(frame: pl.DataFrame, day: date) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    features = frame.filter(pl.col("as_of") == day)
    active = features.select("asset_id")
    quality = active.with_columns(data_quality_status=pl.lit("ok"), coverage=pl.lit(1.0))
    return features, active, quality


def test_mode_with_enough_failures_gets_its_own_classifier(trained):
    model, metrics = trained
    assert sorted(model.modes) == ["brg_wear"]
    assert sorted(model.modes["brg_wear"]) == list(HORIZONS)
    assert metrics["modes"]["brg_wear"]["method"] == "lightgbm"


def test_rare_mode_falls_back_to_the_health_score_and_says_so(trained):
    model, metrics = trained
    assert model.cold_start == {"seal_leak": 2}
    assert model.health is not None
    assert metrics["modes"]["seal_leak"] == {"method": "cold start", "failures": 2}
    assert "cold start: unsupervised health score" in model.method_note()
    assert "only 2 labelled failures of mode seal_leak" in model.method_note()


def test_score_rows_carry_the_method_mode_and_health(trained, fleet_frame):
    model, _ = trained
    features, active, quality = _night(fleet_frame, date(2025, 6, 1))
    scores = score_assets(model, features, active, date(2025, 6, 1), ScoringPolicy(), {}, quality)
    assert scores["method"].unique().to_list() == [model.method_note()]
    assert scores["failure_mode"].unique().to_list() == ["brg_wear"]
    assert scores["health_anomaly"].is_between(0, 1).all()
    assert scores["risk"].is_not_null().all()


def test_plant_with_too_few_failures_is_a_cold_start_and_ranks_by_health():
    features, events = synthetic_fleet(n_assets=6)
    frame = labelled(features, events.head(3))
    spec = TrainingSpec(horizons=HORIZONS, min_failures=8, min_failures_per_mode=5)
    model, metrics = train_failure_risk_model(frame, spec, "v0001")
    assert model.is_cold_start
    assert metrics == {"cold_start": {"failures": 3}}
    assert model.method_note() == (
        "cold start: unsupervised health score, only 3 labelled failures "
        "(8 needed for a risk model)"
    )
    night, active, quality = _night(frame, date(2025, 8, 1))
    scores = score_assets(model, night, active, date(2025, 8, 1), ScoringPolicy(), {}, quality)
    assert scores["band"].unique().to_list() == [COLD_START]
    assert scores["risk"].is_null().all()
    assert scores["drivers"].str.starts_with("cold start: unsupervised health score").all()
    top = scores.filter(pl.col("horizon_days") == 7).sort("rank")
    assert top["health_anomaly"].is_sorted(descending=True)


def test_health_score_ranks_an_unusual_night_above_ordinary_ones():
    rng = np.random.default_rng(0)
    frame = pl.DataFrame(
        {
            "asset_type": ["pump"] * 200,
            "x": rng.normal(0, 1, 200),
            "y": rng.normal(5, 1, 200),
            "label_30d": [0] * 200,
        }
    )
    health = fit_health(frame, ["x", "y"], seed=1)
    probe = pl.DataFrame({"asset_type": ["pump", "pump", "fan"], "x": [0.0, 8.0, 0.0], "y": 5.0})
    ordinary, unusual, unknown = health.score(probe)
    assert unusual > 0.9 and ordinary < 0.5
    assert np.isnan(unknown)  # no forest for an asset type never seen healthy


def test_health_score_needs_healthy_history():
    frame = pl.DataFrame({"asset_type": ["pump"] * 10, "x": [1.0] * 10, "label_30d": [0] * 10})
    with pytest.raises(ModelError, match="no asset type has 30 healthy nights"):
        fit_health(frame, ["x"], seed=1)


def test_health_score_names_missing_features():
    frame = pl.DataFrame({"asset_type": ["pump"] * 40, "x": np.arange(40.0), "label_30d": 0})
    health = fit_health(frame, ["x"], seed=1)
    with pytest.raises(ModelError, match=r"lacks 1 trained features \(e.g. \['x'\]\)"):
        health.score(pl.DataFrame({"asset_type": ["pump"]}))
