"""A plant made only of files and a plant file, in formats the simulator never writes, end to end.

The small simulated plant is re-exported as another site would (wide semicolon CSVs with decimal
commas and local times across a DST change, German column names, aliased asset ids, the site's
own work-order types and failure codes; see site_exports.py), then `foresight nightly`, `train`
and `backtest` run on it by the command line, with no code change.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from foresight.demo import simulate_if_missing
from foresight.plant import load_plant
from tests.e2e.site_exports import export_site, write_plant_file

pytestmark = pytest.mark.slow  # about 3 minutes: history, training, scoring, a month of backtest


def _run(plant_file: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FORESIGHT_PLANT": str(plant_file)}
    env.pop("DAGSTER_HOME", None)  # the site plant gets its own instance under its state
    return subprocess.run(
        [sys.executable, "-m", "foresight.cli", *args, "--plant", str(plant_file)],
        env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


@pytest.fixture(scope="module")
def site_plant(tmp_path_factory):
    small = load_plant()
    simulate_if_missing(small, lambda _: None)
    site = tmp_path_factory.mktemp("site")
    facts = export_site(small.exports_dir, site)
    return write_plant_file(site, facts, start=small.history_start.isoformat())


def test_nightly_on_site_files_gives_risk_scores_remaining_life_and_a_report(site_plant):
    proc = _run(site_plant, "nightly")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "failure risks within 7 days" in proc.stdout
    plant = load_plant(site_plant)
    report = pl.read_csv(plant.state_dir / "reports" / "latest.csv")
    assert report.height > 0 and report["asset_id"].str.starts_with("P-").any()
    assert "rul_days" in report.columns or any("life" in c for c in report.columns)
    assert (plant.state_dir / "reports" / "latest.html").is_file()


def test_training_and_backtest_run_on_the_site_files(site_plant):
    train = _run(site_plant, "train")
    assert train.returncode == 0, train.stderr[-3000:]
    backtest = _run(site_plant, "backtest", "--months", "1", "--json")
    assert backtest.returncode == 0, backtest.stderr[-3000:]
    figures = json.loads(backtest.stdout)  # progress lines go to stderr
    assert figures["nights"] >= 28 and figures["failures"] >= 0
