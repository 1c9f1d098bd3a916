import base64
import re
from datetime import date

import polars as pl
import pytest

from reports.backtest_plot import backtest_plot, risk_before_failures
from reports.markdown import png_markdown
from reports.model_card import card_markdown

METRICS = {
    "average_precision": 0.4,
    "roc_auc": 0.8,
    "precision_at_k": 0.3,
    "logistic_average_precision": 0.2,
    "logistic_roc_auc": 0.7,
    "logistic_precision_at_k": 0.1,
    "rule_average_precision": 0.1,
    "rule_roc_auc": 0.6,
    "rule_precision_at_k": 0.05,
    "rule_feature": "vibration_rms__mean__7d",
    "base_rate": 0.02,
}
CARD = {
    "version": "v0003",
    "recipe": "oil_analysis_challenger",
    "plant": "demo",
    "data_from": "2025-09-01",
    "data_to": "2026-04-28",
    "rows": 4177,
    "method": "lightgbm",
    "features": ["a", "b"],
    "metrics": {"7d": METRICS, "rul": {"rul_rmse_days": 12.0}},
    "gate": {
        "metric": "recall",
        "margin": 0.01,
        "champion": "v0001",
        "promoted": False,
        "reason": "backtest recall 0.400 does not beat champion v0001's 0.500 by 0.01",
        "challenger_backtest": {"recall": 0.4, "caught": 2, "failures": 5, "window": "w"},
        "champion_backtest": {"recall": 0.5, "caught": 3, "failures": 5, "window": "w"},
    },
}


def test_the_card_says_what_the_model_is_how_it_validated_and_what_the_gate_decided():
    importance = pl.DataFrame({"feature": ["a", "b"], "mean_gain_share": [0.7, 0.3]})
    text = card_markdown(CARD, importance)
    assert text.startswith("### Model v0003 (recipe `oil_analysis_challenger`), plant demo")
    assert "(4,177 labelled asset-nights), 2 features" in text
    assert "| 7d | one-sensor rule (vibration_rms__mean__7d) | 0.100 | 0.600 | 0.050 | 0.020 |" in (
        text
    )
    assert "against champion v0001: **not promoted**. backtest recall 0.400 does not" in text
    assert "| challenger | 0.400 | None | None | 2 | 5 | w |" in text
    assert "| a | 0.700 |" in text


def test_a_card_without_a_gate_or_importance_still_renders():
    text = card_markdown({k: v for k, v in CARD.items() if k not in ("gate", "recipe")})
    assert "Promotion gate" not in text and "Top" not in text and "recipe" not in text


def test_png_markdown_embeds_the_image_as_a_data_url():
    image = b"\x89PNG\r\n\x1a\nrest"
    text = png_markdown(image, "risk")
    encoded = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)\)", text).group(1)
    assert base64.b64decode(encoded) == image
    with pytest.raises(ValueError, match="not a PNG"):
        png_markdown(b"<svg/>", "risk")


def lists() -> pl.DataFrame:
    nights = [date(2026, 3, d) for d in range(1, 11)]
    return pl.DataFrame(
        {
            "asset_id": ["P-1"] * 10 + ["P-2"] * 10,
            "as_of": nights * 2,
            "horizon_days": [7] * 20,
            "risk": [d / 10 for d in range(1, 11)] + [0.05] * 10,
        }
    )


def test_risk_before_failures_takes_the_failed_assets_nights_before_the_failure():
    events = pl.DataFrame({"asset_id": ["P-1"], "failure_day": [date(2026, 3, 10)]})
    curves = risk_before_failures(lists(), events, horizon_days=7, days=3)
    assert curves.select("days_before", "risk").rows() == [(3, 0.7), (2, 0.8), (1, 0.9)]


def test_the_backtest_plot_is_a_png_named_by_its_failures():
    events = pl.DataFrame({"asset_id": ["P-1", "P-2"], "failure_day": [date(2026, 3, 10)] * 2})
    title, image = backtest_plot(lists(), events, 7, threshold=0.5)
    assert title == "Replayed 7-day risk in the 30 nights before 2 failures"
    assert image.startswith(b"\x89PNG")
    _, empty = backtest_plot(lists(), events.clear(), 7, threshold=None)
    assert empty.startswith(b"\x89PNG")
