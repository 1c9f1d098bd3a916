"""The CMMS as a source: asset register and work orders, read through SQLAlchemy."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from foresight.errors import InputDataError

ASSET_COLUMNS = ("asset_id", "asset_type", "site", "criticality", "commissioned_on", "status")
WORK_ORDER_COLUMNS = (
    "wo_id",
    "asset_id",
    "wo_type",
    "status",
    "component",
    "failure_code",
    "opened_at",
    "closed_at",
    "notes",
)


def _read_table(url: str, table: str, columns: tuple[str, ...]) -> pl.DataFrame:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(f"SELECT * FROM {table}")
            )  # table name is ours, not user input
            frame = pl.DataFrame(
                rows.fetchall(), schema=list(rows.keys()), orient="row", infer_schema_length=None
            )
    except sa.exc.SQLAlchemyError as exc:
        detail = getattr(exc, "orig", None) or exc
        raise InputDataError(
            f"CMMS {engine.url.render_as_string()}: cannot read table {table!r} "
            f"({exc.__class__.__name__}: {detail}); expected a table with columns {list(columns)}. "
            "Check sources.cmms.url and the CMMS schema."
        ) from exc
    finally:
        engine.dispose()
    if missing := [c for c in columns if c not in frame.columns]:
        raise InputDataError(
            f"CMMS table {table!r}: missing columns {missing}; expected {list(columns)}."
        )
    return frame


def local_to_utc(column: str, timezone: str) -> pl.Expr:
    """Parse a local wall-clock text column to UTC; DST-ambiguous times take the earlier instant."""
    return (
        pl.col(column)
        .str.to_datetime(time_unit="us", strict=False)
        .dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
    )


def read_asset_register(url: str) -> pl.DataFrame:
    """The asset register: one row per asset with type, site, criticality, commissioning date."""
    frame = _read_table(url, "assets", ASSET_COLUMNS)
    return frame.with_columns(
        pl.col("commissioned_on").cast(pl.String).str.to_date(strict=False)
    ).sort("asset_id")


def read_work_orders(url: str, timezone: str) -> pl.DataFrame:
    """Work orders with open/close times converted from plant local time to UTC."""
    frame = _read_table(url, "work_orders", WORK_ORDER_COLUMNS)
    return frame.with_columns(
        local_to_utc("opened_at", timezone).alias("opened_utc"),
        local_to_utc("closed_at", timezone).alias("closed_utc"),
    ).sort("opened_utc")
