"""Foresight's predictive work requests in the CMMS: opened once, updated while open, never touched
in the columns the CMMS owns (status once closed, disposition, its time, the technician's note)."""

from __future__ import annotations

from datetime import date

import polars as pl
import sqlalchemy as sa

from connectors.interface_tables import CmmsMapping, interface_tables, logical_select

# what Foresight may change on an open request; everything else belongs to the CMMS once written
UPDATABLE = ("priority", "risk", "description", "model_version", "horizon_days")


def is_open(table: sa.Table) -> sa.ColumnElement[bool]:
    """A request still waiting for the floor: status open and not closed by the CMMS."""
    return (table.c.status == "open") & ~sa.func.coalesce(table.c.closed, sa.false())


def request_id_of(row: dict) -> str:
    """FS-<asset>-<mode>-<night>: stable, so a rerun of a night finds the request it opened."""
    return f"FS-{row['asset_id']}-{row['failure_mode']}-{row['night']:%Y%m%d}"


def write_requests(
    conn: sa.Connection, table: sa.Table, requests: pl.DataFrame, run_id: str
) -> int:
    """Update the open request of each asset and failure mode, or open one; never a duplicate.

    A request the CMMS has closed is never reopened or rewritten: a rerun of the night that
    opened it finds it by id and leaves it alone.
    """
    changed = 0
    for row in requests.to_dicts():
        values = {k: row[k] for k in UPDATABLE if k in row}
        found = conn.execute(
            logical_select(table, "request_id", "updated_night", *values).where(
                (table.c.asset_id == row["asset_id"])
                & (table.c.failure_mode == row["failure_mode"])
                & is_open(table)
            )
        ).first()
        if found is None:
            request_id = request_id_of(row)
            exists = conn.execute(
                sa.select(table.c.request_id).where(table.c.request_id == request_id)
            ).first()
            if exists is not None:  # opened by an earlier run of this night, closed since
                continue
            conn.execute(
                sa.insert(table).values(
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
                sa.update(table)
                .where(table.c.request_id == found.request_id)
                .values(updated_night=row["night"], run_id=run_id, **values)
            )
            changed += 1
    return changed


def read_open_requests(url: str, mapping: CmmsMapping | None = None) -> pl.DataFrame:
    """Foresight's open predictive work requests in the CMMS (empty if none were ever written)."""
    table = interface_tables(mapping).work_requests
    engine = sa.create_engine(url)
    try:
        if not sa.inspect(engine).has_table(table.name, schema=table.schema):
            rows = []
        else:
            with engine.connect() as conn:
                query = logical_select(table, "request_id", "asset_id", "priority")
                rows = conn.execute(query.where(is_open(table))).fetchall()
    finally:
        engine.dispose()
    return pl.DataFrame(
        [tuple(r) for r in rows],
        schema={"request_id": pl.String, "asset_id": pl.String, "priority": pl.Int64},
        orient="row",
    )


def shadow_sentence(scores: int, requests: int) -> str:
    """What a shadow-mode night did, in the words the CLI, the report and the UI all use."""
    return (
        f"shadow mode: nothing written to the live CMMS, {scores} scores and {requests} work "
        "requests would have been written"
    )


def requests_of_night(url: str, night: date, mapping: CmmsMapping | None = None) -> int:
    """How many requests the night opened or updated (0 if the table does not exist yet)."""
    table = interface_tables(mapping).work_requests
    engine = sa.create_engine(url)
    try:
        if not sa.inspect(engine).has_table(table.name, schema=table.schema):
            return 0
        with engine.connect() as conn:
            query = sa.select(sa.func.count()).where(table.c.updated_night == night)
            return conn.execute(query).scalar_one()
    finally:
        engine.dispose()


def assets_requested_between(
    url: str, first: date, last: date, mapping: CmmsMapping | None = None
) -> set[str]:
    """Assets Foresight opened or updated a request for on a night in [first, last], whatever
    the request's status now (empty if the table does not exist yet)."""
    table = interface_tables(mapping).work_requests
    engine = sa.create_engine(url)
    try:
        if not sa.inspect(engine).has_table(table.name, schema=table.schema):
            return set()
        with engine.connect() as conn:
            query = sa.select(table.c.asset_id).where(
                table.c.updated_night.between(first, last)
                | table.c.created_night.between(first, last)
            )
            return {row.asset_id for row in conn.execute(query)}
    finally:
        engine.dispose()
