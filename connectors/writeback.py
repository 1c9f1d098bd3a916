"""CMMS write-back: Foresight's interface tables, upserted in one transaction per run.

Tables (created if missing, names from the plant's `cmms_target.mapping`, see interface_tables):
- score history: every night's score per asset and horizon; `is_current` marks the latest;
- current scores: the current score per asset and horizon, what planners look at;
- work requests: Foresight's predictive requests; the CMMS fills in their dispositions.
A rerun of the same night writes identical content, so the CMMS does not change.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from connectors.interface_tables import CmmsMapping, InterfaceTables, interface_tables
from connectors.work_request_table import write_requests
from foresight.errors import WritebackError

logger = logging.getLogger(__name__)

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


def _upsert(
    conn: sa.Connection, table: sa.Table, rows: list[dict], newer_only: bool, is_history: bool
) -> None:
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    stmt = dialect.insert(table).values(rows)
    excluded = stmt.excluded
    content = [*CONTENT] if is_history else [*CONTENT, "as_of_date"]
    changed = sa.or_(*[table.c[c].is_distinct_from(excluded[c]) for c in content])
    where = sa.and_(changed, table.c.as_of_date <= excluded.as_of_date) if newer_only else changed
    stmt = stmt.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={table.c[c]: excluded[c] for c in [*content, "run_id"]},
        where=where,
    )
    conn.execute(stmt)


def _mark_current(conn: sa.Connection, history: sa.Table) -> None:
    newest = (
        sa.select(
            history.c.asset_id.label("asset_id"),
            history.c.horizon_days.label("horizon_days"),
            sa.func.max(history.c.as_of_date).label("d"),
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


def ensure_tables(engine: sa.Engine, tables: InterfaceTables) -> None:
    """Create the interface tables; add nullable columns that a newer Foresight writes.

    Raises:
        WritebackError: the mapping names a schema the CMMS database does not have.
    """
    inspector = sa.inspect(engine)
    schema = tables.metadata.schema
    if schema is not None and schema not in inspector.get_schema_names():
        raise WritebackError(
            f"CMMS {engine.url.render_as_string()}: schema {schema!r} from "
            f"cmms_target.mapping.schema does not exist (schemas: {inspector.get_schema_names()}). "
            "Create it in the CMMS or fix the plant file."
        )
    tables.metadata.create_all(engine)
    inspector = sa.inspect(engine)
    quote = engine.dialect.identifier_preparer
    with engine.begin() as conn:
        for table in tables.all:
            present = {c["name"] for c in inspector.get_columns(table.name, schema=schema)}
            for column in table.columns:
                if column.name not in present and column.nullable:
                    kind = column.type.compile(dialect=engine.dialect)
                    conn.execute(
                        sa.text(
                            f"ALTER TABLE {quote.format_table(table)} "
                            f"ADD COLUMN {quote.format_column(column)} {kind}"
                        )
                    )


def upgrade_tables(url: str, tables: InterfaceTables) -> None:
    """`ensure_tables` on the CMMS at `url`, for readers that may come before the first write."""
    engine = cmms_engine(url)
    try:
        ensure_tables(engine, tables)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class RetryPolicy:
    """How long to insist when the CMMS is down or a table is locked, before failing clearly."""

    attempts: int = 4
    first_wait_s: float = 1.0  # doubles after every failed attempt
    lock_timeout_ms: int = 5000  # PostgreSQL: give up waiting for a lock after this long


def cmms_engine(url: str, policy: RetryPolicy = RetryPolicy()) -> sa.Engine:
    """An engine on the CMMS; on PostgreSQL a held lock fails the attempt instead of hanging."""
    if url.startswith("postgresql"):
        return sa.create_engine(
            url, connect_args={"options": f"-c lock_timeout={policy.lock_timeout_ms}"}
        )
    return sa.create_engine(url)


def _write_once(
    engine: sa.Engine,
    tables: InterfaceTables,
    rows: list[dict],
    requests: pl.DataFrame | None,
    run_id: str,
    batch: int,
) -> int:
    ensure_tables(engine, tables)
    with engine.begin() as conn:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            history_rows = [{**r, "is_current": False} for r in chunk]
            _upsert(conn, tables.history, history_rows, newer_only=False, is_history=True)
            _upsert(conn, tables.current, chunk, newer_only=True, is_history=False)
        _mark_current(conn, tables.history)
        if requests is None:
            return 0
        return write_requests(conn, tables.work_requests, requests, run_id)


def write_scores(
    url: str,
    scores: pl.DataFrame,
    run_id: str,
    batch: int = 500,
    requests: pl.DataFrame | None = None,
    retry: RetryPolicy = RetryPolicy(),
    mapping: CmmsMapping | None = None,
) -> WritebackSummary:
    """Upsert a night's scores (and its work requests) into the CMMS, all in one transaction.

    A refused connection or a lock timeout is retried with exponential backoff; every attempt is
    one transaction, so a failed one leaves nothing behind. `mapping` names the site's tables.

    Raises:
        WritebackError: the CMMS still refused after the last attempt; nothing was written.
    """
    engine = cmms_engine(url, retry)
    tables = interface_tables(mapping)
    rows = _rows(scores, run_id)
    wait = retry.first_wait_s
    try:
        for attempt in range(1, retry.attempts + 1):
            try:
                changed = _write_once(engine, tables, rows, requests, run_id, batch)
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
    names = tuple(tables.qualified(t) for t in tables.all)
    return WritebackSummary(len(rows), engine.url.render_as_string(), names, changed)
