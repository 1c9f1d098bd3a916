"""Clean raw readings: parse, convert units to canonical, de-duplicate, flag; quarantine the rest.

Invariant: every raw row of the target nights lands in exactly one of `clean` or `quarantine`.

How it stays fast on tens of millions of rows: the text columns with few distinct values (asset,
tag, unit, quality flag, timestamp) are turned into integer codes once, and everything that depends
only on those values (parsing a timestamp, the register and catalogue look-ups, unit conversion,
most quarantine rules) is computed once per distinct value or per distinct (asset, tag, unit,
quality) combination, then gathered back by code. Per row, only the value is parsed. Duplicates are
found on the sorted valid rows (the clean output is sorted by series and time anyway), so the raw
text is never hashed row by row and the quarantine gathers the raw text of its own rows only.
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
COMBO = ["asset_id", "sensor", "unit", "quality"]  # per-row text with few distinct combinations
REASON = pl.Enum(list(R.DESCRIPTIONS))
CHUNK_ROWS = 4_000_000  # per-row work in slices of this size bounds the temporary columns
QUARANTINE_COLUMNS = [
    "night", "source_file", "row_number", "asset_id", "sensor", "ts_raw", "value_raw", "unit",
    "quality",
]  # fmt: skip


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


@dataclass(frozen=True)
class Classified:
    """The outcome of the rules for every raw row, computed once for the gate and the cleaning.

    Attributes:
        raw: the raw text rows as given (earlier nights included).
        valid: rows that break no rule, de-duplicated, sorted by asset, sensor and time; with
            `night`, `asset_id`, `sensor` (categorical), `ts_utc`, `value` (canonical unit),
            `unit`, `unit_converted`, `late` (stamped before its arrival night).
        rejected: `row` (index into `raw`), `night` and `reason` of every row that breaks a rule.
    """

    raw: pl.DataFrame
    valid: pl.DataFrame
    rejected: pl.DataFrame

    def of_nights(self, nights: list[date]) -> Classified:
        """Only the rows that arrived on `nights` (earlier nights served to spot repeats)."""
        if set(self.raw["night"].unique().to_list()) <= set(nights):
            return self  # nothing to leave out (and no copy of millions of rows)
        on = pl.col("night").is_in(nights)
        return Classified(self.raw, self.valid.filter(on), self.rejected.filter(on))

    def quarantine(self, run_id: str) -> pl.DataFrame:
        """The rejected rows' raw text, with the rule that rejected them and the run id."""
        rows = self.rejected.sort("row")
        text = self.raw.select(QUARANTINE_COLUMNS)[rows["row"]]
        return text.with_columns(
            pl.col(*TEXT, "source_file").cast(pl.String),
            rows["reason"].cast(pl.String).alias("reason"),
            pl.lit(run_id).alias("run_id"),
        )

    def examples(self, reason: str, k: int = 3) -> list[str]:
        """A few raw rows rejected for `reason`, as `file:row asset/tag 'ts'='value' unit`."""
        rows = self.rejected.filter(pl.col("reason") == reason).sort("row").head(k)
        return [
            f"{r['source_file']}:{r['row_number']} {r['asset_id']}/{r['sensor']} "
            f"{r['ts_raw']!r}={r['value_raw']!r} {r['unit']}"
            for r in self.raw[rows["row"]].iter_rows(named=True)
        ]


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


def _instant(column: str) -> pl.Expr:
    """Timestamp text as a UTC instant; null where it is not ISO 8601 with an offset."""
    return (
        pl.col(column)
        .str.strip_chars()
        .str.to_datetime(TS_FORMAT, time_zone="UTC", time_unit="us", strict=False)
    )


def _undecodable(column: str) -> pl.Expr:
    """Text with U+FFFD: bytes that were not UTF-8 (the readers decode lossily)."""
    return pl.col(column).str.contains("\ufffd", literal=True).fill_null(False)


DIRECT_KEYS = 1 << 24  # up to this many possible combination keys, look codes up by position


def _dense_codes(column: pl.Series) -> tuple[pl.Series, pl.DataFrame]:
    """Codes 0..k-1 per distinct text (k for null) and the table code -> text.

    The column is (or becomes) categorical; its distinct values are few, so the dense code of a
    row is one gather from a small array indexed by the categorical's own code.
    """
    cat = column if column.dtype == pl.Categorical else column.cast(pl.Categorical)
    distinct = cat.unique().drop_nulls()
    physical = cat.to_physical()
    size = int(physical.max() or 0) + 1
    dense_of = pl.Series(range(distinct.len()), dtype=pl.UInt32)
    position = pl.repeat(None, size, dtype=pl.UInt32, eager=True).scatter(
        distinct.to_physical(), dense_of
    )
    codes = position.gather(physical).fill_null(distinct.len())
    table = pl.DataFrame(
        {
            "code": pl.concat([dense_of, pl.Series([distinct.len()], dtype=pl.UInt32)]),
            column.name: pl.concat([distinct.cast(pl.String), pl.Series([None], dtype=pl.String)]),
        }
    )
    return codes, table


def _encode(raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Integer codes per row; the combination table and the timestamp table they point into.

    Returns:
        codes: `cid` (row of `combos`), `tid` (row of `stamps`) per raw row, in raw order.
        combos: one row per distinct (asset, tag, unit, quality) with their text.
        stamps: one row per distinct timestamp text (and one for null) with its UTC instant.
    """
    key = pl.zeros(raw.height, pl.UInt64, eager=True).alias("key")
    tables: dict[str, pl.DataFrame] = {}
    bits: dict[str, int] = {}
    for c in COMBO:
        codes, tables[c] = _dense_codes(raw[c])
        bits[c] = tables[c].height.bit_length()
        key = key * (1 << bits[c]) + codes.cast(pl.UInt64)
    if sum(bits.values()) > 63:
        raise InputDataError(  # would need > 2**63 distinct combinations: not a real export
            f"historian readings: { {c: t.height for c, t in tables.items()} } distinct values of "
            f"{COMBO}; too many to combine. Check the export's columns."
        )
    tid, stamps = _dense_codes(raw["ts_raw"])
    stamps = stamps.with_columns(ts_utc=_instant("ts_raw"), ts_undecodable=_undecodable("ts_raw"))
    combos = key.unique().sort().to_frame().with_row_index("cid")
    rest = combos["key"]
    for c in reversed(COMBO):  # unpack the codes, then look up their text
        combos = combos.with_columns((rest % (1 << bits[c])).cast(pl.UInt32).alias("code"))
        combos = combos.join(tables[c], on="code", how="left").drop("code")
        rest = rest // (1 << bits[c])
    n_keys = 1 << sum(bits.values())
    if n_keys <= DIRECT_KEYS:
        position = pl.repeat(None, n_keys, dtype=pl.UInt32, eager=True)
        cid = position.scatter(combos["key"], combos["cid"]).gather(key)
    else:
        cid = key.replace_strict(combos["key"], combos["cid"], return_dtype=pl.UInt32)
    return pl.DataFrame({"cid": cid, "tid": tid}), combos.sort("cid"), stamps


def _combo_rules(
    combos: pl.DataFrame, catalog: pl.DataFrame, register: pl.DataFrame, timezone: str
) -> pl.DataFrame:
    """Everything that depends only on (asset, tag, unit, quality): look-ups and combo rules."""
    assets = register.select(
        "asset_id",
        "asset_type",
        pl.col("commissioned_on")
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC")
        .alias("commissioned_utc"),
    )
    sensors = catalog.select(
        "asset_type", "sensor", pl.col("unit").alias("canonical_unit"), "min_valid", "max_valid"
    )
    conversions = conversion_table().rename({"unit": "unit_key"})
    joined = (
        combos.with_columns(unit_key=unit_name("unit"))
        .join(assets, on="asset_id", how="left")
        .join(sensors, on=["asset_type", "sensor"], how="left")
        .join(conversions, on=["unit_key", "canonical_unit"], how="left")
        .with_columns(
            same_unit=(pl.col("unit_key") == pl.col("canonical_unit")).fill_null(False),
            undecodable=pl.any_horizontal(_undecodable(c) for c in COMBO),
            missing_key=pl.col("asset_id").is_null() | pl.col("sensor").is_null(),
        )
    )
    later = [  # rules 6 to 9 of the order in `_row_reason`; row rules 4 and 5 come before them
        (pl.col("asset_type").is_null(), R.UNKNOWN_ASSET),
        (pl.col("canonical_unit").is_null(), R.UNKNOWN_SENSOR),
        (~pl.col("same_unit") & pl.col("unit_scale").is_null(), R.UNIT_MISMATCH),
        (pl.col("quality").str.to_lowercase() == "bad", R.BAD_QUALITY),
    ]
    return joined.with_columns(
        combo_reason=_first(later),
        scale=pl.when(pl.col("same_unit")).then(1.0).otherwise(pl.col("unit_scale")),
        offset=pl.when(pl.col("same_unit")).then(0.0).otherwise(pl.col("unit_offset")),
        unit_converted=~pl.col("same_unit"),
        series=pl.struct("asset_id", "sensor").rank("dense").cast(pl.UInt32),
        asset_id=pl.col("asset_id").cast(pl.Categorical),
        sensor=pl.col("sensor").cast(pl.Categorical),
        canonical_unit=pl.col("canonical_unit").cast(pl.Categorical),
    ).sort("cid")


def _first(rules: list[tuple[pl.Expr, str | pl.Expr]]) -> pl.Expr:
    """The reason of the first rule whose condition holds (a null condition does not hold)."""

    def reason(r: str | pl.Expr) -> pl.Expr:
        return pl.lit(r, REASON) if isinstance(r, str) else r

    expr = pl.when(rules[0][0].fill_null(False)).then(reason(rules[0][1]))
    for condition, then in rules[1:]:
        expr = expr.when(condition.fill_null(False)).then(reason(then))
    return expr.otherwise(pl.lit(None, REASON))


def _row_reason() -> pl.Expr:
    """The first rule a row breaks, in order of how fundamental the rule is; null if none.

    Rules 6 to 9 depend only on the (asset, tag, unit, quality) combination (`combo_reason`).
    """
    in_range = pl.col("value").is_between(pl.col("min_valid"), pl.col("max_valid"))
    return _first(
        [
            (pl.col("undecodable"), R.INVALID_ENCODING),
            (pl.col("extra_fields").is_not_null(), R.MALFORMED_LINE),
            (pl.col("missing_key"), R.MISSING_KEY),
            (pl.col("ts_utc").is_null(), R.MALFORMED_TIMESTAMP),
            (pl.col("value_in_unit").is_null(), R.NON_NUMERIC_VALUE),
            (pl.col("combo_reason").is_not_null(), pl.col("combo_reason")),
            # the night is [local 00:00, next local 00:00): a stamp at its end belongs to the next
            (pl.col("ts_utc") >= pl.col("night_end_utc"), R.FUTURE_TIMESTAMP),
            (pl.col("ts_utc") < pl.col("commissioned_utc"), R.BEFORE_COMMISSIONING),
            (~in_range, R.OUT_OF_RANGE),
        ]
    ).alias("reason")


def _night_bounds(nights: pl.Series, timezone: str) -> pl.DataFrame:
    """Start and end (UTC) of each arrival night: local midnight before and after."""
    distinct = nights.unique().drop_nulls().sort().to_list()
    return pl.DataFrame(
        {
            "night": distinct,
            "night_start_utc": [night_end_utc(n - timedelta(days=1), timezone) for n in distinct],
            "night_end_utc": [night_end_utc(n, timezone) for n in distinct],
        },
        schema={
            "night": pl.Date,
            "night_start_utc": pl.Datetime("us", "UTC"),
            "night_end_utc": pl.Datetime("us", "UTC"),
        },
    )


def _classify_rows(
    chunk: pl.DataFrame, codes: pl.DataFrame, rules: pl.DataFrame, stamps: pl.DataFrame,
    bounds: pl.DataFrame, offset: int,
) -> pl.DataFrame:  # fmt: skip
    """Per row of one slice: parsed value, UTC time and reason; narrow, for the next steps."""
    value = pl.col("value_raw").cast(pl.String).cast(pl.Float64, strict=False)
    stripped = pl.col("value_raw").cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
    cid, tid = codes["cid"], codes["tid"]
    frame = chunk.select(
        pl.int_range(offset, offset + chunk.height, dtype=pl.UInt32).alias("row"),
        "night",
        pl.lit(cid).alias("cid"),
        pl.lit(stamps["ts_utc"].gather(tid)).alias("ts_utc"),
        pl.lit(stamps["ts_undecodable"].gather(tid)).alias("ts_undecodable"),
        value.alias("value_in_unit"),
        _undecodable("value_raw").alias("value_undecodable"),
        pl.col("extra_fields"),
    )
    # a value with blanks around it is still a number: strip only where the plain parse failed
    retry = frame["value_in_unit"].is_null() & chunk["value_raw"].is_not_null()
    if retry.any():
        again = chunk.filter(retry).select(stripped).to_series()
        frame = frame.with_columns(frame["value_in_unit"].scatter(retry.arg_true(), again))
    per_combo = {
        name: rules[name].gather(cid)
        for name in (
            "undecodable", "missing_key", "combo_reason", "commissioned_utc", "min_valid",
            "max_valid", "scale", "offset",
        )
    }  # fmt: skip
    return (
        frame.with_columns(**per_combo)
        .join(bounds, on="night", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("value_in_unit").is_nan())
            .then(None)
            .otherwise(pl.col("value_in_unit"))
            .alias("value_in_unit")
        )
        .with_columns(
            value=pl.col("value_in_unit") * pl.col("scale") + pl.col("offset"),
            undecodable=pl.col("undecodable")
            | pl.col("ts_undecodable")
            | pl.col("value_undecodable"),
        )
        .select("row", "cid", "ts_utc", "value", _row_reason())
    )


def classify_readings(
    raw: pl.DataFrame,
    catalog: pl.DataFrame,
    register: pl.DataFrame,
    timezone: str,
    earlier: pl.DataFrame | pl.LazyFrame | None = None,
) -> Classified:
    """Apply every rule to every raw row; the first arrival of a repeated reading is kept.

    Rows must come in arrival order (night, file, row), as `connectors.historian` delivers them.
    `earlier`: raw rows of the nights before `raw`'s (lazy: only what can match is read); a row
    of `raw` that repeats a valid earlier reading is a duplicate.

    Raises:
        InputDataError: an asset id twice in the register, or a tag twice for one asset type.
    """
    _require_unique(register, ["asset_id"], "asset register")
    _require_unique(catalog, ["asset_type", "sensor"], "tag catalogue")
    if "extra_fields" not in raw.columns:  # frames built by hand, or stored before the column
        raw = raw.with_columns(extra_fields=pl.lit(None, pl.String))
    if untyped := [c for c in [*TEXT, "extra_fields"] if raw.schema[c] == pl.Null]:
        raw = raw.with_columns(pl.col(untyped).cast(pl.String))  # e.g. a frame of no rows
    codes, combos, stamps = _encode(raw)
    rules = _combo_rules(combos, catalog, register, timezone)
    bounds = _night_bounds(raw["night"], timezone)
    rows = pl.concat(
        [
            _classify_rows(
                raw.slice(start, CHUNK_ROWS), codes.slice(start, CHUNK_ROWS), rules, stamps,
                bounds, start,
            )
            for start in range(0, max(raw.height, 1), CHUNK_ROWS)
        ],
        rechunk=False,
    )  # fmt: skip
    del codes
    # one sort puts the valid rows first, by series and time in arrival order, so the valid and
    # the broken rows are two slices of it (no copy), and repeats sit next to their first copy
    n_valid = rows["reason"].null_count()
    series = pl.lit(rules["series"]).gather(pl.col("cid"))
    order = rows.select(
        pl.arg_sort_by(pl.col("reason").is_not_null(), series, "ts_utc", maintain_order=True)
    ).to_series()
    rows = _gather_columns(rows, order)
    broken = rows.slice(n_valid).select("row", "reason")
    valid = rows.slice(0, n_valid)
    del rows
    repeat = (
        (series == series.shift(1)) & (pl.col("ts_utc") == pl.col("ts_utc").shift(1))
    ).fill_null(False)
    valid = valid.with_columns(_repeat=repeat)
    if earlier is not None:
        valid = _repeats_of_earlier(valid, rules, bounds, earlier, catalog, register, timezone)
    repeats = valid.filter(pl.col("_repeat")).select(
        "row", pl.lit(R.DUPLICATE, REASON).alias("reason")
    )
    keep = ~valid["_repeat"]
    taken = {c: valid[c].filter(keep) for c in ("row", "cid")}
    ts_utc, value = valid["ts_utc"].filter(keep), valid["value"].filter(keep)
    del valid, keep  # one column at a time from here: the sorted rows are freed first
    night = raw["night"].gather(taken.pop("row"))
    kept = pl.DataFrame(
        [
            night,
            *(rules[c].gather(taken["cid"]) for c in ("asset_id", "sensor")),
            ts_utc,
            value,
            rules["canonical_unit"].gather(taken["cid"]).alias("unit"),
            rules["unit_converted"].gather(taken.pop("cid")),
        ]
    ).with_columns(
        late=pl.col("ts_utc")
        < pl.col("night").replace_strict(bounds["night"], bounds["night_start_utc"])
    )
    del ts_utc, value, night
    rejected = pl.concat([broken, repeats], rechunk=True)
    rejected = rejected.with_columns(night=raw["night"].gather(rejected["row"]))
    return Classified(raw=raw, valid=kept, rejected=rejected)


def _repeats_of_earlier(
    valid: pl.DataFrame,
    rules: pl.DataFrame,
    bounds: pl.DataFrame,
    earlier: pl.DataFrame | pl.LazyFrame,
    catalog: pl.DataFrame,
    register: pl.DataFrame,
    timezone: str,
) -> pl.DataFrame:
    """Mark as `_repeat` the valid rows that repeat a valid reading of an earlier night.

    Only a row stamped before the first night can repeat one that arrived earlier (an earlier
    night's valid rows are stamped before its end). So the earlier nights are read twice, lazily:
    their distinct timestamp texts, then only the rows whose series and time text match such a
    row (asset, sensor and text together: the late rows of a large fleet touch almost every
    minute and every series of the earlier nights, but few of their combinations); those few are
    classified with every rule, and a valid one makes the later copy a duplicate.
    """
    first_start = bounds["night_start_utc"].min()
    candidates = valid.filter(~pl.col("_repeat") & (pl.col("ts_utc") < first_start)).select(
        "row", "ts_utc", *(_per_combo(rules, c) for c in ("asset_id", "sensor"))
    )
    if candidates.is_empty():
        return valid
    lazy = earlier.lazy()
    texts = lazy.select(pl.col("ts_raw").cast(pl.String).unique()).collect(engine="streaming")
    instants = texts.with_columns(ts_utc=_instant("ts_raw")).join(
        candidates.select("ts_utc").unique(), on="ts_utc", how="semi"
    )
    if instants.is_empty():
        return valid
    keys = ["asset_id", "sensor", "ts_raw"]
    schema = lazy.collect_schema()
    wanted = (
        candidates.select(pl.col("asset_id", "sensor").cast(pl.String), "ts_utc")
        .join(instants.select(pl.col("ts_raw").cast(pl.String), "ts_utc"), on="ts_utc")
        .select(pl.col(k).cast(schema[k]) for k in keys)
        .unique()
    )
    rows = (
        lazy.filter(pl.col("ts_raw").is_in(instants["ts_raw"].implode()))
        .join(wanted.lazy(), on=keys, how="semi")
        .collect(engine="streaming")
    )
    if rows.is_empty():
        return valid
    seen = classify_readings(rows, catalog, register, timezone).valid.select(
        pl.col("asset_id", "sensor").cast(pl.String), "ts_utc"
    )
    repeated = candidates.with_columns(pl.col("asset_id", "sensor").cast(pl.String)).join(
        seen, on=["asset_id", "sensor", "ts_utc"], how="semi"
    )["row"]
    return valid.with_columns(_repeat=pl.col("_repeat") | pl.col("row").is_in(repeated.implode()))


def _gather_columns(frame: pl.DataFrame, order: pl.Series) -> pl.DataFrame:
    """`frame` reordered by `order`, column by column, so that one copy of a column is extra."""
    columns = []
    for name in frame.columns:
        columns.append(frame[name].gather(order))
        frame = frame.drop(name)
    return pl.DataFrame(columns)


def _per_combo(rules: pl.DataFrame, column: str) -> pl.Expr:
    """A column of the combination table, per row (by the row's `cid`)."""
    return pl.lit(rules[column]).gather(pl.col("cid")).alias(column)


def clean_classified(
    classified: Classified, *, nights: list[date], run_id: str, rules: FlagRules
) -> CleaningResult:
    """Clean rows of `nights`, flagged; the quarantine with reasons and the run id."""
    target = classified.of_nights(nights)
    return CleaningResult(
        clean=flag_readings(target.valid, rules), quarantine=target.quarantine(run_id)
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
    classified = classify_readings(raw, catalog, register, timezone)
    return clean_classified(classified, nights=nights, run_id=run_id, rules=rules)
