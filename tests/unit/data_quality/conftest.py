from datetime import date

import polars as pl
import pytest


@pytest.fixture(scope="session")
def register() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "asset_id": ["P-001", "P-002"],
            "asset_type": ["pump", "pump"],
            "commissioned_on": [date(2025, 1, 1), date(2026, 3, 2)],
            "status": ["active", "active"],
        }
    )


@pytest.fixture(scope="session")
def catalog() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "asset_type": ["pump", "pump"],
            "sensor": ["bearing_temp", "pressure"],
            "unit": ["degC", "bar"],
            "min_valid": [-20.0, 0.0],
            "max_valid": [150.0, 40.0],
        }
    )


def raw_rows(
    rows: list[tuple], night: date = date(2026, 3, 3), file: str = "f.parquet"
) -> pl.DataFrame:
    """(asset_id, sensor, ts_raw, value_raw, unit, quality) tuples as canonical raw rows."""
    frame = pl.DataFrame(
        rows, schema=["asset_id", "sensor", "ts_raw", "value_raw", "unit", "quality"], orient="row"
    )
    return frame.select(
        pl.lit(night).alias("night"),
        pl.lit(file).alias("source_file"),
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("row_number"),
        pl.all(),
    )
