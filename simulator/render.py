"""Render sensor values for arbitrary (channel, minute) pairs, fully vectorised.

A channel is one sensor of one asset. Inputs broadcast, so the same code renders a
(channels x samples) day grid or a scattered list of late readings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.catalog import ASSET_TYPES
from simulator.defects import DefectPlan
from simulator.fleet import Fleet
from simulator.production import ABSENT, GAP, RUNNING, Production
from simulator.randomness import hash_normal, rng_for
from simulator.wear import N_COMP, WearHistory

UNITS = ("degC", "mm/s", "A", "bar", "m3/h", "rpm", "kW", "%", "V", "m/s", "kN", "Nm")
UNITS_ALT = ("degF", "psi")  # unit-change exports; indices len(UNITS) + 0/1
_CONVERTED = {"degC": 0, "bar": 1}


@dataclass(frozen=True)
class Channels:
    """Per-channel parameters as flat arrays (index = channel number)."""

    asset: np.ndarray
    tag: np.ndarray  # index into tags
    tags: list[str]
    unit: np.ndarray  # index into UNITS
    convert: np.ndarray  # -1 none, 0 degC->degF, 1 bar->psi
    normal: np.ndarray
    noise: np.ndarray
    gain: np.ndarray
    idle: np.ndarray
    ambient: np.ndarray
    bias: np.ndarray  # per-asset calibration offset, relative to normal
    effect: np.ndarray  # (channels, N_COMP, max modes) relative change at full damage

    @property
    def size(self) -> int:
        """Number of channels."""
        return self.asset.size


def build_channels(seed: int, fleet: Fleet) -> Channels:
    """Lay out every asset's sensors as consecutive channels."""
    tags: dict[str, int] = {}
    rows: list[tuple] = []
    effects: list[np.ndarray] = []
    for a, t in enumerate(fleet.types):
        spec = ASSET_TYPES[t]
        for s in spec.sensors:
            eff = np.zeros((N_COMP, 2), dtype=np.float32)
            for c, comp in enumerate(spec.components):
                for m, mode in enumerate(comp.modes):
                    eff[c, m] = dict(mode.effects).get(s.name, 0.0)
            effects.append(eff)
            rows.append(
                (
                    a,
                    tags.setdefault(s.name, len(tags)),
                    UNITS.index(s.unit),
                    _CONVERTED.get(s.unit, -1),
                    s.normal,
                    s.noise,
                    s.load_gain,
                    s.idle,
                    s.ambient,
                )
            )
    cols = list(zip(*rows, strict=True))
    rng = rng_for(seed, "calibration")
    return Channels(
        asset=np.array(cols[0], dtype=np.int64),
        tag=np.array(cols[1]),
        tags=list(tags),
        unit=np.array(cols[2]),
        convert=np.array(cols[3]),
        normal=np.array(cols[4]),
        noise=np.array(cols[5]),
        gain=np.array(cols[6]),
        idle=np.array(cols[7]),
        ambient=np.array(cols[8]),
        bias=rng.normal(0.0, 0.03, len(rows)),
        effect=np.stack(effects),
    )


@dataclass(frozen=True)
class Rendered:
    """Rendered readings; arrays share the broadcast shape of the inputs."""

    value: np.ndarray
    exists: np.ndarray
    bad: np.ndarray  # dead sensor reading 0.0 (quality may be flagged bad)
    unit: np.ndarray


class Renderer:
    """Holds the simulated world and turns (channel, minute) pairs into readings."""

    def __init__(
        self,
        seed: int,
        channels: Channels,
        prod: Production,
        wear: WearHistory,
        plan: DefectPlan,
        day0_of_year: int,
    ) -> None:
        """Keep references; nothing is precomputed per sample."""
        self.seed, self.ch, self.prod, self.wear, self.plan = seed, channels, prod, wear, plan
        self.day0_of_year = day0_of_year

    def _degradation(self, ch: np.ndarray, a: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Sum of component damage effects, relative to the sensor's normal level."""
        w = self.wear
        sd = np.minimum(t // 1440, w.d0.shape[2] - 1)
        f = (t % 1440) / 1440.0
        total = np.zeros(np.broadcast_shapes(ch.shape, t.shape))
        for c in range(N_COMP):
            eff = self.ch.effect[ch, c, w.mode[a, c, sd]]
            if not eff.any():
                continue
            d0, d1, ev = w.d0[a, c, sd], w.d1[a, c, sd], w.ev[a, c, sd]
            d = np.where(f < ev, d0 + (d1 - d0) * np.minimum(f / ev, 1.0), 0.0)
            total += eff * w.strength[a, c, sd] * d**1.5
        return total

    def physical(self, ch: np.ndarray, t: np.ndarray) -> np.ndarray:
        """True sensor value at minute t (before export defects)."""
        p, a = self.ch, self.ch.asset[ch]
        h = np.minimum(t // 60, self.prod.status.shape[1] - 1)
        running = self.prod.status[a, h] == RUNNING
        load = self.prod.load[a, h] / 100.0
        normal = p.normal[ch] * (1.0 + p.bias[ch])
        level = np.where(running, normal * (1.0 + p.gain[ch] * (load - 0.75)), p.idle[ch])
        doy = self.day0_of_year + t / 1440.0
        season = 7.0 * np.sin(2 * np.pi * (doy - 110) / 365.25) + 2.0 * np.sin(
            2 * np.pi * (t / 1440.0 - 0.375)
        )
        level = level + p.ambient[ch] * season
        level = level + np.where(running, normal * self._degradation(ch, a, t), 0.0)
        sigma = p.noise[ch] * np.where(running, 1.0, 0.3)
        return level + sigma * hash_normal(self.seed, "noise", ch, t)

    def _stuck_time(self, ch: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Replace t by the stuck-start minute where a sensor is stuck (value repeats)."""
        iv = self.plan.stuck
        t_eval = np.broadcast_to(t, np.broadcast_shapes(ch.shape, t.shape)).copy()
        for i in iv.overlapping(int(ch.min()), int(ch.max()), int(t.min()), int(t.max())):
            mask = (ch == iv.ch[i]) & (t >= iv.t0[i]) & (t < iv.t1[i])
            t_eval[mask] = iv.t0[i]
        return t_eval

    def render(self, ch: np.ndarray, t: np.ndarray) -> Rendered:
        """Render readings with stuck/dead sensors, gaps and unit changes applied."""
        value = self.physical(ch, self._stuck_time(ch, t))
        a = self.ch.asset[ch]
        st = self.prod.status[a, np.minimum(t // 60, self.prod.status.shape[1] - 1)]
        exists = (st != ABSENT) & (st != GAP)
        bad = np.zeros(value.shape, dtype=bool)
        iv = self.plan.dead
        for i in iv.overlapping(int(ch.min()), int(ch.max()), int(t.min()), int(t.max())):
            mask = (ch == iv.ch[i]) & (t >= iv.t0[i]) & (t < iv.t1[i])
            if iv.kind[i]:
                exists &= ~mask
            else:
                value[mask] = 0.0
                bad |= mask
        conv = self.ch.convert[ch]
        changed = self.plan.unit_assets[a] & (t >= self.plan.unit_from) & (conv >= 0)
        value = np.where(changed & (conv == 0), value * 1.8 + 32.0, value)
        value = np.where(changed & (conv == 1), value * 14.5038, value)
        unit = np.where(changed, len(UNITS) + conv, self.ch.unit[ch])
        return Rendered(np.round(value, 3), exists, bad, unit)
