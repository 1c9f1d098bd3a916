"""Broken on purpose: an input names an asset that does not exist (`sensor_readings_cleaned`)."""

import dagster as dg
import polars as pl

from orchestration.defs.plant import OWNERS


@dg.asset(group_name="features", owners=OWNERS, kinds={"polars"})
def vibration_spectra(sensor_readings_cleaned: pl.DataFrame) -> pl.DataFrame:
    """Vibration spectra per asset and night."""
    return sensor_readings_cleaned
