import polars as pl
import pytest

from features.families import join_families
from foresight.errors import ModelError
from models.backtest import BacktestSpec
from models.card import model_card
from models.challenger import Recipe, train_and_gate
from models.importance import feature_importance
from models.promotion import GateSpec, Verdict, held_back
from models.registry import ModelRegistry
from models.training import TrainingSpec
from tests.unit.models.conftest import HORIZONS

QUICK = TrainingSpec(HORIZONS, 8, capacity=2, cv_folds=0, baselines=False, rul=False)
GATE = GateSpec("recall", 0.0, BacktestSpec(months=2, horizon_days=7, capacity=2))
WON = Verdict(True, "backtest recall 0.800 beats v0001's 0.500 (w)", 0.8, 0.5)


def test_a_winner_the_nightly_cannot_score_is_held_back_and_says_which_features():
    verdict = held_back(WON, ["oil__iron__last", "oil__water__last"])
    assert not verdict.promote and (verdict.challenger, verdict.champion) == (0.8, 0.5)
    assert verdict.reason == (
        "backtest recall 0.800 beats v0001's 0.500 (w); not promoted: the nightly feature table "
        "lacks 2 of its features (oil__iron__last, oil__water__last). Add their family to the "
        "nightly feature table first."
    )


def test_held_back_changes_neither_a_scorable_winner_nor_a_loser():
    assert held_back(WON, []) is WON
    lost = Verdict(False, "does not beat", 0.1, 0.5)
    assert held_back(lost, ["oil__x"]) is lost


def test_a_challenger_needs_a_champion_to_challenge(tmp_path, fleet_frame):
    recipe = Recipe("oil_challenger", QUICK, GATE, challenger=True)
    registry = ModelRegistry(tmp_path)
    with pytest.raises(ModelError, match="challenger oil_challenger: there is no champion"):
        train_and_gate(registry, fleet_frame, fleet_frame, fleet_frame, recipe, "test", 12)
    assert registry.versions() == []  # refused before training anything


def test_feature_importance_shares_sum_to_one_per_horizon(trained):
    model, _ = trained
    table = feature_importance(model)
    assert set(table["feature"]) == set(model.features)
    for h in HORIZONS:
        assert table[f"gain_share_{h}d"].sum() == pytest.approx(1.0)
    # the synthetic fleet's failures show in vibration only
    assert table["feature"][0] == "vibration_rms_mm_s__mean__1d"


@pytest.mark.slow  # two replays of the gate: seconds alone, minutes on a shared machine
def test_a_challenger_with_an_extra_family_goes_through_the_gate_and_is_recorded(
    tmp_path, trained, fleet, fleet_frame
):
    features, events = fleet
    registry = ModelRegistry(tmp_path)
    champion, metrics = trained
    registry.save(champion, model_card(champion, fleet_frame, metrics, "test"))
    registry.promote(champion.version)
    nightly = features.drop("night")
    labels = fleet_frame.select("asset_id", "as_of", pl.col("^(label|days_to_failure).*$"))
    extra = nightly.select("asset_id", "as_of", oil__iron__last=pl.col("bearing_temp_c__mean__1d"))
    entry = train_and_gate(
        registry,
        join_families(nightly, {"oil": extra}),
        labels,
        events,
        Recipe("oil_challenger", QUICK, GATE, challenger=True),
        "test",
        12,
        scoring_columns=nightly.columns,
    )
    gate = entry.card["gate"]
    assert entry.card["recipe"] == "oil_challenger" and gate["champion"] == champion.version
    assert gate["challenger_backtest"]["window"] == gate["champion_backtest"]["window"]
    assert registry.champion_version() == champion.version  # it needs oil: never the champion
    assert not entry.promotion.promoted and entry.promotion.reason == gate["reason"]
    figures = gate["challenger_backtest"]["recall"], gate["champion_backtest"]["recall"]
    won = figures[0] >= figures[1] + GATE.margin
    assert ("not promoted: the nightly feature table lacks 1" in gate["reason"]) == won
