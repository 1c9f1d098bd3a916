"""Asset shards: which asset group each asset's readings are processed in (the plant file says).

A large fleet's readings are gated, cleaned and aggregated per shard, in parallel steps of the same
nightly run; everything per asset (series, duplicates, flags, daily aggregates) stays inside one
shard, so the shards' results are exactly the fleet's result cut by asset. One shard (the default)
is the whole fleet.

Two ways to cut (`shards:` in the plant file):
- `count: N`: N groups by a stable hash (CRC-32) of the asset id, the same on every machine and
  every release, so an asset's earlier nights are always in its own shard's store;
- `by: site` (or `asset_type`) with `groups: {name: [values]}`: a shard per named group of sites or
  asset types from the asset register. The first group also takes assets whose value is in no
  group, and ids the register does not know (their readings are quarantined there).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator

NAME = r"^[a-z][a-z0-9_]*$"  # a shard name is an asset-key prefix: lower case, no dashes


class ShardSettings(BaseModel):
    """How the fleet is cut into shards (default: one shard, the whole fleet)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    count: int = Field(1, ge=1, le=64, description="asset groups by a stable hash of the asset id")
    by: Literal["site", "asset_type"] | None = Field(
        None, description="register column whose values `groups` names, instead of `count`"
    )
    groups: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="shard name -> sites (or asset types) it takes"
    )

    @model_validator(mode="after")
    def _one_way(self) -> ShardSettings:
        if (self.by is None) != (not self.groups):
            raise ValueError("give `by` and `groups` together (or neither, with `count`)")
        if self.by is not None and self.count != 1:
            raise ValueError("give either `count` or `by` with `groups`, not both")
        bad = [name for name in self.groups if not pl.Series([name]).str.contains(NAME).all()]
        if bad:
            raise ValueError(f"shard names must be lower case letters, digits and _: {bad}")
        return self

    @property
    def names(self) -> list[str]:
        """Shard names in order; a single shard is called `fleet`."""
        if self.groups:
            return list(self.groups)
        if self.count == 1:
            return ["fleet"]
        width = len(str(self.count))
        return [f"shard_{i + 1:0{width}d}" for i in range(self.count)]

    @property
    def sharded(self) -> bool:
        return len(self.names) > 1

    @property
    def needs_register(self) -> bool:
        """Membership comes from the asset register (by site or type), not from the id alone."""
        return self.by is not None

    def members(
        self, shard: str, asset_ids: Iterable[str], register: pl.DataFrame | None = None
    ) -> list[str]:
        """The ids among `asset_ids` whose readings belong to `shard` (one of `names`)."""
        index = self.names.index(shard)
        ids = sorted(set(asset_ids))
        if self.by is None:
            return [a for a in ids if zlib.crc32(a.encode("utf-8")) % len(self.names) == index]
        if register is None:
            raise ValueError(f"shards by {self.by} need the asset register")
        value_of = dict(register.select("asset_id", self.by).iter_rows())
        group_of = {v: name for name, values in self.groups.items() for v in values}
        first = self.names[0]
        return [a for a in ids if group_of.get(value_of.get(a), first) == shard]

    def selector(
        self, shard: str, register: pl.DataFrame | None = None
    ) -> Callable[[list[str | None]], list[str | None]]:
        """For the historian reader: a file's distinct ids -> this shard's (rows without an id
        go to the first shard, which quarantines them)."""

        def keep(ids: list[str | None]) -> list[str | None]:
            chosen: list[str | None] = self.members(
                shard, [i for i in ids if i is not None], register
            )
            return chosen + [None] if None in ids and shard == self.names[0] else chosen

        return keep

    def register_of(self, shard: str, register: pl.DataFrame) -> pl.DataFrame:
        """The register rows of the assets in `shard` (the gate's share of reporting assets)."""
        keep = self.members(shard, register["asset_id"].to_list(), register)
        return register.filter(pl.col("asset_id").is_in(keep))
