"""The nightly feature table: sensor windows plus the context layer, one row per asset and night."""

from __future__ import annotations

from datetime import date

import polars as pl

from features.context import (
    build_component_age,
    build_load_features,
    build_maintenance_features,
    build_production_state,
    daily_load,
)
from features.peers import fleet_deviation
from features.spec import FeatureSpec
from features.windows import build_window_features

NIGHTS_PER_CHUNK = 32


def build_feature_table(
    daily: pl.DataFrame,
    orders: pl.DataFrame,
    work_orders: pl.DataFrame,
    register: pl.DataFrame,
    spec: FeatureSpec,
    nights: list[date],
    timezone: str,
) -> pl.DataFrame:
    """Everything the models see as of each night; nothing stamped or arrived after the night.

    Args:
        daily: level-1 aggregates (features.daily); orders: MES production orders (may be empty);
        work_orders: with `component_inferred` (features.notes); register: the asset register.
    """
    types = register.select("asset_id", "asset_type")
    ordered = sorted(set(nights))
    # a year of nights at once would expand every daily row 30-fold: chunks bound the memory
    chunks = [ordered[i : i + NIGHTS_PER_CHUNK] for i in range(0, len(ordered), NIGHTS_PER_CHUNK)]
    windows = pl.concat(
        [build_window_features(daily, spec, chunk, types) for chunk in chunks],
        how="diagonal_relaxed",
    )
    context = (
        [build_maintenance_features(work_orders, register, nights, timezone)]
        if spec.maintenance
        else []
    )
    if spec.maintenance:
        context.append(build_component_age(work_orders, register, nights, timezone))
    if orders.height:
        context.append(build_load_features(daily_load(orders, timezone), spec, nights))
        context.append(build_production_state(orders, nights, timezone))
    if spec.sktime.enabled:
        from features.sktime_family import build_sktime_features  # sktime imports slowly

        context.append(build_sktime_features(daily, spec.sktime, nights))
    table = windows
    for part in context:
        table = table.join(part, on=["asset_id", "as_of"], how="left")
    static = register.select("asset_id", "asset_type", "criticality", "site")
    table = table.join(static, on="asset_id", how="left")
    return fleet_deviation(table, spec.fleet_deviation).sort("asset_id", "as_of")
