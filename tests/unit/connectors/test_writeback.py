from datetime import date

import polars as pl
import pytest
import sqlalchemy as sa

from connectors.writeback import write_scores
from foresight.errors import WritebackError


def scores(night: date, risk: float = 0.4) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "asset_id": ["P-001", "P-002"],
            "horizon_days": [7, 7],
            "as_of": [night, night],
            "risk": [risk, None],
            "band": ["medium", "insufficient data"],
            "rank": [1, None],
            "drivers": ["bearing temp 7-day mean 80 degC (above typical 60)", "too few readings"],
            "data_quality_status": ["ok", "insufficient data"],
            "model_version": ["v0001", "v0001"],
        },
        schema_overrides={"rank": pl.Int32, "horizon_days": pl.Int32},
    )


def dump(url: str) -> dict[str, list[tuple]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        out = {
            t: sorted(tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {t}")))
            for t in ("foresight_risk_score_history", "foresight_current_risk_scores")
        }
    engine.dispose()
    return out


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cmms.sqlite'}"


def _rerun_is_a_no_op(url: str) -> None:
    write_scores(url, scores(date(2026, 3, 1)), run_id="run-a")
    once = dump(url)
    write_scores(url, scores(date(2026, 3, 1)), run_id="run-b")
    assert dump(url) == once
    assert len(once["foresight_current_risk_scores"]) == 2


def test_rerun_of_same_night_changes_nothing_sqlite(sqlite_url):
    _rerun_is_a_no_op(sqlite_url)


@pytest.mark.postgres
def test_rerun_of_same_night_changes_nothing_postgres(postgres_url):
    _rerun_is_a_no_op(postgres_url)


def test_newer_night_becomes_current_and_history_is_kept(sqlite_url):
    write_scores(sqlite_url, scores(date(2026, 3, 1), 0.4), run_id="a")
    write_scores(sqlite_url, scores(date(2026, 3, 2), 0.6), run_id="b")
    write_scores(sqlite_url, scores(date(2026, 2, 28), 0.1), run_id="c")  # a late backfill
    tables = dump(sqlite_url)
    history = tables["foresight_risk_score_history"]
    assert len(history) == 6
    current = {(r[0], r[2]) for r in tables["foresight_current_risk_scores"]}
    assert current == {("P-001", date(2026, 3, 2)), ("P-002", date(2026, 3, 2))} or current == {
        ("P-001", "2026-03-02"),
        ("P-002", "2026-03-02"),
    }
    flagged = [r for r in history if r[-1]]
    assert len(flagged) == 2 and all(str(r[2]) == "2026-03-02" for r in flagged)


def test_failed_write_leaves_cmms_unchanged(sqlite_url):
    write_scores(sqlite_url, scores(date(2026, 3, 1)), run_id="a")
    before = dump(sqlite_url)
    broken = scores(date(2026, 3, 2)).with_columns(band=pl.lit(None, pl.String))  # NOT NULL column
    with pytest.raises(WritebackError, match="rolled back, the CMMS is unchanged"):
        write_scores(sqlite_url, broken, run_id="b", batch=1)
    assert dump(sqlite_url) == before


def requests(night: date, risk: float = 0.4) -> pl.DataFrame:
    from models.work_requests import propose_work_requests

    return propose_work_requests(
        scores(night, risk).with_columns(
            rul_days=pl.lit(12.0), rul_low_days=pl.lit(5.0), rul_high_days=pl.lit(30.0)
        ),
        capacity=3,
        min_risk=0.2,
    )


def open_requests(url: str) -> list[tuple]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT request_id, asset_id, status, risk, priority FROM foresight_work_requests"
            )
        ).fetchall()
    engine.dispose()
    return sorted(map(tuple, rows))


def test_work_request_is_opened_once_then_updated_never_duplicated(sqlite_url):
    write_scores(
        sqlite_url, scores(date(2026, 3, 1)), run_id="a", requests=requests(date(2026, 3, 1))
    )
    first = open_requests(sqlite_url)
    assert [(r[1], r[2]) for r in first] == [("P-001", "open")]  # P-002 has no risk: no request
    write_scores(
        sqlite_url, scores(date(2026, 3, 1)), run_id="b", requests=requests(date(2026, 3, 1))
    )
    assert open_requests(sqlite_url) == first  # a rerun of the night changes nothing
    write_scores(
        sqlite_url,
        scores(date(2026, 3, 2), 0.7),
        run_id="c",
        requests=requests(date(2026, 3, 2), 0.7),
    )
    updated = open_requests(sqlite_url)
    assert len(updated) == 1 and updated[0][0] == first[0][0]
    assert (updated[0][3], updated[0][4]) == (0.7, 1)


def test_closed_request_lets_a_new_one_open(sqlite_url):
    write_scores(
        sqlite_url, scores(date(2026, 3, 1)), run_id="a", requests=requests(date(2026, 3, 1))
    )
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE foresight_work_requests "
                "SET status = 'closed', disposition = 'fault_confirmed'"
            )
        )
    engine.dispose()
    write_scores(
        sqlite_url, scores(date(2026, 3, 5)), run_id="b", requests=requests(date(2026, 3, 5))
    )
    assert [r[2] for r in open_requests(sqlite_url)] == ["closed", "open"]


@pytest.mark.postgres
def test_locked_table_is_retried_then_fails_clearly_with_nothing_written(postgres_url):
    from connectors.writeback import RetryPolicy

    write_scores(postgres_url, scores(date(2026, 3, 1)), run_id="a")
    before = dump(postgres_url)
    holder = sa.create_engine(postgres_url)
    with holder.connect() as conn:
        conn.execute(sa.text("BEGIN"))
        conn.execute(sa.text("LOCK TABLE foresight_current_risk_scores IN ACCESS EXCLUSIVE MODE"))
        policy = RetryPolicy(attempts=2, first_wait_s=0.1, lock_timeout_ms=300)
        with pytest.raises(WritebackError, match=r"after 2 attempt\(s\) and was rolled back.*lock"):
            write_scores(postgres_url, scores(date(2026, 3, 2)), run_id="b", retry=policy)
        conn.execute(sa.text("ROLLBACK"))
    holder.dispose()
    assert dump(postgres_url) == before


@pytest.mark.postgres
def test_lock_released_during_retries_lets_the_write_through(postgres_url):
    import threading

    from connectors.writeback import RetryPolicy

    write_scores(postgres_url, scores(date(2026, 3, 1)), run_id="a")
    holder = sa.create_engine(postgres_url)
    conn = holder.connect()
    conn.execute(sa.text("BEGIN"))
    conn.execute(sa.text("LOCK TABLE foresight_current_risk_scores IN ACCESS EXCLUSIVE MODE"))
    release = threading.Timer(0.5, lambda: conn.execute(sa.text("ROLLBACK")))
    release.start()
    write_scores(
        postgres_url,
        scores(date(2026, 3, 2)),
        run_id="b",
        retry=RetryPolicy(attempts=5, first_wait_s=0.3, lock_timeout_ms=200),
    )
    release.join()
    conn.close()
    holder.dispose()
    assert len(dump(postgres_url)["foresight_risk_score_history"]) == 4


def test_unreachable_cmms_fails_clearly():
    from connectors.writeback import RetryPolicy

    url = "postgresql+psycopg2://postgres@127.0.0.1:1/nowhere"
    with pytest.raises(WritebackError, match="after 2 attempt"):
        write_scores(url, scores(date(2026, 3, 1)), run_id="a", retry=RetryPolicy(2, 0.01))


def test_a_snoozed_asset_leaves_its_slot_to_the_next_and_the_table_says_who_to_snooze(
    sqlite_url,
):
    from connectors.work_request_table import assets_requested_between
    from models.work_requests import propose_work_requests
    from tests.cmms_fixtures import night_scores

    risks = {"A": 0.9, "B": 0.5, "C": 0.3, "D": 0.1}
    first = propose_work_requests(night_scores(date(2026, 3, 1), risks), 2, 0.2)
    write_scores(sqlite_url, night_scores(date(2026, 3, 1), risks), run_id="a", requests=first)
    assert first["asset_id"].to_list() == ["A", "B"]
    snoozed = assets_requested_between(sqlite_url, date(2026, 3, 1), date(2026, 3, 1))
    assert snoozed == {"A", "B"}
    assert assets_requested_between(sqlite_url, date(2026, 3, 2), date(2026, 3, 3)) == set()
    second = propose_work_requests(night_scores(date(2026, 3, 2), risks), 2, 0.2, snoozed)
    assert second["asset_id"].to_list() == ["C"]  # D is below the minimum risk
