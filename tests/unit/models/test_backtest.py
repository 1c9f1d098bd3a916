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
