from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from features.daily import aggregate_daily, hourly_regimes
from features.spec import FeatureSpec, Ratio, load_feature_spec
from features.windows import build_window_features

TZ = "UTC"
SPEC = FeatureSpec(windows_days=(1, 7), drift=((1, 7),), regime_deviation=(1, 7))


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


def test_idle_hours_are_left_out_and_regimes_compared_like_with_like():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    # 7 days: running at high load 0-11 h (value 80), idle 12-23 h (value 20)
    values = [80.0 if i % 24 < 12 else 20.0 for i in range(24 * 7)]
    frame = readings(values, start)
    orders = pl.DataFrame(
        {
            "asset_id": "P-001",
            "start_utc": [start + timedelta(days=d) for d in range(7)],
            "end_utc": [start + timedelta(days=d, hours=12) for d in range(7)],
            "load_regime": "high",
        }
    )
    daily = aggregate_daily(frame, TZ, regimes=hourly_regimes(orders))
    out = build_window_features(daily, SPEC, [date(2026, 1, 7)])
    assert out["temp__mean__7d"][0] == 80.0
    assert out["temp__regime_dev__1d_vs_7d"][0] == pytest.approx(0.0)


def test_hours_above_limit_and_rate_of_change():
    spec = FeatureSpec(windows_days=(1, 7), drift=(), regime_deviation=None, limits={"temp": 50.0})
    values = [40.0] * 12 + [60.0] * 12  # 12 hours above 50 on the one day
    out = build_window_features(
        aggregate_daily(readings(values, datetime(2026, 1, 1, tzinfo=UTC)), TZ, limits=spec.limits),
        spec,
        [date(2026, 1, 1)],
    )
    assert out["temp__hours_above__1d"][0] == pytest.approx(12.0)
    assert out["temp__rate_of_change__1d"][0] == pytest.approx(20.0 / (23 / 24))


def test_excluded_sensor_of_an_asset_type_is_left_out():
    spec = FeatureSpec(
        windows_days=(1,), drift=(), regime_deviation=None, excluded={"pump": ("temp",)}
    )
    frame = pl.concat(
        [
            readings([1.0] * 24, datetime(2026, 1, 1, tzinfo=UTC)),
            readings([2.0] * 24, datetime(2026, 1, 1, tzinfo=UTC)).with_columns(
                sensor=pl.lit("flow")
            ),
        ]
    )
    types = pl.DataFrame({"asset_id": ["P-001"], "asset_type": ["pump"]})
    out = build_window_features(aggregate_daily(frame, TZ), spec, [date(2026, 1, 1)], types)
    assert "flow__mean__1d" in out.columns and not any(c.startswith("temp__") for c in out.columns)


def test_ratio_of_seven_day_means():
    spec = FeatureSpec(
        windows_days=(1, 7),
        drift=(),
        regime_deviation=None,
        ratios=(Ratio("p_per_f", "temp", "flow"),),
    )
    frame = pl.concat(
        [
            readings([10.0] * 24, datetime(2026, 1, 1, tzinfo=UTC)),
            readings([4.0] * 24, datetime(2026, 1, 1, tzinfo=UTC)).with_columns(
                sensor=pl.lit("flow")
            ),
        ]
    )
    out = build_window_features(aggregate_daily(frame, TZ), spec, [date(2026, 1, 1)])
    assert out["ratio__p_per_f__7d"][0] == pytest.approx(2.5)


def test_single_night_fast_path_equals_the_expanded_computation():
    values = np.random.default_rng(5).normal(50, 5, 24 * 20).tolist()
    frame = readings(values, datetime(2026, 1, 1, tzinfo=UTC)).with_columns(
        night=pl.when(pl.int_range(pl.len()) % 7 == 0)
        .then(pl.col("night") + pl.duration(days=1))
        .otherwise(pl.col("night"))
    )
    daily = aggregate_daily(frame, TZ)
    night = date(2026, 1, 15)
    alone = features(frame, [night])
    among = build_window_features(daily, SPEC, [date(2026, 1, 14), night]).filter(
        pl.col("as_of") == night
    )
    assert_frame_equal(alone, among, check_column_order=False)


def test_a_reading_just_after_local_midnight_in_a_half_hour_zone_counts_for_the_new_day():
    # Asia/Kolkata is UTC+05:30: 18:45 UTC is 00:15 the next local day, mid-way through a UTC hour
    frame = pl.DataFrame(
        {
            "night": [date(2026, 1, 2)] * 2,
            "asset_id": ["P-1"] * 2,
            "sensor": ["temp"] * 2,
            "ts_utc": [
                datetime(2026, 1, 1, 18, 15, tzinfo=UTC),
                datetime(2026, 1, 1, 18, 45, tzinfo=UTC),
            ],
            "value": [1.0, 2.0],
        }
    ).with_columns(
        pl.lit(False).alias(f) for f in ("flag_stuck", "flag_dead", "flag_spike", "flag_gap_before")
    )
    daily = aggregate_daily(frame, "Asia/Kolkata")
    assert daily.select("day", "n").sort("day").rows() == [
        (date(2026, 1, 1), 1),
        (date(2026, 1, 2), 1),
    ]
