"""Where generated state lives: one git-ignored folder, movable with FORESIGHT_HOME."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOME = REPO_ROOT / ".state"


def foresight_home() -> Path:
    """The state folder: $FORESIGHT_HOME if set, else `.state/` at the repository root."""
    return Path(os.environ.get("FORESIGHT_HOME", DEFAULT_HOME)).expanduser().resolve()


def plant_state_dir(plant_name: str) -> Path:
    """The state folder of one plant: exports of the demo plant, reports, models, Parquet stores."""
    return foresight_home() / "plants" / plant_name
