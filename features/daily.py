"""Level 1: aggregate clean readings to mergeable rows per asset, sensor, day, night and regime.

Every column is a count, sum, min, max or a (time, value) pair, so that rows of the same day that
arrived on different nights merge exactly: that is how late data joins the windows only from the
night it arrived. The regime (idle, or the MES load regime) lets level 2 look at running hours only
and compare like with like.
"""

from __future__ import annotations

import polars as pl

DAY_KEYS = ["asset_id", "sensor", "day", "night", "regime"]
IDLE = "idle"
UNKNOWN_REGIME = "running"  # a plant without MES context: every reading counts as running


def hourly_regimes(orders: pl.DataFrame) -> pl.DataFrame:
    """The load regime of each asset for every UTC hour inside a production order."""
    if orders.is_empty():
        return pl.DataFrame(
            schema={"asset_id": pl.String, "hour": pl.Datetime("us", "UTC"), "regime": pl.String}
        )
    return (
        orders.filter(pl.col("start_utc").is_not_null() & (pl.col("end_utc") > pl.col("start_utc")))
        .select(
            "asset_id",
            hour=pl.datetime_ranges(
                pl.col("start_utc").dt.truncate("1h"), "end_utc", "1h", closed="left"
            ),
            regime=pl.col("load_regime").fill_null("normal"),
        )
        .explode("hour")
        .unique(["asset_id", "hour"], keep="last")
    )


def _dense(column: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Codes 0..k-1 of a categorical column's distinct values (in that order), and the values."""
    distinct = column.unique().drop_nulls()
    position = pl.repeat(
        None, int(column.to_physical().max() or 0) + 1, dtype=pl.UInt32, eager=True
    )
    position = position.scatter(distinct.to_physical(), pl.int_range(distinct.len(), eager=True))
    return position.gather(column.to_physical()), distinct


def _series_starts(frame: pl.DataFrame) -> pl.Series:
    """True where a row starts a stretch of one (asset, sensor)."""
    a, s = frame["asset_id"].to_physical(), frame["sensor"].to_physical()
    return ((a != a.shift(1)) | (s != s.shift(1))).fill_null(True)


QUARTER_US = 900_000_000  # every UTC offset in use is a whole number of quarter hours


def _day_table(quarters: pl.Series, timezone: str) -> tuple[int, pl.Series]:
    """First UTC quarter hour (since 1970) and the plant-local date of every quarter from it.

    Quarters, not hours: in a zone such as Asia/Kolkata (+05:30) local midnight falls mid-hour.
    """
    first, last = int(quarters.min()), int(quarters.max())
    stamps = pl.int_range(first, last + 1, eager=True) * QUARTER_US
    local = stamps.cast(pl.Datetime("us", "UTC")).dt.convert_time_zone(timezone)
    return first, local.dt.date()


def _regime_grid(
    regimes: pl.DataFrame | None, assets: pl.Series, first_hour: int, n_hours: int
) -> tuple[pl.Series, list[str]]:
    """Regime code of every (asset, hour), asset-major; idle where no order ran."""
    if regimes is None:
        return pl.zeros(assets.len() * n_hours, pl.UInt8, eager=True), [UNKNOWN_REGIME]
    names = [IDLE, *sorted(set(regimes["regime"].drop_nulls().to_list()) - {IDLE})]
    index = pl.DataFrame({"asset_id": assets.cast(pl.String)}).with_row_index("a")
    cells = (
        regimes.join(index, on="asset_id", how="inner")
        .with_columns(
            h=pl.col("hour").dt.epoch("us") // 3_600_000_000 - first_hour,
            code=pl.col("regime").replace_strict(names, range(len(names)), return_dtype=pl.UInt8),
        )
        .filter(pl.col("h").is_between(0, n_hours - 1))
    )
    grid = pl.zeros(assets.len() * n_hours, pl.UInt8, eager=True)
    if cells.height:
        grid = grid.scatter(cells["a"].cast(pl.Int64) * n_hours + cells["h"], cells["code"])
    return grid, names


def aggregate_daily(
    clean: pl.DataFrame | pl.LazyFrame,
    timezone: str,
    regimes: pl.DataFrame | None = None,
    limits: dict[str, float] | None = None,
) -> pl.DataFrame:
    """Daily aggregates: n, sums, min, max, first, last, p95, flagged count, seconds above limit.

    `t` is the reading time in days since 1970-01-01 (UTC), so slopes come out per day.

    How: a reading's local day comes from a table of its UTC quarter hour, its regime from a grid of
    (asset, hour), both by position, never by a join. Rows sorted by series and time (as the
    cleaning delivers them) fall into contiguous runs of one (asset, sensor, day, night, regime);
    each run is aggregated with a group-by on a sorted run number (a fast path), and the runs of
    one group are merged. Every aggregate merges exactly except p95, which groups of several runs
    (a regime left and resumed within the day) take from their own rows. Rows in another order
    are sorted first.
    """
    frame = clean.collect() if isinstance(clean, pl.LazyFrame) else clean
    out_schema = {
        "asset_id": pl.String, "sensor": pl.String, "day": pl.Date, "night": pl.Date,
        "regime": pl.String,
    }  # fmt: skip
    if frame.is_empty():
        return _empty_daily(out_schema)
    frame = frame.with_columns(
        pl.col(c).cast(pl.Categorical)
        for c in ("asset_id", "sensor")
        if frame.schema[c] != pl.Categorical
    )
    # series (asset, sensor) are contiguous stretches: their codes come from a small table
    new_series = _series_starts(frame)
    ts = frame["ts_utc"].dt.epoch("us")
    if (~new_series & (ts.diff() < 0)).any():  # not sorted by series and time: sort first
        frame = frame.sort("asset_id", "sensor", "ts_utc", maintain_order=True)
        new_series, ts = _series_starts(frame), frame["ts_utc"].dt.epoch("us")
    quarter = ts // QUARTER_US
    first_quarter, day_of_quarter = _day_table(quarter, timezone)
    hour = ts // 3_600_000_000
    first_hour = int(hour.min())
    hour_idx = (hour - first_hour).cast(pl.Int64)
    n_hours = int(hour.max()) - first_hour + 1
    series_idx = new_series.cum_sum().cast(pl.UInt32) - 1
    series = frame.select("asset_id", "sensor")[new_series.arg_true()]
    a_of_series, assets = _dense(series["asset_id"])
    s_of_series, sensors = _dense(series["sensor"])
    asset_idx = a_of_series.gather(series_idx)
    grid, regime_names = _regime_grid(regimes, assets, first_hour, n_hours)
    limit_of = pl.Series(
        [(limits or {}).get(name) for name in sensors.cast(pl.String).to_list()], dtype=pl.Float64
    )
    coded = pl.DataFrame(
        {
            "day": day_of_quarter.gather(quarter - first_quarter),
            "night": frame["night"],
            "regime": grid.gather(asset_idx.cast(pl.Int64) * n_hours + hour_idx),
            "t": ts.cast(pl.Float64) / 86_400e6,
            "value": frame["value"],
            "flagged": frame["flag_stuck"] | frame["flag_dead"] | frame["flag_spike"],
            "above": (frame["value"] > limit_of.gather(s_of_series).gather(series_idx)).fill_null(
                False
            ),
        }
    )
    del frame, hour, hour_idx, quarter, asset_idx, ts
    # a run: a stretch of one series, day, night and regime (a new series always starts one)
    keys = ["day", "night", "regime"]
    changed = coded.select(pl.any_horizontal(pl.col(k) != pl.col(k).shift() for k in keys))
    new_run = (new_series | changed.to_series()).fill_null(True)
    first, last = new_run.arg_true(), new_run.shift(-1, fill_value=True).arg_true()
    coded = coded.with_columns(_run=new_run.cum_sum().cast(pl.UInt32).set_sorted())
    at_first = series_idx.gather(first)
    del new_series, new_run, series_idx
    runs = (
        coded.group_by("_run", maintain_order=True)
        .agg(
            n=pl.len().cast(pl.Int64),
            sum_v=pl.col("value").sum(),
            sum_vv=(pl.col("value") ** 2).sum(),
            min_v=pl.col("value").min(),
            max_v=pl.col("value").max(),
            p95=pl.col("value").quantile(0.95, interpolation="linear"),
            n_flagged=pl.col("flagged").sum().cast(pl.Int64),
            n_above=pl.col("above").sum().cast(pl.Int64),
            sum_t=pl.col("t").sum(),
            sum_tt=(pl.col("t") ** 2).sum(),
            sum_tv=(pl.col("t") * pl.col("value")).sum(),
        )
        .with_columns(
            a_of_series.gather(at_first).alias("a"),
            s_of_series.gather(at_first).alias("s"),
            *coded.select(keys)[first].get_columns(),
            first_t=coded["t"].gather(first),
            first_v=coded["value"].gather(first),
            last_t=coded["t"].gather(last),
            last_v=coded["value"].gather(last),
        )
    )
    keys = ["a", "s", *keys]
    # the 95th percentile does not merge: groups of several runs take theirs from their rows
    runs = runs.with_columns(
        _group=pl.when(pl.len().over(keys) > 1).then(pl.struct(keys).rank("dense").cast(pl.UInt32))
    )
    group_of_row = runs["_group"].gather(coded["_run"] - 1)
    exact = (
        coded.select(_group=group_of_row, value="value")
        .filter(pl.col("_group").is_not_null())
        .group_by("_group")
        .agg(p95_exact=pl.col("value").quantile(0.95, interpolation="linear"))
        .join(runs.select(*keys, "_group").unique("_group"), on="_group")
        .drop("_group")
    )
    del coded, group_of_row
    sums = ["n", "sum_v", "sum_vv", "n_flagged", "n_above", "sum_t", "sum_tt", "sum_tv"]
    daily = runs.group_by(keys).agg(
        *(pl.col(c).sum() for c in sums),
        min_v=pl.col("min_v").min(),
        max_v=pl.col("max_v").max(),
        first_t=pl.col("first_t").min(),
        first_v=pl.col("first_v").sort_by("first_t").first(),
        last_t=pl.col("last_t").max(),
        last_v=pl.col("last_v").sort_by("last_t").last(),
        p95=pl.col("p95").first(),
    )
    daily = daily.join(exact, on=keys, how="left").with_columns(p95=pl.coalesce("p95_exact", "p95"))
    readings_that_day = pl.col("n").sum().over("a", "s", "day")
    return (
        daily.with_columns(sec_above=pl.col("n_above") * 86_400.0 / readings_that_day)
        .select(
            pl.lit(assets.cast(pl.String)).gather(pl.col("a")).alias("asset_id"),
            pl.lit(sensors.cast(pl.String)).gather(pl.col("s")).alias("sensor"),
            "day",
            "night",
            pl.lit(pl.Series(regime_names)).gather(pl.col("regime")).alias("regime"),
            "n",
            "sum_v",
            "sum_vv",
            "min_v",
            "max_v",
            "first_t",
            "first_v",
            "last_t",
            "last_v",
            "p95",
            "n_flagged",
            "sec_above",
            "sum_t",
            "sum_tt",
            "sum_tv",
        )  # fmt: skip
        .sort(DAY_KEYS)
    )


def _empty_daily(keys: dict[str, pl.DataType]) -> pl.DataFrame:
    floats = [
        "sum_v", "sum_vv", "min_v", "max_v", "first_t", "first_v", "last_t", "last_v", "p95",
    ]  # fmt: skip
    schema = {**keys, "n": pl.Int64, **dict.fromkeys(floats, pl.Float64), "n_flagged": pl.Int64}
    schema |= dict.fromkeys(["sec_above", "sum_t", "sum_tt", "sum_tv"], pl.Float64)
    return pl.DataFrame(schema=schema)
