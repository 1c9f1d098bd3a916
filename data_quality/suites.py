"""Expectation suites per source, built from metadata (register, tag catalogue), never hard-coded.

Each expectation carries `meta`: the rule in words and its severity. Critical rules block the run.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import great_expectations.expectations as gxe
import polars as pl

from data_quality.gx_runner import CRITICAL, WARNING, SuiteReport, run_suite

WORK_ORDER_TYPES = ["PM", "CM", "INSP"]
WORK_ORDER_STATUSES = ["open", "closed", "cancelled"]


def _meta(rule: str, severity: str) -> dict[str, str]:
    return {"rule": rule, "severity": severity}


def validate_work_orders(
    work_orders: pl.DataFrame, register: pl.DataFrame, results_dir: Path | None = None
) -> SuiteReport:
    """Run the maintenance-log suite: keys, known assets, allowed types and statuses, time order."""
    suite = [
        gxe.ExpectColumnValuesToNotBeNull(
            column="wo_id", meta=_meta("work order has an id", CRITICAL)
        ),
        gxe.ExpectColumnValuesToBeUnique(
            column="wo_id", meta=_meta("work order ids are unique", CRITICAL)
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="wo_type",
            value_set=WORK_ORDER_TYPES,
            meta=_meta(f"work order type is one of {WORK_ORDER_TYPES}", CRITICAL),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="status",
            value_set=WORK_ORDER_STATUSES,
            meta=_meta(f"work order status is one of {WORK_ORDER_STATUSES}", CRITICAL),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="asset_id",
            value_set=register["asset_id"].to_list(),
            mostly=0.95,
            meta=_meta("work order asset is in the asset register", WARNING),
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="opened_utc", meta=_meta("open time parses", CRITICAL)
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="closed_utc",
            column_B="opened_utc",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=_meta("close time is not before open time", WARNING),
        ),
    ]
    frame = work_orders.select("wo_id", "asset_id", "wo_type", "status", "opened_utc", "closed_utc")
    return run_suite("maintenance_logs", frame, suite, results_dir, key="wo_id")


def validate_asset_register(
    register: pl.DataFrame, catalog: pl.DataFrame, as_of: date, results_dir: Path | None = None
) -> SuiteReport:
    """Run the asset-register suite: unique ids, known types, commissioning dates known and past."""
    suite = [
        gxe.ExpectColumnValuesToBeUnique(
            column="asset_id", meta=_meta("asset ids are unique", CRITICAL)
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="asset_type",
            value_set=catalog["asset_type"].unique().to_list(),
            meta=_meta("asset type has sensors in the tag catalogue", CRITICAL),
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="commissioned_on", meta=_meta("commissioning date is known", WARNING)
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="commissioned_on",
            # GX compares the column as pandas timestamps, which refuse a bare date
            max_value=datetime.combine(as_of, time()),
            meta=_meta("commissioning date is not in the future", WARNING),
        ),
    ]
    return run_suite("asset_register", register, suite, results_dir, key="asset_id")


def validate_production_context(
    orders: pl.DataFrame, register: pl.DataFrame, results_dir: Path | None = None
) -> SuiteReport:
    """Run the production-context suite: known assets, plausible load, end after start."""
    suite = [
        gxe.ExpectColumnValuesToBeInSet(
            column="asset_id",
            value_set=register["asset_id"].to_list(),
            mostly=0.99,
            meta=_meta("production order asset is in the asset register", WARNING),
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="load_pct", meta=_meta("load is given as a number", WARNING)
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="load_pct",
            min_value=0,
            max_value=150,
            mostly=0.99,
            meta=_meta("load is between 0 and 150 %", WARNING),
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="end_utc",
            column_B="start_utc",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=_meta("order ends after it starts", WARNING),
        ),
    ]
    frame = orders.select("order_id", "asset_id", "load_pct", "start_utc", "end_utc")
    return run_suite("production_context", frame, suite, results_dir, key="order_id")
