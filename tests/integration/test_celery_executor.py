"""deploy/celery on the local broker: a night's first steps run as Celery tasks in a real
`dagster-celery` worker process (RabbitMQ with the rpc:// backend, or Redis for both)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "celery"
BROKERS = {  # broker URL, result backend, port that must answer
    "rabbitmq": ("pyamqp://guest:guest@127.0.0.1:5672//", "rpc://", 5672),
    "redis": ("redis://127.0.0.1:6379/11", "redis://127.0.0.1:6379/12", 6379),
}
STEPS = (
    "tag_catalog",
    "asset_register",
    "sensor_readings_raw",
    "sensor_readings_clean",
    "quarantined_readings",
)


def _answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1.0)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_shipped_config_validates_against_the_celery_executor_and_holds_no_url():
    celery = pytest.importorskip("dagster_celery", reason="install the celery extra: .[celery]")
    import dagster as dg

    config = yaml.safe_load((DEPLOY / "run_config.yaml").read_text())
    executor = config["execution"]["config"]
    assert executor["broker"] == {"env": "FORESIGHT_CELERY_BROKER"}
    assert executor["backend"] == {"env": "FORESIGHT_CELERY_BACKEND"}

    @dg.asset
    def probe() -> None:
        """A one-step stand-in: executor config does not depend on the job's assets."""

    job = dg.define_asset_job("probe_job", executor_def=celery.celery_executor)
    resolved = dg.Definitions(assets=[probe], jobs=[job]).resolve_job_def("probe_job")
    os.environ.setdefault("FORESIGHT_CELERY_BROKER", BROKERS["rabbitmq"][0])
    os.environ.setdefault("FORESIGHT_CELERY_BACKEND", "rpc://")
    dg.validate_run_config(resolved, config)
    executor["brokr"] = "typo"
    with pytest.raises(dg.DagsterInvalidConfigError, match="brokr"):
        dg.validate_run_config(resolved, config)


@pytest.fixture(
    params=["rabbitmq", pytest.param("redis", marks=pytest.mark.slow)]  # the second broker: slow
)
def celery_worker(request, tmp_path, monkeypatch):
    """A dagster-celery worker on the chosen local broker, for the small plant; stopped after."""
    pytest.importorskip("dagster_celery", reason="install the celery extra: .[celery]")
    broker, backend, port = BROKERS[request.param]
    if not _answers(port):
        pytest.skip(f"{request.param} does not answer on 127.0.0.1:{port} (.ci/run starts it)")
    if request.param == "redis":
        pytest.importorskip("redis", reason="the redis client comes with the celery extra")
    home = tmp_path / "dagster"
    home.mkdir()
    env = {
        "DAGSTER_HOME": str(home),
        "FORESIGHT_EXECUTOR": "celery",
        "FORESIGHT_CELERY_BROKER": broker,
        "FORESIGHT_CELERY_BACKEND": backend,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # the shipped file, on a queue of this test's own (nothing else on the broker takes its tasks)
    config = yaml.safe_load((DEPLOY / "run_config.yaml").read_text())
    config["execution"]["config"]["config_source"]["task_default_queue"] = (
        f"foresight-test-{os.getpid()}-{request.param}"
    )
    path = tmp_path / "run_config.yaml"
    path.write_text(yaml.safe_dump(config))
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster-celery"), "worker", "start",
            "-A", "dagster_celery.app", "-y", str(path), "-q",
            config["execution"]["config"]["config_source"]["task_default_queue"],
            "--loglevel", "INFO", "--", "--concurrency=1",
        ],
        env={**os.environ, "PATH": _with_bin(os.environ["PATH"])},
        start_new_session=True,  # its pool's processes are its own group: stopped together
        stdout=(tmp_path / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_until_ready(worker, tmp_path / "worker.log")
        yield config["execution"]
    finally:
        _stop(worker)


def _with_bin(path: str) -> str:
    """PATH with this environment's bin folder first: the worker command runs `celery`."""
    return f"{Path(sys.executable).parent}{os.pathsep}{path}"


def _wait_until_ready(worker: subprocess.Popen, log: Path, seconds: float = 120.0) -> None:
    """Celery logs `ready.` once it consumes; a worker that died says why in its log."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if worker.poll() is not None or " ready." in log.read_text():
            break
        time.sleep(0.5)
    if " ready." not in log.read_text():
        raise AssertionError(f"the Celery worker did not start:\n{log.read_text()[-3000:]}")


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is not None:
        return
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def test_a_night_runs_step_by_step_in_the_celery_worker(celery_worker, tmp_path):
    import dagster as dg

    from foresight import runner
    from foresight.cli import main
    from foresight.plant import load_plant

    assert main(["simulate"]) == 0
    night = load_plant().history_start + timedelta(days=5)
    started = time.monotonic()
    runner.run_job("nightly", partition=night.isoformat(), assets=STEPS, execution=celery_worker)
    instance = dg.DagsterInstance.get()
    run = instance.get_runs(limit=1)[0]
    messages = [e.message for e in instance.all_logs(run.run_id)]
    in_worker = {m.split("Executing steps ")[1] for m in messages if "in celery worker" in m}
    assert run.status == dg.DagsterRunStatus.SUCCESS, (tmp_path / "worker.log").read_text()
    steps = {"tag_catalog", "asset_register", "sensor_readings_raw", "clean_sensor_readings"}
    assert in_worker == {f"{step} in celery worker" for step in steps}
    assert time.monotonic() - started < 300
