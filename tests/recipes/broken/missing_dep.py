"""Broken on purpose: `deps=` names an asset nothing produces; Dagster loads it as a silent stub."""

import dagster as dg

from orchestration.defs.plant import OWNERS


@dg.asset(group_name="features", owners=OWNERS, deps=["vibration_spectra_raw"])
def vibration_spectra() -> None:
    """Vibration spectra per asset and night."""
