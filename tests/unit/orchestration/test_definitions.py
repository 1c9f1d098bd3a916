"""Guard rails: the definitions load; every asset says what it is, where it belongs, who owns it."""

import dagster as dg
import pytest

from orchestration.definitions import defs


@pytest.fixture(scope="module")
def repo() -> dg.Definitions:
    return defs()


def test_definitions_load_and_validate(repo):
    dg.Definitions.validate_loadable(repo)
    assert {"nightly", "training"} <= {job.name for job in repo.jobs}


def test_every_asset_has_description_group_and_owner(repo):
    graph = repo.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        name = key.to_user_string()
        assert node.description, f"{name} has no description"
        assert node.group_name and node.group_name != "default", f"{name} has no group"
        assert node.owners, f"{name} has no owner"


def test_nightly_schedule_runs_at_two_in_plant_time(repo):
    schedule = repo.resolve_schedule_def("nightly_at_0200_plant_time")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/Berlin"


def test_sources_carry_blocking_quality_gates(repo):
    graph = repo.resolve_asset_graph()
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    for source in ("sensor_readings_clean", "maintenance_logs", "asset_register"):
        assert (source, "passes_quality_gate") in checks
