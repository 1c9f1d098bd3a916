from datetime import date, timedelta

import polars as pl
import pytest

from models.backtest import BacktestSpec, CostModel
from models.backtest_metrics import evaluate_backtest, outcome_at

D0 = date(2026, 1, 1)
SPEC = BacktestSpec(
    horizon_days=7, capacity=1, min_lead_days=3, cost=CostModel(1000.0, 100.0, 10.0)
)


def lists(alerts: dict[str, list[int]], nights: int = 30) -> pl.DataFrame:
    """Risk lists of two assets; the asset alerted on a night is ranked first with risk 0.9."""
    rows = []
    for n in range(nights):
        flagged = [a for a, days in alerts.items() if n in days]
        for asset in ("A", "B"):
            top = asset in flagged
            rows.append((asset, D0 + timedelta(days=n), 7, 0.9 if top else 0.1, 1 if top else 2))
    return pl.DataFrame(
        rows, schema=["asset_id", "as_of", "horizon_days", "risk", "rank"], orient="row"
    )


EVENTS = pl.DataFrame({"asset_id": ["A"], "failure_day": [D0 + timedelta(days=12)]})


def test_failure_alerted_early_enough_is_caught_with_its_lead():
    out = outcome_at(lists({"A": [6, 7, 8]}), EVENTS, SPEC, threshold=0.5)
    assert (out["failures"], out["caught"], out["lead_days"]) == (1, 1, [6])


def test_alert_too_late_does_not_count():
    out = outcome_at(lists({"A": [10, 11]}), EVENTS, SPEC, threshold=0.5)
    assert out["caught"] == 0


def test_false_alarm_episodes_and_cost():
    out = outcome_at(lists({"A": [6], "B": [1, 2, 3, 20]}), EVENTS, SPEC, threshold=0.5)
    assert out["false_alarm_episodes"] == 2  # B on nights 1-3 is one episode, night 20 another
    assert out["cost_saved"] == pytest.approx(1000 - (100 + 3 * 10))


def test_threshold_is_chosen_by_cost_and_figures_are_complete():
    figures = evaluate_backtest(lists({"A": [6, 7, 8]}), EVENTS, SPEC, assets=2)
    assert figures["recall"] == 1.0 and figures["lead_days_median"] == 6.0
    assert {"precision_at_k", "false_alarms_per_asset_month", "threshold", "cost_saved"} <= set(
        figures
    )


def test_remaining_life_errors_punish_late_predictions_more_than_early_ones():
    from models.backtest_metrics import remaining_life_errors

    night = lists({}).filter((pl.col("asset_id") == "A") & (pl.col("as_of") == D0))
    early, late = night.with_columns(rul_days=pl.lit(7.0)), night.with_columns(rul_days=17.0)
    e, l_ = remaining_life_errors(early, EVENTS, SPEC), remaining_life_errors(late, EVENTS, SPEC)
    assert e["rul_rmse_days"] == l_["rul_rmse_days"] == 5.0  # truth: 12 days
    assert l_["rul_phm_score_per_night"] > e["rul_phm_score_per_night"] > 0
    assert (e["rul_late_share"], l_["rul_late_share"], e["rul_nights"]) == (0.0, 1.0, 1)


def test_remaining_life_errors_skip_nights_without_a_failure_within_the_cap():
    from models.backtest_metrics import remaining_life_errors

    nights = lists({}).filter(pl.col("asset_id") == "B").with_columns(rul_days=pl.lit(30.0))
    assert remaining_life_errors(nights, EVENTS, SPEC)["rul_nights"] == 0


def _degrading_fleet(nights: int = 260, assets: int = 6) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Assets whose vibration climbs over the 20 nights before each failure; a noise column."""
    import numpy as np

    rng = np.random.default_rng(3)
    rows, failures = [], []
    for a in range(assets):
        fail_days = list(range(40 + 9 * a, nights, 45))
        failures += [(f"A{a}", D0 + timedelta(days=d)) for d in fail_days]
        for n in range(nights):
            ahead = min((d - n for d in fail_days if d > n), default=999)
            rows.append(
                (
                    f"A{a}",
                    D0 + timedelta(days=n),
                    "pump",
                    2.0 + max(0, 20 - ahead) * 0.3 + rng.normal(0, 0.1),
                    rng.normal(0, 1),
                )
            )
    features = pl.DataFrame(
        rows,
        schema=["asset_id", "as_of", "asset_type", "vib__mean__7d", "noise__mean__7d"],
        orient="row",
    )
    events = pl.DataFrame(failures, schema=["asset_id", "failure_day"], orient="row")
    return features, events


def test_baselines_are_replayed_on_the_same_blocks_and_the_rule_finds_the_telling_sensor():
    from models.backtest import replay_baselines
    from models.backtest_metrics import backtest_report, comparison_rows

    features, events = _degrading_fleet()
    spec = BacktestSpec(months=4, retrain_every_days=30, horizon_days=7, capacity=1)
    lists = replay_baselines(features, events, spec, (7,), seed=1, progress=lambda _: None)
    assert set(lists["method"].unique()) == {"logistic", "rule"}
    per_night = lists.group_by("method", "as_of").agg(pl.col("rank").sort())
    assert all(r == list(range(1, 7)) for r in per_night["rank"].to_list())
    figures = backtest_report(
        lists.filter(pl.col("method") == "rule").drop("method"), lists, events, spec, assets=6
    )
    # vibration climbs for 20 nights before a failure: the one-sensor rule catches every failure
    assert figures["baselines"]["rule"]["7d"]["recall"] == 1.0
    assert figures["by_horizon"]["7d"]["recall"] == figures["recall"]
    rows = comparison_rows(figures)
    assert [r["method"] for r in rows] == ["model", "logistic", "rule"]
    assert {"precision_at_k", "recall", "cost_saved"} <= set(rows[0])


def test_precision_ceiling_is_what_a_perfect_list_would_score():
    from models.backtest_metrics import precision_at_k_ceiling

    spec = BacktestSpec(horizon_days=7, capacity=2)
    # A fails on day 12: nights 5..11 have one failing asset of k=2, every other night none
    ceiling = precision_at_k_ceiling(lists({}), EVENTS, spec)
    full_nights = 30 - 7
    assert ceiling == pytest.approx(7 * 0.5 / full_nights)


def test_baselines_skip_blocks_whose_history_has_no_failure_yet():
    from models.backtest import replay_baselines

    features, events = _degrading_fleet()
    first_failure = D0 + timedelta(days=200)  # after the first replayed blocks
    events = events.filter(pl.col("failure_day") > first_failure)
    spec = BacktestSpec(months=4, retrain_every_days=30, horizon_days=7, capacity=1)
    said: list[str] = []
    lists = replay_baselines(features, events, spec, (7,), seed=1, progress=said.append)
    assert any("no failure labelled" in line for line in said)
    assert lists["as_of"].min() > first_failure


def test_baselines_without_any_failure_give_an_empty_list():
    from models.backtest import replay_baselines

    features, events = _degrading_fleet()
    spec = BacktestSpec(months=2, retrain_every_days=30, horizon_days=7, capacity=1)
    lists = replay_baselines(features, events.clear(), spec, (7,), seed=1, progress=lambda _: 0)
    assert lists.is_empty()
    assert lists.columns == ["asset_id", "as_of", "horizon_days", "risk", "method", "rank"]


def test_snoozed_lists_give_an_asset_on_the_list_no_slot_for_the_next_nights():
    from models.backtest import snoozed

    nights = [date(2026, 3, 1) + timedelta(days=i) for i in range(4)]
    # every night the model ranks A, B, C; planners take one a night, an asset then rests a night
    model = pl.DataFrame(
        {
            "asset_id": ["A", "B", "C"] * 4,
            "as_of": [n for n in nights for _ in range(3)],
            "horizon_days": [7] * 12,
            "risk": [0.9, 0.5, 0.2] * 4,
            "rank": [1, 2, 3] * 4,
        },
        schema_overrides={"horizon_days": pl.Int32, "rank": pl.Int32},
    )
    out = snoozed(model, capacity=1, nights=1)
    tops = out.filter(pl.col("rank") == 1).sort("as_of")["asset_id"].to_list()
    assert tops == ["A", "B", "A", "B"]
    assert out.filter(pl.col("as_of") == nights[1]).sort("rank")["asset_id"].to_list() == [
        "B",
        "A",
        "C",
    ]
    assert (
        out["model_rank"].to_list()
        == out.sort("horizon_days", "as_of", "model_rank")["model_rank"].to_list()
    )
    two = snoozed(model, capacity=1, nights=2)
    assert two.filter(pl.col("rank") == 1).sort("as_of")["asset_id"].to_list() == [
        "A",
        "B",
        "C",
        "A",
    ]
    plain = snoozed(model, capacity=1, nights=0)
    assert plain["rank"].to_list() == plain["model_rank"].to_list() == model["rank"].to_list()


def test_a_snooze_frees_the_slot_an_asset_that_never_fails_would_hold_every_night():
    from dataclasses import replace

    from models.backtest import snoozed
    from models.backtest_metrics import backtest_report

    stuck = lists({"B": list(range(30))})  # B tops every night and never fails; A fails on day 12
    spec = replace(SPEC, snooze_nights=2)
    figures = backtest_report(snoozed(stuck, 1, 2), None, EVENTS, spec, assets=2)
    assert figures["snooze_nights"] == 2
    assert figures["by_horizon"]["7d"]["recall"] == 1.0
    assert figures["without_snooze"]["7d"]["recall"] == 0.0
