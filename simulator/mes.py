"""Write the MES production-order export (plant local time, no offset)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from simulator.fleet import Fleet
from simulator.production import REGIMES, Production, spec_name
from simulator.timeline import Timeline


def _local(tl: Timeline, hours: np.ndarray) -> pl.Series:
    """Format hour offsets from the history start as local 'YYYY-MM-DD HH:MM:SS'."""
    base = np.datetime64(tl.start_utc.replace(tzinfo=None), "h")
    ts = pl.Series((base + hours.astype("timedelta64[h]")).astype("datetime64[us]"))
    return (
        ts.dt.replace_time_zone("UTC")
        .dt.convert_time_zone(tl.tz.key)
        .dt.strftime("%Y-%m-%d %H:%M:%S")
    )


def write_mes(path: Path, fleet: Fleet, prod: Production, tl: Timeline) -> int:
    """Write production_orders.csv sorted by start; return the number of orders."""
    o = prod.orders
    order = np.lexsort((o["asset"], o["start_h"]))
    start = _local(tl, o["start_h"][order])
    batch_year = start.str.slice(0, 4).to_list()
    df = pl.DataFrame(
        {
            "order_id": [f"PO-{i + 1:07d}" for i in range(order.size)],
            "asset_id": [fleet.asset_ids[a] for a in o["asset"][order]],
            "start_local": start,
            "end_local": _local(tl, o["end_h"][order]),
            "product_spec": [spec_name(int(s)) for s in o["spec"][order]],
            "material_batch": [
                f"B{y}-{int(b) % 10000:04d}"
                for y, b in zip(batch_year, o["batch"][order], strict=True)
            ],
            "load_regime": [REGIMES[int(r)] for r in o["regime"][order]],
            "load_pct": o["load_pct"][order].astype(float),
        }
    )
    df.write_csv(path)
    return df.height
