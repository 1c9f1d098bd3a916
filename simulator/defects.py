"""Event-level historian defects planned once for the whole history.

Per-reading defects (late, duplicate, spike, unknown id, malformed) are decided while
rendering, in simulator.rows; these here span hours to days or whole sites.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.fleet import Fleet
from simulator.production import ABSENT, GAP, Production
from simulator.randomness import rng_for, sparse_positions
from simulator.settings import SimulationSettings
from simulator.timeline import Timeline


@dataclass(frozen=True)
class Intervals:
    """Channel intervals [t0, t1) in minutes since history start; kind is defect specific."""

    ch: np.ndarray
    t0: np.ndarray
    t1: np.ndarray
    kind: np.ndarray  # dead sensors: 0 = reads exactly 0.0, 1 = stops reporting

    def overlapping(self, ch_lo: int, ch_hi: int, t_lo: int, t_hi: int) -> np.ndarray:
        """Return indices of intervals touching channels [ch_lo, ch_hi] and minutes [t_lo, t_hi]."""
        hit = (self.ch >= ch_lo) & (self.ch <= ch_hi) & (self.t1 > t_lo) & (self.t0 <= t_hi)
        return np.flatnonzero(hit)


@dataclass(frozen=True)
class DefectPlan:
    """Everything defect-related that is decided for the whole history up front."""

    gaps: list[tuple[int, int, int]]  # (asset, start minute, end minute)
    stuck: Intervals
    dead: Intervals
    unit_assets: np.ndarray  # bool per asset: exported in degF/psi from unit_from
    unit_from: int
    tz_assets: np.ndarray  # bool per asset: timestamps in local time from tz_from
    tz_from: int
    tz_site: str | None


def _intervals(
    rng: np.random.Generator, n_ch: int, tl: Timeline, rate: float, min_h: int, max_h: int
) -> Intervals:
    """Start a defect on ~rate of channel-days, each lasting min_h..max_h hours."""
    pos = sparse_positions(rng, n_ch * tl.days, rate)
    ch, day = pos // tl.days, pos % tl.days
    t0 = tl.day_start[day] + rng.integers(0, 24 * 60, pos.size)
    t1 = t0 + rng.integers(min_h * 60, max_h * 60 + 1, pos.size)
    return Intervals(ch, t0, t1, rng.integers(0, 2, pos.size))


def _plan_gaps(
    rng: np.random.Generator, prod: Production, tl: Timeline, rate: float
) -> list[tuple[int, int, int]]:
    """Blank out whole hours of an asset (historian/network outage) in the status grid."""
    n_assets = prod.status.shape[0]
    gaps = []
    for pos in sparse_positions(rng, n_assets * tl.days, rate):
        a, day = int(pos // tl.days), int(pos % tl.days)
        h0 = int(tl.day_start[day] // 60) + int(rng.integers(0, 24))
        h1 = min(h0 + int(rng.integers(2, 13)), prod.status.shape[1])
        seg = prod.status[a, h0:h1]
        if (seg != ABSENT).any():
            seg[seg != ABSENT] = GAP
            gaps.append((a, h0 * 60, h1 * 60))
    return gaps


def plan_defects(
    settings: SimulationSettings, fleet: Fleet, prod: Production, tl: Timeline, n_channels: int
) -> DefectPlan:
    """Draw gaps, stuck/dead sensors, the unit change and the timezone shift."""
    rates, seed = settings.defects, settings.seed
    gaps = _plan_gaps(rng_for(seed, "gaps"), prod, tl, rates.gap_rate)
    stuck = _intervals(rng_for(seed, "stuck"), n_channels, tl, rates.stuck_sensor, 3, 72)
    dead = _intervals(rng_for(seed, "dead"), n_channels, tl, rates.dead_sensor, 2, 120)
    rng = rng_for(seed, "unit_tz")
    unit_assets = np.zeros(fleet.size, dtype=bool)
    if rates.unit_change:
        k = max(1, round(0.2 * fleet.size))
        unit_assets[rng.choice(fleet.size, k, replace=False)] = True
    tz_site = settings.sites[-1] if rates.timezone_shift else None
    tz_assets = np.array([s == tz_site for s in fleet.sites], dtype=bool)
    return DefectPlan(
        gaps=gaps,
        stuck=stuck,
        dead=dead,
        unit_assets=unit_assets,
        unit_from=int(tl.day_start[tl.days // 2]),
        tz_assets=tz_assets,
        tz_from=int(tl.day_start[tl.days // 3]),
        tz_site=tz_site,
    )
