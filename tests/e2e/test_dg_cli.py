"""The `dg` command line on a copy of the code location with the recipe examples dropped into its
defs folder: what a data scientist runs after adding a file (`dg list defs`, `dg check defs`)."""

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.recipes.project import EXAMPLES, REPO

DG = Path(sys.executable).with_name("dg")


def copy_of_the_code_location(root: Path, files: dict[str, Path]) -> Path:
    """orchestration/ and its dg settings under `root`, with `files` added to its defs folder."""
    shutil.copytree(
        REPO / "orchestration", root / "orchestration", ignore=shutil.ignore_patterns("__pycache__")
    )
    settings = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["dg"]
    project = "\n".join(f'{k} = "{v}"' for k, v in settings["project"].items())
    (root / "pyproject.toml").write_text(
        f'[tool.dg]\ndirectory_type = "{settings["directory_type"]}"\n\n'
        f"[tool.dg.project]\n{project}\n"
    )
    for name, source in files.items():
        shutil.copyfile(source, root / "orchestration" / "defs" / name)
    return root


def dg(root: Path, *args: str) -> subprocess.CompletedProcess:
    """`dg` in the copy; PYTHONPATH puts the copy's orchestration before the installed one."""
    env = {**os.environ, "PYTHONPATH": str(root), "VIRTUAL_ENV": str(Path(sys.prefix))}
    return subprocess.run(
        [str(DG), *args], cwd=root, env=env, capture_output=True, text=True, timeout=600
    )


def test_dg_lists_the_dropped_in_examples_with_group_owner_and_lineage(tmp_path):
    names = ("ingest/oil_analysis.py", "features/oil_analysis_features.py")
    root = copy_of_the_code_location(tmp_path, {n: EXAMPLES / n for n in names})
    listed = dg(root, "list", "defs", "--json")
    assert listed.returncode == 0, listed.stderr[-2000:]
    assets = {a["asset_key"]: a for a in json.loads(listed.stdout)["assets"]}
    assert assets["oil_analysis"]["group_name"] == "ingest"
    assert assets["oil_analysis"]["dependency_keys"] == ["asset_register"]
    assert assets["oil_analysis_features"]["group_name"] == "features"
    assert set(assets["oil_analysis_features"]["dependency_keys"]) == {
        "asset_register",
        "oil_analysis",
    }
    assert assets["oil_analysis_features"]["owners"] == [{"team": "reliability-analytics"}]
    assert {"window_features", "risk_scores", "planner_report"} <= set(assets)


@pytest.mark.slow
def test_dg_check_defs_fails_on_a_dropped_in_file_that_breaks_the_graph(tmp_path):
    broken = REPO / "tests" / "recipes" / "broken" / "duplicate_key.py"
    root = copy_of_the_code_location(tmp_path, {"models/duplicate_key.py": broken})
    checked = dg(root, "check", "defs")
    assert checked.returncode == 1
    assert "Duplicate asset key: AssetKey(['risk_scores'])" in checked.stdout + checked.stderr
