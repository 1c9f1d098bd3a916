from datetime import date

import polars as pl
import pytest

from models.backtest import BacktestSpec
from models.card import model_card
from models.promotion import GateSpec, gate_new_model, judge
from models.registry import ModelRegistry
from models.scoring import ScoringPolicy, score_assets
from models.training import TrainingSpec, train_failure_risk_model
from tests.unit.models.conftest import HORIZONS

GATE = GateSpec("recall", 0.05, BacktestSpec(months=2, horizon_days=7, capacity=2))
QUICK = TrainingSpec(HORIZONS, 8, capacity=2, cv_folds=0, baselines=False, rul=False)


def figures(recall: float) -> dict:
    return {"recall": recall, "window": "2025-07-01 .. 2025-08-28"}


def test_worse_challenger_is_not_promoted_and_says_why():
    verdict = judge(figures(0.6), figures(0.7), GATE, "v0001")
    assert not verdict.promote
    assert verdict.reason == (
        "backtest recall 0.600 does not beat champion v0001's 0.700 by 0.05 "
        "(same replay 2025-07-01 .. 2025-08-28)"
    )


def test_challenger_within_the_margin_is_not_promoted():
    assert not judge(figures(0.74), figures(0.7), GATE, "v0001").promote


def test_challenger_beating_the_margin_is_promoted():
    assert judge(figures(0.8), figures(0.7), GATE, "v0001").promote


def test_cold_start_never_replaces_a_classifier_but_a_classifier_replaces_a_cold_start():
    assert not judge(None, figures(0.7), GATE, "v0001").promote
    assert judge(figures(0.1), None, GATE, "v0001").promote


def _registered(tmp_path, trained, fleet_frame) -> tuple[ModelRegistry, object]:
    registry = ModelRegistry(tmp_path)
    model, metrics = trained
    registry.save(model, model_card(model, fleet_frame, metrics, "test"))
    registry.promote("v0001")
    return registry, model


def test_rejected_challenger_leaves_the_champion_scoring(tmp_path, trained, fleet_frame):
    registry, champion = _registered(tmp_path, trained, fleet_frame)
    challenger, metrics = train_failure_risk_model(fleet_frame, QUICK, registry.next_version())
    registry.save(challenger, model_card(challenger, fleet_frame, metrics, "test"))
    promotion = registry.apply("v0002", judge(figures(0.5), figures(0.7), GATE, "v0001"))
    assert not promotion.promoted
    assert registry.champion_version() == "v0001"
    night = fleet_frame.filter(pl.col("as_of") == date(2025, 8, 1))
    quality = night.select("asset_id", data_quality_status=pl.lit("ok"), coverage=pl.lit(1.0))
    scores = score_assets(
        registry.load(),
        night,
        night.select("asset_id"),
        date(2025, 8, 1),
        ScoringPolicy(),
        {},
        quality,
    )
    assert scores["model_version"].unique().to_list() == ["v0001"]


@pytest.mark.slow
def test_gate_replays_both_recipes_on_the_same_window(tmp_path, trained, fleet, fleet_frame):
    features, events = fleet
    registry, _ = _registered(tmp_path, trained, fleet_frame)
    challenger, metrics = train_failure_risk_model(fleet_frame, QUICK, registry.next_version())
    registry.save(challenger, model_card(challenger, fleet_frame, metrics, "test"))
    promotion = gate_new_model(registry, challenger, features, events, QUICK, GATE, assets=12)
    gate = registry.card("v0002")["gate"]
    assert gate["challenger_backtest"]["window"] == gate["champion_backtest"]["window"]
    # same recipe, same data: equal figures do not beat the champion by the margin
    assert gate["challenger_backtest"]["recall"] == gate["champion_backtest"]["recall"]
    assert not promotion.promoted and registry.champion_version() == "v0001"
