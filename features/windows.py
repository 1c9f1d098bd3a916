"""Level 2: rolling windows over the daily aggregates, as of each night, point-in-time correct.

As of night d, a daily row counts only if its day is within the window (d - W, d] and it arrived
on a night <= d. Each daily row is expanded to the as-of nights it can serve, then merged.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from features.spec import FeatureSpec

KEYS = ["asset_id", "as_of"]


def _expand_to_as_of(daily: pl.DataFrame, as_of: list[date], max_window: int) -> pl.LazyFrame:
    """One row per (daily row, as-of night it serves): as_of in [max(day, night), day + W - 1]."""
    nights = pl.DataFrame({"as_of": sorted(set(as_of))}, schema={"as_of": pl.Date}).lazy()
    first = pl.max_horizontal("day", "night")
    last = pl.col("day") + pl.duration(days=max_window - 1)
    lo, hi = min(as_of), max(as_of)
    return (
        daily.lazy()
        .filter((pl.col("day") + pl.duration(days=max_window - 1) >= lo) & (pl.col("night") <= hi))
        .with_columns(as_of=pl.date_ranges(first, last))
        .explode("as_of")
        .join(nights, on="as_of", how="semi")
        .with_columns(age_days=(pl.col("as_of") - pl.col("day")).dt.total_days())
    )


def _window_stats(window: int, stats: tuple[str, ...]) -> list[pl.Expr]:
    inside = pl.col("age_days") < window

    def total(column: str) -> pl.Expr:
        return pl.when(inside).then(pl.col(column)).otherwise(0).sum()

    n = total("n")
    mean = total("sum_v") / n
    exprs = {
        "mean": mean,
        "std": ((total("sum_vv") / n - mean**2).clip(lower_bound=0)).sqrt(),
        "min": pl.when(inside).then(pl.col("min_v")).min(),
        "max": pl.when(inside).then(pl.col("max_v")).max(),
        "last": pl.when(inside)
        .then(pl.col("last_v"))
        .otherwise(None)
        .sort_by(pl.when(inside).then(pl.col("last_t")))
        .last(),
        "slope": (n * total("sum_tv") - total("sum_t") * total("sum_v"))
        / (n * total("sum_tt") - total("sum_t") ** 2),
        "flagged_share": total("n_flagged") / n,
    }
    out = [pl.when(n > 0).then(exprs[s]).alias(f"{s}__{window}d") for s in stats]
    return [*out, n.alias(f"n__{window}d")]


def build_window_features(
    daily: pl.DataFrame, spec: FeatureSpec, as_of: list[date]
) -> pl.DataFrame:
    """Wide features, one row per (asset, as-of night): `<sensor>__<stat>__<window>d` columns.

    Formula per window W: statistics merged over daily rows with as_of - W < day <= as_of and
    night <= as_of; `slope` is the least-squares slope of value on time, per day.
    """
    if daily.is_empty() or not as_of:
        return pl.DataFrame(schema={"asset_id": pl.String, "as_of": pl.Date})
    exprs = [e for w in spec.windows_days for e in _window_stats(w, spec.statistics)]
    long = (
        _expand_to_as_of(daily, as_of, spec.max_window_days)
        .group_by(["asset_id", "sensor", "as_of"])
        .agg(exprs)
        .with_columns(
            [
                (pl.col(f"mean__{s}d") - pl.col(f"mean__{lg}d")).alias(f"drift__{s}d_vs_{lg}d")
                for s, lg in spec.drift
                if "mean" in spec.statistics
            ]
        )
        .collect()
    )
    values = [c for c in long.columns if c not in ("asset_id", "sensor", "as_of")]
    wide = long.pivot(on="sensor", index=KEYS, values=values, separator="|")
    renamed = {c: _column_name(c) for c in wide.columns if "|" in c}
    return wide.rename(renamed).sort(KEYS)


def _column_name(pivoted: str) -> str:
    """'mean__7d|bearing_temp' -> 'bearing_temp__mean__7d'."""
    stat_window, sensor = pivoted.split("|", 1)
    return f"{sensor}__{stat_window}"
