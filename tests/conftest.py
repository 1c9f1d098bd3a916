"""Test session set-up: its own FORESIGHT_HOME and a small simulated plant, never the developer's.

The plant must be chosen before anything imports `orchestration` (its partitions follow the plant),
so it is chosen here, at import time of the test session.
"""

import os
import tempfile
from pathlib import Path

HOME = Path(tempfile.mkdtemp(prefix="foresight-test-home-"))
os.environ["FORESIGHT_HOME"] = str(HOME)
os.environ["DAGSTER_HOME"] = str(HOME / "dagster")
(HOME / "dagster").mkdir()
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

SMALL_PLANT = HOME / "small.yaml"
SMALL_PLANT.write_text(
    (Path(__file__).parent / "e2e" / "small_plant.yaml").read_text(encoding="utf-8"),
    encoding="utf-8",
)
os.environ["FORESIGHT_PLANT"] = str(SMALL_PLANT)

pytest_plugins = ["tests.cmms_fixtures"]  # the postgres_url fixture: a fresh database per test
