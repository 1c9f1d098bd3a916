"""The plant's asset register: ids, types, sites, criticality and service life."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from simulator.catalog import ASSET_TYPES
from simulator.randomness import rng_for
from simulator.settings import SimulationSettings
from simulator.timeline import Timeline


@dataclass(frozen=True)
class Fleet:
    """Per-asset attributes as parallel sequences (index = asset number)."""

    asset_ids: list[str]
    types: list[str]
    sites: list[str]
    criticality: list[str]
    manufacturers: list[str]
    models: list[str]
    commissioned_on: list[date]
    decommissioned: list[bool]
    active_from: np.ndarray  # minutes since history start (negative: before the history)
    active_to: np.ndarray  # minutes since history start (beyond the end: still active)

    @property
    def size(self) -> int:
        """Number of assets."""
        return len(self.asset_ids)


def _pick_special(rng: np.random.Generator, n: int) -> tuple[set[int], set[int]]:
    """Choose which assets are commissioned during, or retired before the end of, the history."""
    n_new = max(1, round(0.06 * n)) if n >= 3 else 0
    n_old = 0 if n < 8 else (1 if n < 40 else 2)
    chosen = rng.permutation(n)[: n_new + n_old]
    return set(chosen[:n_new].tolist()), set(chosen[n_new:].tolist())


def build_fleet(settings: SimulationSettings, timeline: Timeline) -> Fleet:
    """Create the asset register; types round-robin so every type is present early."""
    rng = rng_for(settings.seed, "fleet")
    type_names = list(settings.asset_types or ASSET_TYPES)
    n, days = settings.n_assets, timeline.days
    new, retired = _pick_special(rng, n)
    counters = dict.fromkeys(type_names, 0)
    ids, types, comm, decom = [], [], [], []
    active_from = np.zeros(n, dtype=np.int64)
    active_to = np.full(n, timeline.day_start[-1] + 10 * 1440, dtype=np.int64)
    for i in range(n):
        t = type_names[i % len(type_names)]
        counters[t] += 1
        ids.append(f"{ASSET_TYPES[t].prefix}-{counters[t]:03d}")
        types.append(t)
        if i in new:
            day = int(rng.integers(min(20, days - 1), max(min(20, days - 1) + 1, int(days * 0.6))))
            active_from[i] = timeline.day_start[day] + 8 * 60
            comm.append(timeline.day_date(day))
        else:
            age_days = int(rng.integers(200, 3650))
            active_from[i] = -age_days * 1440
            comm.append(settings.start_date - timedelta(days=age_days))
        if i in retired:
            day = int(rng.integers(int(days * 0.7), max(int(days * 0.7) + 1, days - 5)))
            active_to[i] = timeline.day_start[day] + 14 * 60
        decom.append(i in retired)
    return Fleet(
        asset_ids=ids,
        types=types,
        # balanced so every site holds every type, even in a 6-asset test plant
        sites=[settings.sites[(i // len(type_names)) % len(settings.sites)] for i in range(n)],
        criticality=[str(c) for c in rng.choice(["A", "B", "C"], n, p=[0.2, 0.5, 0.3])],
        manufacturers=[str(rng.choice(ASSET_TYPES[t].manufacturers)) for t in types],
        models=[str(rng.choice(ASSET_TYPES[t].models)) for t in types],
        commissioned_on=comm,
        decommissioned=decom,
        active_from=active_from,
        active_to=active_to,
    )
