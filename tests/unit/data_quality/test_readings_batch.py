from datetime import date

from data_quality import reasons as R
from data_quality.readings_batch import ReadingRules, gate_and_clean
from tests.unit.data_quality.conftest import raw_rows

NIGHT = date(2026, 3, 3)
RULES = ReadingRules(max_unknown=0.5, max_malformed=0.5, min_reporting_share=0.0)


def test_gate_and_clean_reconciles_raw_with_clean_and_quarantined(catalog, register):
    raw = raw_rows(
        [
            ("P-001", "bearing_temp", "2026-03-03T10:00:00Z", "50", "degC", "good"),
            ("P-001", "bearing_temp", "2026-03-03T10:01:00Z", "51", "degC", "good"),
            ("P-9999", "bearing_temp", "2026-03-03T10:00:00Z", "50", "degC", "good"),
        ]
    )
    batch = gate_and_clean(
        raw, catalog, register, nights=[NIGHT], timezone="Europe/Berlin", run_id="r", rules=RULES
    )
    assert batch.counts["raw_rows"] == 3
    assert (batch.counts["clean"], batch.counts["quarantined"]) == (2, 1)
    assert batch.counts[f"quarantined.{R.UNKNOWN_ASSET}"] == 1
    assert batch.result.clean.height == 2


def test_gate_and_clean_reports_a_critical_rule_the_rows_break(catalog, register):
    raw = raw_rows([("P-9999", "bearing_temp", "2026-03-03T10:00:00Z", "50", "degC", "good")] * 2)
    strict = ReadingRules(max_unknown=0.0, max_malformed=0.0, min_reporting_share=0.0)
    batch = gate_and_clean(
        raw, catalog, register, nights=[NIGHT], timezone="Europe/Berlin", run_id="r", rules=strict
    )
    assert not batch.report.critical_passed
    assert "asset id is not in the asset register" in batch.report.message()
