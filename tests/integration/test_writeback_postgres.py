"""The full write-back against a fresh PostgreSQL database: two nights with the technicians'
answers in between, a rerun that changes nothing, and failures mid-transaction that leave the
CMMS exactly as it was (a real constraint violation, a real connection killed by the server)."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
import sqlalchemy as sa

from connectors.feedback import read_dispositions, technician_precision
from connectors.writeback import RetryPolicy, write_scores
from foresight.errors import WritebackError
from models.work_requests import propose_work_requests
from simulator.technicians import TechnicianSettings, respond_to_requests
from tests.cmms_fixtures import ground_truth, night_scores, table_dump

pytestmark = pytest.mark.postgres
TZ = "Europe/Berlin"
NIGHTS = (date(2026, 3, 1), date(2026, 3, 5))
RISKS = {"P-001": 0.8, "P-002": 0.45, "P-003": 0.3, "C-001": 0.05, "M-001": None}
FAST = RetryPolicy(attempts=2, first_wait_s=0.05)
PATIENT = RetryPolicy()


def night(day: date, risks: dict[str, float | None] = RISKS) -> pl.DataFrame:
    return pl.concat([night_scores(day, risks, 7), night_scores(day, risks, 30)])


def technicians_day(url: str, day: date, truth) -> None:
    """The outside world: technicians answer the requests due by `day`."""
    respond_to_requests(url, truth, day, TZ, TechnicianSettings(seed=3, defer_share=0.3))


def write_night(url: str, day: date, risks=RISKS, retry: RetryPolicy = PATIENT) -> None:
    """Foresight's write-back of a night: scores and work requests in one transaction."""
    scores = night(day, risks)
    requests = propose_work_requests(scores, capacity=3, min_risk=0.2)
    write_scores(url, scores, run_id=f"run-{day}", requests=requests, batch=4, retry=retry)


@pytest.fixture
def truth(tmp_path):
    return ground_truth(
        tmp_path / "gt",
        [
            ("P-001", "bearing wear", datetime(2026, 2, 1), datetime(2026, 3, 6, 9)),
            ("P-003", "bearing wear", datetime(2026, 1, 1), datetime(2026, 3, 20, 9)),
        ],
    )


def test_two_nights_then_a_rerun_changes_nothing(postgres_url, truth):
    for day in NIGHTS:
        technicians_day(postgres_url, day, truth)
        write_night(postgres_url, day)
    after_two = table_dump(postgres_url)
    counts = {name: rows for name, (rows, _) in after_two.items()}
    assert counts == {
        "foresight_risk_score_history": 20,
        "foresight_current_risk_scores": 10,
        "foresight_work_requests": counts["foresight_work_requests"],
    }
    feedback = read_dispositions(postgres_url)
    assert feedback.filter(pl.col("created_night") == NIGHTS[0])["disposition"].null_count() == 0
    first = dict(
        feedback.filter(pl.col("created_night") == NIGHTS[0])
        .select("asset_id", "disposition")
        .iter_rows()
    )
    assert first["P-001"] == first["P-003"] == "fault_confirmed"  # in horizon; in progress
    assert first["P-002"] in ("no_fault_found", "deferred")  # no failure: never confirmed
    overall = technician_precision(feedback).filter(pl.col("group") == "overall")
    assert overall["fault_confirmed"].item() == 2
    technicians_day(postgres_url, NIGHTS[1], truth)  # the same night again
    write_night(postgres_url, NIGHTS[1])
    assert table_dump(postgres_url) == after_two


def test_constraint_violation_mid_transaction_leaves_the_cmms_as_it_was(postgres_url):
    write_night(postgres_url, NIGHTS[0])
    before = table_dump(postgres_url)
    broken = night(NIGHTS[1]).with_columns(  # the last rows break NOT NULL, after 3 good batches
        band=pl.when(pl.col("asset_id") == "P-003").then(None).otherwise(pl.col("band"))
    )
    with pytest.raises(WritebackError, match="NotNullViolation|null value in column"):
        write_scores(postgres_url, broken.sort("asset_id"), run_id="bad", batch=4, retry=FAST)
    assert table_dump(postgres_url) == before


def test_connection_killed_mid_transaction_leaves_the_cmms_as_it_was(postgres_url, truth):
    write_night(postgres_url, NIGHTS[0])
    technicians_day(postgres_url, NIGHTS[1], truth)
    before = table_dump(postgres_url)
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:  # the server drops the writer's connection on its first request
        conn.execute(
            sa.text(
                "CREATE FUNCTION kill_writer() RETURNS trigger AS $$ BEGIN "
                "PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$ "
                "LANGUAGE plpgsql"
            )
        )
        conn.execute(
            sa.text(
                "CREATE TRIGGER kill_writer BEFORE INSERT ON foresight_work_requests "
                "FOR EACH ROW EXECUTE FUNCTION kill_writer()"
            )
        )
    new_asset = {**RISKS, "C-001": 0.9}  # scores upserted first, then a new request is inserted
    with pytest.raises(WritebackError, match=r"after 2 attempt\(s\) and was rolled back"):
        write_night(postgres_url, NIGHTS[1], new_asset, retry=FAST)
    assert table_dump(postgres_url) == before
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TRIGGER kill_writer ON foresight_work_requests"))
    engine.dispose()
    write_night(postgres_url, NIGHTS[1], new_asset, retry=FAST)  # the server is healthy again
    assert table_dump(postgres_url) != before
