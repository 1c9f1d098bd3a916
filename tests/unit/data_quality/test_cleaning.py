from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_quality import reasons as R
from data_quality.cleaning import classify_readings, clean_classified, clean_readings
from data_quality.flags import FlagRules
from tests.unit.data_quality.conftest import raw_rows

NIGHT = date(2026, 3, 3)


def clean(raw, catalog, register, nights=(NIGHT,)):
    return clean_readings(
        raw,
        catalog,
        register,
        nights=list(nights),
        timezone="Europe/Berlin",
        run_id="run-1",
        rules=FlagRules(),
    )


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            ("P-001", "bearing_temp", "31/02/2026 25:61", "50", "degC", "good"),
            R.MALFORMED_TIMESTAMP,
        ),
        (
            ("P-001", "bearing_temp", "2026-03-03T10:00:00Z", "ERR", "degC", "good"),
            R.NON_NUMERIC_VALUE,
        ),
        (
            ("P-001", "bearing_temp", "2026-03-03T10:00:00Z", "", "degC", "good"),
            R.NON_NUMERIC_VALUE,
        ),
        (
            ("P-001", "bearing_temp", "2026-03-03T10:00:00Z", "nan", "degC", "good"),
            R.NON_NUMERIC_VALUE,
        ),
        (("P-9999", "bearing_temp", "2026-03-03T10:00:00Z", "50", "degC", "good"), R.UNKNOWN_ASSET),
        (("P-001", "humidity", "2026-03-03T10:00:00Z", "50", "%", "good"), R.UNKNOWN_SENSOR),
        (
            ("P-001", "bearing_temp", "2026-03-03T10:00:00Z", "50", "furlongs", "good"),
            R.UNIT_MISMATCH,
        ),
        (("P-001", "bearing_temp", "2026-03-03T10:00:00Z", "50", "degC", "bad"), R.BAD_QUALITY),
        (
            ("P-001", "bearing_temp", "2026-03-09T10:00:00Z", "50", "degC", "good"),
            R.FUTURE_TIMESTAMP,
        ),
        (
            ("P-002", "bearing_temp", "2026-03-01T10:00:00Z", "50", "degC", "good"),
            R.BEFORE_COMMISSIONING,
        ),
        (("P-001", "bearing_temp", "2026-03-03T10:00:00Z", "5000", "degC", "good"), R.OUT_OF_RANGE),
        ((None, "bearing_temp", "2026-03-03T10:00:00Z", "50", "degC", "good"), R.MISSING_KEY),
    ],
)
def test_bad_row_is_quarantined_with_its_reason(catalog, register, row, reason):
    result = clean(raw_rows([row]), catalog, register)
    assert result.clean.height == 0
    assert result.quarantine["reason"].to_list() == [reason]
    assert result.quarantine["run_id"].to_list() == ["run-1"]


def test_fahrenheit_and_psi_are_converted_to_canonical_units(catalog, register):
    raw = raw_rows(
        [
            ("P-001", "bearing_temp", "2026-03-03T10:00:00Z", "212", "degF", "good"),
            ("P-001", "pressure", "2026-03-03T10:00:00Z", "14.5038", "psi", "good"),
        ]
    )
    out = clean(raw, catalog, register).clean.sort("sensor")
    assert out["value"].to_list() == pytest.approx([100.0, 1.0], rel=1e-4)
    assert out["unit"].to_list() == ["degC", "bar"]


def test_local_offset_timestamps_become_utc(catalog, register):
    raw = raw_rows([("P-001", "bearing_temp", "2026-03-03T11:00:00+01:00", "50", "degC", "good")])
    ts = clean(raw, catalog, register).clean["ts_utc"][0]
    assert (ts.hour, str(ts.tzinfo)) == (10, "UTC")


def test_late_duplicate_of_an_earlier_night_is_quarantined(catalog, register):
    row = ("P-001", "bearing_temp", "2026-03-02T10:00:00Z", "50", "degC", "good")
    raw = pl.concat([raw_rows([row], night=date(2026, 3, 2)), raw_rows([row], night=NIGHT)])
    result = clean(raw, catalog, register, nights=[NIGHT])
    assert result.clean.height == 0
    assert result.quarantine["reason"].to_list() == [R.DUPLICATE]


def _classify_with_earlier(earlier_rows, tonight_rows, catalog, register):
    earlier = raw_rows(earlier_rows, night=date(2026, 3, 2)).with_columns(
        pl.col("asset_id", "sensor", "ts_raw", "unit", "quality").cast(pl.Categorical)
    )
    tonight = raw_rows(tonight_rows, night=NIGHT)
    classified = classify_readings(
        tonight, catalog, register, "Europe/Berlin", earlier=earlier.lazy()
    )
    return clean_classified(classified, nights=[NIGHT], run_id="r", rules=FlagRules())


def test_repeat_of_an_earlier_nights_reading_read_lazily_is_a_duplicate(catalog, register):
    # the same instant written differently still repeats it; a reading of another time does not
    earlier = [("P-001", "bearing_temp", "2026-03-02T11:00:00+01:00", "50", "degC", "good")]
    tonight = [
        ("P-001", "bearing_temp", "2026-03-02T10:00:00Z", "50", "degC", "good"),
        ("P-001", "bearing_temp", "2026-03-02T11:00:00Z", "51", "degC", "good"),
    ]
    result = _classify_with_earlier(earlier, tonight, catalog, register)
    assert result.quarantine["ts_raw"].to_list() == ["2026-03-02T10:00:00Z"]
    assert result.quarantine["reason"].to_list() == [R.DUPLICATE]
    assert result.clean["value"].to_list() == [51.0]


def test_repeat_of_an_earlier_reading_that_was_quarantined_is_kept(catalog, register):
    earlier = [("P-001", "bearing_temp", "2026-03-02T10:00:00Z", "50", "degC", "bad")]
    tonight = [("P-001", "bearing_temp", "2026-03-02T10:00:00Z", "50", "degC", "good")]
    result = _classify_with_earlier(earlier, tonight, catalog, register)
    assert result.quarantine.height == 0 and result.clean.height == 1


def test_stuck_sensor_is_flagged_not_removed(catalog, register):
    rows = [
        ("P-001", "bearing_temp", f"2026-03-03T{h:02d}:00:00Z", "61.5", "degC", "good")
        for h in range(10)
    ]
    out = clean(raw_rows(rows), catalog, register).clean
    assert out.height == 10 and out["flag_stuck"].all()


def test_spike_is_flagged(catalog, register):
    values = [50 + (h % 3) * 0.1 for h in range(20)]
    values[10] = 140.0
    rows = [
        ("P-001", "bearing_temp", f"2026-03-03T{h:02d}:00:00Z", str(v), "degC", "good")
        for h, v in enumerate(values)
    ]
    out = clean(raw_rows(rows), catalog, register).clean.sort("ts_utc")
    assert out["flag_spike"].to_list() == [i == 10 for i in range(20)]


row_strategy = st.tuples(
    st.sampled_from(["P-001", "P-002", "P-404", None]),
    st.sampled_from(["bearing_temp", "pressure", "x"]),
    st.sampled_from(
        [
            "2026-03-03T10:00:00Z",
            "2026-03-03T11:00:00+01:00",
            "2026-03-03T12:00:00Z",
            "garbage",
            "2027-01-01T00:00:00Z",
        ]
    ),
    st.sampled_from(["1", "50.5", "ERR", "", "1e9", "-3"]),
    st.sampled_from(["degC", "degF", "bar", "psi", "?"]),
    st.sampled_from(["good", "bad", "uncertain"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(row_strategy, max_size=40))
def test_every_raw_row_is_either_clean_or_quarantined(catalog, register, rows):
    raw = raw_rows(rows)
    result = clean(raw, catalog, register)
    assert result.clean.height + result.quarantine.height == raw.height
    assert result.quarantine["reason"].null_count() == 0


def test_gap_is_flagged_on_the_reading_after_it(catalog, register):
    hours = [0, 1, 2, 3, 9, 10, 11]
    rows = [
        ("P-001", "bearing_temp", f"2026-03-03T{h:02d}:00:00Z", str(50 + h % 2), "degC", "good")
        for h in hours
    ]
    out = clean(raw_rows(rows), catalog, register).clean.sort("ts_utc")
    assert out["flag_gap_before"].to_list() == [False, False, False, False, True, False, False]
