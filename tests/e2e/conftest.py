"""The small plant with its history built (ingest to features), shared by the e2e modules."""

import pytest

from foresight import runner
from foresight.cli import ensure_exports, latest_night
from foresight.plant import Plant, load_plant


@pytest.fixture(scope="session")
def plant_with_history() -> Plant:
    plant = load_plant()
    assert plant.name == "small", "tests/conftest.py must select the small plant"
    ensure_exports(plant)
    last = latest_night(plant)
    gap = runner.missing_range(
        plant.history_start, last, runner.materialized_nights("window_features")
    )
    if gap:
        runner.run_job("nightly", partition_range=gap, assets=runner.INGEST_TO_FEATURES)
    return plant
