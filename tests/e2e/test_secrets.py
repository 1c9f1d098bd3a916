"""Secrets come from environment variables only: a whole nightly run with a CMMS password leaves
it in no event, metadata, run config, log, report or stored file."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import dagster as dg

from foresight.plant import load_plant
from orchestration.defs.resources import CmmsDatabase

VARIABLE = "FORESIGHT_TEST_CMMS_PASSWORD"


def files_written_since(folder: Path, start: float) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.stat().st_mtime >= start]


def test_the_cmms_password_reaches_the_database_and_nothing_else(
    plant_with_history, postgres_url, tmp_path
):
    secret = f"pw-{uuid.uuid4().hex}"
    text = Path(os.environ["FORESIGHT_PLANT"]).read_text()
    target = text[text.index("cmms_target:") : text.index("\nmodels:")]
    plant_file = tmp_path / "small_pg.yaml"  # same plant and state; a password-protected CMMS
    plant_file.write_text(
        text.replace(
            target,
            f'cmms_target:\n  url: "{postgres_url}"\n  password_env: {VARIABLE}\n  mode: live',
        )
    )
    pg_plant = load_plant(plant_file)
    assert secret in CmmsDatabase(password=secret).url(pg_plant)  # it is what connects
    start = time.time() - 1
    env = {**os.environ, VARIABLE: secret}
    run = subprocess.run(
        [sys.executable, "-m", "foresight.cli", "nightly", "--plant", str(plant_file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "scores written (live mode)" in run.stdout
    assert secret not in run.stdout + run.stderr

    instance = dg.DagsterInstance.get()
    runs = instance.get_run_records()
    recent = [r.dagster_run for r in runs if r.create_timestamp.timestamp() >= start]
    assert {r.job_name for r in recent} >= {"nightly"}
    for dagster_run in recent:
        assert secret not in dg.serialize_value(dagster_run)  # run config, tags
        for entry in instance.all_logs(dagster_run.run_id):
            assert secret not in dg.serialize_value(entry), entry.dagster_event_type
    home = Path(os.environ["DAGSTER_HOME"])
    written = files_written_since(home, start) + files_written_since(pg_plant.state_dir, start)
    assert written  # the run wrote its event log, report and store
    leaked = [str(p) for p in written if secret.encode() in p.read_bytes()]
    assert leaked == []
