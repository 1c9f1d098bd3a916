"""Flag suspicious clean readings (kept, never deleted): stuck, dead and spiking sensors, gaps.

Every flag is computed in one pass over the frame sorted by series and time: a series or a run of
identical values is a contiguous stretch, so its start and end come from forward and backward
fills instead of a group-by per run, and the per-series medians from one group-by per series.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

SERIES = ["asset_id", "sensor"]


@dataclass(frozen=True)
class FlagRules:
    """Thresholds of the flags; the plant file's `quality` section sets them."""

    stuck_run_hours: float = 6.0  # identical values for at least this long: stuck (0.0: dead)
    spike_robust_z: float = 8.0  # jump away from both neighbours, in typical steps of the series
    gap_factor: float = 3.0  # a pause longer than this many usual sampling intervals is a gap


def _changed(columns: list[str], step: int) -> pl.Expr:
    """True where a row differs from the row `step` away (or has none) in any of `columns`."""
    differs = pl.any_horizontal(pl.col(c) != pl.col(c).shift(step) for c in columns)
    return differs.fill_null(True)


SLICE_ROWS = 2_000_000  # flags are computed on slices of whole series of about this many rows


def flag_readings(clean: pl.DataFrame, rules: FlagRules) -> pl.DataFrame:
    """`_flag_slice` on slices of whole series: the same flags, a fraction of the memory."""
    if clean.height <= SLICE_ROWS:
        return _flag_slice(clean, rules)
    starts = clean.select(_changed(SERIES, 1).arg_true()).to_series()
    wanted = pl.Series(range(SLICE_ROWS, clean.height, SLICE_ROWS), dtype=starts.dtype)
    cuts = starts.gather(starts.search_sorted(wanted).clip(0, starts.len() - 1)).unique().sort()
    edges = [0, *[c for c in cuts.to_list() if 0 < c < clean.height], clean.height]
    parts = [
        _flag_slice(clean.slice(a, b - a), rules)
        for a, b in zip(edges, edges[1:], strict=False)
        if b > a
    ]
    return pl.concat(parts, rechunk=False)


def _flag_slice(clean: pl.DataFrame, rules: FlagRules) -> pl.DataFrame:
    """Add flag_stuck, flag_dead, flag_spike and flag_gap_before to rows sorted by series and time.

    - stuck/dead: a run of identical values lasting at least `stuck_run_hours` (dead when 0.0);
    - spike: |value - median(previous, value, next)| in typical steps of the series (the median
      non-zero |value - previous|, about one noise sigma) above `spike_robust_z`; so a level change
      is no spike, one reading far from two agreeing neighbours is. The first and last reading of
      a series are not judged, nor a reading inside a stuck run;
    - gap: the pause before a reading is longer than `gap_factor` usual (median) intervals.
    """
    if clean.is_empty():
        return clean.with_columns(
            pl.lit(False).alias(c)
            for c in ("flag_stuck", "flag_dead", "flag_spike", "flag_gap_before")
        )
    first_of_series = _changed(SERIES, 1)
    last_of_series = _changed(SERIES, -1)
    first_of_run = first_of_series | (pl.col("value") != pl.col("value").shift(1)).fill_null(True)
    last_of_run = last_of_series | (pl.col("value") != pl.col("value").shift(-1)).fill_null(True)
    run_start = pl.when(first_of_run).then(pl.col("ts_utc")).forward_fill()
    # a run's span is known at its last row; every row of the run takes it from there
    span = pl.when(last_of_run).then(pl.col("ts_utc") - run_start).backward_fill()
    marked = clean.with_columns(
        _sid=first_of_series.cum_sum().cast(pl.UInt32) - 1,
        _first=first_of_series,
        _last=last_of_series,
        _stuck=span.dt.total_seconds() >= rules.stuck_run_hours * 3600.0,
    )
    prev = pl.when(~pl.col("_first")).then(pl.col("value").shift(1))
    nxt = pl.when(~pl.col("_last")).then(pl.col("value").shift(-1))
    step_us = pl.when(~pl.col("_first")).then(pl.col("ts_utc").diff().dt.total_microseconds())
    moved = pl.when(~pl.col("_first")).then(pl.col("value").diff().abs())
    per_series = (
        marked.select("_sid", _move=moved, _step=step_us)
        .group_by("_sid")
        .agg(
            typical=pl.col("_move").filter(pl.col("_move") > 0).median(),
            usual=pl.col("_step").median(),
        )
        .sort("_sid")
    )
    lo, hi = pl.min_horizontal(prev, nxt), pl.max_horizontal(prev, nxt)
    median3 = pl.min_horizontal(pl.max_horizontal(lo, pl.col("value")), hi)
    typical = pl.lit(per_series["typical"]).gather(pl.col("_sid"))
    usual = pl.lit(per_series["usual"]).gather(pl.col("_sid"))
    judged = ~(pl.col("_first") | pl.col("_last") | pl.col("_stuck"))
    excess = pl.when(judged).then((pl.col("value") - median3).abs() / typical)
    return marked.with_columns(
        flag_stuck=pl.col("_stuck") & (pl.col("value") != 0.0),
        flag_dead=pl.col("_stuck") & (pl.col("value") == 0.0),
        flag_spike=(excess > rules.spike_robust_z).fill_null(False),
        flag_gap_before=(step_us > usual * rules.gap_factor).fill_null(False),
    ).drop("_sid", "_first", "_last", "_stuck")
