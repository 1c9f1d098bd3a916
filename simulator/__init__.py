"""Foresight demo-plant simulator: a deterministic, realistic, messy outside world."""

from simulator.catalog import ASSET_TYPES, AssetTypeSpec
from simulator.plant import SimulationSummary, simulate_plant
from simulator.settings import DefectRates, SimulationSettings

__all__ = [
    "ASSET_TYPES",
    "AssetTypeSpec",
    "DefectRates",
    "SimulationSettings",
    "SimulationSummary",
    "simulate_plant",
]
