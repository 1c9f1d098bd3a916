"""The code location's executor, chosen by the deployment: `FORESIGHT_EXECUTOR` (see deploy/).

Unset (the default): Dagster's own, in-process from the command line, one process per step under
the daemon (`execution: config: multiprocess:` in the run config). `celery`: every step is a
Celery task, run by whichever `dagster-celery` worker takes it (the `celery` extra). `k8s`: every
step is a Kubernetes job (the `k8s` extra). The workers load this same code with the same
variable set, so they build the same jobs.
"""

import os

import dagster as dg

from foresight.errors import PlantConfigError

EXECUTOR_ENV = "FORESIGHT_EXECUTOR"


def chosen_executor(name: str | None) -> dg.ExecutorDefinition | None:
    """The executor named by `FORESIGHT_EXECUTOR` (None: Dagster's default)."""
    try:
        if name in (None, "", "default"):
            return None
        if name == "celery":
            from dagster_celery import celery_executor

            return celery_executor
        if name == "k8s":
            from dagster_k8s import k8s_job_executor

            return k8s_job_executor
    except ImportError as exc:
        raise PlantConfigError(
            f"{EXECUTOR_ENV}={name} needs the {name} extra: pip install -e '.[{name}]' ({exc})."
        ) from exc
    raise PlantConfigError(f"{EXECUTOR_ENV}={name!r}: expected celery, k8s or nothing (default).")


@dg.definitions
def executor() -> dg.Definitions:
    chosen = chosen_executor(os.environ.get(EXECUTOR_ENV))
    return dg.Definitions(executor=chosen) if chosen is not None else dg.Definitions()
