"""The MES as a source: production orders give each asset's operating context over time."""

from __future__ import annotations

import polars as pl

from connectors.cmms import local_to_utc
from foresight.errors import InputDataError

ORDER_COLUMNS = (
    "order_id",
    "asset_id",
    "start_local",
    "end_local",
    "product_spec",
    "material_batch",
    "load_regime",
    "load_pct",
)


def read_production_orders(path: str, timezone: str) -> pl.DataFrame:
    """Production orders with start/end in UTC and the load as a number."""
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputDataError(f"MES export {path}: cannot be read ({exc}).") from exc
    if missing := [c for c in ORDER_COLUMNS if c not in frame.columns]:
        raise InputDataError(
            f"MES export {path}: missing columns {missing}; expected {list(ORDER_COLUMNS)}."
        )
    return frame.with_columns(
        local_to_utc("start_local", timezone).alias("start_utc"),
        local_to_utc("end_local", timezone).alias("end_utc"),
        pl.col("load_pct").cast(pl.Float64, strict=False),
    ).sort("asset_id", "start_utc")
