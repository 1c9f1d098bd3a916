"""Settings that fully determine a simulated plant (same settings -> same bytes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class DefectRates:
    """How much mess the historian export contains; set a rate to 0 to disable that defect."""

    duplicate_readings: float = 0.002
    late_readings: float = 0.01
    gap_rate: float = 0.002
    stuck_sensor: float = 0.001
    dead_sensor: float = 0.0005
    spikes: float = 0.0005
    unit_change: bool = True
    timezone_shift: bool = True
    unknown_asset_ids: float = 0.0005
    malformed_rows: float = 0.0002

    @classmethod
    def none(cls) -> DefectRates:
        """Return rates that inject no defect at all (a clean plant)."""
        return cls(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, False, False, 0.0, 0.0)


@dataclass(frozen=True)
class SimulationSettings:
    """Everything the simulator needs; the plant is a pure function of these values."""

    seed: int = 42
    n_assets: int = 50
    start_date: date = date(2025, 9, 1)
    days: int = 450
    sample_minutes: int = 60
    timezone: str = "Europe/Berlin"
    sites: tuple[str, ...] = ("north", "south")
    historian_format: str = "parquet"
    defects: DefectRates = field(default_factory=DefectRates)
    # Extension: which asset types to build (round-robin); None means every catalog type.
    # The benchmark uses ("conveyor_motor",) to get exactly 20 sensors per asset.
    asset_types: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        """Reject settings the time grid or writers cannot honour."""
        if self.sample_minutes <= 0 or 60 % self.sample_minutes:
            raise ValueError("sample_minutes must divide 60 (1, 2, 5, 10, 15, 30 or 60)")
        if self.historian_format not in ("parquet", "csv"):
            raise ValueError("historian_format must be 'parquet' or 'csv'")
        if self.n_assets < 1 or self.days < 1 or not self.sites:
            raise ValueError("need at least one asset, one day and one site")
