"""CMMS write-back: Foresight's interface tables, upserted in one transaction per run.

Tables (created if missing; a site maps them onto its CMMS's own interface tables):
- foresight_risk_score_history: every night's score per asset and horizon; `is_current` marks
  the latest;
- foresight_current_risk_scores: the current score per asset and horizon, what planners look at.
A rerun of the same night writes identical content, so the CMMS does not change.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from foresight.errors import WritebackError

logger = logging.getLogger(__name__)
metadata = sa.MetaData()

SCORE_COLUMNS = [
    sa.Column("asset_id", sa.String(64), primary_key=True),
    sa.Column("horizon_days", sa.Integer, primary_key=True),
]
# what a score says; a rerun that says the same leaves the row untouched (run_id included)
CONTENT = (
    "risk",
    "band",
    "risk_rank",
    "rul_days",
    "rul_low_days",
    "rul_high_days",
    "drivers",
    "data_quality_status",
    "model_version",
)


def _value_columns() -> list[sa.Column]:
    return [
        sa.Column("risk", sa.Float, nullable=True),
        sa.Column("band", sa.String(32), nullable=False),
        sa.Column("risk_rank", sa.Integer, nullable=True),
        sa.Column("rul_days", sa.Float, nullable=True),
        sa.Column("rul_low_days", sa.Float, nullable=True),
        sa.Column("rul_high_days", sa.Float, nullable=True),
        sa.Column("drivers", sa.Text, nullable=False),
        sa.Column("data_quality_status", sa.String(32), nullable=False),
        sa.Column("model_version", sa.String(32), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
    ]


history = sa.Table(
    "foresight_risk_score_history",
    metadata,
    *[c.copy() for c in SCORE_COLUMNS],
    sa.Column("as_of_date", sa.Date, primary_key=True),
    *_value_columns(),
    sa.Column("is_current", sa.Boolean, nullable=False, default=False),
)
current = sa.Table(
    "foresight_current_risk_scores",
    metadata,
    *[c.copy() for c in SCORE_COLUMNS],
    sa.Column("as_of_date", sa.Date, nullable=False),
    *_value_columns(),
)


work_requests = sa.Table(
    "foresight_work_requests",
    metadata,
    sa.Column("request_id", sa.String(96), primary_key=True),
    sa.Column("asset_id", sa.String(64), nullable=False),
    sa.Column("failure_mode", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # open; the CMMS closes or defers it
    sa.Column(
        "disposition", sa.String(32), nullable=True
    ),  # fault_confirmed / no_fault_found / deferred
    sa.Column("priority", sa.Integer, nullable=False),
    sa.Column("risk", sa.Float, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("created_night", sa.Date, nullable=False),
    sa.Column("updated_night", sa.Date, nullable=False),
    sa.Column("model_version", sa.String(32), nullable=False),
    sa.Column("run_id", sa.String(64), nullable=False),
)


@dataclass(frozen=True)
class WritebackSummary:
    rows: int
    target: str
    tables: tuple[str, ...]
    requests_changed: int = 0


def _rows(scores: pl.DataFrame, run_id: str) -> list[dict]:
    frame = scores.select(
        "asset_id",
        "horizon_days",
        pl.col("as_of").alias("as_of_date"),
        "risk",
        "band",
        pl.col("rank").alias("risk_rank"),
        *[
            pl.col(c) if c in scores.columns else pl.lit(None, pl.Float64).alias(c)
            for c in ("rul_days", "rul_low_days", "rul_high_days")
        ],
        "drivers",
        "data_quality_status",
        "model_version",
        pl.lit(run_id).alias("run_id"),
    )
    return frame.to_dicts()


def _upsert(conn: sa.Connection, table: sa.Table, rows: list[dict], newer_only: bool) -> None:
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    stmt = dialect.insert(table).values(rows)
    excluded = stmt.excluded
    content = list(CONTENT)
    if table is current:
        content.append("as_of_date")
    changed = sa.or_(*[table.c[c].is_distinct_from(excluded[c]) for c in content])
    where = sa.and_(changed, table.c.as_of_date <= excluded.as_of_date) if newer_only else changed
    keys = [c.name for c in table.primary_key.columns]
    stmt = stmt.on_conflict_do_update(
        index_elements=keys,
        set_={c: excluded[c] for c in [*content, "run_id"]},
        where=where,
    )
    conn.execute(stmt)


def _mark_current(conn: sa.Connection) -> None:
    newest = (
        sa.select(
            history.c.asset_id, history.c.horizon_days, sa.func.max(history.c.as_of_date).label("d")
        )
        .group_by(history.c.asset_id, history.c.horizon_days)
        .subquery()
    )
    is_newest = sa.exists().where(
        (newest.c.asset_id == history.c.asset_id)
        & (newest.c.horizon_days == history.c.horizon_days)
        & (newest.c.d == history.c.as_of_date)
    )
    conn.execute(
        sa.update(history)
        .where(history.c.is_current.is_distinct_from(is_newest))
        .values(is_current=is_newest)
    )


def ensure_tables(engine: sa.Engine) -> None:
    """Create the interface tables; add nullable columns that a newer Foresight writes."""
    metadata.create_all(engine)
    inspector = sa.inspect(engine)
    with engine.begin() as conn:
        for table in (history, current, work_requests):
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present and column.nullable:
                    kind = column.type.compile(dialect=engine.dialect)
                    conn.execute(
                        sa.text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')
                    )


def _write_requests(conn: sa.Connection, requests: pl.DataFrame, run_id: str) -> int:
    """Update the open request of each asset and failure mode, or open one; never a duplicate."""
    changed = 0
    for row in requests.to_dicts():
        found = conn.execute(
            sa.select(work_requests).where(
                (work_requests.c.asset_id == row["asset_id"])
                & (work_requests.c.failure_mode == row["failure_mode"])
                & (work_requests.c.status == "open")
            )
        ).first()
        values = {k: row[k] for k in ("priority", "risk", "description", "model_version")}
        if found is None:
            request_id = f"FS-{row['asset_id']}-{row['failure_mode']}-{row['night']:%Y%m%d}"
            conn.execute(
                sa.insert(work_requests).values(
                    request_id=request_id,
                    asset_id=row["asset_id"],
                    failure_mode=row["failure_mode"],
                    status="open",
                    created_night=row["night"],
                    updated_night=row["night"],
                    run_id=run_id,
                    **values,
                )
            )
            changed += 1
        elif row["night"] >= found.updated_night and any(
            getattr(found, k) != v for k, v in values.items()
        ):
            conn.execute(
                sa.update(work_requests)
                .where(work_requests.c.request_id == found.request_id)
                .values(updated_night=row["night"], run_id=run_id, **values)
            )
            changed += 1
    return changed


@dataclass(frozen=True)
class RetryPolicy:
    """How long to insist when the CMMS is down or a table is locked, before failing clearly."""

    attempts: int = 4
    first_wait_s: float = 1.0  # doubles after every failed attempt
    lock_timeout_ms: int = 5000  # PostgreSQL: give up waiting for a lock after this long


def _engine(url: str, policy: RetryPolicy) -> sa.Engine:
    if url.startswith("postgresql"):  # a held lock must fail the attempt, not hang the night
        return sa.create_engine(
            url, connect_args={"options": f"-c lock_timeout={policy.lock_timeout_ms}"}
        )
    return sa.create_engine(url)


def _write_once(
    engine: sa.Engine, rows: list[dict], requests: pl.DataFrame | None, run_id: str, batch: int
) -> int:
    ensure_tables(engine)
    with engine.begin() as conn:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            _upsert(conn, history, [{**r, "is_current": False} for r in chunk], newer_only=False)
            _upsert(conn, current, chunk, newer_only=True)
        _mark_current(conn)
        return _write_requests(conn, requests, run_id) if requests is not None else 0


def write_scores(
    url: str,
    scores: pl.DataFrame,
    run_id: str,
    batch: int = 500,
    requests: pl.DataFrame | None = None,
    retry: RetryPolicy = RetryPolicy(),
) -> WritebackSummary:
    """Upsert a night's scores (and its work requests) into the CMMS, all in one transaction.

    A refused connection or a lock timeout is retried with exponential backoff; every attempt is
    one transaction, so a failed one leaves nothing behind.

    Raises:
        WritebackError: the CMMS still refused after the last attempt; nothing was written.
    """
    engine = _engine(url, retry)
    rows = _rows(scores, run_id)
    wait = retry.first_wait_s
    try:
        for attempt in range(1, retry.attempts + 1):
            try:
                changed = _write_once(engine, rows, requests, run_id, batch)
                break
            except sa.exc.OperationalError as exc:
                if attempt == retry.attempts:
                    raise
                logger.warning(
                    "CMMS write-back attempt %d failed (%s); retrying in %.1f s",
                    attempt,
                    getattr(exc, "orig", exc),
                    wait,
                )
                time.sleep(wait)
                wait *= 2
    except sa.exc.SQLAlchemyError as exc:
        raise WritebackError(
            f"CMMS {engine.url.render_as_string()}: write-back of {len(rows)} scores failed "
            f"after {attempt} attempt(s) and was rolled back, the CMMS is unchanged "
            f"({exc.__class__.__name__}: {str(getattr(exc, 'orig', exc)).strip()})."
        ) from exc
    finally:
        engine.dispose()
    tables = (history.name, current.name, work_requests.name)
    return WritebackSummary(len(rows), engine.url.render_as_string(), tables, changed)


def read_open_requests(url: str) -> pl.DataFrame:
    """Foresight's open predictive work requests in the CMMS (empty if none were ever written)."""
    engine = sa.create_engine(url)
    try:
        ensure_tables(engine)
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    work_requests.c.request_id, work_requests.c.asset_id, work_requests.c.priority
                ).where(work_requests.c.status == "open")
            ).fetchall()
    finally:
        engine.dispose()
    return pl.DataFrame(
        [tuple(r) for r in rows],
        schema={"request_id": pl.String, "asset_id": pl.String, "priority": pl.Int64},
        orient="row",
    )
