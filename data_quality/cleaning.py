"""Clean raw readings: parse, convert units to canonical, de-duplicate, flag; quarantine the rest.

Invariant: every raw row of the target nights lands in exactly one of `clean` or `quarantine`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from data_quality import reasons as R
from data_quality.flags import FlagRules, flag_readings
from data_quality.units import conversion_table

TS_FORMAT = "%Y-%m-%dT%H:%M:%S%#z"  # ISO 8601 with "Z" or "+01:00"; anything else is malformed


@dataclass(frozen=True)
class CleaningResult:
    """Clean readings (canonical units, UTC, flagged) and quarantined raw rows with reasons."""

    clean: pl.DataFrame
    quarantine: pl.DataFrame

    def counts(self) -> dict[str, int]:
        by_reason = self.quarantine.group_by("reason").len().sort("reason").iter_rows()
        return {"clean": self.clean.height, "quarantined": self.quarantine.height} | {
            f"quarantined.{reason}": n for reason, n in by_reason
        }


def night_end_utc(night: date, timezone: str) -> datetime:
    """The instant a night's export closes: local midnight after `night`, in UTC."""
    local = datetime.combine(night + timedelta(days=1), datetime.min.time(), ZoneInfo(timezone))
    return local.astimezone(ZoneInfo("UTC"))


def parse_readings(
    raw: pl.DataFrame, catalog: pl.DataFrame, register: pl.DataFrame, tz: str
) -> pl.DataFrame:
    """Raw text rows joined to register and catalogue, with ts_utc and canonical value parsed."""
    assets = register.select("asset_id", "asset_type", "commissioned_on")
    sensors = catalog.select(
        "asset_type", "sensor", pl.col("unit").alias("canonical_unit"), "min_valid", "max_valid"
    )
    night_end = (
        pl.col("night")
        .cast(pl.Datetime("us"))
        .dt.offset_by("1d")
        .dt.replace_time_zone(tz, ambiguous="earliest")
        .dt.convert_time_zone("UTC")
    )
    value = pl.col("value_raw").str.strip_chars().cast(pl.Float64, strict=False)
    text = ["asset_id", "sensor", "ts_raw", "value_raw", "unit", "quality"]
    return (
        raw.with_columns(pl.col(text).cast(pl.String))
        .join(assets, on="asset_id", how="left")
        .join(sensors, on=["asset_type", "sensor"], how="left")
        .join(conversion_table(), on=["unit", "canonical_unit"], how="left")
        .with_columns(
            ts_utc=pl.col("ts_raw")
            .str.strip_chars()
            .str.to_datetime(TS_FORMAT, time_zone="UTC", time_unit="us", strict=False),
            value_in_unit=pl.when(value.is_nan()).then(None).otherwise(value),
            night_end_utc=night_end,
        )
        .with_columns(
            value=pl.when(pl.col("unit") == pl.col("canonical_unit"))
            .then(pl.col("value_in_unit"))
            .otherwise(pl.col("value_in_unit") * pl.col("unit_scale") + pl.col("unit_offset"))
        )
    )


def _reason() -> pl.Expr:
    """The first rule a parsed row breaks, in order of how fundamental the rule is; null if none."""
    rules = [
        (pl.col("asset_id").is_null() | pl.col("sensor").is_null(), R.MISSING_KEY),
        (pl.col("ts_utc").is_null(), R.MALFORMED_TIMESTAMP),
        (pl.col("value_in_unit").is_null(), R.NON_NUMERIC_VALUE),
        (pl.col("asset_type").is_null(), R.UNKNOWN_ASSET),
        (pl.col("canonical_unit").is_null(), R.UNKNOWN_SENSOR),
        (pl.col("value").is_null(), R.UNIT_MISMATCH),
        (pl.col("quality").str.to_lowercase() == "bad", R.BAD_QUALITY),
        (pl.col("ts_utc") > pl.col("night_end_utc"), R.FUTURE_TIMESTAMP),
        (pl.col("ts_utc").dt.date() < pl.col("commissioned_on"), R.BEFORE_COMMISSIONING),
        (~pl.col("value").is_between(pl.col("min_valid"), pl.col("max_valid")), R.OUT_OF_RANGE),
    ]
    expr = pl.when(rules[0][0]).then(pl.lit(rules[0][1]))
    for condition, reason in rules[1:]:
        expr = expr.when(condition).then(pl.lit(reason))
    return expr.otherwise(pl.lit(None, pl.String)).alias("reason")


def _mark_duplicates(parsed: pl.DataFrame) -> pl.DataFrame:
    """The first arrival of an (asset, sensor, ts) key is kept; later copies are duplicates.

    Rows must come in arrival order (night, file, row), as `connectors.historian` delivers them.
    """
    key = pl.struct("asset_id", "sensor", "ts_utc")
    first = pl.when(pl.col("reason").is_null()).then(key).is_first_distinct()
    return parsed.with_columns(
        reason=pl.when(pl.col("reason").is_null() & ~first)
        .then(pl.lit(R.DUPLICATE))
        .otherwise(pl.col("reason"))
    )


def classify_readings(
    raw: pl.DataFrame, catalog: pl.DataFrame, register: pl.DataFrame, timezone: str
) -> pl.DataFrame:
    """Parsed raw rows with `reason`: the first rule each breaks (null for a clean row)."""
    return _mark_duplicates(parse_readings(raw, catalog, register, timezone).with_columns(_reason()))


def clean_readings(
    raw: pl.DataFrame,
    catalog: pl.DataFrame,
    register: pl.DataFrame,
    *,
    nights: list[date],
    timezone: str,
    run_id: str,
    rules: FlagRules,
) -> CleaningResult:
    """Clean the raw rows of `nights`; rows of earlier nights in `raw` only serve to spot duplicates.

    Args:
        raw: canonical raw readings (text), possibly including a few earlier nights.
        nights: the nights whose rows are to be cleaned or quarantined.
    """
    parsed = _mark_duplicates(
        parse_readings(raw, catalog, register, timezone).with_columns(_reason())
    )
    target = parsed.filter(pl.col("night").is_in(nights))
    quarantine = target.filter(pl.col("reason").is_not_null()).select(
        "night",
        "source_file",
        "row_number",
        "asset_id",
        "sensor",
        "ts_raw",
        "value_raw",
        "unit",
        "quality",
        "reason",
        pl.lit(run_id).alias("run_id"),
    )
    kept = target.filter(pl.col("reason").is_null()).select(
        "night",
        "asset_id",
        "sensor",
        "ts_utc",
        "value",
        pl.col("canonical_unit").alias("unit"),
        (pl.col("unit") != pl.col("canonical_unit")).alias("unit_converted"),
        (pl.col("ts_utc").dt.convert_time_zone(timezone).dt.date() < pl.col("night")).alias("late"),
    )
    clean = flag_readings(kept.sort("asset_id", "sensor", "ts_utc"), rules)
    return CleaningResult(clean=clean, quarantine=quarantine)
