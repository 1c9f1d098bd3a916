"""deploy/dagster.postgres.yaml on a fresh PostgreSQL database: a real run of the small plant's
register and tag catalogue, its run and its events stored in PostgreSQL, not in SQLite files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from foresight import runner
from foresight.cli import main
from foresight.plant import load_plant

pytestmark = pytest.mark.postgres
DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@pytest.fixture
def postgres_home(tmp_path, monkeypatch, postgres_url):
    """A DAGSTER_HOME holding the shipped dagster.yaml, its variables naming the fresh database."""
    url = sa.engine.make_url(postgres_url)
    shutil.copy(DEPLOY / "dagster.postgres.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    for name, value in {
        "HOST": url.host,
        "PORT": str(url.port),
        "DB": url.database,
        "USERNAME": url.username,
        "PASSWORD": "",  # the test server trusts local connections
    }.items():
        monkeypatch.setenv(f"DAGSTER_PG_{name}", value)
    return postgres_url


def test_shipped_config_takes_every_connection_field_from_the_environment():
    config = yaml.safe_load((DEPLOY / "dagster.postgres.yaml").read_text())
    db = config["storage"]["postgres"]["postgres_db"]
    assert db.pop("scheme") == "postgresql+psycopg2"
    assert all(set(value) == {"env"} for value in db.values()), db
    assert db["password"] == {"env": "DAGSTER_PG_PASSWORD"}


def test_a_run_on_the_postgres_instance_is_stored_in_postgres(postgres_home):
    import dagster as dg
    from dagster_postgres import PostgresRunStorage

    assert main(["simulate"]) == 0
    instance = dg.DagsterInstance.get()
    assert isinstance(instance.run_storage, PostgresRunStorage)
    instance.dispose()

    night = load_plant().history_start.isoformat()
    runner.run_job("nightly", partition=night, assets=("tag_catalog", "asset_register"))

    engine = sa.create_engine(postgres_home)
    with engine.connect() as conn:
        runs = conn.execute(sa.text("SELECT run_id, pipeline_name, status FROM runs")).fetchall()
        materialized = conn.execute(
            sa.text(
                "SELECT DISTINCT asset_key FROM event_logs "
                "WHERE dagster_event_type = 'ASSET_MATERIALIZATION'"
            )
        ).scalars()
        materialized = sorted(materialized)
    engine.dispose()
    assert [(r.pipeline_name, r.status) for r in runs] == [("nightly", "SUCCESS")]
    assert materialized == ['["asset_register"]', '["tag_catalog"]']
