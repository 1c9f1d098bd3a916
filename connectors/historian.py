"""Historian exports (one file per arrival day, long format) into canonical raw readings.

Raw readings stay text: parsing timestamps and values is the cleaning stage's job, so that a row that
does not parse is quarantined with its reason instead of failing the read or vanishing.
"""

from __future__ import annotations

import glob
import re
from datetime import date
from pathlib import Path

import polars as pl

from foresight.errors import InputDataError

EXPORT_COLUMNS = ("asset_id", "tag", "timestamp", "value", "unit", "quality")
RAW_SCHEMA = {
    "night": pl.Date,
    "source_file": pl.String,
    "row_number": pl.UInt32,
    "asset_id": pl.String,
    "sensor": pl.String,
    "ts_raw": pl.String,
    "value_raw": pl.String,
    "unit": pl.String,
    "quality": pl.String,
}


def list_export_files(pattern: str, date_regex: str) -> dict[date, list[Path]]:
    """Export files by arrival date, from a glob and a regex whose first group is the date."""
    by_night: dict[date, list[Path]] = {}
    compiled = re.compile(date_regex)
    for name in sorted(glob.glob(pattern)):
        match = compiled.search(Path(name).name)
        if match is None:
            raise InputDataError(
                f"historian file {name}: its name has no arrival date matching {date_regex!r}. "
                "Rename it or set sources.historian.arrival_date_pattern."
            )
        by_night.setdefault(date.fromisoformat(match.group(1)), []).append(Path(name))
    return by_night


def read_export_file(path: Path, fmt: str, night: date) -> pl.DataFrame:
    """One export file as canonical raw text rows, with its arrival night and row numbers."""
    try:
        if fmt == "parquet":
            frame = pl.read_parquet(path)
        else:
            frame = pl.read_csv(
                path, infer_schema=False, truncate_ragged_lines=True, encoding="utf8-lossy"
            )
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputDataError(
            f"historian file {path.name}: cannot be read as {fmt} ({exc}). "
            "Re-export the file or move it out of the export folder."
        ) from exc
    missing = [c for c in EXPORT_COLUMNS if c not in frame.columns]
    if missing:
        raise InputDataError(
            f"historian file {path.name}: missing columns {missing}; expected {list(EXPORT_COLUMNS)}."
        )
    return frame.select(
        pl.lit(night, pl.Date).alias("night"),
        pl.lit(path.name).alias("source_file"),
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("row_number"),
        pl.col("asset_id").cast(pl.String),
        pl.col("tag").cast(pl.String).alias("sensor"),
        pl.col("timestamp").cast(pl.String).alias("ts_raw"),
        pl.col("value").cast(pl.String).alias("value_raw"),
        pl.col("unit").cast(pl.String),
        pl.col("quality").cast(pl.String),
    )


def read_historian(pattern: str, fmt: str, date_regex: str, nights: list[date]) -> pl.DataFrame:
    """Raw readings of the export files that arrived on the given nights (empty nights give no rows)."""
    files = list_export_files(pattern, date_regex)
    frames = [
        read_export_file(path, fmt, night)
        for night in sorted(set(nights))
        for path in files.get(night, [])
    ]
    if not frames:
        return pl.DataFrame(schema=RAW_SCHEMA)
    return pl.concat(frames, how="vertical")


def read_tag_catalog(path: str) -> pl.DataFrame:
    """Sensor metadata per asset type: canonical unit and valid range (min_valid, max_valid)."""
    try:
        frame = pl.read_csv(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputDataError(f"tag catalogue {path}: cannot be read ({exc}).") from exc
    needed = {"asset_type", "tag", "unit", "min_valid", "max_valid"}
    if missing := needed - set(frame.columns):
        raise InputDataError(f"tag catalogue {path}: missing columns {sorted(missing)}.")
    return frame.rename({"tag": "sensor"}).with_columns(
        pl.col("min_valid").cast(pl.Float64), pl.col("max_valid").cast(pl.Float64)
    )
