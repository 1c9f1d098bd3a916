"""Evaluation-only outputs: true failures, PM resets, injected defects; and the MES file."""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.catalog import ASSET_TYPES
from simulator.defects import DefectPlan
from simulator.fleet import Fleet
from simulator.render import Channels
from simulator.rows import KINDS
from simulator.timeline import Timeline
from simulator.wear import WearHistory

UTC_TS = pl.Datetime("us", "UTC")


def utc_series(tl: Timeline, minutes: np.ndarray | list, name: str) -> pl.Series:
    """Convert minutes since history start into a UTC datetime series."""
    base = np.datetime64(tl.start_utc.replace(tzinfo=None), "m")
    values = base + np.asarray(minutes, dtype=np.int64).astype("timedelta64[m]")
    return pl.Series(name, values.astype("datetime64[us]")).dt.replace_time_zone("UTC")


def failures_frame(fleet: Fleet, wear: WearHistory, tl: Timeline) -> pl.DataFrame:
    """One row per true failure with its onset, precursor strength and how it was recorded."""
    rows = []
    for f in wear.failures:
        comp = ASSET_TYPES[fleet.types[f["asset"]]].components[f["comp"]]
        mode = comp.modes[f["mode"]]
        rows.append(
            (
                fleet.asset_ids[f["asset"]],
                comp.name,
                mode.name,
                mode.code,
                round(f["strength"], 3),
                f["recorded_as"],
                f["wo_id"],
            )
        )
    cols = list(zip(*rows, strict=True)) if rows else [[]] * 7
    return pl.DataFrame(
        {
            "asset_id": pl.Series(cols[0], dtype=pl.String),
            "component": pl.Series(cols[1], dtype=pl.String),
            "failure_mode": pl.Series(cols[2], dtype=pl.String),
            "failure_code": pl.Series(cols[3], dtype=pl.String),
            "onset_ts_utc": utc_series(tl, [f["onset"] for f in wear.failures], "onset_ts_utc"),
            "failure_ts_utc": utc_series(tl, [f["minute"] for f in wear.failures], "x"),
            "precursor_strength": pl.Series(cols[4], dtype=pl.Float64),
            "recorded_as": pl.Series(cols[5], dtype=pl.String),
            "wo_id": pl.Series(cols[6], dtype=pl.String),
        }
    )


def resets_frame(fleet: Fleet, wear: WearHistory, tl: Timeline) -> pl.DataFrame:
    """One row per component replaced on a PM before it failed."""
    r = wear.resets
    return pl.DataFrame(
        {
            "asset_id": pl.Series([fleet.asset_ids[x["asset"]] for x in r], dtype=pl.String),
            "component": pl.Series(
                [ASSET_TYPES[fleet.types[x["asset"]]].components[x["comp"]].name for x in r],
                dtype=pl.String,
            ),
            "ts_utc": utc_series(tl, [x["minute"] for x in r], "ts_utc"),
            "wear_at_reset": pl.Series([round(x["wear"], 4) for x in r], dtype=pl.Float64),
        }
    )


def _event_defects(
    plan: DefectPlan, fleet: Fleet, ch: Channels, tl: Timeline, sample_minutes: int
) -> pl.DataFrame:
    """Rows for gaps, stuck/dead sensors, unit changes and the timezone shift."""
    end = int(tl.day_start[-1])
    rows: list[tuple] = [("gap", a, None, t0, t1, "") for a, t0, t1 in plan.gaps]
    for name, iv in (("stuck_sensor", plan.stuck), ("dead_sensor", plan.dead)):
        for c, t0, t1, k in zip(iv.ch, iv.t0, iv.t1, iv.kind, strict=True):
            detail = "" if name == "stuck_sensor" else ("stopped" if k else "reads_zero")
            rows.append((name, int(ch.asset[c]), ch.tags[ch.tag[c]], int(t0), int(t1), detail))
    for a in np.flatnonzero(plan.unit_assets):
        rows.append(("unit_change", int(a), None, plan.unit_from, end, "degC->degF,bar->psi"))
    for a in np.flatnonzero(plan.tz_assets):
        rows.append(("timezone_shift", int(a), None, plan.tz_from, end, f"site={plan.tz_site}"))
    cols = list(zip(*rows, strict=True)) if rows else [[]] * 6
    t0, t1 = np.array(cols[3], dtype=np.int64), np.array(cols[4], dtype=np.int64)
    return pl.DataFrame(
        {
            "kind": pl.Series(cols[0], dtype=pl.String),
            "asset_id": pl.Series([fleet.asset_ids[a] for a in cols[1]], dtype=pl.String),
            "tag": pl.Series(cols[2], dtype=pl.String),
            "start_ts_utc": utc_series(tl, t0, "start_ts_utc"),
            "end_ts_utc": utc_series(tl, t1, "end_ts_utc"),
            "count": pl.Series((t1 - t0) // sample_minutes, dtype=pl.Int64),
            "file_day": pl.Series([None] * len(t0), dtype=pl.Date),
            "detail": pl.Series(cols[5], dtype=pl.String),
        }
    )


def _row_defects(
    parts: list[pl.DataFrame], fleet: Fleet, ch: Channels, tl: Timeline
) -> pl.DataFrame:
    """Aggregate per-reading defects to one row per (kind, channel, arrival file)."""
    if not parts:
        return pl.DataFrame()
    agg = (
        pl.concat(parts)
        .group_by("kind", "ch", "file_day")
        .agg(
            pl.col("t").min().alias("t0"),
            pl.col("t").max().alias("t1"),
            pl.len().cast(pl.Int64).alias("count"),
        )
        .sort("file_day", "kind", "ch")
    )
    chs = agg["ch"].to_numpy()
    return pl.DataFrame(
        {
            "kind": agg["kind"].replace_strict(
                list(range(len(KINDS))), list(KINDS), return_dtype=pl.String
            ),
            "asset_id": pl.Series([fleet.asset_ids[a] for a in ch.asset[chs]], dtype=pl.String),
            "tag": pl.Series([ch.tags[i] for i in ch.tag[chs]], dtype=pl.String),
            "start_ts_utc": utc_series(tl, agg["t0"].to_numpy(), "start_ts_utc"),
            "end_ts_utc": utc_series(tl, agg["t1"].to_numpy() + tl.sample_minutes, "end_ts_utc"),
            "count": agg["count"],
            "file_day": agg["file_day"],
            "detail": pl.Series([""] * agg.height, dtype=pl.String),
        }
    )


def defects_frame(
    plan: DefectPlan, parts: list[pl.DataFrame], fleet: Fleet, ch: Channels, tl: Timeline
) -> pl.DataFrame:
    """All injected defects: planned events plus per-reading defects of the files written."""
    events = _event_defects(plan, fleet, ch, tl, tl.sample_minutes)
    rows = _row_defects(parts, fleet, ch, tl)
    return pl.concat([events, rows]) if rows.height else events
