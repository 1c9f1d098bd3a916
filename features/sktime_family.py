"""Optional feature family: an sktime transformer over each sensor's daily running means.

Switched on in spec.yaml (`sktime.enabled`). Point-in-time like the rest: the series as of a night
holds only days inside the window whose data had arrived by that night.
"""

from __future__ import annotations

import importlib
from datetime import date

import numpy as np
import polars as pl

from features.daily import IDLE
from features.spec import SktimeFamily
from features.windows import _expand_to_as_of
from foresight.errors import PlantConfigError

TRANSFORMERS = {
    "Catch22": "sktime.transformations.panel.catch22.Catch22",
    "SummaryTransformer": "sktime.transformations.series.summarize.SummaryTransformer",
}


def make_transformer(name: str) -> object:
    """An sktime transformer by the name used in the spec."""
    if name not in TRANSFORMERS:
        raise PlantConfigError(
            f"feature spec: sktime transformer {name!r} is not offered; "
            f"use one of {sorted(TRANSFORMERS)}."
        )
    module, _, cls = TRANSFORMERS[name].rpartition(".")
    return getattr(importlib.import_module(module), cls)()


def daily_series(daily: pl.DataFrame, family: SktimeFamily, as_of: list[date]) -> pl.DataFrame:
    """One row per asset, sensor and night: the list of daily running means over the window."""
    rows = daily.filter(pl.col("sensor").is_in(list(family.sensors)) & (pl.col("regime") != IDLE))
    expanded = _expand_to_as_of(rows, as_of, family.window_days)
    per_day = expanded.group_by("asset_id", "sensor", "as_of", "age_days").agg(
        mean=pl.col("sum_v").sum() / pl.col("n").sum()
    )
    return (
        per_day.sort("age_days", descending=True)
        .group_by("asset_id", "sensor", "as_of")
        .agg(ages=pl.col("age_days"), values=pl.col("mean"))
        .collect()
    )


def _panel(series: pl.DataFrame, length: int) -> np.ndarray:
    """(instances, 1, length) array, oldest day first, gaps filled forward then backward."""
    panel = np.full((series.height, 1, length), np.nan)
    for i, (ages, values) in enumerate(zip(series["ages"], series["values"], strict=True)):
        panel[i, 0, [length - 1 - a for a in ages]] = values
    for row in panel[:, 0, :]:
        valid = ~np.isnan(row)
        if valid.any():
            idx = np.where(valid, np.arange(length), 0)
            np.maximum.accumulate(idx, out=idx)
            row[:] = row[idx]
            row[: np.argmax(valid)] = row[np.argmax(valid)]
    return panel


def build_sktime_features(
    daily: pl.DataFrame, family: SktimeFamily, as_of: list[date]
) -> pl.DataFrame:
    """Wide `<sensor>__sktime_<feature>` columns per asset and night; empty when switched off."""
    keys = {"asset_id": pl.String, "as_of": pl.Date}
    if not family.enabled or daily.is_empty():
        return pl.DataFrame(schema=keys)
    series = daily_series(daily, family, as_of).filter(pl.col("values").list.len() >= 3)
    if series.is_empty():
        return pl.DataFrame(schema=keys)
    out = make_transformer(family.transformer).fit_transform(_panel(series, family.window_days))
    names = [str(c).replace(" ", "_") for c in out.columns]
    values = pl.from_numpy(np.asarray(out, dtype=float), schema=names)
    long = pl.concat([series.select("asset_id", "sensor", "as_of"), values], how="horizontal")
    wide = long.pivot(on="sensor", index=["asset_id", "as_of"], values=names, separator="|")
    return wide.rename(
        {c: f"{c.split('|')[1]}__sktime_{c.split('|')[0]}" for c in wide.columns if "|" in c}
    )
