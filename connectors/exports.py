"""Sensor exports in a site's own shape into canonical raw readings (`historian.RAW_SCHEMA`).

What this reads beyond the demo's long, ISO-stamped files: other column names, wide tables (one
column per sensor, unpivoted), semicolon CSVs with decimal commas, space-separated text without a
header, local wall-clock times (localised with the plant's time zone), epoch seconds, operating
cycles (a synthetic clock), a unit per sensor from the plant file, asset ids renamed by a template
and an alias table, rows assigned to nights by their own time stamp, and SQL queries.

Values stay text and unparseable times stay as written, so that cleaning quarantines them with a
reason: nothing is parsed away here. Only what makes a whole file unusable raises.
"""

from __future__ import annotations

import glob
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from connectors.historian import (
    RAW_SCHEMA,
    SURPLUS,
    _as_text,
    _check_bytes,
    _read_csv,
    _read_frame,
    list_export_files,
)
from foresight.errors import InputDataError
from foresight.plant_sources import CsvOptions, HistorianSource, TimeSettings

ISO_OUT = "%Y-%m-%dT%H:%M:%S%:z"  # what cleaning parses: ISO 8601 with an offset
ISO_IN = "%Y-%m-%dT%H:%M:%S%#z"
LONG = ("asset_id", "tag", "timestamp", "value", "unit", "quality")
WIDE_KEYS = ("asset_id", "timestamp")


def read_text_table(path: Path, options: CsvOptions, what: str = "export") -> pl.DataFrame:
    """A CSV or whitespace-separated text file as text columns (plus SURPLUS for long lines)."""
    _check_bytes(path, "csv")
    encoding = "utf8-lossy" if options.encoding == "utf8" else options.encoding
    try:
        if options.separator == "whitespace":
            return _read_whitespace(path, options, encoding)
        if options.separator == "," and options.header and options.encoding == "utf8":
            return _read_csv(path)
        return pl.read_csv(
            path,
            separator=options.separator,
            has_header=options.header,
            new_columns=list(options.column_names) if options.column_names else None,
            infer_schema=False,
            truncate_ragged_lines=True,
            encoding=encoding,
        )
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise InputDataError(
            f"{what} {path.name}: cannot be read as text separated by "
            f"{options.separator!r} ({exc}). Check the csv settings of this source."
        ) from exc


def _read_whitespace(path: Path, options: CsvOptions, encoding: str) -> pl.DataFrame:
    """Fields separated by runs of blanks (fixed-width text); extra fields go to SURPLUS."""
    lines = pl.read_csv(
        path, has_header=False, new_columns=["line"], separator="\x1f", quote_char=None,
        infer_schema=False, encoding=encoding,
    ).filter(pl.col("line").str.strip_chars() != "")  # fmt: skip
    fields = pl.col("line").str.extract_all(r"\S+")
    names = list(options.column_names or [])
    if options.header:
        names = lines.head(1).select(fields).item().to_list()
        lines = lines.slice(1)
    return lines.select(
        *(fields.list.get(i, null_on_oob=True).alias(n) for i, n in enumerate(names)),
        fields.list.get(len(names), null_on_oob=True).alias(SURPLUS),
    )


def _as_canonical_text(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    """Every column as text (date-times as ISO 8601)."""
    return frame.select(_as_text(path, frame.schema, c) for c in frame.columns)


def _renamed(frame: pl.DataFrame, source: HistorianSource, name: str) -> pl.DataFrame:
    """Export columns under canonical names; raise naming what is missing."""
    mapping = {export: canonical for canonical, export in source.columns.items()}
    if missing := [c for c in mapping if c not in frame.columns]:
        raise InputDataError(
            f"historian export {name}: columns {missing} named in sources.historian.columns are "
            f"not in the file; found {frame.columns[:15]}. Fix the mapping or the export."
        )
    frame = frame.rename(mapping)
    needed = WIDE_KEYS if source.layout == "wide" else ("asset_id", "tag", "timestamp", "value")
    if absent := [c for c in needed if c not in frame.columns]:
        raise InputDataError(
            f"historian export {name}: no column for {absent} ({source.layout} layout); found "
            f"{frame.columns[:15]}. Map them in sources.historian.columns."
        )
    return frame


def _to_long(frame: pl.DataFrame, source: HistorianSource) -> pl.DataFrame:
    """Long rows (asset_id, tag, timestamp, value, unit, quality, row_number, extra_fields)."""
    frame = frame.with_row_index("row_number")
    extra = [SURPLUS] if SURPLUS in frame.columns else []
    if source.layout == "wide":
        keys = ["row_number", *WIDE_KEYS, *(c for c in ("unit", "quality") if c in frame.columns)]
        skip = {*keys, *extra, *source.ignore_columns}
        sensors = [c for c in frame.columns if c not in skip]
        # an empty cell of a wide table is no reading (that sensor was not sampled then)
        frame = frame.unpivot(
            on=sensors, index=keys + extra, variable_name="tag", value_name="value"
        ).filter(pl.col("value").str.strip_chars().fill_null("") != "")
    units = pl.col("tag").replace_strict(source.units, default=None, return_dtype=pl.String)
    return frame.with_columns(
        unit=pl.coalesce(pl.col("unit"), units) if "unit" in frame.columns else units,
        quality=pl.col("quality") if "quality" in frame.columns else pl.lit(None, pl.String),
        extra_fields=pl.col(SURPLUS) if extra else pl.lit(None, pl.String),
    )


def timestamp_text(column: str, time: TimeSettings, timezone: str) -> pl.Expr:
    """The time column as ISO 8601 with offset; a time that does not convert stays as written."""
    text = pl.col(column).str.strip_chars()
    if time.kind == "iso":
        return text
    if time.kind == "local":
        parsed = text.str.to_datetime(
            time.format, time_unit="us", strict=False
        ).dt.replace_time_zone(timezone, ambiguous=time.ambiguous, non_existent="null")
    elif time.kind == "cycles":
        epoch = datetime.combine(time.cycle_epoch, datetime.min.time())
        hours = text.cast(pl.Float64, strict=False) * time.cycle_hours
        parsed = (
            pl.lit(epoch) + pl.duration(microseconds=(hours * 3.6e9).round())
        ).dt.replace_time_zone("UTC")
    else:
        scale = 1e6 if time.kind == "epoch_seconds" else 1e3
        micros = (text.cast(pl.Float64, strict=False) * scale).round().cast(pl.Int64)
        parsed = pl.from_epoch(micros, time_unit="us").dt.replace_time_zone("UTC")
    return pl.coalesce(parsed.dt.strftime(ISO_OUT), text).alias(column)


def value_text(decimal_comma: bool, column: str = "value") -> pl.Expr:
    """Value text with a decimal point: '1.234,5' -> '1234.5' when the export writes commas."""
    text = pl.col(column)
    if not decimal_comma:
        return text
    comma = text.str.contains(",", literal=True).fill_null(False)
    fixed = text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    return pl.when(comma).then(fixed).otherwise(text)


def asset_id_expr(template: str, file_stem: str, aliases: dict[str, str]) -> pl.Expr:
    """Asset id from the template ({asset_id}, {file_stem}), then renamed by the alias table."""
    filled = template.replace("{file_stem}", file_stem)
    if "{asset_id}" not in filled:
        raise InputDataError(
            f"sources.historian.asset_id_template {template!r} has no {{asset_id}}; expected "
            "e.g. '{file_stem}-{asset_id}'."
        )
    before, after = filled.split("{asset_id}", 1)
    ident = pl.col("asset_id").str.strip_chars()
    if before or after:
        ident = pl.concat_str([pl.lit(before), ident, pl.lit(after)])
    return ident.replace(aliases) if aliases else ident


def canonical_rows(
    frame: pl.DataFrame, source: HistorianSource, name: str, timezone: str, aliases: dict[str, str]
) -> pl.DataFrame:
    """An export's text table as raw readings without `night` (the caller assigns it)."""
    rows = _to_long(_renamed(frame, source, name), source)
    return rows.select(
        pl.lit(name).alias("source_file"),
        pl.col("row_number").cast(pl.UInt32),
        asset_id_expr(source.asset_id_template, Path(name).stem, aliases).alias("asset_id"),
        pl.col("tag").alias("sensor"),
        timestamp_text("timestamp", source.time, timezone).alias("ts_raw"),
        value_text(source.csv.decimal_comma).alias("value_raw"),
        "unit",
        "quality",
        "extra_fields",
    )


def local_night(timezone: str) -> pl.Expr:
    """The plant-local date of `ts_raw` (ISO with offset), null where it does not parse."""
    return (
        pl.col("ts_raw")
        .str.to_datetime(ISO_IN, time_zone="UTC", time_unit="us", strict=False)
        .dt.convert_time_zone(timezone)
        .dt.date()
    )


def _finish(rows: pl.DataFrame, night: pl.Expr) -> pl.DataFrame:
    return rows.with_columns(night.alias("night")).select(list(RAW_SCHEMA)).cast(RAW_SCHEMA)


def read_file(path: Path, source: HistorianSource, timezone: str, aliases: dict[str, str]):
    """One export file as raw readings (night not yet assigned, for `arrival: timestamp`)."""
    if source.format == "parquet":
        frame = _read_frame(path, "parquet")[0].collect()
    else:
        frame = read_text_table(path, source.csv, "historian file")
    return canonical_rows(_as_canonical_text(frame, path), source, path.name, timezone, aliases)


def by_own_time(rows: pl.DataFrame, timezone: str, nights: list[date]) -> pl.DataFrame:
    """Rows of `nights` by their own local date; rows whose time does not parse go to the newest
    night of their file, so that cleaning quarantines them instead of losing them."""
    night = local_night(timezone)
    fallback = night.max().over("source_file")
    return _finish(rows, pl.coalesce(night, fallback)).filter(pl.col("night").is_in(nights))


def read_sql_readings(
    url: str, source: HistorianSource, timezone: str, aliases: dict[str, str], nights: list[date]
) -> pl.DataFrame:
    """Rows of a historian SQL query; `:start_utc` / `:end_utc` in it bind the nights' span."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(min(nights), datetime.min.time(), zone).astimezone(UTC)
    end = datetime.combine(max(nights) + timedelta(days=1), datetime.min.time(), zone)
    bounds = {"start_utc": start, "end_utc": end.astimezone(UTC)}
    params = {k: v for k, v in bounds.items() if f":{k}" in (source.query or "")}
    frame = sql_frame(url, source.query or "", params, "historian query")
    rows = canonical_rows(frame, source, "historian query", timezone, aliases)
    return by_own_time(rows, timezone, nights)


def sql_frame(url: str, query: str, params: dict, what: str) -> pl.DataFrame:
    """The rows of a parameterised query, every column as text."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            result = conn.execute(sa.text(query), params)
            names = list(result.keys())
            rows = [tuple(None if v is None else _text(v) for v in r) for r in result.fetchall()]
    except sa.exc.SQLAlchemyError as exc:
        raise InputDataError(
            f"{what} on {engine.url.render_as_string()}: failed "
            f"({exc.__class__.__name__}: {getattr(exc, 'orig', None) or exc}). Check the query "
            "and the url in the plant file."
        ) from exc
    finally:
        engine.dispose()
    return pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row")


def _text(value: object) -> str:
    """A database value as text; date-times as ISO 8601 (with offset when they carry a zone)."""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def read_historian_source(
    source: HistorianSource,
    patterns: list[str],
    timezone: str,
    aliases: dict[str, str],
    nights: list[date],
    url: str | None = None,
) -> pl.DataFrame:
    """Raw readings of `nights` from any configured historian source."""
    if source.query is not None:
        return read_sql_readings(url or "", source, timezone, aliases, nights)
    if source.arrival == "timestamp":
        paths = sorted({Path(p) for pattern in patterns for p in glob.glob(pattern)})
        frames = [
            by_own_time(read_file(p, source, timezone, aliases), timezone, nights) for p in paths
        ]
    else:
        frames = []
        for pattern in patterns:
            files = list_export_files(pattern, source.arrival_date_pattern)
            for night in sorted(set(nights)):
                for path in files.get(night, []):
                    frames.append(
                        _finish(read_file(path, source, timezone, aliases), pl.lit(night))
                    )
    frames = [f for f in frames if f.height]
    return pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=RAW_SCHEMA)


def export_nights(
    source: HistorianSource, patterns: list[str], timezone: str, aliases: dict[str, str]
) -> list[date]:
    """Every night the exports hold readings for (by file name, or by the readings' own time)."""
    if source.arrival == "file_name":
        return sorted(
            {n for p in patterns for n in list_export_files(p, source.arrival_date_pattern)}
        )
    paths = sorted({Path(p) for pattern in patterns for p in glob.glob(pattern)})
    nights: set[date] = set()
    for path in paths:
        rows = read_file(path, source, timezone, aliases)
        nights |= set(rows.select(local_night(timezone).unique().drop_nulls()).to_series())
    return sorted(nights)


def is_canonical(source: HistorianSource, aliases: dict[str, str]) -> bool:
    """The demo's own export shape: read by the streaming reader in `connectors.historian`."""
    default = HistorianSource(files="x", tag_catalog="x")
    same = ("layout", "csv", "columns", "time", "units", "asset_id_template", "arrival")
    return (
        source.query is None
        and not aliases
        and all(getattr(source, f) == getattr(default, f) for f in same)
    )
