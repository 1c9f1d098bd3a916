"""Small literal CMMS worlds for the write-back and feedback tests: nights of scores, requests,
ground-truth failures, and a fresh PostgreSQL database per test."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from connectors.interface_tables import CmmsMapping
from connectors.writeback import write_scores
from models.work_requests import propose_work_requests

PG_ADMIN = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


def night_scores(night: date, risks: dict[str, float | None], horizon: int = 7) -> pl.DataFrame:
    """One night's scores of the given assets (None = insufficient data), ranked by risk."""
    ranked = sorted((r, a) for a, r in risks.items() if r is not None)[::-1]
    rank = {a: i + 1 for i, (_, a) in enumerate(ranked)}
    assets = sorted(risks)
    return pl.DataFrame(
        {
            "asset_id": assets,
            "horizon_days": [horizon] * len(assets),
            "as_of": [night] * len(assets),
            "risk": [risks[a] for a in assets],
            "band": ["medium" if risks[a] is not None else "insufficient data" for a in assets],
            "rank": [rank.get(a) for a in assets],
            "drivers": [f"bearing temp of {a} above typical" for a in assets],
            "data_quality_status": ["ok" if risks[a] is not None else "x" for a in assets],
            "model_version": ["v0001"] * len(assets),
        },
        schema_overrides={"rank": pl.Int32, "horizon_days": pl.Int32, "risk": pl.Float64},
    )


def write_night(
    url: str,
    night: date,
    risks: dict[str, float | None],
    mapping: CmmsMapping | None = None,
    run_id: str = "run",
    capacity: int = 5,
) -> None:
    """Write a night's scores and the work requests Foresight proposes from them."""
    scores = night_scores(night, risks)
    requests = propose_work_requests(scores, capacity=capacity, min_risk=0.2)
    write_scores(url, scores, run_id=run_id, requests=requests, mapping=mapping)


def ground_truth(folder: Path, failures: list[tuple[str, str, datetime, datetime]]) -> Path:
    """A ground_truth/failures.parquet of (asset_id, failure_mode, onset, failure) in UTC."""
    folder.mkdir(parents=True, exist_ok=True)
    utc = pl.Datetime("us", "UTC")
    pl.DataFrame(
        {
            "asset_id": [f[0] for f in failures],
            "component": ["bearing"] * len(failures),
            "failure_mode": [f[1] for f in failures],
            "failure_code": ["BRG-WEAR"] * len(failures),
            "onset_ts_utc": pl.Series([f[2] for f in failures]).cast(utc),
            "failure_ts_utc": pl.Series([f[3] for f in failures]).cast(utc),
            "precursor_strength": [1.0] * len(failures),
            "recorded_as": ["failure_code"] * len(failures),
            "wo_id": [f"WO-{i}" for i in range(len(failures))],
        },
        schema_overrides={"asset_id": pl.String, "failure_mode": pl.String},
    ).write_parquet(folder / "failures.parquet")
    return folder


def table_dump(url: str, schema: str | None = None) -> dict[str, tuple[int, str]]:
    """Row count and a content hash of every table in the database (or schema)."""
    engine = sa.create_engine(url)
    out = {}
    try:
        names = sa.inspect(engine).get_table_names(schema=schema)
        with engine.connect() as conn:
            for name in names:
                table = sa.Table(name, sa.MetaData(schema=schema), autoload_with=conn)
                rows = sorted(repr(tuple(r)) for r in conn.execute(sa.select(table)))
                out[name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    finally:
        engine.dispose()
    return out


@pytest.fixture
def postgres_url():
    """A fresh PostgreSQL database on the local server, dropped after the test."""
    name = f"fs_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is not reachable ({exc}); start it")
    yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
