"""Every source of a plant, read as its plant file says: one call per canonical table.

The orchestration's ingest assets and the command line call these; they pick the reader (CMMS
tables, site files, SQL queries, run-to-failure histories) from the plant file alone.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from connectors import cmms, exports, historian, mes, site_tables
from foresight.errors import PlantConfigError
from foresight.plant import Plant, SqlSource


def aliases(plant: Plant) -> dict[str, str]:
    """The plant's asset-id alias table (empty when it has none)."""
    given = plant.sources.asset_aliases
    return site_tables.load_aliases(given, plant.path_of(given) if isinstance(given, str) else None)


def _patterns(plant: Plant) -> list[str]:
    return [plant.path_of(g) for g in plant.sources.historian.globs]


def _historian_url(plant: Plant) -> str | None:
    h = plant.sources.historian
    return plant.url_of(SqlSource(url=h.url, password_env=h.password_env)) if h.url else None


def read_readings(
    plant: Plant, nights: list[date], keep: historian.AssetSelector | None = None
) -> pl.DataFrame:
    """Raw readings (historian.RAW_SCHEMA) of the nights, from whatever the historian source is.

    `keep`: only the rows of the asset ids it chooses (a shard's), read as such where the
    export is in the canonical shape, else filtered after the site's own mapping.
    """
    source, names = plant.sources.historian, aliases(plant)
    if exports.is_canonical(source, names):
        frames = [
            historian.read_historian(p, source.format, source.arrival_date_pattern, nights, keep)
            for p in _patterns(plant)
        ]
        return pl.concat(frames) if len(frames) > 1 else frames[0]
    rows = exports.read_historian_source(
        source, _patterns(plant), plant.timezone, names, nights, _historian_url(plant)
    )
    if keep is None:
        return rows
    return rows.filter(historian.chosen_rows(rows.lazy(), keep))


def reading_batches(plant: Plant, nights: list[date]) -> list[list[date]]:
    """The nights in the groups to read together: one night at a time where each night has its
    own files or query, all at once where every read scans every file (`arrival: timestamp`)."""
    source = plant.sources.historian
    if source.query is None and source.arrival == "timestamp":
        return [sorted(nights)]
    return [[night] for night in sorted(nights)]


def export_nights(plant: Plant) -> list[date]:
    """Every night for which the historian holds readings."""
    source = plant.sources.historian
    if source.query is not None:
        raise PlantConfigError(
            "a historian query has no file list to find the newest night in; pass --as-of."
        )
    return exports.export_nights(source, _patterns(plant), plant.timezone, aliases(plant))


def _all_readings(plant: Plant) -> pl.DataFrame:
    nights = export_nights(plant)
    return read_readings(plant, nights) if nights else pl.DataFrame(schema=historian.RAW_SCHEMA)


def history_ends(plant: Plant) -> pl.DataFrame:
    """First and last reading of every asset (for registers and labels derived from readings)."""
    return site_tables.history_ends(_all_readings(plant), plant.timezone)


def read_register(plant: Plant) -> pl.DataFrame:
    """The asset register: CMMS table, site CSV, or one asset per history in the readings."""
    source = plant.sources.asset_register
    if source is None:
        return cmms.read_asset_register(plant.url_of(plant.sources.cmms))
    if source.file is not None:
        return site_tables.read_register_file(source, plant.path_of(source.file), aliases(plant))
    ends = history_ends(plant)
    failed = set(_run_to_failure_orders(plant, ends)["asset_id"]) if _rtf(plant) else set()
    return site_tables.register_from_readings(source, ends, failed)


def _rtf(plant: Plant):
    logs = plant.sources.maintenance
    return logs.run_to_failure if logs is not None else None


def _run_to_failure_orders(plant: Plant, ends: pl.DataFrame) -> pl.DataFrame:
    return site_tables.run_to_failure_orders(ends, _rtf(plant), plant.timezone)


def read_logs(plant: Plant) -> pl.DataFrame:
    """Work orders: CMMS table, site CSV or query, or the failures ending run-to-failure runs."""
    source = plant.sources.maintenance
    if source is None:
        return cmms.read_work_orders(plant.url_of(plant.sources.cmms), plant.timezone)
    if source.run_to_failure is not None:
        return _run_to_failure_orders(plant, history_ends(plant))
    if source.file is not None:
        location = plant.path_of(source.file)
    else:
        location = plant.url_of(SqlSource(url=source.url or "", password_env=source.password_env))
    return site_tables.read_maintenance(source, location, plant.timezone, aliases(plant))


def read_catalog(plant: Plant) -> pl.DataFrame:
    """The tag catalogue: its CSV, else the plant file's sensors/units for every asset type."""
    source = plant.sources.historian
    if source.tag_catalog is not None:
        return historian.read_tag_catalog(plant.path_of(source.tag_catalog))
    register = plant.sources.asset_register
    if register is not None and register.from_readings:
        types = [register.defaults["asset_type"]]
    else:
        types = read_register(plant)["asset_type"].drop_nulls().unique().sort().to_list()
    return site_tables.catalog_from_plant(source.sensors, source.units, types)


def cut_off_assets(plant: Plant) -> pl.DataFrame:
    """Histories cut off before failure (to be scored): asset and the night of its last record."""
    ends = history_ends(plant)
    failed = set(_run_to_failure_orders(plant, ends)["asset_id"])
    return ends.filter(~pl.col("asset_id").is_in(sorted(failed))).select("asset_id", "last_day")


def read_context(plant: Plant) -> pl.DataFrame:
    """MES production orders (the plant file names them), asset ids through the alias table."""
    orders = mes.read_production_orders(
        plant.path_of(plant.sources.production_context), plant.timezone
    )
    return orders.with_columns(pl.col("asset_id").replace(aliases(plant)))
