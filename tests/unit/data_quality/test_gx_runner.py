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


def test_batches_combine_into_one_report_naming_the_batches_a_rule_failed_on():
    from data_quality.gx_runner import CRITICAL, RuleOutcome, SuiteReport, combine_reports

    def report(failing: bool) -> SuiteReport:
        rule = RuleOutcome("no unknown asset", CRITICAL, not failing, 3 if failing else None, 90)
        return SuiteReport("sensor_readings", [rule, RuleOutcome("rows", CRITICAL, True, None, 1)])

    one = report(True)
    assert combine_reports([("2026-01-01", one)]) is one
    both = combine_reports([("2026-01-01", report(False)), ("2026-01-02", report(True))])
    assert not both.critical_passed
    assert [o.passed for o in both.outcomes] == [False, True]
    assert "'no unknown asset' failed (critical) [2026-01-02]: 3 of 90 rows" in both.message()
    assert combine_reports([("a", report(False)), ("b", report(False))]).critical_passed


def test_a_rule_only_a_later_batch_ran_is_kept_in_the_combined_report():
    from data_quality.gx_runner import CRITICAL, RuleOutcome, SuiteReport, combine_reports

    early = SuiteReport("sensor_readings", [RuleOutcome("rows", CRITICAL, True, None, 1)])
    late = SuiteReport(
        "sensor_readings",
        [
            RuleOutcome("rows", CRITICAL, True, None, 1),
            RuleOutcome("unit known", CRITICAL, False, 2, 40),
        ],
    )
    both = combine_reports([("2026-01-01", early), ("2026-01-02", late)])
    assert [(o.rule, o.passed) for o in both.outcomes] == [("rows", True), ("unit known", False)]
    assert not both.critical_passed
