from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import polars as pl
import pytest
from sktime.transformations.series.summarize import WindowSummarizer

from features.daily import aggregate_daily
from features.sktime_family import build_sktime_features
from features.spec import FeatureSpec, SktimeFamily
from features.windows import build_window_features


def one_reading_per_day(values: np.ndarray) -> pl.DataFrame:
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    return pl.DataFrame(
        {
            "asset_id": "P-1",
            "sensor": "temp",
            "value": values,
            "ts_utc": [start + timedelta(days=i) for i in range(len(values))],
        }
    ).with_columns(
        night=pl.col("ts_utc").dt.date(), flag_stuck=False, flag_dead=False, flag_spike=False
    )


def test_polars_windows_agree_with_sktime_window_summarizer_on_random_data():
    values = np.random.default_rng(11).normal(10, 3, 40)
    spec = FeatureSpec(windows_days=(7,), drift=(), regime_deviation=None, ewma_halflife_days=None)
    nights = [date(2026, 1, 1) + timedelta(days=i) for i in range(10, 40)]
    ours = build_window_features(
        aggregate_daily(one_reading_per_day(values), "UTC"), spec, nights
    ).sort("as_of")
    y = pd.Series(values, index=pd.period_range("2026-01-01", periods=40, freq="D"))
    theirs = (
        WindowSummarizer(
            lag_feature={"mean": [[0, 7]], "std": [[0, 7]], "min": [[0, 7]], "max": [[0, 7]]},
            truncate=None,
        )
        .fit_transform(y)
        .iloc[10:]
    )
    assert ours["temp__mean__7d"].to_numpy() == pytest.approx(theirs["0_mean_0_7"].to_numpy())
    assert ours["temp__min__7d"].to_numpy() == pytest.approx(theirs["0_min_0_7"].to_numpy())
    assert ours["temp__max__7d"].to_numpy() == pytest.approx(theirs["0_max_0_7"].to_numpy())
    sample_std = ours["temp__std__7d"].to_numpy() * np.sqrt(7 / 6)  # ours is the population std
    assert sample_std == pytest.approx(theirs["0_std_0_7"].to_numpy())


def test_sktime_family_adds_named_columns_per_sensor_and_night():
    values = np.linspace(0, 10, 20)
    daily = aggregate_daily(one_reading_per_day(values), "UTC")
    family = SktimeFamily(
        enabled=True, transformer="SummaryTransformer", sensors=("temp",), window_days=7
    )
    out = build_sktime_features(daily, family, [date(2026, 1, 15), date(2026, 1, 20)])
    assert out.height == 2
    assert "temp__sktime_mean" in out.columns
    assert out.sort("as_of")["temp__sktime_mean"].to_list() == pytest.approx(
        [np.mean(values[8:15]), np.mean(values[13:20])]
    )


def test_sktime_family_is_empty_when_switched_off():
    daily = aggregate_daily(one_reading_per_day(np.ones(10)), "UTC")
    assert build_sktime_features(daily, SktimeFamily(enabled=False), [date(2026, 1, 5)]).is_empty()
