"""Launch the Dagster jobs in process for the command line, and turn failures into one sentence."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from foresight.errors import ForesightError, QualityGateError
from foresight.plant import PLANT_ENV, Plant

if TYPE_CHECKING:
    import dagster as dg

# the history a night's features need: every asset of these groups (a sharded plant's too)
INGEST_TO_FEATURES = ("group:ingest", "group:quality", "group:features")


def activate(plant: Plant) -> None:
    """Point Dagster at this plant and at its instance folder (run history, schedules)."""
    os.environ[PLANT_ENV] = str(plant.plant_file)
    home = plant.state_dir / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DAGSTER_HOME", str(home))
    config = Path(os.environ["DAGSTER_HOME"]) / "dagster.yaml"
    if not config.exists():
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(
            "# Dagster instance of this plant: SQLite storage in this folder.\n"
            "telemetry:\n  enabled: false\n"
            "# the models' own log lines (training, replays) in the runs' logs in the UI\n"
            "python_logs:\n  managed_python_loggers: [models]\n  python_log_level: INFO\n"
        )


def _definitions():
    from orchestration.definitions import defs  # imports the active plant: call after activate()

    return defs()


def _instance():
    import dagster as dg

    return dg.DagsterInstance.get()


def _failure_message(result) -> str:
    """The failed quality rules first (they say what to fix), else the failed steps' errors."""
    checks = [e for e in result.get_asset_check_evaluations() if not e.passed]
    if checks:
        lines = [
            e.description or f"check {e.check_name} on {e.asset_key.to_user_string()} failed"
            for e in checks
        ]
        return "the quality gate stopped the run:\n" + "\n".join(lines)
    errors = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.step_failure_data.error
            cause = error.cause or error
            errors.append(f"step {event.step_key}: {_essence(cause.message)}")
    return "\n".join(errors) or "the run failed (see the Dagster UI for its log)"


NOISE = ("(Background on this error", "[SQL:", "[parameters:")  # SQLAlchemy's trailing detail


def _essence(message: str) -> str:
    """The line of an error message that says what went wrong (not SQL or links)."""
    lines = [line for line in message.strip().splitlines() if line.strip()]
    said = [line for line in lines if not line.strip().startswith(NOISE)]
    return (said or lines or ["(no message)"])[-1]


def run_job(
    name: str,
    *,
    partition: str | None = None,
    partition_range: tuple[str, str] | None = None,
    assets: tuple[str, ...] | None = None,
    run_config: dict | None = None,
    log_level: str = "CRITICAL",
    definitions: dg.Definitions | None = None,
    execution: dict | None = None,
) -> list[str]:
    """Execute a job on the plant's instance; raise a ForesightError if it fails.

    `assets`: a subset of the job's assets, by name or as `group:<name>` for a whole group.
    `execution`: the run config's `execution` block (e.g. `{"config": {"multiprocess": {}}}`):
    the steps then run in the code location's executor (processes, Celery workers) instead of in
    this process, which needs the job to be rebuilt there (`job_definition`).

    Args:
        definitions: where the job is defined (default: the code location, orchestration/defs).
    Returns:
        The data-quality warnings of the run (rules that failed without blocking it).
    """
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
        PARTITION_NAME_TAG,
    )

    job = (definitions or _definitions()).resolve_job_def(name)
    tags = {}
    if partition_range is not None:
        tags = {
            ASSET_PARTITION_RANGE_START_TAG: partition_range[0],
            ASSET_PARTITION_RANGE_END_TAG: partition_range[1],
        }
    loggers = {"console": {"config": {"log_level": log_level}}}
    if "progress" in job.loggers:  # definitions built elsewhere (recipes' projects) may lack it
        loggers["progress"] = {}
    # the console quiet, the progress of long steps printed (orchestration/.../progress.py)
    config = {**(run_config or {}), "loggers": loggers}
    subset = _selection(job, assets) if assets else {}
    if execution is None:
        job = job.get_subset(**subset) if subset else job
        result = job.execute_in_process(
            instance=_instance(), partition_key=partition, tags=tags, raise_on_error=False,
            run_config=config,
        )  # fmt: skip
        return _outcome(name, result)
    import dagster as dg

    recon = dg.build_reconstructable_job("foresight.runner", "job_definition", (name,))
    if partition is not None:
        tags = {**tags, PARTITION_NAME_TAG: partition}
    with dg.execute_job(
        recon.get_subset(**subset) if subset else recon, instance=_instance(),
        run_config={**config, "execution": execution}, tags=tags, raise_on_error=False,
    ) as result:  # fmt: skip
        return _outcome(name, result)


def job_definition(name: str):
    """A job of the active plant's definitions (rebuilt in step processes and Celery workers)."""
    return _definitions().resolve_job_def(name)


def _outcome(name: str, result) -> list[str]:
    """The run's data-quality warnings; a ForesightError saying what failed if the run failed."""
    if not result.success:
        message = _failure_message(result)
        error = QualityGateError if message.startswith("the quality gate") else ForesightError
        raise error(f"{name} run {result.run_id[:8]} failed: {message}")
    return [e.description for e in result.get_asset_check_evaluations() if _warns(e)]


def _warns(evaluation) -> bool:
    """A quality gate that passed with failed warning rules, or a failed non-blocking check
    (e.g. a source that stopped delivering)."""
    import dagster as dg

    if not evaluation.description or evaluation.description == "all rules passed":
        return False
    if evaluation.passed:
        return evaluation.check_name == "passes_quality_gate"
    return evaluation.severity == dg.AssetCheckSeverity.WARN


def _selection(job, assets: tuple[str, ...]) -> dict:
    """The subset of a job: asset keys from names (`shard_1/sensor_readings_raw`) and groups
    (`group:quality`), with the job's own checks of those assets (not the clock's freshness
    checks, which the job leaves to their sensor)."""
    import dagster as dg

    groups = {a.removeprefix("group:") for a in assets if a.startswith("group:")}
    keys = {dg.AssetKey.from_user_string(a) for a in assets if not a.startswith("group:")}
    graph = job.asset_layer.asset_graph
    keys |= {k for k in graph.executable_asset_keys if graph.get(k).group_name in groups}
    checks = {c for c in graph.asset_check_keys if c.asset_key in keys}
    return {"asset_selection": keys, "asset_check_selection": checks}


def materialized_nights(asset: str) -> set[date]:
    """Nights for which `asset` has been materialized on this instance."""
    import dagster as dg

    keys = _instance().get_materialized_partitions(dg.AssetKey(asset))
    return {date.fromisoformat(k) for k in keys}


def missing_range(first: date, last: date, done: set[date]) -> tuple[str, str] | None:
    """The span from the first night not yet materialized to `last`, or None if all are done."""
    night = first
    while night <= last and night in done:
        night += timedelta(days=1)
    return None if night > last else (night.isoformat(), last.isoformat())
