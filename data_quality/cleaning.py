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
from data_quality.units import conversion_table, unit_name
from foresight.errors import InputDataError

TS_FORMAT = "%Y-%m-%dT%H:%M:%S%#z"  # ISO 8601 with "Z" or "+01:00"; anything else is malformed
TEXT = ["asset_id", "sensor", "ts_raw", "value_raw", "unit", "quality"]


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


def _require_unique(frame: pl.DataFrame, keys: list[str], source: str) -> None:
    """A reference table joined to every reading must have one row per key, or rows multiply."""
    twice = frame.filter(pl.struct(keys).is_duplicated()).select(keys).unique(maintain_order=True)
    if twice.height:
        raise InputDataError(
            f"{source}: {keys} {twice.head(3).rows()} appear more than once; expected one row per "
            f"key, or each reading would be counted twice. Remove the duplicates from the {source}."
        )


def parse_readings(
    raw: pl.DataFrame, catalog: pl.DataFrame, register: pl.DataFrame, tz: str
) -> pl.DataFrame:
    """Raw text rows joined to register and catalogue, with ts_utc and canonical value parsed.

    Raises:
        InputDataError: an asset id twice in the register, or a tag twice for one asset type.
    """
    _require_unique(register, ["asset_id"], "asset register")
    _require_unique(catalog, ["asset_type", "sensor"], "tag catalogue")
    if "extra_fields" not in raw.columns:  # frames built by hand, or stored before the column
        raw = raw.with_columns(extra_fields=pl.lit(None, pl.String))
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
    return (
        raw.with_columns(pl.col(TEXT).cast(pl.String))
        .with_columns(unit_key=unit_name("unit"))
        .join(assets, on="asset_id", how="left")
        .join(sensors, on=["asset_type", "sensor"], how="left")
        .join(
            conversion_table().rename({"unit": "unit_key"}),
            on=["unit_key", "canonical_unit"],
            how="left",
        )
        .with_columns(
            ts_utc=pl.col("ts_raw")
            .str.strip_chars()
            .str.to_datetime(TS_FORMAT, time_zone="UTC", time_unit="us", strict=False),
            value_in_unit=pl.when(value.is_nan()).then(None).otherwise(value),
            night_end_utc=night_end,
        )
        .with_columns(
            value=pl.when(pl.col("unit_key") == pl.col("canonical_unit"))
            .then(pl.col("value_in_unit"))
            .otherwise(pl.col("value_in_unit") * pl.col("unit_scale") + pl.col("unit_offset"))
        )
    )


def _reason() -> pl.Expr:
    """The first rule a parsed row breaks, in order of how fundamental the rule is; null if none."""
    undecodable = pl.any_horizontal(pl.col(TEXT).str.contains("\ufffd", literal=True))
    rules = [
        (undecodable.fill_null(False), R.INVALID_ENCODING),
        (pl.col("extra_fields").is_not_null(), R.MALFORMED_LINE),
        (pl.col("asset_id").is_null() | pl.col("sensor").is_null(), R.MISSING_KEY),
        (pl.col("ts_utc").is_null(), R.MALFORMED_TIMESTAMP),
        (pl.col("value_in_unit").is_null(), R.NON_NUMERIC_VALUE),
        (pl.col("asset_type").is_null(), R.UNKNOWN_ASSET),
        (pl.col("canonical_unit").is_null(), R.UNKNOWN_SENSOR),
        (pl.col("value").is_null(), R.UNIT_MISMATCH),
        (pl.col("quality").str.to_lowercase() == "bad", R.BAD_QUALITY),
        # the night is [local 00:00, next local 00:00): a stamp at its end belongs to the next
        (pl.col("ts_utc") >= pl.col("night_end_utc"), R.FUTURE_TIMESTAMP),
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
    return _mark_duplicates(
        parse_readings(raw, catalog, register, timezone).with_columns(_reason())
    )


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
    """Clean the raw rows of `nights`; rows of earlier nights in `raw` only serve to spot repeats.

    Args:
        raw: canonical raw readings (text), possibly including a few earlier nights.
        nights: the nights whose rows are to be cleaned or quarantined.
    """
    parsed = classify_readings(raw, catalog, register, timezone)
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
        (pl.col("unit_key") != pl.col("canonical_unit")).alias("unit_converted"),
        (pl.col("ts_utc").dt.convert_time_zone(timezone).dt.date() < pl.col("night")).alias("late"),
    )
    clean = flag_readings(kept.sort("asset_id", "sensor", "ts_utc"), rules)
    return CleaningResult(clean=clean, quarantine=quarantine)
