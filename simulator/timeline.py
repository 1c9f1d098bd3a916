"""The plant's time grid: local days, UTC sample minutes and timestamp formatting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from simulator.settings import SimulationSettings


@dataclass(frozen=True)
class Timeline:
    """Maps local calendar days to minutes since the (UTC) start of the history."""

    start_utc: datetime
    tz: ZoneInfo
    start_date: date
    sample_minutes: int
    day_start: np.ndarray  # minutes since start_utc of each local midnight, len days + 1

    @classmethod
    def from_settings(cls, settings: SimulationSettings) -> Timeline:
        """Build the grid; local days are 23-25 h long around DST changes."""
        tz = ZoneInfo(settings.timezone)
        midnights = [
            datetime.combine(settings.start_date + timedelta(days=d), time(), tz).astimezone(UTC)
            for d in range(settings.days + 1)
        ]
        start = midnights[0]
        offsets = [int((m - start).total_seconds() // 60) for m in midnights]
        return cls(start, tz, settings.start_date, settings.sample_minutes, np.array(offsets))

    @property
    def days(self) -> int:
        """Number of local days in the history."""
        return len(self.day_start) - 1

    @property
    def hours(self) -> int:
        """Number of UTC hours covered by the history."""
        return int(self.day_start[-1] // 60)

    def day_date(self, day: int) -> date:
        """Return the local calendar date of a day index."""
        return self.start_date + timedelta(days=day)

    def day_index(self, d: date) -> int:
        """Return the day index of a local calendar date (may be out of range)."""
        return (d - self.start_date).days

    def sample_minutes_of(self, day: int) -> np.ndarray:
        """Return the sample instants (minutes since start) stamped on a local day."""
        return np.arange(self.day_start[day], self.day_start[day + 1], self.sample_minutes)

    def day_of_minute(self, minute: np.ndarray | int) -> np.ndarray:
        """Return the local day index of instants given in minutes since start."""
        return np.searchsorted(self.day_start, minute, side="right") - 1

    def utc(self, minute: float) -> datetime:
        """Return the aware UTC datetime of an instant."""
        return self.start_utc + timedelta(minutes=float(minute))

    def utc_iso(self, minutes: np.ndarray) -> list[str]:
        """Format instants as ISO 8601 UTC with a 'Z' suffix."""
        return [self.utc(m).strftime("%Y-%m-%dT%H:%M:%SZ") for m in minutes]

    def local_iso(self, minutes: np.ndarray) -> list[str]:
        """Format instants as plant local ISO 8601 with offset (e.g. +01:00)."""
        return [self.utc(m).astimezone(self.tz).isoformat() for m in minutes]

    def local_naive(self, minute: float) -> str:
        """Format an instant as plant local time without offset (CMMS/MES style)."""
        return self.utc(minute).astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S")
