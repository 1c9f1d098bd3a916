"""Benchmark 3, baselines: the window statistics with pandas groupby-rolling and with sktime.

Both read minute readings: a straightforward pandas or sktime user has no level-1 store, so for
the 7- and 30-day windows they roll over 31 nights of minute readings. Like ours they keep running
hours only (hourly MES regime joined to each reading, idle dropped) and leave out the spec's
excluded sensors. Both compute every statistic at every reading (that is what rolling does) and
keep each series' last row, as of the night. They run on a random slice of series
(`bench.data.SLICE_SERIES`), scaled to the night's series count afterwards.

Slope, which neither library offers as a rolling statistic, is the least-squares slope from
rolling means: (mean(t v) - mean(t) mean(v)) / (mean(t t) - mean(t)^2), t in days; a rolling
`apply` of numpy.polyfit would compute the same thing orders of magnitude slower.
Not computed by either: regime deviation and cross-sensor ratios (they need the per-regime and
per-asset layout of ours). sktime also lacks p95 and EWMA (its rolling summarizers offer no
quantile or exponential weighting; a Python callable in rolling.apply would dominate the time).
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from bench.data import SLICE_SERIES, TIMEZONE, BenchData

MINUTES_PER_DAY = 1440


def slice_inputs(data: BenchData) -> dict[str, Any]:
    """Setup: the cached minute slice and hourly regimes of its assets, as pandas."""
    import pandas  # noqa: F401  (slow import, kept out of the timed region)

    from connectors.mes import read_production_orders
    from features.daily import hourly_regimes
    from features.spec import load_feature_spec

    minutes = pl.read_parquet(data.slice_path)
    flagged = pl.col("flag_stuck") | pl.col("flag_dead") | pl.col("flag_spike")
    frame = minutes.select(
        "asset_id", "sensor", pl.col("ts_utc").dt.replace_time_zone(None), "value",
        flagged.cast(pl.Float64).alias("flagged"),
    )  # fmt: skip
    regimes = hourly_regimes(read_production_orders(data.production_orders, TIMEZONE))
    regimes = regimes.join(frame.select("asset_id").unique(), on="asset_id", how="semi")
    return {
        "minutes": frame.to_pandas(),
        "regimes": regimes.with_columns(pl.col("hour").dt.replace_time_zone(None)).to_pandas(),
        "spec": load_feature_spec(),
        "night": json.loads(data.night_size_path.read_text()),
    }


def _running_minutes(inputs: dict[str, Any]) -> Any:
    """Readings in running hours, with t (days since 1970), t*v, t*t and above-limit columns."""
    import pandas as pd

    spec = inputs["spec"]
    frame = inputs.pop("minutes")
    frame["hour"] = frame["ts_utc"].dt.floor("h")
    frame = frame.merge(inputs.pop("regimes"), on=["asset_id", "hour"], how="left")
    frame = frame[frame["regime"].notna()].sort_values(["asset_id", "sensor", "ts_utc"])
    t = (frame["ts_utc"] - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)
    limit = frame["sensor"].map(spec.limits)
    above = (frame["value"] > limit).astype(float).where(limit.notna())
    return frame.assign(t=t, tv=t * frame["value"], tt=t * t, above=above)


def _slope(m: dict[str, Any]) -> Any:
    return (m["tv"] - m["t"] * m["value"]) / (m["tt"] - m["t"] ** 2)


def pandas_rolling(inputs: dict[str, Any]) -> dict[str, Any]:
    """groupby(asset, sensor).rolling('<W>D') over running minutes; last row per series, wide."""
    import pandas as pd

    spec = inputs["spec"]
    frame = _running_minutes(inputs).set_index("ts_utc")
    grouped = frame.groupby(["asset_id", "sensor"])
    parts = {"last": frame.set_index(["asset_id", "sensor"], append=True)["value"]}
    for w in spec.windows_days:
        means = grouped[["value", "t", "tv", "tt", "flagged"]].rolling(f"{w}D").mean()
        values, ts = grouped["value"].rolling(f"{w}D"), grouped["t"].rolling(f"{w}D")
        parts |= {
            f"mean__{w}d": means["value"], f"std__{w}d": values.std(ddof=0),
            f"min__{w}d": values.min(), f"max__{w}d": values.max(),
            f"slope__{w}d": _slope(means),
            f"rate_of_change__{w}d": (frame["value"].to_numpy() - values.first())
            / (frame["t"].to_numpy() - ts.first()),
            f"p95__{w}d": values.quantile(0.95),
            f"hours_above__{w}d": grouped["above"].rolling(f"{w}D").sum() / 60.0,
            f"flagged_count__{w}d": grouped["flagged"].rolling(f"{w}D").sum(),
            f"flagged_share__{w}d": means["flagged"], f"n__{w}d": values.count(),
        }  # fmt: skip
    halflife = f"{spec.ewma_halflife_days}D"
    ewma = grouped["value"].ewm(halflife=halflife, times=frame.index.to_numpy()).mean()
    parts[f"ewma__{spec.ewma_halflife_days:g}d_hl"] = ewma
    table = pd.DataFrame({k: _by_series(v) for k, v in parts.items()})
    for short, long in spec.drift:
        table[f"drift__{short}d_vs_{long}d"] = table[f"mean__{short}d"] - table[f"mean__{long}d"]
    latest = table.groupby(level=["asset_id", "sensor"]).tail(1).droplevel("ts_utc")
    return _scaled(inputs, latest.unstack("sensor"), len(frame))


def _by_series(values: Any) -> Any:
    """Index (asset_id, sensor, ts_utc) whatever order pandas returned the levels in."""
    if hasattr(values, "index") and values.index.nlevels == 3:
        return values.reorder_levels(["asset_id", "sensor", "ts_utc"])
    return values


def sktime_window_summarizer(inputs: dict[str, Any]) -> dict[str, Any]:
    """sktime WindowSummarizer on an (asset, sensor, ts) multi-index frame; windows in readings.

    A window of W days is W x 1440 readings (one a minute; gaps and idle hours make it reach
    further back). n_jobs=1: the default (-1, loky processes) was 5x slower on 2 cores.
    """
    from sktime.transformations.series.summarize import WindowSummarizer

    spec = inputs["spec"]
    frame = _running_minutes(inputs).set_index(["asset_id", "sensor", "ts_utc"])
    frame["above"] = frame["above"].fillna(0.0)
    windows = [[0, w * MINUTES_PER_DAY] for w in spec.windows_days]
    first = [w * MINUTES_PER_DAY - 1 for w in spec.windows_days]  # lag to a window's first row
    summarizers = [
        (["value"], {"lag": [0, *first], "mean": windows, "std": windows, "min": windows,
                     "max": windows}),
        (["t"], {"lag": first, "mean": windows}),
        (["tv", "tt"], {"mean": windows}),
        (["flagged", "above"], {"mean": windows, "sum": windows}),
    ]  # fmt: skip
    parts = [
        WindowSummarizer(lag_feature=lags, target_cols=cols, n_jobs=1).fit_transform(frame[cols])
        for cols, lags in summarizers
    ]
    table = parts[0].join(parts[1:])
    t_now = frame["t"]
    for w, lag in zip(spec.windows_days, first, strict=True):
        n = w * MINUTES_PER_DAY
        means = {c: table[f"{c}_mean_0_{n}"] for c in ("value", "t", "tv", "tt")}
        table[f"slope_{w}d"] = _slope(means)
        table[f"rate_of_change_{w}d"] = (table["value_lag_0"] - table[f"value_lag_{lag}"]) / (
            t_now - table[f"t_lag_{lag}"]
        )
        table[f"hours_above_{w}d"] = table[f"above_sum_0_{n}"] / 60.0
    latest = table.groupby(level=["asset_id", "sensor"]).tail(1).droplevel("ts_utc")
    return _scaled(inputs, latest.unstack("sensor"), len(frame))


def _scaled(inputs: dict[str, Any], wide: Any, rows: int) -> dict[str, Any]:
    """Fields for the report: the slice's figures, and how to scale them to the whole night."""
    night = inputs["night"]
    note = (
        f"{SLICE_SERIES} series x 31 nights of running minutes ({rows:,} rows in, "
        f"{wide.shape[0]} x {wide.shape[1]} features out)"
    )
    return {
        "note": note,
        "extrapolate": {
            "factor": night["series"] / SLICE_SERIES,
            "readings": night["readings"],
            "basis": f"{night['series']:,} series / {SLICE_SERIES} measured",
        },
    }
