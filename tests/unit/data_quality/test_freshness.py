"""Is a source still delivering: the newest record it held by the end of a night."""

from datetime import UTC, date, datetime

import polars as pl

from data_quality.freshness import source_freshness

NIGHT = date(2026, 3, 10)  # ends 2026-03-11 00:00 Berlin = 2026-03-10 23:00 UTC


def orders(*stamps: datetime) -> pl.DataFrame:
    return pl.DataFrame(
        {"opened_utc": list(stamps)}, schema={"opened_utc": pl.Datetime("us", "UTC")}
    )


def test_recent_record_passes_with_its_age_in_days():
    check = source_freshness(
        orders(datetime(2026, 3, 9, 23, tzinfo=UTC)),
        "opened_utc",
        NIGHT,
        "Europe/Berlin",
        3,
        "CMMS",
    )
    assert check.passed and check.age_days == 1.0
    assert "1.0 days before the end of 2026-03-10 (at most 3): delivering" in check.sentence()


def test_stalled_source_fails_naming_its_newest_record():
    check = source_freshness(
        orders(datetime(2026, 2, 1, tzinfo=UTC)), "opened_utc", NIGHT, "Europe/Berlin", 3, "CMMS"
    )
    assert not check.passed
    assert check.sentence() == (
        "CMMS: newest record 2026-02-01 00:00 UTC, 38.0 days before the end of 2026-03-10 "
        "(at most 3): stopped delivering?"
    )


def test_records_after_the_night_do_not_count():
    frame = orders(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 11, 6, tzinfo=UTC))
    check = source_freshness(frame, "opened_utc", NIGHT, "Europe/Berlin", 30, "CMMS")
    assert check.newest == datetime(2026, 1, 1, tzinfo=UTC) and not check.passed


def test_a_source_without_any_record_fails():
    check = source_freshness(orders(), "opened_utc", NIGHT, "Europe/Berlin", 30, "MES")
    assert not check.passed and check.sentence() == "MES: no record at all by the end of 2026-03-10"
