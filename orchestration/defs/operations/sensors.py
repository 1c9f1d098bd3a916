"""Sensors: start a night's run when its historian export lands; tell people when a run fails."""

import dagster as dg

from connectors.arrivals import cursor_of, new_exports, scan_exports
from foresight.notify import failure_message, post_webhook, webhook_url
from orchestration.defs.nightly import nightly
from orchestration.defs.plant import nightly_partitions
from orchestration.defs.resources import PlantResource


@dg.sensor(job=nightly, minimum_interval_seconds=300)
def historian_export_arrivals(context: dg.SensorEvaluationContext, plant: PlantResource):
    """Runs the nightly job for a night as soon as a new or re-exported historian file arrives."""
    source = plant.plant().sources.historian
    if not source.globs or source.arrival != "file_name":
        return dg.SkipReason("the historian is not read from files dated by name; nothing to watch")
    patterns = [plant.plant().path_of(g) for g in source.globs]
    current = scan_exports(patterns, source.arrival_date_pattern)
    nights = set(nightly_partitions.get_partition_keys())
    requests = []
    for f in new_exports(current, context.cursor):
        if f.night.isoformat() not in nights:  # one stray file must not stop every later tick
            context.log.warning(
                f"historian file {f.path}: arrival night {f.night} is outside the nightly "
                f"partitions ({min(nights)} .. {max(nights)}); no run requested. Fix the date "
                "in its name, or history_start in the plant file."
            )
            continue
        requests.append(
            dg.RunRequest(
                run_key=f.version,  # a rewritten file is a new version, hence a new run
                partition_key=f.night.isoformat(),
                tags={"foresight/export_file": f.path},
            )
        )
    return dg.SensorResult(run_requests=requests, cursor=cursor_of(current))


@dg.run_failure_sensor(default_status=dg.DefaultSensorStatus.RUNNING)
def notify_on_run_failure(context: dg.RunFailureSensorContext, plant: PlantResource) -> None:
    """Posts a failed run's job, run id and error to the plant's webhook, or logs it when none."""
    run = context.dagster_run
    text = failure_message(run.job_name, run.run_id, _error_text(context))
    url = webhook_url(plant.plant().operations.failure_webhook_env)
    if url is None:
        context.log.warning(f"{text}\n(no operations.failure_webhook_env in the plant file)")
        return
    post_webhook(url, text)


def _error_text(context: dg.RunFailureSensorContext) -> str:
    """The failed steps' errors (the user's exception, not Dagster's wrapper around it)."""
    steps = []
    for event in context.get_step_failure_events():
        error = event.step_failure_data.error
        if error is not None:
            steps.append(f"step {event.step_key}: {(error.cause or error).message.strip()}")
    return "\n".join(steps) or context.failure_event.message or "no error message recorded"
