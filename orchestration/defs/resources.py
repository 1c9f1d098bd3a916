"""Typed resources: the plant, the CMMS database, the model registry, and the Parquet store."""

from pathlib import Path

import dagster as dg

from foresight.plant import Plant, load_plant
from models.registry import ModelRegistry
from orchestration.defs.io import PartitionedParquetIOManager
from orchestration.defs.plant import PLANT


class PlantResource(dg.ConfigurableResource):
    """The plant file that drives every asset: sources, time zone, horizons, CMMS target."""

    plant_file: str

    def plant(self) -> Plant:
        return load_plant(self.plant_file)


class ModelRegistryResource(dg.ConfigurableResource):
    """Versioned models with cards, and the champion pointer."""

    root: str

    def registry(self) -> ModelRegistry:
        return ModelRegistry(root=Path(self.root))


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "plant": PlantResource(plant_file=str(PLANT.plant_file)),
            "model_registry": ModelRegistryResource(root=str(PLANT.state_dir / "models")),
            "io_manager": PartitionedParquetIOManager(base_dir=str(PLANT.state_dir / "store")),
        }
    )
