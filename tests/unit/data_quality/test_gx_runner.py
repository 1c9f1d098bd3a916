from datetime import date

import great_expectations.expectations as gxe
import polars as pl

from data_quality.gx_runner import run_suite


def test_rule_that_cannot_be_evaluated_says_so_instead_of_observed_none():
    frame = pl.DataFrame({"asset_id": ["P-001"], "commissioned_on": [date(2020, 1, 1)]})
    # GX compares a date column as pandas timestamps, which refuse a bare `date` bound
    rule = gxe.ExpectColumnValuesToBeBetween(
        column="commissioned_on", max_value=date(2026, 1, 1), meta={"rule": "not in the future"}
    )
    message = run_suite("asset_register", frame, [rule]).message()
    assert "'not in the future' failed (warning): observed no verdict, the check itself" in message
    assert "Cannot compare Timestamp with datetime.date" in message


def test_failed_rule_quotes_the_keys_of_offending_rows():
    frame = pl.DataFrame({"wo_id": ["WO-1", "WO-2"], "wo_type": ["PM", "XX"]})
    rule = gxe.ExpectColumnValuesToBeInSet(column="wo_type", value_set=["PM", "CM"])
    message = run_suite("maintenance_logs", frame, [rule], key="wo_id").message()
    assert "1 of 2 rows (50.00 %); e.g. wo_id=WO-2 (wo_type=XX)" in message
