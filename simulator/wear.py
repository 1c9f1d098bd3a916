"""Hidden component wear, failures and preventive maintenance on a daily event grid.

Wear is a closed-form function of a component's load-weighted age (tau): a slow linear
phase up to a random onset, then a power-law acceleration to 1.0 (= failure). Ageing is
stepped once per 24 h, vectorised over all assets, so a 1,000-asset, 450-day history
costs well under a second; sensors are rendered later only for the days written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulator.catalog import ASSET_TYPES
from simulator.fleet import Fleet
from simulator.production import ABSENT, DOWN, RUNNING, Production
from simulator.randomness import rng_for

N_COMP = 3  # every catalog type has three wearing components
PM_REPLACE_WEAR = 0.5


@dataclass
class WearHistory:
    """Per (asset, component, sim-day) damage path used by the renderer, plus events."""

    d0: np.ndarray  # damage (0..1) at the start of the day
    d1: np.ndarray  # damage at the event instant, or at the end of the day
    ev: np.ndarray  # fraction of the day at which the component is replaced (1 = none)
    mode: np.ndarray  # failure-mode index of the instance in place at the start of the day
    strength: np.ndarray  # precursor strength of that instance
    failures: list[dict] = field(default_factory=list)
    pms: list[dict] = field(default_factory=list)
    resets: list[dict] = field(default_factory=list)


class _WearSim:
    """Mutable state of the daily stepping; one instance per simulation."""

    def __init__(self, seed: int, fleet: Fleet, prod: Production) -> None:
        """Draw initial component instances and PM calendars."""
        self.rng = rng_for(seed, "wear")
        self.fleet, self.prod = fleet, prod
        n = fleet.size
        self.life = np.array(
            [[c.life_days for c in ASSET_TYPES[t].components] for t in fleet.types], dtype=float
        )
        self.n_modes = np.array(
            [[len(c.modes) for c in ASSET_TYPES[t].components] for t in fleet.types]
        )
        shape = (n, N_COMP)
        self.L, self.tau0, self.w0 = np.ones(shape), np.ones(shape), np.zeros(shape)
        self.p, self.strength = np.ones(shape), np.ones(shape)
        self.mode = np.zeros(shape, dtype=np.int8)
        self.onset = np.zeros(shape)
        for a in range(n):
            for c in range(N_COMP):
                self._install(a, c, 0.0)
        pre_existing = fleet.active_from < 0
        self.tau = self.rng.uniform(0.0, 0.95, shape) * self.L * pre_existing[:, None]
        self.onset = np.where(self.tau > self.tau0, -(self.tau - self.tau0) / 0.7 * 1440, np.inf)
        self.pm_interval = self.rng.integers(60, 121, n)
        first = np.maximum(fleet.active_from, 0) // 1440
        self.next_pm = first + self.rng.integers(5, self.pm_interval + 1)

    def _install(self, a: int, c: int, minute: float) -> None:
        """Put a fresh component instance with its own life, onset and precursor strength."""
        rng = self.rng
        self.L[a, c] = self.life[a, c] * 0.75 * rng.lognormal(0.0, 0.3)
        self.tau0[a, c] = self.L[a, c] * rng.uniform(0.55, 0.85)
        self.w0[a, c] = rng.uniform(0.05, 0.2)
        self.p[a, c] = rng.uniform(2.5, 4.5)
        # ~20 % of instances give only a weak sensor precursor before failing
        weak = rng.random() < 0.2
        self.strength[a, c] = rng.uniform(0.05, 0.2) if weak else rng.uniform(0.7, 1.3)
        self.mode[a, c] = rng.integers(0, self.n_modes[a, c])
        self.onset[a, c] = np.inf

    def wear(self, tau: np.ndarray) -> np.ndarray:
        """Return wear (1.0 = failure) for load-weighted ages tau."""
        x = np.clip((tau - self.tau0) / (self.L - self.tau0), 0.0, None)
        return np.where(
            tau < self.tau0, self.w0 * tau / self.tau0, self.w0 + (1 - self.w0) * x**self.p
        )

    def damage(self, tau: np.ndarray) -> np.ndarray:
        """Return the visible damage 0..1 that drives sensor precursors."""
        x = np.clip((tau - self.tau0) / (self.L - self.tau0), 0.0, 1.0)
        return x**self.p

    def day_load(self, day: int) -> np.ndarray:
        """Return the load-weighted operating fraction of each asset on a sim day."""
        sl = slice(day * 24, (day + 1) * 24)
        run = self.prod.status[:, sl] == RUNNING
        return (run * (self.prod.load[:, sl] / 75.0) ** 1.5).mean(axis=1)

    def stop(self, a: int, minute: float, hours: int) -> None:
        """Mark an asset as down (idle readings) from an instant for some hours."""
        h0 = int(minute // 60)
        seg = self.prod.status[a, h0 : h0 + hours]
        seg[seg != ABSENT] = DOWN
        self.prod.load[a, h0 : h0 + hours] = 0.0


def _fail(sim: _WearSim, hist: WearHistory, a: int, c: int, minute: float) -> None:
    """Record a failure, stop the asset for repair and install a new component."""
    hist.failures.append(
        {
            "asset": a,
            "comp": c,
            "mode": int(sim.mode[a, c]),
            "minute": minute,
            "onset": float(min(sim.onset[a, c], minute)),
            "strength": float(sim.strength[a, c]),
            "downtime_h": int(sim.rng.integers(4, 73)),
        }
    )
    sim.stop(a, minute, hist.failures[-1]["downtime_h"])
    sim.tau[a, c] = 0.0
    sim._install(a, c, minute)


def _pm(sim: _WearSim, hist: WearHistory, a: int, day: int, done: set[int]) -> list[int]:
    """Run (or cancel) a scheduled PM; return the components it replaced."""
    minute = day * 1440 + int(sim.rng.integers(6 * 60, 12 * 60))
    sim.next_pm[a] = day + sim.pm_interval[a] + int(sim.rng.integers(-7, 8))
    if sim.prod.status[a, min(int(minute // 60), sim.prod.status.shape[1] - 1)] == ABSENT:
        return []
    cancelled = sim.rng.random() < 0.06
    hours = int(sim.rng.integers(2, 7))
    record = {
        "asset": a,
        "minute": float(minute),
        "cancelled": cancelled,
        "hours": hours,
        "replaced": [],
    }
    hist.pms.append(record)
    if cancelled:
        return []
    sim.stop(a, minute, hours)
    wear = sim.wear(sim.tau)[a]
    for c in range(N_COMP):
        # inspections are imperfect: a worn part is spotted only most of the time
        if c not in done and wear[c] > PM_REPLACE_WEAR and sim.rng.random() < 0.6:
            hist.resets.append(
                {"asset": a, "comp": c, "minute": float(minute), "wear": float(wear[c])}
            )
            record["replaced"].append(c)
            sim.tau[a, c] = 0.0
            sim._install(a, c, float(minute))
    return record["replaced"]


def simulate_wear(seed: int, fleet: Fleet, prod: Production) -> WearHistory:
    """Step wear day by day for all assets, recording failures, PMs and damage paths."""
    sim = _WearSim(seed, fleet, prod)
    n_days = -(-prod.status.shape[1] // 24)
    shape = (fleet.size, N_COMP, n_days)
    hist = WearHistory(
        np.zeros(shape, np.float32),
        np.zeros(shape, np.float32),
        np.ones(shape, np.float32),
        np.zeros(shape, np.int8),
        np.zeros(shape, np.float32),
    )
    for day in range(n_days):
        hist.mode[:, :, day], hist.strength[:, :, day] = sim.mode, sim.strength
        tau_new = sim.tau + sim.day_load(day)[:, None]
        d_start = sim.damage(sim.tau)
        hist.d0[:, :, day], hist.d1[:, :, day] = d_start, sim.damage(tau_new)
        crossing = (sim.tau < sim.tau0) & (tau_new >= sim.tau0)
        frac_on = (sim.tau0 - sim.tau) / np.maximum(tau_new - sim.tau, 1e-9)
        sim.onset = np.where(crossing, (day + frac_on) * 1440, sim.onset)
        done = _step_failures(sim, hist, day, tau_new)
        sim.tau = np.where(np.isnan(tau_new), sim.tau, tau_new)
        for a in np.flatnonzero(sim.next_pm == day):
            for c in _pm(sim, hist, int(a), day, done.get(int(a), set())):
                hist.ev[a, c, day] = 0.5  # approx: PM happens around midday
                hist.d1[a, c, day] = hist.d0[a, c, day]
    return hist


def _step_failures(sim: _WearSim, hist: WearHistory, day: int, tau_new: np.ndarray) -> dict:
    """Fail the first component per asset whose age crosses its life today."""
    done: dict[int, set[int]] = {}
    over = tau_new >= sim.L
    for a in np.flatnonzero(over.any(axis=1)):
        frac = np.where(over[a], (sim.L[a] - sim.tau[a]) / (tau_new[a] - sim.tau[a]), 9.0)
        c = int(np.argmin(frac))
        f = float(np.clip(frac[c], 0.0, 0.999))
        hist.ev[a, c, day], hist.d1[a, c, day] = f, 1.0
        _fail(sim, hist, int(a), c, (day + f) * 1440)
        tau_new[a, c] = np.nan  # mark: keep the freshly installed tau (0)
        others = over[a].copy()
        others[c] = False
        tau_new[a, others] = sim.L[a, others] * 0.999  # fail on a later day instead
        done[int(a)] = {c}
    return done
