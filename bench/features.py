"""Benchmark 3, ours: the night's level-1 aggregates, then the windows over 31 nights of them.

It does what the nightly assets `sensor_daily_aggregates` and the window part of `window_features`
do: load regimes from the MES orders, `aggregate_daily` with the spec's limits, then
`build_window_features` as of the night over the stored 30 earlier nights plus tonight's rows.
The context layer (maintenance, load, production state) is not part of this benchmark.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from bench.data import NIGHT, TIMEZONE, BenchData
from bench.harness import Phases
from foresight.errors import ForesightError


class StaleBenchData(ForesightError):
    """The cached level-1 history no longer matches what `aggregate_daily` produces."""


def load_inputs(data: BenchData) -> dict[str, pl.DataFrame]:
    """Setup: clean night, earlier level-1 rows, MES orders and asset types, in memory."""
    from connectors.cmms import read_asset_register
    from connectors.mes import read_production_orders

    return {
        "clean": pl.read_parquet(data.clean_path),
        "history": pl.read_parquet(data.history_path),
        "orders": read_production_orders(data.production_orders, TIMEZONE),
        "asset_types": read_asset_register(data.cmms_url).select("asset_id", "asset_type"),
    }


def nightly_feature_build(inputs: dict[str, pl.DataFrame]) -> dict[str, Any]:
    """Level 1 of the night (regimes, `aggregate_daily`), then `build_window_features` as of it."""
    from features.daily import aggregate_daily, hourly_regimes
    from features.spec import load_feature_spec
    from features.windows import build_window_features

    spec = load_feature_spec()
    clean, history = inputs["clean"], inputs["history"]
    phases = Phases()
    with phases("level 1", readings=clean.height):
        regimes = hourly_regimes(inputs["orders"])
        tonight = aggregate_daily(clean, TIMEZONE, regimes, spec.limits)
    if tonight.schema != history.schema:
        raise StaleBenchData(
            f"cached level-1 history has columns {dict(history.schema)}, but aggregate_daily now "
            f"returns {dict(tonight.schema)}. Rebuild it: .venv/bin/python -m bench --refresh"
        )
    with phases("level 2", readings=clean.height):
        daily = pl.concat([history, tonight])
        table = build_window_features(daily, spec, [NIGHT], inputs["asset_types"])
    note = (
        "level 1 = hourly_regimes + aggregate_daily on the night, level 2 = build_window_features "
        f"as of the night over {daily.height:,} level-1 rows ({tonight.height:,} tonight); "
        f"{table.height:,} assets x "
        f"{table.width:,} columns out; windows {list(spec.windows_days)} d, "
        f"{len(spec.statistics)} statistics"
    )
    return {"readings": clean.height, "phases": phases.rows, "note": note}
