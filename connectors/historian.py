"""Historian exports (one file per arrival day, long format) into canonical raw readings.

Raw readings stay text: parsing timestamps and values is the cleaning stage's job, so that a row
that does not parse is quarantined with its reason instead of failing the read or vanishing. Only
what makes a whole file unreadable (empty, UTF-16, corrupt, a column missing) raises here.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl

from foresight.errors import InputDataError

EXPORT_COLUMNS = ("asset_id", "tag", "timestamp", "value", "unit", "quality")
# text with few distinct values is held as categorical: the same text, a quarter of the memory
RAW_SCHEMA = {
    "night": pl.Date,
    "source_file": pl.Categorical,
    "row_number": pl.UInt32,
    "asset_id": pl.Categorical,
    "sensor": pl.Categorical,
    "ts_raw": pl.Categorical,
    "value_raw": pl.String,
    "unit": pl.Categorical,
    "quality": pl.Categorical,
    "extra_fields": pl.String,  # first field beyond the header on a too-long CSV line, else null
}
SURPLUS = "__surplus__"  # the CSV column that catches fields beyond the header
UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")  # byte-order marks of UTF-16 text
# a file's distinct asset ids (None for a row without one) -> the ids whose rows to read
AssetSelector = Callable[[list[str | None]], list[str | None]]


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


def _check_bytes(path: Path, fmt: str) -> None:
    """Refuse an empty file, and UTF-16 CSV (it would read as one garbled column), by name."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise InputDataError(f"historian file {path.name}: cannot be opened ({exc}).") from exc
    if not head:
        raise InputDataError(
            f"historian file {path.name}: is empty (0 bytes); expected a header line with "
            f"{list(EXPORT_COLUMNS)} and readings. The export was cut off: re-export the file "
            "or move it out of the export folder."
        )
    if fmt != "parquet" and (head.startswith(UTF16_MARKS) or b"\x00" in head):
        raise InputDataError(
            f"historian file {path.name}: is UTF-16 text (byte-order mark or NUL bytes); "
            "expected UTF-8 CSV. Re-export it as UTF-8."
        )


def _read_csv(path: Path) -> pl.DataFrame:
    """A CSV export as text columns named by its header, plus SURPLUS for too-long lines.

    Polars names schema columns by position, so the schema is the file's own header; one extra
    column catches the first field beyond it (instead of truncating the line silently). Bytes
    that are not UTF-8 become U+FFFD, which cleaning quarantines row by row.
    """
    header = pl.read_csv(path, n_rows=0, infer_schema=False, encoding="utf8-lossy").columns
    if len(set(header)) != len(header):
        raise InputDataError(
            f"historian file {path.name}: the header {header} names a column twice; expected "
            f"each of {list(EXPORT_COLUMNS)} once. Fix the export's header."
        )
    return pl.read_csv(
        path,
        schema=dict.fromkeys([*header, SURPLUS], pl.String),
        missing_columns="insert",
        truncate_ragged_lines=True,
        encoding="utf8-lossy",
    )


def _read_frame(path: Path, fmt: str) -> tuple[pl.LazyFrame, pl.Schema]:
    """The file as a lazy frame (Parquet is streamed, never held as text), and its schema."""
    _check_bytes(path, fmt)
    try:
        frame = pl.scan_parquet(path) if fmt == "parquet" else _read_csv(path).lazy()
        return frame, frame.collect_schema()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise _unreadable(path, fmt, exc) from exc


def _unreadable(path: Path, fmt: str, exc: Exception) -> InputDataError:
    return InputDataError(
        f"historian file {path.name}: cannot be read as {fmt} ({exc}). "
        "Re-export the file or move it out of the export folder."
    )


def _as_text(path: Path, schema: pl.Schema, column: str) -> pl.Expr:
    """A column as text; date-times as ISO 8601, with their offset when they carry a zone."""
    dtype = schema[column]
    if dtype.is_nested() or dtype == pl.Object:
        raise InputDataError(
            f"historian file {path.name}: column {column!r} holds {dtype} values; expected one "
            "text or number per row. Re-export the file with flat columns."
        )
    if isinstance(dtype, pl.Datetime):
        # a zone-less date-time stays without offset, so cleaning quarantines it as ambiguous
        fmt = "%Y-%m-%dT%H:%M:%S%:z" if dtype.time_zone else "%Y-%m-%dT%H:%M:%S"
        return pl.col(column).dt.strftime(fmt)
    return pl.col(column).cast(pl.String)


def read_export_file(
    path: Path, fmt: str, night: date, keep: AssetSelector | None = None
) -> pl.DataFrame:
    """One export file as canonical raw text rows, with its arrival night and row numbers.

    `keep` (a shard's selector) reads only the rows of the asset ids it chooses among the
    file's; row numbers stay the file's own.

    Raises:
        InputDataError: the file is empty, UTF-16, unreadable, or lacks an export column.
    """
    frame, schema = _read_frame(path, fmt)
    found = [c for c in schema.names() if c != SURPLUS]
    if missing := [c for c in EXPORT_COLUMNS if c not in schema]:
        raise InputDataError(
            f"historian file {path.name}: missing columns {missing}; found {found[:12]}, "
            f"expected {list(EXPORT_COLUMNS)}. Fix the export's header or column mapping."
        )
    texts = [_as_text(path, schema, column) for column in EXPORT_COLUMNS]
    surplus = pl.col(SURPLUS) if SURPLUS in schema else pl.lit(None, pl.String)
    rows = (
        frame.with_row_index("row_number")
        .select(
            pl.lit(night, pl.Date).alias("night"),
            pl.lit(path.name).alias("source_file"),
            pl.col("row_number").cast(pl.UInt32),
            *texts,
            surplus.alias("extra_fields"),
        )
        .rename({"tag": "sensor", "timestamp": "ts_raw", "value": "value_raw"})
        .cast({c: t for c, t in RAW_SCHEMA.items() if t == pl.Categorical})
    )
    try:
        if keep is not None:
            rows = rows.filter(chosen_rows(rows, keep))
        return rows.collect(engine="streaming")
    except pl.exceptions.InvalidOperationError as exc:
        raise InputDataError(
            f"historian file {path.name}: columns {dict(schema)} cannot be read as text "
            f"({exc}). Re-export the file with text or number columns."
        ) from exc
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise _unreadable(path, fmt, exc) from exc


def chosen_rows(frame: pl.LazyFrame, keep: AssetSelector) -> pl.Expr:
    """The rows whose asset id `keep` chooses among the distinct ids (one column is read)."""
    asset = pl.col("asset_id").cast(pl.String)
    ids = frame.select(asset.unique()).collect(engine="streaming").to_series().to_list()
    chosen = keep(ids)
    named = asset.is_in(pl.Series([i for i in chosen if i is not None], dtype=pl.String).implode())
    return named | asset.is_null() if None in chosen else named


def read_historian(
    pattern: str, fmt: str, date_regex: str, nights: list[date], keep: AssetSelector | None = None
) -> pl.DataFrame:
    """Raw readings of the files that arrived on the given nights (an empty night gives no rows)."""
    files = list_export_files(pattern, date_regex)
    frames = [
        read_export_file(path, fmt, night, keep)
        for night in sorted(set(nights))
        for path in files.get(night, [])
    ]
    if not frames:
        return pl.DataFrame(schema=RAW_SCHEMA)
    return pl.concat(frames, how="vertical")


def read_tag_catalog(path: str) -> pl.DataFrame:
    """Sensor metadata per asset type: canonical unit and valid range (min_valid, max_valid).

    Raises:
        InputDataError: unreadable, a column missing, a range that is not a number, a tag twice.
    """
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputDataError(f"tag catalogue {path}: cannot be read ({exc}).") from exc
    needed = {"asset_type", "tag", "unit", "min_valid", "max_valid"}
    if missing := needed - set(frame.columns):
        raise InputDataError(
            f"tag catalogue {path}: missing columns {sorted(missing)}; found {frame.columns}."
        )
    ranges = ("min_valid", "max_valid")
    parsed = frame.with_columns(
        pl.col(ranges).str.strip_chars().cast(pl.Float64, strict=False).name.suffix("_num")
    )
    not_number = pl.any_horizontal(
        pl.col(c).is_not_null() & pl.col(f"{c}_num").is_null() for c in ranges
    )
    if (bad := parsed.filter(not_number)).height:
        rows = bad.select("asset_type", "tag", *ranges).head(3).rows()
        raise InputDataError(
            f"tag catalogue {path}: min_valid/max_valid of {bad.height} tag(s) is not a number, "
            f"e.g. (asset_type, tag, min, max) {rows}; expected numbers. Fix those rows."
        )
    if (twice := frame.filter(pl.struct("asset_type", "tag").is_duplicated())).height:
        rows = twice.select("asset_type", "tag").unique(maintain_order=True).head(3).rows()
        raise InputDataError(
            f"tag catalogue {path}: {rows} appear more than once; expected one row per asset "
            "type and tag. Remove the duplicates."
        )
    return parsed.drop(ranges).rename(
        {"tag": "sensor", "min_valid_num": "min_valid", "max_valid_num": "max_valid"}
    )
