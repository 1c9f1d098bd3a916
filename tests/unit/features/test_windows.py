from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from features.daily import IDLE, aggregate_daily, hourly_regimes
from features.spec import FeatureSpec, Ratio, load_feature_spec
from features.windows import _statistics, _widen, build_window_features
from tests.unit.features.test_daily import LIMITS, random_orders, random_readings

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


def reference_windows(daily: pl.DataFrame, spec: FeatureSpec, nights: list[date]) -> pl.DataFrame:
    """Level 2 as defined: per night and window, the running daily rows known by then, summed
    per series; no age bands, no pre-merging. Slow, plain, the yardstick."""
    sums = ["n", "sum_v", "sum_vv", "n_flagged", "sec_above", "sum_t", "sum_tt", "sum_tv", "p95n"]
    has_limit = pl.col("sensor").is_in(list(spec.limits))
    parts = []
    for night in nights:
        age = (pl.lit(night) - pl.col("day")).dt.total_days()
        known = daily.filter(
            (pl.col("night") <= night) & (pl.col("day") <= night) & (pl.col("regime") != IDLE)
        ).with_columns(p95n=pl.col("p95") * pl.col("n"), age=age)
        known = known.filter(pl.col("age") < spec.max_window_days)
        long = known.select("asset_id", "sensor").unique()
        for w in spec.windows_days:
            inside = (
                known.filter(pl.col("age") < w)
                .group_by("asset_id", "sensor")
                .agg(
                    *[pl.col(c).sum().alias(f"{c}_{w}") for c in sums],
                    pl.col("min_v").min().alias(f"min_v_{w}"),
                    pl.col("max_v").max().alias(f"max_v_{w}"),
                    pl.col("first_t").min().alias(f"first_t_{w}"),
                    pl.col("first_v").get(pl.col("first_t").arg_min()).alias(f"first_v_{w}"),
                    pl.col("last_t").max().alias(f"last_t_{w}"),
                    pl.col("last_v").get(pl.col("last_t").arg_max()).alias(f"last_v_{w}"),
                )
            )
            long = long.join(inside, on=["asset_id", "sensor"], how="left").with_columns(
                pl.col(f"{c}_{w}").fill_null(0) for c in sums
            )
        long = (
            long.with_columns(as_of=pl.lit(night))
            .select(
                "asset_id",
                "sensor",
                "as_of",
                *[e for w in spec.windows_days for e in _statistics(w, spec.statistics, has_limit)],
            )
            .with_columns(  # fmt: skip
                (pl.col(f"mean__{s}d") - pl.col(f"mean__{lg}d")).alias(f"drift__{s}d_vs_{lg}d")
                for s, lg in spec.drift
            )
        )
        if spec.regime_deviation:
            short, lg = spec.regime_deviation

            def mean_of(w: int) -> pl.Expr:
                return pl.col("sum_v").filter(pl.col("age") < w).sum() / n_of(w)

            def n_of(w: int) -> pl.Expr:
                return pl.col("n").filter(pl.col("age") < w).sum()

            deviation = (
                known.group_by("asset_id", "sensor", "regime")
                .agg(dev=mean_of(short) - mean_of(lg), weight=n_of(short))
                .filter(pl.col("weight") > 0)
                .group_by("asset_id", "sensor")
                .agg(
                    ((pl.col("dev") * pl.col("weight")).sum() / pl.col("weight").sum()).alias(
                        f"regime_dev__{short}d_vs_{lg}d"
                    )
                )
            )
            long = long.join(deviation, on=["asset_id", "sensor"], how="left")
        if spec.ewma_halflife_days:
            weight = 0.5 ** (pl.col("age") / spec.ewma_halflife_days)
            ewma = known.group_by("asset_id", "sensor").agg(
                ((weight * pl.col("sum_v")).sum() / (weight * pl.col("n")).sum()).alias(
                    f"ewma__{spec.ewma_halflife_days:g}d_hl"
                )
            )
            long = long.join(ewma, on=["asset_id", "sensor"], how="left")
        parts.append(long)
    return _widen(pl.concat(parts), spec)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 3000), several_nights=st.booleans())
def test_window_features_equal_the_plain_per_window_sums_on_random_readings(
    seed, size, several_nights
):
    rng = np.random.default_rng(seed)
    spec = FeatureSpec(
        windows_days=(1, 3, 7),
        drift=((1, 7),),
        regime_deviation=(1, 3),
        ewma_halflife_days=2.0,
        limits=LIMITS,
    )
    regimes = hourly_regimes(random_orders(rng))
    daily = aggregate_daily(random_readings(rng, size, duplicates=False), "UTC", regimes, LIMITS)
    nights = [date(2026, 3, 28), date(2026, 3, 30), date(2026, 4, 1)]
    nights = nights if several_nights else nights[1:2]
    ours = build_window_features(daily, spec, nights)
    expected = reference_windows(daily, spec, nights).select(ours.columns)
    # the band sums add up in another order than the plain sums: equal up to float rounding,
    # which the slope magnifies (sums of t^2 with t about 20,500 days, readings minutes apart)
    slopes = [c for c in ours.columns if "__slope__" in c]
    assert_frame_equal(ours.drop(slopes), expected.drop(slopes), rel_tol=1e-9)
    assert_frame_equal(ours.select(slopes), expected.select(slopes), rel_tol=1e-3)
