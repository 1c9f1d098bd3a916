"""Assemble the historian rows that ARRIVE on one local day, with per-reading defects."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.catalog import ASSET_TYPES
from simulator.defects import DefectPlan
from simulator.fleet import Fleet
from simulator.randomness import hash_bits, rng_for, sparse_positions
from simulator.render import UNITS, UNITS_ALT, Channels, Renderer
from simulator.settings import DefectRates
from simulator.timeline import Timeline

SCHEMA = pa.schema(
    [(n, pa.string()) for n in ("asset_id", "tag", "timestamp", "value", "unit", "quality")]
)
GARBAGE_TS = ("31/02/2026 25:61", "2026-13-45T99:99:99Z", "not a date", "0000-00-00 00:00:00")
BAD_VALUES = ("ERR", "", "#N/A")
MAX_LAG = 3
LATE, DUPLICATE, SPIKE, UNKNOWN_ID, MALFORMED = range(5)
KINDS = ("late_reading", "duplicate_reading", "spike", "unknown_asset_id", "malformed_row")


@dataclass
class Batch:
    """One chunk of output rows plus bookkeeping of injected per-reading defects."""

    table: pa.Table
    truncated_lines: list[str]  # CSV only: rows written with too few fields
    defect_kind: np.ndarray
    defect_ch: np.ndarray
    defect_t: np.ndarray


class DayAssembler:
    """Builds arrival-day batches; every decision is a pure function of seed and reading."""

    def __init__(
        self,
        seed: int,
        tl: Timeline,
        fleet: Fleet,
        channels: Channels,
        renderer: Renderer,
        plan: DefectPlan,
        rates: DefectRates,
        csv: bool,
    ) -> None:
        """Keep references and build the id dictionary including misspelled variants."""
        self.seed, self.tl, self.ch, self.renderer, self.plan = seed, tl, channels, renderer, plan
        self.rates, self.csv = rates, csv
        bad_ids = []
        for a, aid in enumerate(fleet.asset_ids):
            prefix = ASSET_TYPES[fleet.types[a]].prefix
            bad_ids += [f"{prefix}-9{a % 1000:03d}", aid.lower(), aid.replace("-", "")]
        self.ids = pa.array(fleet.asset_ids + bad_ids)
        self.n_assets = fleet.size
        self.late_sets = lru_cache(maxsize=8)(self._late_sets)
        self.dup_sets = lru_cache(maxsize=8)(self._dup_sets)

    def _n_samples(self, day: int) -> int:
        """Number of sample instants stamped on a local day."""
        return int(self.tl.sample_minutes_of(day).size)

    def _late_sets(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions (channel * n + k) of readings stamped `day` that arrive late, and lags."""
        rng = rng_for(self.seed, "late", day)
        pos = sparse_positions(rng, self.ch.size * self._n_samples(day), self.rates.late_readings)
        return pos, rng.integers(1, MAX_LAG + 1, pos.size)

    def _dup_sets(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions of readings stamped `day` that are exported twice, and their arrival day."""
        rng = rng_for(self.seed, "dup", day)
        pos = sparse_positions(
            rng, self.ch.size * self._n_samples(day), self.rates.duplicate_readings
        )
        extra = (rng.random(pos.size) < 0.3).astype(np.int64)  # 30 % re-sent the next day
        late_pos, lag = self.late_sets(day)
        i = np.searchsorted(late_pos, pos)
        is_late = (i < late_pos.size) & (late_pos[np.minimum(i, late_pos.size - 1)] == pos)
        own = np.where(is_late, lag[np.minimum(i, max(late_pos.size - 1, 0))], 0)
        return pos, day + own + extra

    def own_blocks(self, day: int, rows_per_block: int = 3_000_000) -> Iterator[Batch]:
        """Yield the readings stamped and delivered on `day`, in channel blocks."""
        t = self.tl.sample_minutes_of(day)
        n = t.size
        late_pos, _ = self.late_sets(day)
        step = max(1, rows_per_block // n)
        for c0 in range(0, self.ch.size, step):
            c1 = min(c0 + step, self.ch.size)
            chs = np.arange(c0, c1)[:, None]
            r = self.renderer.render(chs, t[None, :])
            keep = r.exists
            lp = late_pos[(late_pos >= c0 * n) & (late_pos < c1 * n)]
            keep[lp // n - c0, lp % n] = False
            ch_f = np.broadcast_to(chs, keep.shape)[keep]
            t_f = np.broadcast_to(t[None, :], keep.shape)[keep]
            yield self._batch(ch_f, t_f, r.value[keep], r.bad[keep], r.unit[keep], None)

    def extras(self, day: int) -> Batch | None:
        """Return late readings from earlier days and duplicates that arrive on `day`."""
        parts_ch, parts_t, parts_k = [], [], []
        for src in range(max(0, day - MAX_LAG), day + 1):
            n, t = self._n_samples(src), self.tl.sample_minutes_of(src)
            late_pos, lag = self.late_sets(src)
            dup_pos, arrive = self.dup_sets(src)
            picks = ((late_pos[src + lag == day], LATE), (dup_pos[arrive == day], DUPLICATE))
            for pos, kind in picks:
                parts_ch.append(pos // n)
                parts_t.append(t[pos % n])
                parts_k.append(np.full(pos.size, kind))
        ch, t = np.concatenate(parts_ch), np.concatenate(parts_t)
        if ch.size == 0:
            return None
        r = self.renderer.render(ch, t)
        keep = r.exists
        return self._batch(
            ch[keep],
            t[keep],
            r.value[keep],
            r.bad[keep],
            r.unit[keep],
            np.concatenate(parts_k)[keep],
        )

    def _timestamps(self, ch: np.ndarray, t: np.ndarray, garbage: np.ndarray) -> pa.Array:
        """Format timestamps once per distinct instant and gather them per row."""
        lo, hi, step = int(t.min()), int(t.max()), self.tl.sample_minutes
        grid = np.arange(lo, hi + 1, step)
        utc = self.tl.utc_iso(grid)
        local = self.tl.local_iso(grid) if self.plan.tz_site else utc
        idx = (t - lo) // step
        shifted = self.plan.tz_assets[self.ch.asset[ch]] & (t >= self.plan.tz_from)
        idx = np.where(shifted, idx + grid.size, idx)
        g = hash_bits(self.seed, "garbage_ts", ch, t) % np.uint64(len(GARBAGE_TS))
        idx = np.where(garbage, 2 * grid.size + g.astype(np.int64), idx)
        return pc.take(pa.array(utc + local + list(GARBAGE_TS)), pa.array(idx))

    def _row_flags(self, ch: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, ...]:
        """Draw spike/unknown-id/malformed/uncertain flags and a variant number per reading."""
        r = self.rates
        bits = hash_bits(self.seed, "row_defect", ch, t)
        u = (bits >> np.uint64(11)) * (1.0 / 2**53)
        variant = (bits & np.uint64(0xFF)).astype(np.int64)
        spike = u < r.spikes
        unknown = (u >= r.spikes) & (u < r.spikes + r.unknown_asset_ids)
        lo = r.spikes + r.unknown_asset_ids
        malformed = (u >= lo) & (u < lo + r.malformed_rows)
        uncertain = (u >= lo + r.malformed_rows) & (u < lo + r.malformed_rows + 0.001)
        return spike, unknown, malformed, uncertain, variant

    def _batch(
        self,
        ch: np.ndarray,
        t: np.ndarray,
        value: np.ndarray,
        bad: np.ndarray,
        unit: np.ndarray,
        kind: np.ndarray | None,
    ) -> Batch:
        """Apply per-reading defects (spike, unknown id, malformed) and build the arrow table."""
        spike, unknown, malformed, uncertain, variant = self._row_flags(ch, t)
        spiked = np.where(
            variant % 2 == 0, np.where(value == 0, 9999.0, value * 10), -np.abs(value) * 5 - 50
        )  # x10 or a large negative excursion
        value = np.where(spike, spiked, value)
        bad_value, bad_ts = malformed & (variant % 4 < 3), malformed & (variant % 4 == 3)
        a = self.ch.asset[ch]
        id_idx = np.where(unknown, self.n_assets + 3 * a + variant % 3, a)
        values = pc.cast(pa.array(value), pa.string())
        if bad_value.any():
            repl = [BAD_VALUES[v % 3] for v in variant[bad_value] // 4]
            values = pc.replace_with_mask(values, pa.array(bad_value), pa.array(repl))
        quality = np.where((bad & (variant >= 128)) | bad_value, 1, np.where(uncertain, 2, 0))
        table = pa.Table.from_arrays(
            [
                pc.take(self.ids, pa.array(id_idx)),
                pc.take(pa.array(self.ch.tags), pa.array(self.ch.tag[ch])),
                self._timestamps(ch, t, bad_ts),
                values,
                pc.take(pa.array(UNITS + UNITS_ALT), pa.array(unit)),
                pc.take(pa.array(["good", "bad", "uncertain"]), pa.array(quality)),
            ],
            schema=SCHEMA,
        )
        lines: list[str] = []
        if self.csv and bad_ts.any():  # in CSV a garbled row is a line with too few fields
            cut = table.filter(pa.array(bad_ts))
            lines = [
                f"{x},{y}"
                for x, y in zip(cut["asset_id"].to_pylist(), cut["tag"].to_pylist(), strict=True)
            ]
            table = table.filter(pa.array(~bad_ts))
        kinds = [(spike, SPIKE), (unknown, UNKNOWN_ID), (malformed, MALFORMED)]
        if kind is not None:
            kinds.append((np.ones_like(spike), kind))
        sel = [(np.flatnonzero(m), k) for m, k in kinds]
        return Batch(
            table,
            lines,
            np.concatenate(
                [np.broadcast_to(k, i.shape) if np.ndim(k) == 0 else k[i] for i, k in sel]
            ),
            np.concatenate([ch[i] for i, _ in sel]),
            np.concatenate([t[i] for i, _ in sel]),
        )
