"""The CMMS: work orders derived from simulated events, written to SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from simulator.catalog import ASSET_TYPES, failure_codes
from simulator.fleet import Fleet
from simulator.notes import (
    CANCEL_NOTES,
    FAILURE_NOTES,
    INSP_NOTES,
    PM_NOTES,
    PM_REPLACE_NOTES,
    pick,
)
from simulator.randomness import rng_for
from simulator.timeline import Timeline
from simulator.wear import WearHistory

NOTES_ONLY_SHARE = 0.25


def _cm_orders(rng: np.random.Generator, fleet: Fleet, wear: WearHistory) -> list[dict]:
    """One corrective WO per failure; ~25 % record the failure only in the notes."""
    out = []
    n = len(wear.failures)
    # an exact quota, so small plants still show the configured share
    quiet = set(rng.choice(n, round(n * NOTES_ONLY_SHARE), replace=False).tolist()) if n else set()
    for i, f in enumerate(wear.failures):
        comp = ASSET_TYPES[fleet.types[f["asset"]]].components[f["comp"]]
        mode = comp.modes[f["mode"]]
        notes_only = i in quiet
        f["recorded_as"] = "notes_only" if notes_only else "failure_code"
        opened = f["minute"] + float(rng.integers(5, 90))
        out.append(
            {
                "asset": f["asset"],
                "wo_type": "CM",
                "opened": opened,
                "closed": f["minute"] + f["downtime_h"] * 60 - float(rng.integers(0, 60)),
                "priority": 1 if fleet.criticality[f["asset"]] == "A" else 2,
                "component": None if notes_only and rng.random() < 0.5 else comp.name,
                "failure_code": None if notes_only else mode.code,
                "notes": pick(rng, FAILURE_NOTES[mode.code]),
                "failure": i,
                "status": "closed",
            }
        )
    return out


def _pm_orders(rng: np.random.Generator, fleet: Fleet, wear: WearHistory) -> list[dict]:
    """Preventive WOs; replacements found on PM are named in component and notes."""
    out = []
    for pm in wear.pms:
        spec = ASSET_TYPES[fleet.types[pm["asset"]]]
        names = [spec.components[c].name for c in pm["replaced"]]
        if pm["cancelled"]:
            notes = pick(rng, CANCEL_NOTES)
        elif names:
            notes = pick(rng, PM_REPLACE_NOTES).format(comp=" and ".join(names))
        else:
            notes = pick(rng, PM_NOTES)
        out.append(
            {
                "asset": pm["asset"],
                "wo_type": "PM",
                "opened": pm["minute"],
                "closed": None if pm["cancelled"] else pm["minute"] + pm["hours"] * 60,
                "priority": 3,
                "component": names[0] if names else None,
                "failure_code": None,
                "notes": notes,
                "status": "cancelled" if pm["cancelled"] else "closed",
            }
        )
    return out


def _insp_orders(rng: np.random.Generator, fleet: Fleet, tl: Timeline) -> list[dict]:
    """Minor corrective/inspection WOs unrelated to failures (noise for text mining)."""
    out = []
    end = int(tl.day_start[-1])
    for a in range(fleet.size):
        lo, hi = max(0, int(fleet.active_from[a])), min(end, int(fleet.active_to[a]))
        for _ in range(rng.poisson(max(hi - lo, 0) / (75 * 1440))):
            opened = float(rng.integers(lo, hi))
            out.append(
                {
                    "asset": a,
                    "wo_type": "INSP",
                    "opened": opened,
                    "closed": opened + float(rng.integers(30, 240)),
                    "priority": 4,
                    "component": None,
                    "failure_code": None,
                    "notes": pick(rng, INSP_NOTES),
                    "status": "closed",
                }
            )
    return out


def build_work_orders(seed: int, fleet: Fleet, tl: Timeline, wear: WearHistory) -> list[dict]:
    """Return all WOs sorted by opening time with ids, open/cancelled states and defects."""
    rng = rng_for(seed, "cmms")
    wos = _cm_orders(rng, fleet, wear) + _pm_orders(rng, fleet, wear)
    wos += _insp_orders(rng, fleet, tl)
    wos.sort(key=lambda w: (w["opened"], w["asset"], w["wo_type"]))
    end = float(tl.day_start[-1])
    for i, w in enumerate(wos):
        w["wo_id"] = f"WO-{100001 + i}"
        w["asset_id"] = fleet.asset_ids[w["asset"]]
        recent = w["opened"] > end - 10 * 1440 and rng.random() < 0.5
        if w["closed"] is not None and (w["closed"] > end or recent):  # still being worked on
            w["closed"], w["status"] = None, "open"
        if "failure" in w:
            wear.failures[w["failure"]]["wo_id"] = w["wo_id"]
    _inject_defects(rng, wos, tl)
    return wos


def _inject_defects(rng: np.random.Generator, wos: list[dict], tl: Timeline) -> None:
    """Unknown asset ids on 1-3 WOs and closed-before-opened on 1-2 WOs."""
    closed = [w for w in wos if w["wo_type"] == "INSP" and w["closed"] is not None]
    for w in [closed[int(i)] for i in rng.choice(len(closed), min(2, len(closed)), False)]:
        w["closed"], w["opened"] = w["opened"] - 120.0, w["closed"]
        w["defect"] = "closed_before_opened"
    end = max(1, int(tl.day_start[-1]))
    for k in range(int(rng.integers(1, 4))):
        opened = float(rng.integers(0, end))
        wos.append(
            {
                "wo_id": f"WO-{900001 + k}",
                "asset_id": pick(rng, ("P-0999", "PMP-12", "C-00l")),
                "wo_type": "INSP",
                "status": "closed",
                "priority": 4,
                "component": None,
                "failure_code": None,
                "opened": opened,
                "closed": opened + 90.0,
                "notes": "ad-hoc job, asset tag unclear",
                "defect": "unknown_asset_id",
            }
        )


def write_cmms(path: Path, fleet: Fleet, wos: list[dict], tl: Timeline) -> None:
    """Write assets, work_orders and failure_codes tables to a fresh SQLite file."""
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    with con:
        con.executescript(_DDL)
        con.executemany(
            "INSERT INTO assets VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (
                    aid,
                    t,
                    fleet.sites[a],
                    ASSET_TYPES[t].description,
                    fleet.manufacturers[a],
                    fleet.models[a],
                    fleet.criticality[a],
                    fleet.commissioned_on[a].isoformat(),
                    "decommissioned" if fleet.decommissioned[a] else "active",
                )
                for a, (aid, t) in enumerate(zip(fleet.asset_ids, fleet.types, strict=True))
            ],
        )
        con.executemany(
            "INSERT INTO work_orders VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    w["wo_id"],
                    w["asset_id"],
                    w["wo_type"],
                    w["status"],
                    w["priority"],
                    w["component"],
                    w["failure_code"],
                    tl.local_naive(w["opened"]),
                    None if w["closed"] is None else tl.local_naive(w["closed"]),
                    w["notes"],
                )
                for w in wos
            ],
        )
        con.executemany("INSERT INTO failure_codes VALUES (?,?,?)", failure_codes())
    con.close()


_DDL = """
CREATE TABLE assets(asset_id TEXT PRIMARY KEY, asset_type TEXT, site TEXT, description TEXT,
    manufacturer TEXT, model TEXT, criticality TEXT, commissioned_on TEXT, status TEXT);
CREATE TABLE work_orders(wo_id TEXT PRIMARY KEY, asset_id TEXT, wo_type TEXT, status TEXT,
    priority INTEGER, component TEXT NULL, failure_code TEXT NULL, opened_at TEXT,
    closed_at TEXT NULL, notes TEXT);
CREATE TABLE failure_codes(code TEXT PRIMARY KEY, component TEXT, description TEXT);
"""
