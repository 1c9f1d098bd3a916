"""Level 1: aggregate clean readings to mergeable rows per asset, sensor, day, night and regime.

Every column is a count, sum, min, max or a (time, value) pair, so that rows of the same day that
arrived on different nights merge exactly: that is how late data joins the windows only from the
night it arrived. The regime (idle, or the MES load regime) lets level 2 look at running hours only
and compare like with like.
"""

from __future__ import annotations

import polars as pl

from features.runs import IDLE as IDLE
from features.runs import UNKNOWN_REGIME as UNKNOWN_REGIME
from features.runs import find_runs, in_series_time_order, piece_us, run_of_row, series_starts

DAY_KEYS = ["asset_id", "sensor", "day", "night", "regime"]
DAY_VALUES = {  # the columns after the keys, in order
    "n": pl.Int64, "sum_v": pl.Float64, "sum_vv": pl.Float64, "min_v": pl.Float64,
    "max_v": pl.Float64, "first_t": pl.Float64, "first_v": pl.Float64, "last_t": pl.Float64,
    "last_v": pl.Float64, "p95": pl.Float64, "n_flagged": pl.Int64, "sec_above": pl.Float64,
    "sum_t": pl.Float64, "sum_tt": pl.Float64, "sum_tv": pl.Float64,
}  # fmt: skip


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
    night, regime), found by `features.runs`; each run is aggregated by a group-by on a sorted run
    number, and the runs of one group are merged. Every aggregate merges exactly except p95, which
    groups of several runs (a regime left and resumed within the day) take from their own rows.
    """
    frame = clean.collect() if isinstance(clean, pl.LazyFrame) else clean
    if frame.is_empty():
        return pl.DataFrame(schema={**dict.fromkeys(DAY_KEYS, pl.String), **DAY_VALUES}).cast(
            {"day": pl.Date, "night": pl.Date}
        )
    frame = frame.with_columns(
        pl.col(c).cast(pl.Categorical)
        for c in ("asset_id", "sensor")
        if frame.schema[c] != pl.Categorical
    )
    starts, rows = series_starts(frame), _reading_columns(frame, limits)
    if not in_series_time_order(rows["ts"], starts):
        frame = frame.sort("asset_id", "sensor", "ts_utc", maintain_order=True)
        starts, rows = series_starts(frame), _reading_columns(frame, limits)
    unit_us = piece_us(int(rows["ts"].min()), int(rows["ts"].max()), timezone)
    rows = rows.with_columns(  # both at once, on two threads
        unit=pl.col("ts") // unit_us, t=pl.col("ts").cast(pl.Float64) / 86_400e6
    )
    runs, assets, sensors, regime_names = find_runs(
        frame, rows["unit"], unit_us, starts, timezone, regimes
    )
    per_run = _aggregate_runs(rows.drop("unit"), runs)
    daily = _merge_runs(per_run, rows["value"]).join(
        _reading_spacing(per_run), on=["a", "s"], how="left"
    )
    # a series with no two readings in one run: its day's readings share the day between them
    spacing = pl.coalesce("spacing_s", 86_400.0 / pl.col("n").sum().over("a", "s", "day"))
    return (
        daily.with_columns(sec_above=pl.col("n_above") * spacing)
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


def _reading_spacing(runs: pl.DataFrame) -> pl.DataFrame:
    """Seconds between a series' readings: the median over its runs of their mean spacing.

    A reading above the limit stands for this long, so seconds above the limit add up over the
    nights a day's readings arrive on (late readings of a day give the same seconds as when they
    come in a backfill with the rest of the day); a gap inside one run moves only that run.
    """
    return (
        runs.filter(pl.col("n") > 1)
        .group_by("a", "s")
        .agg(
            spacing_s=((pl.col("last_t") - pl.col("first_t")) / (pl.col("n") - 1)).median()
            * 86_400.0
        )
    )


def _reading_columns(frame: pl.DataFrame, limits: dict[str, float] | None) -> pl.DataFrame:
    """Times (us since 1970), values and the flagged and above-limit marks, one chunk each.

    Clean readings come in many chunks (Parquet row groups); comparing a column with itself one
    row on, and every group-by aggregate, would otherwise copy each column it reads.
    """
    return frame.select(
        ts=pl.col("ts_utc").dt.epoch("us"),
        value="value",
        flagged=pl.col("flag_stuck") | pl.col("flag_dead") | pl.col("flag_spike"),
        above=_above_limit(limits),
    ).rechunk()


def _above_limit(limits: dict[str, float] | None) -> pl.Expr:
    """True where a reading is above its sensor's limit; false for sensors without one.

    One comparison per distinct limit: bitmaps only, no per-row column of limits.
    """
    by_limit: dict[float, list[str]] = {}
    for name, limit in (limits or {}).items():
        by_limit.setdefault(limit, []).append(name)
    above = [
        pl.col("sensor").is_in(names) & (pl.col("value") > limit)
        for limit, names in by_limit.items()
    ]
    return pl.any_horizontal(pl.lit(False), *above).fill_null(False)


def _aggregate_runs(rows: pl.DataFrame, runs: pl.DataFrame) -> pl.DataFrame:
    """Sums, extremes, p95, counts and first/last (time, value) per run, with the run's keys."""
    first = runs["first"]
    last = pl.concat([first.slice(1), pl.Series([rows.height], dtype=pl.UInt32)]) - 1
    run = run_of_row(first, rows.height)
    return (
        rows.with_columns(_run=run)
        .group_by("_run", maintain_order=True)
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
            first_t=rows["t"].gather(first),
            first_v=rows["value"].gather(first),
            last_t=rows["t"].gather(last),
            last_v=rows["value"].gather(last),
            length=(last + 1 - first),
            n_flagged=_true_per_run(run, rows["flagged"], runs.height),
            n_above=_true_per_run(run, rows["above"], runs.height),
        )
    )


def _merge_runs(runs: pl.DataFrame, value: pl.Series) -> pl.DataFrame:
    """One row per (asset, sensor, day, night, regime) from its runs; p95 exact for several runs."""
    keys = ["a", "s", "day", "night", "regime"]
    runs = runs.with_columns(
        _group=pl.when(pl.len().over(keys) > 1).then(pl.struct(keys).rank("dense").cast(pl.UInt32))
    )
    exact = _exact_p95(runs, value).join(runs.select(*keys, "_group").unique("_group"), on="_group")
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
    return daily.join(exact.drop("_group"), on=keys, how="left").with_columns(
        p95=pl.coalesce("p95_exact", "p95")
    )


def _true_per_run(run: pl.Series, mask: pl.Series, n_runs: int) -> pl.Series:
    """How many rows of each run (numbered 1..n_runs) are true in `mask`.

    Flagged readings and readings above a limit are few: counting their run numbers reads a
    bitmap, where summing the mask per run would first copy it into a column of integers.
    """
    counts = run.filter(mask).value_counts(name="count")
    zeros = pl.zeros(n_runs, pl.Int64, eager=True)
    return zeros.scatter(counts[run.name] - 1, counts["count"].cast(pl.Int64))


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
