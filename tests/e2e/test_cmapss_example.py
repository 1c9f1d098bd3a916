"""The C-MAPSS FD003 example plant end to end: train on run-to-failure engines, score cut-off ones.

Reads ../shared/datasets/cmapss-fd003 (relative to the repository; never copied into it). Figures
are written by `foresight train` to <state>/evaluations/cut_off_rul.json.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLANT = REPO / "plants" / "examples" / "cmapss_fd003.yaml"
DATA = REPO.parent / "shared" / "datasets" / "cmapss-fd003"

pytestmark = [
    pytest.mark.slow,  # several minutes: 525 nights of history, training, 100 engines scored
    pytest.mark.skipif(
        not (DATA / "train_FD003.txt").is_file(),
        reason=f"C-MAPSS FD003 is not at {DATA} (see the shared datasets README)",
    ),
]


def test_cmapss_fd003_remaining_life_of_the_test_engines_is_reported_and_near_published(tmp_path):
    env = {**os.environ, "FORESIGHT_HOME": str(tmp_path), "FORESIGHT_PLANT": str(PLANT)}
    env.pop("DAGSTER_HOME", None)
    proc = subprocess.run(
        [sys.executable, "-m", "foresight.cli", "train", "--plant", str(PLANT)],
        env=env, capture_output=True, text=True, timeout=3600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "cut-off histories vs RUL_FD003.txt: RMSE" in proc.stdout
    figures = json.loads(
        (tmp_path / "plants" / "cmapss-fd003" / "evaluations" / "cut_off_rul.json").read_text()
    )
    assert figures["histories"] == 100
    assert figures["rul_cap"] == 125
    assert figures["rmse"] < 25  # published results are 12 to 13; a constant guess scores ~40
