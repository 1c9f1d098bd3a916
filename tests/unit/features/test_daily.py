from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from features.daily import (
    DAY_KEYS,
    DAY_VALUES,
    IDLE,
    UNKNOWN_REGIME,
    aggregate_daily,
    hourly_regimes,
)

START = datetime(2026, 3, 27, tzinfo=UTC)  # five days across Europe's change to summer time
ZONES = ["UTC", "Europe/Berlin", "America/Chicago", "Asia/Kolkata"]  # Kolkata: +05:30
LIMITS = {"temp": 55.0, "vib": 45.0}


def random_readings(rng: np.random.Generator, n: int, duplicates: bool) -> pl.DataFrame:
    """Readings of a few series over five days, some delivered one or two nights late."""
    frame = pl.DataFrame(
        {
            "asset_id": rng.choice(["A-1", "A-2", "B-7"], n),
            "sensor": rng.choice(["temp", "flow", "vib"], n),
            "ts_utc": [START + timedelta(minutes=int(m)) for m in rng.integers(0, 7200, n)],
            "value": rng.normal(50, 10, n),
            "flag_stuck": rng.random(n) < 0.05,
            "flag_dead": rng.random(n) < 0.02,
            "flag_spike": rng.random(n) < 0.02,
            "late_days": rng.choice([0, 0, 0, 1, 2], n),
        },
        schema_overrides={"ts_utc": pl.Datetime("us", "UTC")},
    ).with_columns(night=pl.col("ts_utc").dt.date() + pl.duration(days=pl.col("late_days")))
    if not duplicates:  # the cleaning delivers one reading per series and time
        frame = frame.unique(["asset_id", "sensor", "ts_utc"], keep="first", maintain_order=True)
    return frame.drop("late_days")


def random_orders(rng: np.random.Generator) -> pl.DataFrame:
    starts = [START + timedelta(hours=int(h)) for h in rng.integers(0, 120, 12)]
    return pl.DataFrame(
        {
            "asset_id": rng.choice(["A-1", "A-2", "B-7", "Z-9"], 12),
            "start_utc": starts,
            "end_utc": [
                s + timedelta(hours=int(h))
                for s, h in zip(starts, rng.integers(1, 30, 12), strict=True)
            ],
            "load_regime": rng.choice(["low", "normal", "high"], 12),
        },
        schema_overrides={
            "start_utc": pl.Datetime("us", "UTC"),
            "end_utc": pl.Datetime("us", "UTC"),
        },
    )


def reference_daily(
    frame: pl.DataFrame, timezone: str, regimes: pl.DataFrame | None, limits: dict[str, float]
) -> pl.DataFrame:
    """Level 1 as defined, by a join and one group-by: slow, plain, the yardstick."""
    rows = frame.with_columns(
        day=pl.col("ts_utc").dt.convert_time_zone(timezone).dt.date(),
        hour=pl.col("ts_utc").dt.truncate("1h"),
        t=pl.col("ts_utc").dt.epoch("us").cast(pl.Float64) / 86_400e6,
        flagged=pl.col("flag_stuck") | pl.col("flag_dead") | pl.col("flag_spike"),
        above=(pl.col("value") > pl.col("sensor").replace_strict(limits, default=None)).fill_null(
            False
        ),
    )
    if regimes is None:
        rows = rows.with_columns(regime=pl.lit(UNKNOWN_REGIME))
    else:
        rows = rows.join(regimes, on=["asset_id", "hour"], how="left").with_columns(
            pl.col("regime").fill_null(IDLE)
        )
    return (
        rows.sort("asset_id", "sensor", "ts_utc", maintain_order=True)
        .group_by(DAY_KEYS)
        .agg(
            n=pl.len().cast(pl.Int64),
            sum_v=pl.col("value").sum(),
            sum_vv=(pl.col("value") ** 2).sum(),
            min_v=pl.col("value").min(),
            max_v=pl.col("value").max(),
            first_t=pl.col("t").first(),  # rows in time order (ties in the order given)
            first_v=pl.col("value").first(),
            last_t=pl.col("t").last(),
            last_v=pl.col("value").last(),
            p95=pl.col("value").quantile(0.95, interpolation="linear"),
            n_flagged=pl.col("flagged").sum().cast(pl.Int64),
            n_above=pl.col("above").sum(),
            sum_t=pl.col("t").sum(),
            sum_tt=(pl.col("t") ** 2).sum(),
            sum_tv=(pl.col("t") * pl.col("value")).sum(),
        )
        .join(reference_spacing(rows), on=["asset_id", "sensor"], how="left")
        .with_columns(
            sec_above=pl.col("n_above")
            * pl.coalesce(
                "spacing_s", 86_400.0 / pl.col("n").sum().over("asset_id", "sensor", "day")
            )
        )
        .select(*DAY_KEYS, *DAY_VALUES)
        .sort(DAY_KEYS)
    )


def reference_spacing(rows: pl.DataFrame) -> pl.DataFrame:
    """Seconds between a series' readings: the median, over its stretches of one (day, night,
    regime) in time order, of each stretch's mean spacing."""
    return (
        rows.sort("asset_id", "sensor", "ts_utc", maintain_order=True)
        .with_columns(stretch=pl.struct(DAY_KEYS).rle_id())
        .group_by("asset_id", "sensor", "stretch")
        .agg(n=pl.len(), span=pl.col("t").max() - pl.col("t").min())
        .filter(pl.col("n") > 1)
        .group_by("asset_id", "sensor")
        .agg(spacing_s=(pl.col("span") / (pl.col("n") - 1)).median() * 86_400.0)
    )


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    size=st.integers(1, 1500),
    zone=st.sampled_from(ZONES),
    with_regimes=st.booleans(),
    shuffled=st.booleans(),
    duplicates=st.booleans(),
)
def test_daily_aggregates_equal_the_plain_group_by_on_random_readings(
    seed, size, zone, with_regimes, shuffled, duplicates
):
    rng = np.random.default_rng(seed)
    frame = random_readings(rng, size, duplicates)
    ordered = frame.sort("asset_id", "sensor", "ts_utc", maintain_order=True)
    regimes = hourly_regimes(random_orders(rng)) if with_regimes else None
    given_frame = frame.sample(fraction=1.0, shuffle=True, seed=seed) if shuffled else ordered
    expected = reference_daily(given_frame, zone, regimes, LIMITS)
    # sums of several runs of a group add up in another order: equal up to float rounding
    assert_frame_equal(aggregate_daily(given_frame, zone, regimes, LIMITS), expected, rel_tol=1e-9)


def test_a_reading_at_local_midnight_after_the_clock_change_counts_for_the_new_day():
    # Berlin moves to +02:00 on 2026-03-29: 22:00 UTC that evening is 00:00 local on the 30th
    frame = pl.DataFrame(
        {
            "asset_id": "P-1",
            "sensor": "temp",
            "ts_utc": [
                datetime(2026, 3, 29, 21, 59, tzinfo=UTC),
                datetime(2026, 3, 29, 22, tzinfo=UTC),
            ],
            "value": [1.0, 2.0],
            "night": date(2026, 3, 30),
        }
    ).with_columns(pl.lit(False).alias(f) for f in ("flag_stuck", "flag_dead", "flag_spike"))
    daily = aggregate_daily(frame, "Europe/Berlin")
    assert daily.select("day", "n").rows() == [(date(2026, 3, 29), 1), (date(2026, 3, 30), 1)]


def test_an_hour_claimed_by_two_orders_goes_to_the_order_listed_last_and_no_hour_lacks_an_asset():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    orders = pl.DataFrame(
        {
            "asset_id": ["P-1", "P-1", None],
            "start_utc": [start, start + timedelta(hours=1), start],
            "end_utc": [start + timedelta(hours=h) for h in (2, 3, 1)],
            "load_regime": ["low", "high", "low"],
        }
    )
    regimes = hourly_regimes(orders).sort("hour")
    assert regimes["regime"].to_list() == ["low", "high", "high"]
    assert regimes["asset_id"].to_list() == ["P-1"] * 3


def test_seconds_above_the_limit_add_up_when_a_day_arrives_over_two_nights():
    # one day of 1-minute readings, the last six hours above the limit and delivered a night late
    times = [START + timedelta(minutes=m) for m in range(1440)]
    frame = pl.DataFrame(
        {
            "asset_id": "P-1",
            "sensor": "temp",
            "ts_utc": times,
            "value": [50.0] * 1080 + [60.0] * 360,
            "night": [date(2026, 3, 28)] * 1080 + [date(2026, 3, 29)] * 360,
        },
        schema_overrides={"ts_utc": pl.Datetime("us", "UTC")},
    ).with_columns(pl.lit(False).alias(f) for f in ("flag_stuck", "flag_dead", "flag_spike"))
    together = aggregate_daily(frame, "UTC", limits=LIMITS)
    nightly = [
        aggregate_daily(part, "UTC", limits=LIMITS)
        for part in frame.partition_by("night", maintain_order=True)
    ]
    assert together["sec_above"].sum() == pytest.approx(6 * 3600)
    assert sum(d["sec_above"].sum() for d in nightly) == pytest.approx(6 * 3600)
