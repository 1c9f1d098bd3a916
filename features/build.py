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
from features.spec import FeatureSpec
from features.windows import build_window_features


def build_feature_table(
    daily: pl.DataFrame, orders: pl.DataFrame, work_orders: pl.DataFrame, register: pl.DataFrame,
    spec: FeatureSpec, nights: list[date], timezone: str,
) -> pl.DataFrame:
    """Everything the models see as of each night; nothing stamped or arrived after the night.

    Args:
        daily: level-1 aggregates (features.daily); orders: MES production orders (may be empty);
        work_orders: with `component_inferred` (features.notes); register: the asset register.
    """
    windows = build_window_features(daily, spec, nights, register.select("asset_id", "asset_type"))
    context = [build_maintenance_features(work_orders, register, nights, timezone)] if spec.maintenance else []
    if spec.maintenance:
        context.append(build_component_age(work_orders, register, nights, timezone))
    if orders.height:
        context.append(build_load_features(daily_load(orders, timezone), spec, nights))
        context.append(build_production_state(orders, nights, timezone))
    table = windows
    for part in context:
        table = table.join(part, on=["asset_id", "as_of"], how="left")
    static = register.select("asset_id", "asset_type", "criticality", "site")
    return table.join(static, on="asset_id", how="left").sort("asset_id", "as_of")
