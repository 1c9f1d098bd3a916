"""The plant's technicians answering Foresight's predictive work requests, following ground truth.

A request is inspected `response_days` after it was opened (or after it was deferred). The
technician confirms a fault when a true failure of that asset (and mode, when the request names
one) falls within the request's horizon, or when its degradation is already under way and close
enough to failure to be seen; otherwise they close it with "no fault found". A seeded share of
first visits is deferred. The answers are written into the request's disposition columns, the way
a CMMS's integration layer would, in one transaction; the same night twice gives the same answers.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import polars as pl
import sqlalchemy as sa

CONFIRMED_NOTES = (
    "inspection confirmed {mode} on {component}, repair planned",
    "found {component} degraded ({mode}), parts ordered",
    "{mode} confirmed on {component} - scheduled for next stop",
)
ALREADY_FAILED_NOTE = "{component} had already failed ({mode}), see corrective WO {wo_id}"
NO_FAULT_NOTES = (
    "inspected, no abnormal noise or temperature, no fault found",
    "vibration checked with handheld, within limits. NFF",
    "walked down asset, all readings normal - closed no fault",
)
DEFERRED_NOTES = (
    "deferred: asset running a production order, inspect at next stop",
    "no access this week, deferred",
)


@dataclass(frozen=True)
class TechnicianSettings:
    """How the simulated technicians behave; deterministic for a given seed."""

    seed: int = 42
    response_days: int = 3  # a request is inspected this many days after it is opened or deferred
    defer_share: float = 0.1  # share of first visits deferred (asset busy, no access)
    detect_days: int = 45  # degradation this close to its failure is visible on inspection
    default_horizon_days: int = 7  # for requests that do not say their horizon


@dataclass(frozen=True)
class RequestTable:
    """Where the CMMS keeps Foresight's requests: table, schema and the site's column names."""

    table: str = "foresight_work_requests"
    schema: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)  # logical -> physical name

    def sql_table(self) -> sa.Table:
        def col(name: str, kind: sa.types.TypeEngine) -> sa.Column:
            return sa.Column(self.columns.get(name, name), kind, key=name)

        return sa.Table(
            self.table,
            sa.MetaData(schema=self.schema),
            col("request_id", sa.String),
            col("asset_id", sa.String),
            col("failure_mode", sa.String),
            col("status", sa.String),
            col("created_night", sa.Date),
            col("horizon_days", sa.Integer),
            col("disposition", sa.String),
            col("disposition_at", sa.DateTime),
            col("technician_note", sa.Text),
            col("closed", sa.Boolean),
        )


def _draw(seed: int, *keys: object) -> float:
    """A uniform number in [0, 1) from the seed and keys (stable across processes)."""
    return zlib.crc32(":".join(map(str, (seed, *keys))).encode()) / 2**32


def _pick(options: tuple[str, ...], seed: int, *keys: object) -> str:
    return options[int(_draw(seed, "note", *keys) * len(options))]


def true_failures(ground_truth_dir: Path, timezone: str) -> pl.DataFrame:
    """The simulator's true failures with their plant-local onset and failure days."""
    failures = pl.read_parquet(Path(ground_truth_dir) / "failures.parquet")
    local = {
        "onset_day": pl.col("onset_ts_utc").dt.convert_time_zone(timezone).dt.date(),
        "failure_day": pl.col("failure_ts_utc").dt.convert_time_zone(timezone).dt.date(),
    }
    return failures.with_columns(**local).select(
        "asset_id", "component", "failure_mode", "failure_code", "wo_id", *local
    )


def _finding(request: dict, visit: date, failures: pl.DataFrame, s: TechnicianSettings):
    """The true failure the technician finds on this visit, or None."""
    horizon = request["horizon_days"] or s.default_horizon_days
    created = request["created_night"]
    mode = request["failure_mode"]
    candidates = failures.filter(pl.col("asset_id") == request["asset_id"])
    if mode != "general":
        candidates = candidates.filter(
            (pl.col("failure_mode") == mode) | (pl.col("failure_code") == mode)
        )
    within = (pl.col("failure_day") > created) & (
        pl.col("failure_day") <= created + timedelta(days=horizon)
    )
    in_progress = (
        (pl.col("onset_day") <= visit)
        & (pl.col("failure_day") > visit)
        & (pl.col("failure_day") <= visit + timedelta(days=s.detect_days))
    )
    found = candidates.filter(within | in_progress).sort("failure_day")
    return found.row(0, named=True) if found.height else None


def _answer(request: dict, visit: date, failures: pl.DataFrame, s: TechnicianSettings) -> dict:
    """The disposition, note and closing of one request inspected on `visit`."""
    rid = request["request_id"]
    at = datetime.combine(visit, time(9)) + timedelta(minutes=int(_draw(s.seed, "at", rid) * 480))
    first_visit = request["disposition"] is None
    if first_visit and _draw(s.seed, "defer", rid) < s.defer_share:
        note = _pick(DEFERRED_NOTES, s.seed, rid)
        return dict(disposition="deferred", disposition_at=at, technician_note=note, closed=False)
    hit = _finding(request, visit, failures, s)
    if hit is None:
        disposition, note = "no_fault_found", _pick(NO_FAULT_NOTES, s.seed, rid)
    else:
        disposition = "fault_confirmed"
        words = {"mode": hit["failure_mode"].replace("_", " "), "component": hit["component"]}
        template = (
            ALREADY_FAILED_NOTE
            if hit["failure_day"] <= visit
            else _pick(CONFIRMED_NOTES, s.seed, rid)
        )
        note = template.format(**words, wo_id=hit["wo_id"])
    return dict(
        disposition=disposition,
        disposition_at=at,
        technician_note=note,
        closed=True,
        status="closed",
    )


def _visits(
    request: dict, as_of: date, failures: pl.DataFrame, s: TechnicianSettings
) -> dict | None:
    """The request's state after every visit due by `as_of` (a deferral brings another visit)."""
    answer = None
    while request["disposition"] in (None, "deferred"):
        since = request["disposition_at"] or request["created_night"]
        since = since.date() if isinstance(since, datetime) else since
        visit = since + timedelta(days=s.response_days)
        if visit > as_of:
            break
        answer = _answer(request, visit, failures, s)
        request = {**request, **answer}
    return answer


def respond_to_requests(
    url: str,
    ground_truth_dir: Path,
    as_of: date,
    timezone: str,
    settings: TechnicianSettings = TechnicianSettings(),
    table: RequestTable = RequestTable(),
) -> Counter[str]:
    """Answer every open request whose inspection day has come by `as_of`; count the answers.

    A CMMS without the request table yet (Foresight never wrote one) gets no answers.
    """
    failures = true_failures(ground_truth_dir, timezone)
    requests = table.sql_table()
    counts: Counter[str] = Counter()
    engine = sa.create_engine(url)
    try:
        if not sa.inspect(engine).has_table(requests.name, schema=requests.schema):
            return counts
        with engine.begin() as conn:
            waiting = conn.execute(
                sa.select(*[c.label(c.key) for c in requests.c]).where(
                    (requests.c.status == "open")
                    & ~sa.func.coalesce(requests.c.closed, sa.false())
                    & sa.or_(requests.c.disposition.is_(None), requests.c.disposition == "deferred")
                )
            ).fetchall()
            for request in (r._asdict() for r in waiting):
                answer = _visits(request, as_of, failures, settings)
                if answer is None:
                    continue
                conn.execute(
                    sa.update(requests)
                    .where(requests.c.request_id == request["request_id"])
                    .values(**answer)
                )
                counts[answer["disposition"]] += 1
    finally:
        engine.dispose()
    return counts
