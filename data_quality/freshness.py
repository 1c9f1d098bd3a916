"""Is a source still delivering? The age of its newest record, as of a night."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from data_quality.cleaning import night_end_utc


@dataclass(frozen=True)
class SourceFreshness:
    """The newest record a source held by the end of a night, and whether that is recent enough."""

    source: str
    night: date
    newest: datetime | None
    age_days: float | None
    max_age_days: float

    @property
    def passed(self) -> bool:
        return self.age_days is not None and self.age_days <= self.max_age_days

    def sentence(self) -> str:
        if self.newest is None:
            return f"{self.source}: no record at all by the end of {self.night}"
        verdict = "stopped delivering?" if not self.passed else "delivering"
        return (
            f"{self.source}: newest record {self.newest:%Y-%m-%d %H:%M} UTC, {self.age_days:.1f} "
            f"days before the end of {self.night} (at most {self.max_age_days:g}): {verdict}"
        )


def source_freshness(
    frame: pl.DataFrame, column: str, night: date, timezone: str, max_age_days: float, source: str
) -> SourceFreshness:
    """Age of the newest `column` (UTC) at or before the end of `night` in plant time.

    Records stamped after the night (a backfill reads today's export) do not count: the check says
    what the source had delivered by then.
    """
    end = night_end_utc(night, timezone)
    stamps = frame.get_column(column).drop_nulls()
    newest = stamps.filter(stamps <= end).max() if stamps.len() else None
    age = None if newest is None else (end - newest).total_seconds() / 86_400
    return SourceFreshness(source, night, newest, age, max_age_days)
