from datetime import date

from data_quality.readings_gate import validate_readings
from tests.unit.data_quality.conftest import raw_rows

NIGHT = date(2026, 3, 3)
GOOD = ("P-001", "bearing_temp", "2026-03-03T10:00:00Z", "50", "degC", "good")


def gate(raw, catalog, register, nights=(NIGHT,), **limits):
    return validate_readings(
        raw,
        catalog,
        register,
        nights=list(nights),
        timezone="Europe/Berlin",
        max_unknown=limits.get("max_unknown", 0.01),
        max_malformed=limits.get("max_malformed", 0.01),
    )


def test_clean_night_passes(catalog, register):
    report = gate(raw_rows([GOOD]), catalog, register)
    assert report.critical_passed, report.message()


def test_unknown_assets_above_limit_fail_critically_with_examples(catalog, register):
    rows = [GOOD] * 3 + [("P-404", "bearing_temp", "2026-03-03T10:00:00Z", "50", "degC", "good")]
    report = gate(raw_rows(rows), catalog, register)
    assert not report.critical_passed
    message = report.message()
    assert "asset id is not in the asset register" in message
    assert "1 of 4 rows" in message and "P-404" in message


def test_missing_export_fails_freshness(catalog, register):
    report = gate(raw_rows([GOOD]), catalog, register, nights=(NIGHT, date(2026, 3, 4)))
    assert not report.critical_passed
    assert "export has arrived" in report.message() and "2026-03-04: 0 rows" in report.message()


def test_out_of_range_is_only_a_warning(catalog, register):
    rows = [GOOD] * 5 + [("P-001", "bearing_temp", "2026-03-03T11:00:00Z", "900", "degC", "good")]
    report = gate(raw_rows(rows), catalog, register)
    assert report.critical_passed
    assert "physically valid range" in report.message() and "(warning)" in report.message()
