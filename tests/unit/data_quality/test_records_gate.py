from datetime import UTC, datetime

import polars as pl

from data_quality.records import validate_records

REGISTER = pl.DataFrame({"asset_id": ["P-001", "P-002"]})
T = datetime(2026, 3, 1, 9, tzinfo=UTC)


def records(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "asset_id": pl.String,
            "sampled_at_utc": pl.Datetime("us", "UTC"),
            "iron_ppm": pl.Float64,
        },
        orient="row",
    ).with_columns(source_file=pl.lit("lab.csv"), source_row=pl.int_range(1, pl.len() + 1))


def gate(frame: pl.DataFrame):
    return validate_records(
        "oil_analysis", frame, REGISTER, {"iron_ppm": (0, 500)}, ("asset_id", "sampled_at_utc")
    )


def test_clean_records_pass_every_rule():
    report = gate(records([("P-001", T, 10.0), ("P-002", T, 12.0)]))
    assert report.critical_passed and report.failures == []


def test_a_time_that_did_not_parse_fails_critically_and_names_the_row():
    report = gate(records([("P-001", T, 10.0), ("P-002", None, 12.0)]))
    assert not report.critical_passed
    assert "rule 'sampled_at parses as a time' failed (critical)" in report.message()
    assert "record=lab.csv#2" in report.message()


def test_the_same_asset_and_time_twice_fails_critically():
    report = gate(records([("P-001", T, 10.0), ("P-001", T, 11.0)]))
    assert not report.critical_passed
    assert "one record per asset_id and sampled_at_utc" in report.message()


def test_implausible_or_missing_numbers_and_unknown_assets_only_warn():
    rows = [("P-001", T, 900.0)] + [
        ("P-002", datetime(2026, 3, d, tzinfo=UTC), None) for d in (2, 3)
    ]
    report = gate(records([*rows, ("X-999", T, 5.0)]))
    assert report.critical_passed
    failed = {o.rule for o in report.failures}
    assert failed == {
        "iron_ppm is between 0 and 500",
        "iron_ppm is given as a number",
        "record asset is in the asset register",
    }
