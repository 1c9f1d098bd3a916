"""Typed resources: the plant, the CMMS database, the model registry, and the Parquet store.

Secrets never appear here, in the plant file or in any config: the plant file names the variable
(`cmms_target.password_env`) and the resource holds a `dg.EnvVar` of it, which Dagster resolves
when a run starts and shows in the UI by name only.
"""

from pathlib import Path

import dagster as dg
from pydantic import Field

from foresight.plant import Plant, load_plant
from models.registry import ModelRegistry
from orchestration.defs.io import PartitionedParquetIOManager
from orchestration.defs.plant import PLANT


class PlantResource(dg.ConfigurableResource):
    """The plant file that drives every asset: sources, time zone, horizons, CMMS target."""

    plant_file: str = Field(description="Path of the plant's YAML file (see plants/demo.yaml).")

    def plant(self) -> Plant:
        return load_plant(self.plant_file)


class CmmsDatabase(dg.ConfigurableResource):
    """The CMMS that receives scores and work requests: its URL from the plant file (or the
    shadow database in shadow mode), its password from an environment variable."""

    password: str | None = Field(
        None,
        description="The CMMS password, as dg.EnvVar of the plant file's cmms_target.password_env; "
        "None when the URL needs none.",
    )

    def url(self, plant: Plant) -> str:
        """The write-back URL with the password filled in (never logged, never metadata)."""
        return plant.writeback_url(self.password)


class ModelRegistryResource(dg.ConfigurableResource):
    """Versioned models with cards, and the champion pointer."""

    root: str = Field(description="Folder of the registry: one sub-folder per model version.")

    def registry(self) -> ModelRegistry:
        return ModelRegistry(root=Path(self.root))


def cmms_database(plant: Plant) -> CmmsDatabase:
    """The plant's CMMS resource: an EnvVar of the variable its plant file names, if any (a
    shadow-mode plant writes to its own SQLite file and needs no password)."""
    target = plant.cmms_target
    variable = target.password_env if target.mode == "live" else None
    return CmmsDatabase(password=dg.EnvVar(variable) if variable else None)


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "plant": PlantResource(plant_file=str(PLANT.plant_file)),
            "cmms": cmms_database(PLANT),
            "model_registry": ModelRegistryResource(root=str(PLANT.state_dir / "models")),
            "io_manager": PartitionedParquetIOManager(base_dir=str(PLANT.state_dir / "store")),
        }
    )
