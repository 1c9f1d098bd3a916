"""Guard rails: the definitions load; every asset and check follows the graph rules."""

import dagster as dg
import pytest

from orchestration.definitions import defs
from tests.graph_rules import graph_problems


@pytest.fixture(scope="module")
def repo() -> dg.Definitions:
    return defs()


def test_definitions_load_and_validate(repo):
    dg.Definitions.validate_loadable(repo)
    assert {"nightly", "training"} <= {job.name for job in repo.jobs}


def test_every_asset_and_check_says_what_it_is_where_it_belongs_and_who_owns_it(repo):
    assert graph_problems(repo) == []


def test_nightly_schedule_runs_at_two_in_plant_time(repo):
    schedule = repo.resolve_schedule_def("nightly_at_0200_plant_time")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/Berlin"


def test_sources_carry_blocking_quality_gates(repo):
    graph = repo.resolve_asset_graph()
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    for source in ("sensor_readings_clean", "maintenance_logs", "asset_register"):
        assert (source, "passes_quality_gate") in checks
