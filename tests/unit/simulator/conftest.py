"""Shared small plants for the simulator tests (simulated once per session)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from simulator import SimulationSettings, simulate_plant

SMALL = SimulationSettings(seed=7, n_assets=6, days=60)
# a busier plant so every per-reading defect appears several times
MESSY = SimulationSettings(seed=11, n_assets=9, days=120, sample_minutes=30)


@pytest.fixture(scope="session")
def small_plant(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """Simulate the small plant once; return (out_dir, summary)."""
    out = tmp_path_factory.mktemp("small")
    return out, simulate_plant(SMALL, out)


@pytest.fixture(scope="session")
def messy_plant(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """Simulate the busier plant once; return (out_dir, summary)."""
    out = tmp_path_factory.mktemp("messy")
    return out, simulate_plant(MESSY, out)


ISO = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"


def _load_historian(out: Path) -> pl.DataFrame:
    """All historian rows with the arrival day of their file."""
    frames = [
        pl.read_parquet(p).with_columns(file_day=pl.lit(p.stem[9:]))
        for p in sorted((out / "historian").glob("readings_*.parquet"))
    ]
    return pl.concat(frames)


@pytest.fixture(scope="session")
def load_historian():
    """Return a function reading every historian file of a plant (with file_day)."""
    return _load_historian


@pytest.fixture(scope="session")
def iso() -> str:
    """Regex prefix of a well-formed ISO 8601 timestamp."""
    return ISO
