"""Level 2: rolling windows over the daily aggregates, as of each night, point-in-time correct.

As of night d, a daily row counts only if its day is within the window (d - W, d] and it arrived
on a night <= d. Each daily row is expanded to the as-of nights it can serve; partial sums are
taken per running regime and age band, merged over the regimes, and turned into statistics.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from features.daily import IDLE
from features.spec import FeatureSpec

KEYS = ["asset_id", "as_of"]
SERIES = ["asset_id", "sensor", "as_of"]
SUMS = ("n", "sum_v", "sum_vv", "n_flagged", "sec_above", "sum_t", "sum_tt", "sum_tv", "p95n")
EWMA_SUMS = ("ew_v", "ew_n")  # over the longest window: weight x sum_v, weight x n


def _expand_to_as_of(daily: pl.DataFrame, as_of: list[date], max_window: int) -> pl.LazyFrame:
    """One row per (daily row, as-of night it serves): as_of in [max(day, night), day + W - 1].

    Adds `age_days` (as_of - day) and `p95n` (p95 x n, which sums).
    """
    reach = pl.col("day") + pl.duration(days=max_window - 1)
    if len(set(as_of)) == 1:  # the nightly case: a filter serves, no need to expand every row
        night = as_of[0]
        oldest = night - timedelta(days=max_window - 1)
        return (
            daily.lazy()
            .filter(pl.col("day").is_between(oldest, night) & (pl.col("night") <= night))
            .with_columns(
                as_of=pl.lit(night, pl.Date),
                p95n=pl.col("p95") * pl.col("n"),
                age_days=pl.lit(night, pl.Date).to_physical() - pl.col("day").to_physical(),
            )
        )
    nights = pl.DataFrame({"as_of": sorted(set(as_of))}, schema={"as_of": pl.Date}).lazy()
    return (
        daily.lazy()
        .filter((reach >= min(as_of)) & (pl.col("night") <= max(as_of)))
        .with_columns(
            as_of=pl.date_ranges(pl.max_horizontal("day", "night"), reach),
            p95n=pl.col("p95") * pl.col("n"),
        )
        .explode("as_of")
        .join(nights, on="as_of", how="semi")
        .with_columns(age_days=pl.col("as_of").to_physical() - pl.col("day").to_physical())
    )


def _by_age_band(
    expanded: pl.LazyFrame, windows: tuple[int, ...], extra_sums: tuple[str, ...] = ()
) -> pl.LazyFrame:
    """Daily rows pre-merged per age band `_band` (windows nest: [0, w1), [w1, w2), ...).

    A window's partials are then a merge of the bands inside it: the many daily rows are
    grouped once with plain sums, and the per-window masks run on the few band rows (band i is
    inside the windows from the i-th shortest on).
    """
    band = pl.lit(0, pl.UInt8)
    for w in sorted(windows)[:-1]:
        band = band + (pl.col("age_days") >= w).cast(pl.UInt8)
    return (
        expanded.with_columns(_band=band)
        .group_by([*SERIES, "regime", "_band"])
        .agg(
            *[pl.col(c).sum() for c in (*SUMS, *extra_sums)],
            pl.col("min_v").min(),
            pl.col("max_v").max(),
            pl.col("first_t").min(),
            # of readings at the same time (delivered on two nights), the first row's
            pl.col("first_v").get(pl.col("first_t").arg_min()),
            pl.col("last_t").max(),
            pl.col("last_v").get(pl.col("last_t").arg_max()),
        )
    )


def _partials(band: int, window: int) -> list[pl.Expr]:
    """Per regime: the window's sums, extremes and first/last (time, value) pairs.

    From the band rows: the window (the `band`-th shortest) holds the bands up to `band`.
    """
    inside = pl.col("_band") <= band

    def pick(column: str) -> pl.Expr:
        return pl.when(inside).then(pl.col(column))

    return [
        *[pick(c).sum().alias(f"{c}_{window}") for c in SUMS],
        pick("min_v").min().alias(f"min_v_{window}"),
        pick("max_v").max().alias(f"max_v_{window}"),
        pick("first_t").min().alias(f"first_t_{window}"),
        pl.col("first_v").min_by(pick("first_t")).alias(f"first_v_{window}"),
        pick("last_t").max().alias(f"last_t_{window}"),
        pl.col("last_v").max_by(pick("last_t")).alias(f"last_v_{window}"),
    ]


def _merge(window: int) -> list[pl.Expr]:
    """Merge the per-regime partials of running regimes into one row per series and night."""
    w = window
    return [
        *[pl.col(f"{c}_{w}").sum() for c in SUMS],
        pl.col(f"min_v_{w}").min(),
        pl.col(f"max_v_{w}").max(),
        pl.col(f"first_t_{w}").min(),
        pl.col(f"first_v_{w}").min_by(f"first_t_{w}"),
        pl.col(f"last_t_{w}").max(),
        pl.col(f"last_v_{w}").max_by(f"last_t_{w}"),
    ]


def _statistics(window: int, stats: tuple[str, ...], has_limit: pl.Expr) -> list[pl.Expr]:
    """Statistics from merged sums. slope: least squares of value on time (per day)."""

    def c(name: str) -> pl.Expr:
        return pl.col(f"{name}_{window}")

    n, mean = c("n"), c("sum_v") / c("n")
    exprs = {
        "mean": mean,
        "std": (c("sum_vv") / n - mean**2).clip(lower_bound=0).sqrt(),
        "min": c("min_v"),
        "max": c("max_v"),
        "last": c("last_v"),
        "slope": (n * c("sum_tv") - c("sum_t") * c("sum_v")) / (n * c("sum_tt") - c("sum_t") ** 2),
        "rate_of_change": (c("last_v") - c("first_v")) / (c("last_t") - c("first_t")),
        "p95": c("p95n") / n,
        "hours_above": pl.when(has_limit).then(c("sec_above") / 3600.0),
        "flagged_count": c("n_flagged"),
        "flagged_share": c("n_flagged") / n,
    }
    out = [pl.when(n > 0).then(exprs[s]).alias(f"{s}__{window}d") for s in stats]
    return [*out, n.alias(f"n__{window}d")]


def _regime_deviation(partials: pl.LazyFrame, short: int, long: int) -> pl.LazyFrame:
    """Recent mean minus longer mean within each running regime, weighted by recent readings."""
    dev = pl.col(f"sum_v_{short}") / pl.col(f"n_{short}") - pl.col(f"sum_v_{long}") / pl.col(
        f"n_{long}"
    )
    weight = pl.col(f"n_{short}")
    return (
        partials.filter(weight > 0)
        .group_by(SERIES)
        .agg(((dev * weight).sum() / weight.sum()).alias(f"regime_dev__{short}d_vs_{long}d"))
    )


def _ewma_terms(halflife: float, max_window: int) -> list[pl.Expr]:
    """Per daily row, the terms of the EWMA: weight x sum_v and weight x n (`EWMA_SUMS`)."""
    weight_of_age = 0.5 ** (pl.int_range(max_window, eager=True) / halflife)
    weight = pl.lit(weight_of_age).gather(pl.col("age_days"))
    return [(weight * pl.col("sum_v")).alias("ew_v"), (weight * pl.col("n")).alias("ew_n")]


def _ewma(halflife: float) -> pl.Expr:
    """Exponentially weighted mean of running readings, weights halving every `halflife` days.

    sum(weight x sum_v) / sum(weight x n) over the running daily rows of the longest window.
    """
    return (pl.col("ew_v") / pl.col("ew_n")).alias(f"ewma__{halflife:g}d_hl")


def build_window_features(
    daily: pl.DataFrame,
    spec: FeatureSpec,
    as_of: list[date],
    asset_types: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Wide features, one row per (asset, as-of night): `<sensor>__<stat>__<window>d` columns.

    Statistics use running regimes only (readings outside production orders are idle). Args:
        asset_types: `asset_id, asset_type`, to leave out the spec's excluded sensors per type.
    """
    if daily.is_empty() or not as_of:
        return pl.DataFrame(schema={"asset_id": pl.String, "as_of": pl.Date})
    halflife = spec.ewma_halflife_days
    ew = EWMA_SUMS if halflife else ()
    expanded = (
        _expand_to_as_of(daily, as_of, spec.max_window_days)
        # every statistic reads running regimes only: idle rows (a third of a plant's) go first
        .filter(pl.col("regime") != IDLE)
        # keys as categoricals: every group-by below hashes integers, not text
        .with_columns(pl.col("asset_id", "sensor", "regime").cast(pl.Categorical))
        .with_columns(_ewma_terms(halflife, spec.max_window_days) if halflife else [])
    )
    windows = spec.windows_days
    running = (  # per series, night and running regime: idle rows were left out above
        _by_age_band(expanded, windows, ew)
        .group_by([*SERIES, "regime"])
        .agg(
            *[e for i, w in enumerate(sorted(windows)) for e in _partials(i, w)],
            *[pl.col(c).sum() for c in ew],
        )
    )
    has_limit = pl.col("sensor").is_in(list(spec.limits))
    long = (
        running.group_by(SERIES)
        .agg(*[e for w in windows for e in _merge(w)], *[pl.col(c).sum() for c in ew])
        .select(
            *SERIES,
            *[e for w in windows for e in _statistics(w, spec.statistics, has_limit)],
            *ew,
        )
        .with_columns(
            (pl.col(f"mean__{s}d") - pl.col(f"mean__{lg}d")).alias(f"drift__{s}d_vs_{lg}d")
            for s, lg in spec.drift
        )
    )
    if spec.regime_deviation:
        long = long.join(_regime_deviation(running, *spec.regime_deviation), on=SERIES, how="left")
    if halflife:
        long = long.with_columns(_ewma(halflife)).drop(ew)
    long = long.collect().with_columns(pl.col("asset_id", "sensor").cast(pl.String))
    # every statistic is per series, so leaving out a type's excluded sensors at the end (a few
    # thousand rows) gives the same table as leaving them out of the daily rows (millions)
    return _widen(_exclude(long, spec, asset_types), spec)


def _exclude(
    rows: pl.DataFrame, spec: FeatureSpec, asset_types: pl.DataFrame | None
) -> pl.DataFrame:
    """`rows` without the (asset, sensor) pairs the spec excludes for the asset's type."""
    if asset_types is None or not spec.excluded:
        return rows
    pairs = pl.DataFrame(
        [(t, s) for t, sensors in spec.excluded.items() for s in sensors],
        schema={"asset_type": pl.String, "sensor": pl.String},
        orient="row",
    )
    dropped = asset_types.select("asset_id", "asset_type").join(pairs, on="asset_type")
    return rows.join(dropped.select("asset_id", "sensor"), on=["asset_id", "sensor"], how="anti")


def _widen(long: pl.DataFrame, spec: FeatureSpec) -> pl.DataFrame:
    values = [c for c in long.columns if c not in SERIES]
    wide = long.pivot(on="sensor", index=KEYS, values=values, separator="|")
    wide = wide.rename({c: _column_name(c) for c in wide.columns if "|" in c})
    empty = [c for c in wide.columns if c not in KEYS and wide[c].null_count() == wide.height]
    wide = wide.drop(empty)  # e.g. hours_above for sensors without a limit
    ratios = [
        (pl.col(f"{r.numerator}__mean__7d") / pl.col(f"{r.denominator}__mean__7d")).alias(
            f"ratio__{r.name}__7d"
        )
        for r in spec.ratios
        if f"{r.numerator}__mean__7d" in wide.columns
        and f"{r.denominator}__mean__7d" in wide.columns
    ]
    return wide.with_columns(ratios).sort(KEYS)


def _column_name(pivoted: str) -> str:
    """'mean__7d|bearing_temp' -> 'bearing_temp__mean__7d'."""
    stat_window, sensor = pivoted.split("|", 1)
    return f"{sensor}__{stat_window}"
