"""The run configs shipped in deploy/ validate against the executors' own config schemas, and
deploy/README.md shows exactly those."""

import re
from pathlib import Path

import dagster as dg
import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"


def _load(name: str) -> dict:
    return yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))


@dg.asset
def _probe() -> None:
    """A one-step stand-in: executor config does not depend on the job's assets."""


def _job_with(executor_def: dg.ExecutorDefinition) -> dg.JobDefinition:
    job = dg.define_asset_job("probe", executor_def=executor_def)
    return dg.Definitions(assets=[_probe], jobs=[job]).resolve_job_def("probe")


def test_multiprocess_run_config_validates_against_the_nightly_job():
    from orchestration.definitions import defs

    nightly = defs().resolve_job_def("nightly")
    config = _load("dagster.multiprocess.yaml")
    assert config["execution"]["config"]["multiprocess"]["max_concurrent"] >= 1
    dg.validate_run_config(nightly, config)


def test_k8s_run_config_validates_against_the_k8s_job_executor():
    k8s = pytest.importorskip("dagster_k8s", reason="install the k8s extra: pip install -e .[k8s]")
    config = _load("k8s/nightly.run_config.yaml")
    dg.validate_run_config(_job_with(k8s.k8s_job_executor), config)


def test_k8s_validation_rejects_a_misspelt_key():
    k8s = pytest.importorskip("dagster_k8s", reason="install the k8s extra: pip install -e .[k8s]")
    config = _load("k8s/nightly.run_config.yaml")
    config["execution"]["config"]["max_concurent"] = 4
    with pytest.raises(dg.DagsterInvalidConfigError, match="max_concurent"):
        dg.validate_run_config(_job_with(k8s.k8s_job_executor), config)


def test_readme_yaml_blocks_are_the_shipped_run_configs():
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    shown = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", readme, re.S)]
    for name in (
        "dagster.multiprocess.yaml",
        "k8s/nightly.run_config.yaml",
        "celery/run_config.yaml",
    ):
        assert _load(name) in shown, name


def test_the_executor_is_the_one_the_environment_names():
    from foresight.errors import PlantConfigError
    from orchestration.defs.executor import chosen_executor

    assert chosen_executor(None) is None and chosen_executor("") is None
    celery = pytest.importorskip("dagster_celery", reason="install the celery extra")
    assert chosen_executor("celery") is celery.celery_executor
    with pytest.raises(PlantConfigError, match="expected celery, k8s or nothing"):
        chosen_executor("spark")
