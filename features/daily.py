"""Level 1: aggregate clean readings to mergeable rows per asset, sensor, day, night and regime.

Every column is a count, sum, min, max or a (time, value) pair, so that rows of the same day that
arrived on different nights merge exactly: that is how late data joins the windows only from the
night it arrived. The regime (idle, or the MES load regime) lets level 2 look at running hours only
and compare like with like.
"""

from __future__ import annotations

import polars as pl

DAY_KEYS = ["asset_id", "sensor", "day", "night", "regime"]
DAY_VALUES = {  # the columns after the keys, in order
    "n": pl.Int64, "sum_v": pl.Float64, "sum_vv": pl.Float64, "min_v": pl.Float64,
    "max_v": pl.Float64, "first_t": pl.Float64, "first_v": pl.Float64, "last_t": pl.Float64,
    "last_v": pl.Float64, "p95": pl.Float64, "n_flagged": pl.Int64, "sec_above": pl.Float64,
    "sum_t": pl.Float64, "sum_tt": pl.Float64, "sum_tv": pl.Float64,
}  # fmt: skip
IDLE = "idle"
UNKNOWN_REGIME = "running"  # a plant without MES context: every reading counts as running


def hourly_regimes(orders: pl.DataFrame) -> pl.DataFrame:
    """The load regime of each asset for every UTC hour inside a production order."""
    if orders.is_empty():
        return pl.DataFrame(
            schema={"asset_id": pl.String, "hour": pl.Datetime("us", "UTC"), "regime": pl.String}
        )
    hours = (
        orders.filter(
            pl.col("asset_id").is_not_null()
            & pl.col("start_utc").is_not_null()
            & (pl.col("end_utc") > pl.col("start_utc"))
        )
        .select(
            "asset_id",
            hour=pl.datetime_ranges(
                pl.col("start_utc").dt.truncate("1h"), "end_utc", "1h", closed="left"
            ),
            regime=pl.col("load_regime").fill_null("normal"),
        )
        .explode("hour")
    )
    # an hour claimed by two orders of an asset goes to the one listed last; one integer per
    # (asset, hour) finds them faster than a key of text and time (code and hour: 32 bits each)
    asset_hour = pl.col("asset_id").cast(pl.Categorical).to_physical().cast(pl.UInt64) * 2**32 + (
        pl.col("hour").dt.epoch("us") // 3_600_000_000
    ).cast(pl.UInt64)
    return hours.filter(asset_hour.is_last_distinct())


def _dense(column: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Codes 0..k-1 of a categorical column's distinct values (in that order), and the values."""
    distinct = column.unique().drop_nulls()
    position = pl.repeat(
        None, int(column.to_physical().max() or 0) + 1, dtype=pl.UInt32, eager=True
    )
    position = position.scatter(distinct.to_physical(), pl.int_range(distinct.len(), eager=True))
    return position.gather(column.to_physical()), distinct


def _with_previous(column: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Each row from the second on, and the row before it: two zero-copy slices of `column`.

    Comparing them allocates a bitmap only, where `column != column.shift()` copies the column
    (`column` in one chunk: slices of a column in several chunks are realigned by copying).
    """
    return column.slice(1), column.slice(0, column.len() - 1)


def _rows_where(changed: pl.Series) -> pl.Series:
    """Row numbers where `changed`, a comparison of each row from the second on, holds."""
    return (changed.arg_true() + 1).cast(pl.UInt32)


def _changes(*columns: pl.Series) -> pl.Series:
    """True where any of `columns` differs from the row before (and on the first row)."""
    changed = pl.repeat(False, columns[0].len() - 1, dtype=pl.Boolean, eager=True)
    for column in columns:
        now, before = _with_previous(column)
        changed = changed | (now != before).fill_null(True)
    return pl.concat([pl.Series([True]), changed])


def _stretch_starts(column: pl.Series) -> pl.Series:
    """First row of every stretch of equal values (run-length encoding: cheap on any chunking)."""
    lengths = column.rle().struct.field("len")
    return (lengths.cum_sum() - lengths).cast(pl.UInt32)


def _series_starts(frame: pl.DataFrame) -> pl.Series:
    """First row of every stretch of one (asset, sensor), in order."""
    asset, sensor = frame["asset_id"].to_physical(), frame["sensor"].to_physical()
    return pl.concat([_stretch_starts(asset), _stretch_starts(sensor)]).unique().sort()


def _in_series_time_order(ts: pl.Series, series_starts: pl.Series) -> bool:
    """Whether rows are sorted by series and time: time goes back only where a series starts.

    `ts`: the frame's times in one chunk (compared with themselves one row on, as slices).
    """
    now, before = _with_previous(ts)
    return bool(_rows_where(now < before).is_in(series_starts).all())


HOUR_US = 3_600_000_000
QUARTER_US = 900_000_000  # every UTC offset in use is a whole number of quarter hours


def _piece_us(first_us: int, last_us: int, timezone: str) -> int:
    """How long a piece of a series is: an hour where the zone's UTC offsets over these times are
    whole hours, else a quarter hour (Asia/Kolkata is +05:30: local midnight falls mid-hour)."""
    hours = pl.int_range(first_us // HOUR_US, last_us // HOUR_US + 2, eager=True) * HOUR_US
    utc = hours.cast(pl.Datetime("us", "UTC"))
    local = utc.dt.convert_time_zone(timezone).dt.replace_time_zone(None)
    offsets = (local - utc.dt.replace_time_zone(None)).dt.total_microseconds()
    return HOUR_US if (offsets % HOUR_US == 0).all() else QUARTER_US


def _day_table(units: pl.Series, unit_us: int, timezone: str) -> tuple[int, pl.Series]:
    """First time unit (UTC hours or quarters since 1970) and the local date of each from it."""
    first, last = int(units.min()), int(units.max())
    stamps = pl.int_range(first, last + 1, eager=True) * unit_us
    local = stamps.cast(pl.Datetime("us", "UTC")).dt.convert_time_zone(timezone)
    return first, local.dt.date()


def _regime_grid(
    regimes: pl.DataFrame | None, assets: pl.Series, first_hour: int, n_hours: int
) -> tuple[pl.Series, list[str]]:
    """Regime code of every (asset, hour), asset-major; idle where no order ran."""
    if regimes is None:
        return pl.zeros(assets.len() * n_hours, pl.UInt8, eager=True), [UNKNOWN_REGIME]
    names = [IDLE, *sorted(set(regimes["regime"].drop_nulls().unique().to_list()) - {IDLE})]
    index = pl.DataFrame({"asset_id": assets.cast(pl.String)}).with_row_index("a")
    cells = (  # the hours of these readings first: the regimes may span the whole history
        regimes.with_columns(h=pl.col("hour").dt.epoch("us") // 3_600_000_000 - first_hour)
        .filter(pl.col("h").is_between(0, n_hours - 1))
        .join(index, on="asset_id", how="inner")
        .with_columns(
            code=pl.col("regime").replace_strict(names, range(len(names)), return_dtype=pl.UInt8)
        )
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

    How (see features/README.md for why): rows sorted by series and time (as the cleaning
    delivers them; others are sorted first) fall into contiguous runs of one (asset, sensor, day,
    night, regime). The runs are found on pieces of one (asset, sensor, night, UTC hour), whose
    local day and regime come by position from a table of hours and a grid of
    (asset, hour); each run is aggregated by a group-by on a sorted run number, and the runs of one
    group are merged. Every aggregate merges exactly except p95, which groups of several runs (a
    regime left and resumed within the day) take from their own rows.
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
    # times and values in one contiguous chunk each (kept out of `frame`, whose columns keep
    # their common chunks): comparing a column with itself one row on, and every group-by
    # aggregate below, would otherwise copy a column that was read in many chunks
    ts, series_starts = frame["ts_utc"].dt.epoch("us").rechunk(), _series_starts(frame)
    if not _in_series_time_order(ts, series_starts):
        frame = frame.sort("asset_id", "sensor", "ts_utc", maintain_order=True)
        ts, series_starts = frame["ts_utc"].dt.epoch("us").rechunk(), _series_starts(frame)
    runs, assets, sensors, regime_names = _runs(frame, ts, series_starts, timezone, regimes)
    run_of_row = _run_of_row(runs["first"], frame.height)
    rows = pl.DataFrame(
        {
            "_run": run_of_row,
            "t": ts.cast(pl.Float64) / 86_400e6,
            "value": frame["value"].rechunk(),
        }
    )
    marked = frame.select(
        flagged=pl.col("flag_stuck") | pl.col("flag_dead") | pl.col("flag_spike"),
        above=_above_limit(sensors, limits),
    )
    runs = _aggregate_runs(rows, runs, ts).with_columns(
        n_flagged=_true_per_run(run_of_row, marked["flagged"], runs.height),
        n_above=_true_per_run(run_of_row, marked["above"], runs.height),
    )
    del marked, run_of_row
    keys = ["a", "s", "day", "night", "regime"]
    runs = runs.with_columns(
        _group=pl.when(pl.len().over(keys) > 1).then(pl.struct(keys).rank("dense").cast(pl.UInt32))
    )
    exact = _exact_p95(runs, rows["value"]).join(
        runs.select(*keys, "_group").unique("_group"), on="_group"
    )
    del rows
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
    daily = daily.join(exact.drop("_group"), on=keys, how="left").with_columns(
        p95=pl.coalesce("p95_exact", "p95")
    )
    readings_that_day = pl.col("n").sum().over("a", "s", "day")
    return (
        daily.with_columns(sec_above=pl.col("n_above") * 86_400.0 / readings_that_day)
        .select(
            pl.lit(assets.cast(pl.String)).gather(pl.col("a")).alias("asset_id"),
            pl.lit(sensors.cast(pl.String)).gather(pl.col("s")).alias("sensor"),
            "day",
            "night",
            pl.lit(pl.Series(regime_names)).gather(pl.col("regime")).alias("regime"),
            *DAY_VALUES,
        )
        .sort(DAY_KEYS)
    )


def _runs(
    frame: pl.DataFrame,
    ts: pl.Series,
    series_starts: pl.Series,
    timezone: str,
    regimes: pl.DataFrame | None,
) -> tuple[pl.DataFrame, pl.Series, pl.Series, list[str]]:
    """The runs of one (asset, sensor, day, night, regime): first row, length and keys.

    Also returns the distinct assets and sensors (the codes `a` and `s` index them) and the regime
    names (`regime` indexes them). Works on pieces of one (asset, sensor, night, UTC hour; a
    quarter hour in zones with half-hour offsets), not on rows: day and regime hold for a piece.
    """
    unit_us = _piece_us(int(ts.min()), int(ts.max()), timezone)
    unit = ts // unit_us
    now, before = _with_previous(unit)
    starts = [series_starts, _stretch_starts(frame["night"]), _rows_where(now != before)]
    first = pl.concat(starts).unique().sort()
    pieces_asset, pieces_sensor = frame["asset_id"].gather(first), frame["sensor"].gather(first)
    a_of_piece, assets = _dense(pieces_asset)
    s_of_piece, sensors = _dense(pieces_sensor)
    unit = unit.gather(first)
    del pieces_asset, pieces_sensor
    first_unit, day_of_unit = _day_table(unit, unit_us, timezone)
    hour = unit // (HOUR_US // unit_us)
    first_hour = int(hour.min())
    n_hours = int(hour.max()) - first_hour + 1
    grid, regime_names = _regime_grid(regimes, assets, first_hour, n_hours)
    pieces = pl.DataFrame(
        {
            "first": first,
            "a": a_of_piece,
            "s": s_of_piece,
            "day": day_of_unit.gather(unit - first_unit),
            "night": frame["night"].gather(first),
            "regime": grid.gather(a_of_piece.cast(pl.Int64) * n_hours + (hour - first_hour)),
        }
    )
    new_run = _changes(*pieces.select("a", "s", "day", "night", "regime").get_columns())
    return pieces.filter(new_run), assets, sensors, regime_names


def _run_of_row(first: pl.Series, n_rows: int) -> pl.Series:
    """The run number (1, 2, ...) of every row, from the first row of each run; marked sorted."""
    starts = pl.repeat(False, n_rows, dtype=pl.Boolean, eager=True).scatter(first, True)
    return starts.cum_sum().set_sorted()


def _above_limit(sensors: pl.Series, limits: dict[str, float] | None) -> pl.Expr:
    """True where a reading is above its sensor's limit; false for sensors without one.

    One comparison per distinct limit, on codes: bitmaps only, no per-row column of limits.
    """
    code = pl.col("sensor").to_physical()
    by_limit: dict[float, list[int]] = {}
    for name, c in zip(sensors.cast(pl.String), sensors.to_physical(), strict=True):
        if (limit := (limits or {}).get(name)) is not None:
            by_limit.setdefault(limit, []).append(c)
    above = [code.is_in(codes) & (pl.col("value") > limit) for limit, codes in by_limit.items()]
    return pl.any_horizontal(pl.lit(False), *above).fill_null(False)


def _aggregate_runs(rows: pl.DataFrame, runs: pl.DataFrame, ts: pl.Series) -> pl.DataFrame:
    """Sums, extremes, p95 and first/last (time, value) per run, with the run's keys."""
    last = pl.concat([runs["first"].slice(1), pl.Series([rows.height], dtype=pl.UInt32)]) - 1
    return (
        rows.group_by("_run", maintain_order=True)
        .agg(
            n=pl.len().cast(pl.Int64),
            sum_v=pl.col("value").sum(),
            sum_vv=(pl.col("value") ** 2).sum(),
            min_v=pl.col("value").min(),
            max_v=pl.col("value").max(),
            p95=pl.col("value").quantile(0.95, interpolation="linear"),
            sum_t=pl.col("t").sum(),
            sum_tt=(pl.col("t") ** 2).sum(),
            sum_tv=(pl.col("t") * pl.col("value")).sum(),
        )
        .with_columns(
            *runs.select("first", "a", "s", "day", "night", "regime").get_columns(),
            first_t=ts.gather(runs["first"]).cast(pl.Float64) / 86_400e6,
            first_v=rows["value"].gather(runs["first"]),
            last_t=ts.gather(last).cast(pl.Float64) / 86_400e6,
            last_v=rows["value"].gather(last),
            length=(last + 1 - runs["first"]),
        )
    )


def _true_per_run(run_of_row: pl.Series, mask: pl.Series, n_runs: int) -> pl.Series:
    """How many rows of each run (numbered 1..n_runs) are true in `mask`.

    Flagged readings and readings above a limit are few: counting their run numbers reads a
    bitmap, where summing the mask per run would first copy it into a column of integers.
    """
    counts = run_of_row.filter(mask).value_counts(name="count")
    zeros = pl.zeros(n_runs, pl.Int64, eager=True)
    return zeros.scatter(counts[run_of_row.name] - 1, counts["count"].cast(pl.Int64))


def _exact_p95(runs: pl.DataFrame, value: pl.Series) -> pl.DataFrame:
    """The 95th percentile of each group of several runs (`_group`), from the rows of its runs.

    Quantiles do not merge: these groups (a regime left and resumed within the day) gather their
    own readings, a small share of all.
    """
    several = runs.filter(pl.col("_group").is_not_null()).sort("_group", maintain_order=True)
    rows = several.select(
        "_group",
        row=pl.int_ranges("first", pl.col("first") + pl.col("length"), dtype=pl.UInt32),
    ).explode("row")
    return (
        rows.select(pl.col("_group").set_sorted(), value=value.gather(rows["row"]))
        .group_by("_group", maintain_order=True)
        .agg(p95_exact=pl.col("value").quantile(0.95, interpolation="linear"))
    )


def _empty_daily(keys: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema={**keys, **DAY_VALUES})
