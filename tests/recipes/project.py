"""A throwaway dg project whose defs folder holds Foresight's definitions and the files under test.

Dagster discovers the files the way it discovers `orchestration/defs` (`dg.load_from_defs_folder`):
a file dropped into a stage folder is loaded, nothing registers it. The repository is never
touched, so tests can run while someone works in it.
"""

from __future__ import annotations

import shutil
import sys
import uuid
from pathlib import Path

import dagster as dg

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "recipes" / "defs"
PRODUCTION = '''"""All of Foresight's own definitions, as the code location loads them."""

import dagster as dg

import orchestration.definitions as production


@dg.definitions
def foresight() -> dg.Definitions:
    d = production.defs()  # without its component tree: this folder has its own
    return dg.Definitions(
        assets=d.assets,
        asset_checks=d.asset_checks,
        jobs=d.jobs,
        schedules=d.schedules,
        sensors=d.sensors,
        resources=d.resources,
    )
'''


def make_project(root: Path, files: dict[str, Path | str]) -> str:
    """Write the project under `root`; `files` maps a defs-relative path to a file or its text.

    Returns:
        The project's package name (unique, so that several projects load in one process).
    """
    package = f"recipe_project_{uuid.uuid4().hex[:8]}"
    (root / "pyproject.toml").write_text(
        '[tool.dg]\ndirectory_type = "project"\n\n[tool.dg.project]\n'
        f'root_module = "{package}"\ndefs_module = "{package}.defs"\n'
    )
    defs = root / package / "defs"
    defs.mkdir(parents=True)
    (root / package / "__init__.py").write_text("")
    (defs / "__init__.py").write_text("")
    (defs / "foresight.py").write_text(PRODUCTION)
    for relative, source in files.items():
        target = defs / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        init = target.parent / "__init__.py"
        if not init.exists():
            init.write_text("")
        if isinstance(source, Path):
            shutil.copyfile(source, target)
        else:
            target.write_text(source)
    return package


def load_project(root: Path, files: dict[str, Path | str]) -> dg.Definitions:
    """Foresight's definitions plus `files`, loaded from a fresh defs folder under `root`."""
    make_project(root, files)
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return dg.load_from_defs_folder(path_within_project=root)


def examples(*names: str) -> dict[str, Path]:
    """The recipe examples by defs-relative path (e.g. `ingest/oil_analysis.py`)."""
    return {name: EXAMPLES / name for name in names}
