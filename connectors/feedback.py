"""Feedback from the floor: the CMMS's dispositions of Foresight's earlier predictive requests.

Technicians answer each request with `fault_confirmed`, `no_fault_found` or `deferred`, a time
(CMMS local time, like its work orders) and a note. From these, Foresight reports its precision as
the technicians judge it, and turns confirmed faults into failure events for the labels.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from connectors.interface_tables import (
    DISPOSITIONS,
    CmmsMapping,
    interface_tables,
    logical_select,
)
from foresight.errors import InputDataError

FEEDBACK_SCHEMA = {
    "request_id": pl.String,
    "asset_id": pl.String,
    "failure_mode": pl.String,
    "horizon_days": pl.Int64,
    "created_night": pl.Date,
    "status": pl.String,
    "disposition": pl.String,
    "disposition_at": pl.Datetime("us"),
    "technician_note": pl.String,
    "closed": pl.Boolean,
}
# the schema of models.labels.failure_events(), which confirmed faults join
EVENT_SCHEMA = {
    "asset_id": pl.String,
    "component": pl.String,
    "failure_code": pl.String,
    "wo_id": pl.String,
    "failure_day": pl.Date,
}
UNCODED_CONFIRMATION = "PDM-CONFIRMED"  # a confirmed fault on a request for no specific mode


def read_dispositions(url: str, mapping: CmmsMapping | None = None) -> pl.DataFrame:
    """Every Foresight work request with what the CMMS says about it (empty if none exist).

    Raises:
        InputDataError: the CMMS cannot be reached, or its work-request table lacks a column the
            mapping names.
    """
    table = interface_tables(mapping).work_requests
    engine = sa.create_engine(url)
    try:
        rows = _read(engine, table)
    except sa.exc.OperationalError as exc:
        raise InputDataError(
            f"CMMS {engine.url.render_as_string()}: cannot read the dispositions of Foresight's "
            f"work requests ({str(exc.orig).strip()}). Check that the CMMS database is reachable."
        ) from exc
    finally:
        engine.dispose()
    return pl.DataFrame(rows, schema=FEEDBACK_SCHEMA, orient="row")


def _read(engine: sa.Engine, table: sa.Table) -> list[tuple]:
    inspector = sa.inspect(engine)
    if not inspector.has_table(table.name, schema=table.schema):
        return []
    present = {c["name"] for c in inspector.get_columns(table.name, schema=table.schema)}
    wanted = [c for c in table.c if c.key in FEEDBACK_SCHEMA]
    missing = [f"{c.key} (as {c.name!r})" for c in wanted if c.name not in present]
    if missing:
        raise InputDataError(
            f"CMMS {engine.url.render_as_string()}: table {table.name!r} has no column "
            f"{', '.join(missing)}; present: {sorted(present)}. Fix "
            "cmms_target.mapping.work_requests.columns in the plant file."
        )
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(logical_select(table, *FEEDBACK_SCHEMA))]


def unrecognised_dispositions(feedback: pl.DataFrame) -> pl.DataFrame:
    """Requests whose disposition is none of the three Foresight knows (kept out of precision)."""
    return feedback.filter(
        pl.col("disposition").is_not_null() & ~pl.col("disposition").is_in(DISPOSITIONS)
    ).select("request_id", "asset_id", "disposition")


def _tally(frame: pl.DataFrame, by: str | None) -> pl.DataFrame:
    counts = [
        *[(pl.col("disposition") == d).sum().alias(d) for d in DISPOSITIONS],
        pl.col("disposition").is_null().sum().alias("awaiting"),
    ]
    if by is None:  # one row even when there is no request yet
        return frame.select(pl.lit("overall").alias("group"), pl.lit("all").alias("value"), *counts)
    tally = frame.group_by(by).agg(*counts).sort(by, nulls_last=True)
    value = pl.col(by).cast(pl.String).fill_null("unknown").alias("value")
    return tally.select(pl.lit(by).alias("group"), value, *[c.meta.output_name() for c in counts])


def technician_precision(feedback: pl.DataFrame) -> pl.DataFrame:
    """Confirmed / (confirmed + no fault found): overall first, then per horizon, per failure mode.

    Deferred and unanswered requests are counted but not judged; precision is null until the
    technicians have judged at least one request of the group.
    """
    known = feedback.filter(
        pl.col("disposition").is_null() | pl.col("disposition").is_in(DISPOSITIONS)
    )
    table = pl.concat(
        [_tally(known, None), _tally(known, "horizon_days"), _tally(known, "failure_mode")]
    )
    judged = pl.col("fault_confirmed") + pl.col("no_fault_found")
    return table.with_columns(
        *[pl.col(d).cast(pl.Int64) for d in (*DISPOSITIONS, "awaiting")],
        precision=pl.when(judged > 0).then(pl.col("fault_confirmed") / judged),
    )


def confirmed_failure_events(feedback: pl.DataFrame) -> pl.DataFrame:
    """Confirmed faults as failure events, in the schema of `models.labels.failure_events`.

    The event is dated by the local day the technician confirmed it: a fault found and repaired
    on inspection never becomes a breakdown work order, yet it was a failure in the making.
    """
    confirmed = feedback.filter(
        (pl.col("disposition") == "fault_confirmed") & pl.col("disposition_at").is_not_null()
    )
    return confirmed.select(
        "asset_id",
        pl.lit(None, pl.String).alias("component"),
        pl.when(pl.col("failure_mode") == "general")
        .then(pl.lit(UNCODED_CONFIRMATION))
        .otherwise(pl.col("failure_mode"))
        .alias("failure_code"),
        pl.col("request_id").alias("wo_id"),
        pl.col("disposition_at").dt.date().alias("failure_day"),
    ).sort("asset_id", "failure_day")
