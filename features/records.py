"""Point-in-time features from sparse per-asset records (lab results, inspections), per night.

A record counts as of night `d` only once it was known: its `known_at` time (a lab result's report
time, not its sample time) is before the night's export closed (`night_end_utc`). A sample taken on
Monday and reported on Thursday first shows in Thursday night's features, as it would have live.

Columns, for each value column `v` and window `W` days (prefix `p`):
- `p__v__last`: the latest known record's value (latest by `known_at`, then by sample time);
- `p__v__change`: that value minus the record known before it on the same asset;
- `p__v__mean__Wd`: mean of the values of records that became known in the W days up to the night;
- `p__days_since_sample`: days from the latest known record's sample time to the night's end.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from data_quality.cleaning import night_end_utc
from foresight.errors import InputDataError

CUTOFF = "__cutoff_utc"


def build_record_features(
    records: pl.DataFrame,
    assets: list[str],
    nights: list[date],
    timezone: str,
    *,
    prefix: str,
    values: tuple[str, ...],
    known_at: str,
    sampled_at: str,
    windows_days: tuple[int, ...] = (90,),
) -> pl.DataFrame:
    """One row per asset and night (`asset_id`, `as_of`) with the columns the module lists.

    Records with no asset or no time are left out (the source's quality gate counts them); an
    asset or night without a known record has nulls.

    Raises:
        InputDataError: a named column is not in `records`.
    """
    needed = ["asset_id", known_at, sampled_at, *values]
    if missing := [c for c in needed if c not in records.columns]:
        raise InputDataError(
            f"record features {prefix!r}: columns {missing} are not in the records; found "
            f"{records.columns}. Name the record source's columns."
        )
    known = (
        records.select(needed)
        .drop_nulls(["asset_id", known_at, sampled_at])
        .sort(known_at, sampled_at)  # the as-of joins need the time order; shifts keep it per asset
        .with_columns(
            [
                (pl.col(v) - pl.col(v).shift(1).over("asset_id")).alias(f"{v}__change")
                for v in values
            ]
        )
    )
    grid = _grid(assets, nights, timezone)
    latest = _as_of(grid, known, CUTOFF, known_at).select(
        "asset_id",
        "as_of",
        *[pl.col(v).alias(f"{prefix}__{v}__last") for v in values],
        *[pl.col(f"{v}__change").alias(f"{prefix}__{v}__change") for v in values],
        ((pl.col(CUTOFF) - pl.col(sampled_at)).dt.total_hours() / 24.0).alias(
            f"{prefix}__days_since_sample"
        ),
    )
    means = [_window_mean(known, grid, known_at, values, prefix, w) for w in windows_days]
    table = latest
    for part in means:
        table = table.join(part, on=["asset_id", "as_of"], how="left")
    return table.sort("asset_id", "as_of")


def _grid(assets: list[str], nights: list[date], timezone: str) -> pl.DataFrame:
    """Every asset and night with the night's cut-off instant, sorted for the as-of joins."""
    cutoffs = pl.DataFrame(
        {"as_of": nights, CUTOFF: [night_end_utc(n, timezone) for n in nights]},
        schema={"as_of": pl.Date, CUTOFF: pl.Datetime("us", "UTC")},
    )
    frame = pl.DataFrame({"asset_id": sorted(set(assets))}, schema={"asset_id": pl.String})
    return frame.join(cutoffs, how="cross").sort(CUTOFF)


def _as_of(left: pl.DataFrame, right: pl.DataFrame, at: str, known_at: str) -> pl.DataFrame:
    """Each left row with the asset's latest right row known at or before `at`."""
    return left.join_asof(
        right,
        left_on=at,
        right_on=known_at,
        by="asset_id",
        strategy="backward",
        check_sortedness=False,  # both sorted by time; polars cannot check it per group
    )


def _window_mean(
    known: pl.DataFrame,
    grid: pl.DataFrame,
    known_at: str,
    values: tuple[str, ...],
    prefix: str,
    days: int,
) -> pl.DataFrame:
    """Mean of values known in (cut-off - days, cut-off]: running sums at both ends, subtracted.

    Two as-of joins instead of a join of every night with every record: linear in records.
    """
    running = known.select(
        "asset_id",
        known_at,
        *[pl.col(v).fill_null(0.0).cum_sum().over("asset_id").alias(f"s_{v}") for v in values],
        *[pl.col(v).is_not_null().cum_sum().over("asset_id").alias(f"n_{v}") for v in values],
    )
    sums = [f"{k}_{v}" for v in values for k in ("s", "n")]
    start = grid.with_columns((pl.col(CUTOFF) - timedelta(days=days)).alias("__start"))
    at_end = _as_of(start, running, CUTOFF, known_at)
    at_start = _as_of(start.sort("__start"), running, "__start", known_at).select(
        "asset_id", "as_of", *[pl.col(c).alias(f"{c}_start") for c in sums]
    )
    both = at_end.join(at_start, on=["asset_id", "as_of"]).with_columns(
        pl.col(f"{c}_start").fill_null(0) for c in sums
    )
    return both.select(
        "asset_id",
        "as_of",
        *[
            (
                (pl.col(f"s_{v}") - pl.col(f"s_{v}_start"))
                / (pl.col(f"n_{v}") - pl.col(f"n_{v}_start")).replace(0, None)
            ).alias(f"{prefix}__{v}__mean__{days}d")
            for v in values
        ],
    )
