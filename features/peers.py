"""Fleet deviation: a window statistic minus the median of the same asset type on the same night.

Assets of one type share the plant's seasons, ambient temperature and product mix, so the median
of their peers on the same night removes what all of them see and leaves what sets one asset
apart, such as a bearing running hotter than its sisters. It needs no history beyond the night
(only values as of that night), so it stays point-in-time correct by construction.
"""

from __future__ import annotations

import polars as pl

FLEET_SUFFIX = "__vs_fleet"


def fleet_deviation(table: pl.DataFrame, statistics: tuple[str, ...]) -> pl.DataFrame:
    """Add `<sensor>__<stat>__<window>__vs_fleet` for every column ending in one of `statistics`.

    Args:
        table: window features with `as_of` and `asset_type`, one row per asset and night.
        statistics: `<stat>__<window>` names from the feature spec, e.g. `mean__7d`.
    """
    columns = [c for c in table.columns if c.endswith(tuple(f"__{s}" for s in statistics))]
    if not columns:
        return table
    peers = ("as_of", "asset_type")
    return table.with_columns(
        (pl.col(c) - pl.col(c).median().over(peers)).alias(c + FLEET_SUFFIX) for c in columns
    )
