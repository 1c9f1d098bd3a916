"""A site's asset register, maintenance log and sensor catalogue in its own shape, made canonical.

The outputs have exactly the columns of the CMMS readers (`connectors.cmms`) and of the tag
catalogue (`connectors.historian.read_tag_catalog`), so everything downstream is unchanged.
Run-to-failure histories give their maintenance log too: one failure at each history's last record.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

import polars as pl

from connectors.cmms import ASSET_COLUMNS, WORK_ORDER_COLUMNS, local_to_utc
from connectors.exports import read_text_table, sql_frame
from foresight.errors import InputDataError
from foresight.plant_sources import AssetRegisterSource, CsvOptions, MaintenanceSource, RunToFailure

WO_TYPES = ("PM", "CM", "INSP")
WO_STATUSES = ("open", "closed", "cancelled")
REGISTER_STATUSES = ("active", "inactive", "decommissioned")  # only active assets are scored


def load_aliases(aliases: dict[str, str] | str | None, path: str | None) -> dict[str, str]:
    """Alias -> asset id, from the plant file itself or from a CSV with columns alias,asset_id."""
    if aliases is None:
        return {}
    if isinstance(aliases, dict):
        return {str(k): str(v) for k, v in aliases.items()}
    table = read_text_table(Path(path or aliases), CsvOptions(), "asset alias table")
    if missing := {"alias", "asset_id"} - set(table.columns):
        raise InputDataError(
            f"asset alias table {path}: missing columns {sorted(missing)}; found {table.columns}. "
            "Expected alias,asset_id (one row per other spelling of an asset id)."
        )
    if (twice := table.filter(pl.col("alias").is_duplicated())).height:
        raise InputDataError(
            f"asset alias table {path}: aliases {twice['alias'].unique().head(3).to_list()} map "
            "to more than one asset id; keep one row per alias."
        )
    return dict(table.select("alias", "asset_id").iter_rows())


def _mapped(frame: pl.DataFrame, columns: dict[str, str], what: str) -> pl.DataFrame:
    """Source columns renamed to canonical names; a mapped column that is absent is an error."""
    if missing := [c for c in columns.values() if c not in frame.columns]:
        raise InputDataError(
            f"{what}: columns {missing} named in the plant file are not in it; found "
            f"{frame.columns[:15]}. Fix the plant file's columns mapping."
        )
    return frame.rename({source: canonical for canonical, source in columns.items()})


def _recode(
    frame: pl.DataFrame, column: str, mapping: dict[str, str], allowed: tuple[str, ...], what: str
) -> pl.DataFrame:
    """Replace the site's codes; any value still outside `allowed` is named in the error."""
    out = frame.with_columns(pl.col(column).str.strip_chars().replace(mapping))
    unknown = out.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(allowed))
    if unknown.height:
        seen = unknown[column].unique().sort().head(5).to_list()
        raise InputDataError(
            f"{what}: {column} values {seen} ({unknown.height} rows) are not mapped; expected "
            f"one of {list(allowed)}. Add them to the plant file's mapping for {column}."
        )
    return out


def read_register_file(source: AssetRegisterSource, path: str, aliases: dict[str, str]):
    """The asset register from a CSV: mapped columns, defaults for absent ones, statuses mapped."""
    what = f"asset register {Path(path).name}"
    frame = _mapped(read_text_table(Path(path), source.csv, "asset register"), source.columns, what)
    for column, value in source.defaults.items():
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(value).alias(column))
    if missing := [c for c in ("asset_id", "asset_type") if c not in frame.columns]:
        raise InputDataError(
            f"{what}: no column for {missing}; found {frame.columns[:15]}. Map it in "
            "sources.asset_register.columns or give it in defaults."
        )
    frame = frame.with_columns(
        pl.col("asset_id").str.strip_chars().replace(aliases),
        *(pl.lit(None, pl.String).alias(c) for c in ASSET_COLUMNS if c not in frame.columns),
    )
    frame = frame.with_columns(pl.col("status").fill_null("active"))
    frame = _recode(frame, "status", source.statuses, REGISTER_STATUSES, what)
    return _typed_register(frame.select(ASSET_COLUMNS))


def _typed_register(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("commissioned_on").cast(pl.String).str.to_date(strict=False),
        pl.col("criticality").cast(pl.String),
    ).sort("asset_id")


def register_from_readings(
    source: AssetRegisterSource, first_day: pl.DataFrame, failed: set[str]
) -> pl.DataFrame:
    """One asset per id seen in the readings, commissioned on its first day; failed ones inactive.

    Args:
        first_day: `asset_id`, `first_day` (plant-local date of its first reading).
        failed: assets whose run-to-failure history has ended in failure (no longer in service).
    """
    d = source.defaults
    return _typed_register(
        first_day.select(
            "asset_id",
            asset_type=pl.lit(d["asset_type"]),
            site=pl.lit(d.get("site", "main")),
            criticality=pl.lit(d.get("criticality", "B")),
            commissioned_on=pl.col("first_day").cast(pl.String),
            status=pl.when(pl.col("asset_id").is_in(sorted(failed)))
            .then(pl.lit("inactive"))
            .otherwise(pl.lit(d.get("status", "active"))),
        )
    )


def read_maintenance(
    source: MaintenanceSource, location: str, timezone: str, aliases: dict[str, str]
) -> pl.DataFrame:
    """Work orders from a CSV or SQL query, in the CMMS reader's columns (times local -> UTC)."""
    if source.file is not None:
        what = f"maintenance log {Path(location).name}"
        frame = read_text_table(Path(location), source.csv, "maintenance log")
    else:
        what = "maintenance query"
        frame = sql_frame(location, source.query or "", {}, what)
    frame = _mapped(frame, source.columns, what)
    if missing := [c for c in ("asset_id", "wo_type", "opened_at") if c not in frame.columns]:
        raise InputDataError(
            f"{what}: no column for {missing}; found {frame.columns[:15]}. Map them in "
            "sources.maintenance.columns."
        )
    frame = frame.with_columns(
        pl.col("asset_id").str.strip_chars().replace(aliases),
        *(pl.lit(None, pl.String).alias(c) for c in WORK_ORDER_COLUMNS if c not in frame.columns),
    ).with_columns(
        pl.col("status").fill_null("closed"),
        pl.col("wo_id").fill_null(pl.concat_str(pl.lit("row-"), pl.int_range(pl.len()) + 1)),
        pl.col("failure_code").str.strip_chars().replace(source.failure_codes),
    )
    frame = _recode(frame, "wo_type", source.wo_types, WO_TYPES, what)
    frame = _recode(frame, "status", source.statuses, WO_STATUSES, what)
    if source.time_format:
        frame = frame.with_columns(
            pl.col(c)
            .str.strptime(pl.Datetime("us"), source.time_format, strict=False)
            .cast(pl.String)
            for c in ("opened_at", "closed_at")
        )
    return (
        frame.select(WORK_ORDER_COLUMNS)
        .with_columns(
            local_to_utc("opened_at", timezone).alias("opened_utc"),
            local_to_utc("closed_at", timezone).alias("closed_utc"),
        )
        .sort("opened_utc")
    )


def history_ends(raw: pl.DataFrame, timezone: str) -> pl.DataFrame:
    """Per asset: source file, first and last reading time (UTC) and their local days."""
    from connectors.exports import ISO_IN

    ts = pl.col("ts_raw").cast(pl.String).str.to_datetime(ISO_IN, time_zone="UTC", strict=False)
    return (
        raw.select(pl.col("asset_id").cast(pl.String), pl.col("source_file").cast(pl.String), ts)
        .drop_nulls()
        .group_by("asset_id")
        .agg(
            pl.col("source_file").first(), first=pl.col("ts_raw").min(), last=pl.col("ts_raw").max()
        )
        .with_columns(
            first_day=pl.col("first").dt.convert_time_zone(timezone).dt.date(),
            last_day=pl.col("last").dt.convert_time_zone(timezone).dt.date(),
        )
        .sort("asset_id")
    )


def run_to_failure_orders(ends: pl.DataFrame, rtf: RunToFailure, timezone: str) -> pl.DataFrame:
    """One corrective work order per history that ran to failure, at its last record."""
    failed = ends.filter(
        pl.col("source_file").map_elements(
            lambda name: fnmatch.fnmatch(name, rtf.failed_files), return_dtype=pl.Boolean
        )
    )
    if failed.is_empty():
        raise InputDataError(
            f"run_to_failure: no historian file matches failed_files {rtf.failed_files!r}; files "
            f"seen: {ends['source_file'].unique().sort().head(5).to_list()}. Fix the glob."
        )
    local = pl.col("last").dt.convert_time_zone(timezone).dt.replace_time_zone(None)
    return failed.select(
        wo_id=pl.concat_str(pl.lit("rtf-"), "asset_id"),
        asset_id="asset_id",
        wo_type=pl.lit("CM"),
        status=pl.lit("closed"),
        component=pl.lit(rtf.component),
        failure_code=pl.lit(rtf.failure_code),
        opened_at=local.dt.strftime("%Y-%m-%d %H:%M:%S"),
        closed_at=local.dt.strftime("%Y-%m-%d %H:%M:%S"),
        notes=pl.lit("run to failure: last record of the history"),
        opened_utc=pl.col("last"),
        closed_utc=pl.col("last"),
    ).sort("opened_utc")


def catalog_from_plant(
    sensors: dict, units: dict[str, str], asset_types: list[str]
) -> pl.DataFrame:
    """The tag catalogue from the plant file (`sensors`, else `units`) for every asset type."""
    specs = {tag: (s.unit, s.min_valid, s.max_valid) for tag, s in sensors.items()} or {
        tag: (unit, None, None) for tag, unit in units.items()
    }
    rows = [
        (t, tag, unit, "", lo, hi) for t in asset_types for tag, (unit, lo, hi) in specs.items()
    ]
    return pl.DataFrame(
        rows,
        schema={
            "asset_type": pl.String,
            "sensor": pl.String,
            "unit": pl.String,
            "description": pl.String,
            "min_valid": pl.Float64,
            "max_valid": pl.Float64,
        },
        orient="row",
    )
