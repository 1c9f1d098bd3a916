"""MES production context: orders per asset and the hourly load they impose."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.fleet import Fleet
from simulator.randomness import rng_for
from simulator.timeline import Timeline

IDLE, RUNNING, DOWN, ABSENT, GAP = 0, 1, 2, 3, 4
REGIMES = ("low", "normal", "high")
_REGIME_LOAD = ((35.0, 55.0), (65.0, 85.0), (90.0, 108.0))
_SPECS = ("SPEC-A12", "SPEC-A14", "SPEC-B03", "SPEC-B07", "SPEC-C21", "SPEC-D02")


@dataclass
class Production:
    """Hourly operating state of every asset plus the MES order list that produced it."""

    load: np.ndarray  # (assets, hours) float32, load % while producing, else 0
    status: np.ndarray  # (assets, hours) int8, one of IDLE/RUNNING/DOWN/ABSENT/GAP
    orders: dict[str, np.ndarray]  # column arrays: asset, start_h, end_h, regime, load_pct, ...


def _asset_orders(rng: np.random.Generator, h0: int, h1: int) -> tuple[np.ndarray, ...]:
    """Draw back-to-back orders with idle gaps covering hours [h0, h1)."""
    n = max(8, (h1 - h0) // 20 + 8)
    gaps = rng.integers(1, 13, n)
    gaps[rng.random(n) < 0.1] += rng.integers(12, 40)  # weekends / no demand
    lengths = rng.integers(4, 49, n)
    starts = h0 + np.cumsum(gaps + lengths) - lengths
    keep = starts < h1
    starts, ends = starts[keep], np.minimum(starts[keep] + lengths[keep], h1)
    bias = rng.uniform(-0.15, 0.15)  # some assets run harder than others on average
    p = np.array([0.25 - bias, 0.5, 0.25 + bias])
    regimes = rng.choice(3, starts.size, p=p / p.sum())
    lo = np.array([r[0] for r in _REGIME_LOAD])[regimes]
    hi = np.array([r[1] for r in _REGIME_LOAD])[regimes]
    return starts, ends, regimes, np.round(rng.uniform(lo, hi), 1)


def simulate_production(seed: int, fleet: Fleet, timeline: Timeline) -> Production:
    """Generate MES orders per asset and rasterise them onto the hourly grid."""
    hours = timeline.hours
    load = np.zeros((fleet.size, hours), dtype=np.float32)
    status = np.full((fleet.size, hours), ABSENT, dtype=np.int8)
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("asset", "start_h", "end_h", "regime")}
    cols.update(load_pct=[], spec=[], batch=[])
    for a in range(fleet.size):
        rng = rng_for(seed, "mes", a)
        h0 = max(0, -(-int(fleet.active_from[a]) // 60))
        h1 = min(hours, int(fleet.active_to[a]) // 60)
        if h1 <= h0:
            continue
        status[a, h0:h1] = IDLE
        starts, ends, regimes, pct = _asset_orders(rng, h0, h1)
        for s, e, p in zip(starts, ends, pct, strict=True):
            load[a, s:e] = p
            status[a, s:e] = RUNNING
        specs = rng.choice(len(_SPECS), 3, replace=False)
        cols["asset"].append(np.full(starts.size, a))
        cols["start_h"].append(starts)
        cols["end_h"].append(ends)
        cols["regime"].append(regimes)
        cols["load_pct"].append(pct)
        cols["spec"].append(specs[rng.integers(0, 3, starts.size)])
        # a material batch lasts a few orders
        cols["batch"].append(np.cumsum(rng.random(starts.size) < 0.35) + 1000 * a)
    orders = {k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in cols.items()}
    return Production(load, status, orders)


def spec_name(index: int) -> str:
    """Return the product spec label for an index drawn in simulate_production."""
    return _SPECS[index]
