from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from features.daily import aggregate_daily
from features.spec import FeatureSpec, load_feature_spec
from features.windows import build_window_features

TZ = "UTC"
SPEC = FeatureSpec(windows_days=(1, 7), drift=((1, 7),))


def readings(
    values: list[float], start: datetime, every_hours: int = 1, night_lag_days: int = 0
) -> pl.DataFrame:
    ts = [start + timedelta(hours=every_hours * i) for i in range(len(values))]
    return pl.DataFrame(
        {
            "asset_id": "P-001",
            "sensor": "temp",
            "ts_utc": ts,
            "value": values,
        },
        schema_overrides={"ts_utc": pl.Datetime("us", "UTC")},
    ).with_columns(
        night=pl.col("ts_utc").dt.date() + pl.duration(days=night_lag_days),
        flag_stuck=False,
        flag_dead=False,
        flag_spike=False,
    )


def features(frame: pl.DataFrame, as_of: list[date], spec: FeatureSpec = SPEC) -> pl.DataFrame:
    return build_window_features(aggregate_daily(frame, TZ), spec, as_of)


def test_window_mean_and_slope_follow_their_formulas():
    values = [float(i) for i in range(24 * 7)]  # rises 24 per day
    out = features(readings(values, datetime(2026, 1, 1, tzinfo=UTC)), [date(2026, 1, 7)])
    assert out["temp__mean__7d"][0] == pytest.approx(np.mean(values))
    assert out["temp__slope__7d"][0] == pytest.approx(24.0)
    assert out["temp__mean__1d"][0] == pytest.approx(np.mean(values[-24:]))
    assert out["temp__last__1d"][0] == values[-1]
    assert out["temp__drift__1d_vs_7d"][0] == pytest.approx(np.mean(values[-24:]) - np.mean(values))


def test_window_ignores_readings_after_as_of():
    frame = readings([1.0] * 48 + [100.0] * 24, datetime(2026, 1, 1, tzinfo=UTC))
    out = features(frame, [date(2026, 1, 2)])
    assert out["temp__max__7d"][0] == 1.0


def test_late_data_counts_only_from_the_night_it_arrived():
    on_time = readings([1.0] * 24, datetime(2026, 1, 1, tzinfo=UTC))
    late = readings([9.0] * 24, datetime(2026, 1, 2, tzinfo=UTC), night_lag_days=2)  # arrives Jan 4
    out = features(pl.concat([on_time, late]), [date(2026, 1, 2), date(2026, 1, 4)]).sort("as_of")
    assert out["temp__max__7d"].to_list() == [1.0, 9.0]


def test_window_agrees_with_pandas_rolling_on_random_data():
    rng = np.random.default_rng(3)
    values = rng.normal(50, 5, 24 * 30).tolist()
    frame = readings(values, datetime(2026, 1, 1, tzinfo=UTC))
    out = features(frame, [date(2026, 1, 30)])
    series = frame.to_pandas().set_index("ts_utc")["value"]
    rolled = series.rolling("7D").agg(["mean", "std", "min", "max"]).iloc[-1]
    assert out["temp__mean__7d"][0] == pytest.approx(rolled["mean"])
    assert out["temp__std__7d"][0] == pytest.approx(
        rolled["std"], rel=1e-2
    )  # population vs sample std
    assert out["temp__min__7d"][0] == rolled["min"]
    assert out["temp__max__7d"][0] == rolled["max"]


def test_spec_file_loads():
    spec = load_feature_spec()
    assert 30 in spec.windows_days and "slope" in spec.statistics


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(-100, 100), min_size=24 * 6, max_size=24 * 6),
    cut=st.integers(1, 4),
    noise=st.floats(-1000, 1000),
    late=st.integers(0, 2),
)
def test_altering_data_after_as_of_changes_no_feature(values, cut, noise, late):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    frame = readings(values, start).with_columns(
        night=pl.when(pl.int_range(pl.len()) % 5 == 0)
        .then(pl.col("night") + pl.duration(days=late))
        .otherwise(pl.col("night"))
    )
    as_of = date(2026, 1, 1) + timedelta(days=cut)
    # "after t": stamped after the as-of night, or arrived on a later night
    after = (pl.col("ts_utc").dt.date() > as_of) | (pl.col("night") > as_of)
    altered = frame.with_columns(
        value=pl.when(after).then(pl.col("value") + noise).otherwise(pl.col("value"))
    )
    assert_frame_equal(features(frame, [as_of]), features(altered, [as_of]))
