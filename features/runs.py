"""Level 1's runs: contiguous rows of one (asset, sensor, day, night, regime).

Clean readings arrive sorted by series and time, so the readings of one series, local day, arrival
night and load regime follow each other. Day and regime depend only on the series' asset and the
reading's UTC hour (quarter hour in zones with half-hour offsets), so the runs are found on pieces
of one series, night and hour, not row by row: see features/README.md for why.
"""

from __future__ import annotations

import polars as pl

IDLE = "idle"
UNKNOWN_REGIME = "running"  # a plant without MES context: every reading counts as running
HOUR_US = 3_600_000_000
QUARTER_US = 900_000_000  # every UTC offset in use is a whole number of quarter hours


def _with_previous(column: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Each row from the second on, and the row before it: two zero-copy slices of `column`.

    Comparing them allocates a bitmap only, where `column != column.shift()` copies the column
    (`column` in one chunk: slices of a column in several chunks are realigned by copying).
    """
    return column.slice(1), column.slice(0, column.len() - 1)


def _rows_where(changed: pl.Series) -> pl.Series:
    """Row numbers where `changed`, a comparison of each row from the second on, holds."""
    return (changed.arg_true() + 1).cast(pl.UInt32)


def _changes(*columns: pl.Series) -> pl.Series:
    """True where any of `columns` differs from the row before (and on the first row)."""
    changed = pl.repeat(False, columns[0].len() - 1, dtype=pl.Boolean, eager=True)
    for column in columns:
        now, before = _with_previous(column)
        changed = changed | (now != before).fill_null(True)
    return pl.concat([pl.Series([True]), changed])


def _stretch_starts(column: pl.Series) -> pl.Series:
    """First row of every stretch of equal values (run-length encoding: cheap on any chunking)."""
    lengths = column.rle().struct.field("len")
    return (lengths.cum_sum() - lengths).cast(pl.UInt32)


def series_starts(frame: pl.DataFrame) -> pl.Series:
    """First row of every stretch of one (asset, sensor), in order."""
    asset, sensor = frame["asset_id"].to_physical(), frame["sensor"].to_physical()
    return pl.concat([_stretch_starts(asset), _stretch_starts(sensor)]).unique().sort()


def in_series_time_order(ts: pl.Series, starts: pl.Series) -> bool:
    """Whether rows are sorted by series and time: time goes back only where a series starts.

    `ts`: the frame's times in one chunk (compared with themselves one row on, as slices).
    """
    now, before = _with_previous(ts)
    return bool(_rows_where(now < before).is_in(starts).all())


def piece_us(first_us: int, last_us: int, timezone: str) -> int:
    """How long a piece of a series is: an hour where the zone's UTC offsets over these times are
    whole hours, else a quarter hour (Asia/Kolkata is +05:30: local midnight falls mid-hour)."""
    hours = pl.int_range(first_us // HOUR_US, last_us // HOUR_US + 2, eager=True) * HOUR_US
    utc = hours.cast(pl.Datetime("us", "UTC"))
    local = utc.dt.convert_time_zone(timezone).dt.replace_time_zone(None)
    offsets = (local - utc.dt.replace_time_zone(None)).dt.total_microseconds()
    return HOUR_US if (offsets % HOUR_US == 0).all() else QUARTER_US


def _day_table(units: pl.Series, unit_us: int, timezone: str) -> tuple[int, pl.Series]:
    """First time unit (UTC hours or quarters since 1970) and the local date of each from it."""
    first, last = int(units.min()), int(units.max())
    stamps = pl.int_range(first, last + 1, eager=True) * unit_us
    local = stamps.cast(pl.Datetime("us", "UTC")).dt.convert_time_zone(timezone)
    return first, local.dt.date()


def _regime_grid(
    regimes: pl.DataFrame | None, assets: pl.Series, first_hour: int, n_hours: int
) -> tuple[pl.Series, list[str]]:
    """Regime code of every (asset, hour), asset-major; idle where no order ran."""
    if regimes is None:
        return pl.zeros(assets.len() * n_hours, pl.UInt8, eager=True), [UNKNOWN_REGIME]
    names = [IDLE, *sorted(set(regimes["regime"].drop_nulls().unique().to_list()) - {IDLE})]
    index = pl.DataFrame({"asset_id": assets.cast(pl.String)}).with_row_index("a")
    cells = (  # the hours of these readings first: the regimes may span the whole history
        regimes.with_columns(h=pl.col("hour").dt.epoch("us") // 3_600_000_000 - first_hour)
        .filter(pl.col("h").is_between(0, n_hours - 1))
        .join(index, on="asset_id", how="inner")
        .with_columns(
            code=pl.col("regime").replace_strict(names, range(len(names)), return_dtype=pl.UInt8)
        )
    )
    grid = pl.zeros(assets.len() * n_hours, pl.UInt8, eager=True)
    if cells.height:
        grid = grid.scatter(cells["a"].cast(pl.Int64) * n_hours + cells["h"], cells["code"])
    return grid, names


def _dense(column: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Codes 0..k-1 of a categorical column's distinct values (in that order), and the values."""
    distinct = column.unique().drop_nulls()
    position = pl.repeat(
        None, int(column.to_physical().max() or 0) + 1, dtype=pl.UInt32, eager=True
    )
    position = position.scatter(distinct.to_physical(), pl.int_range(distinct.len(), eager=True))
    return position.gather(column.to_physical()), distinct


def find_runs(
    frame: pl.DataFrame,
    unit: pl.Series,
    unit_us: int,
    first_of_series: pl.Series,
    timezone: str,
    regimes: pl.DataFrame | None,
) -> tuple[pl.DataFrame, pl.Series, pl.Series, list[str]]:
    """The runs of one (asset, sensor, day, night, regime): first row and keys (codes).

    Also returns the distinct assets and sensors (the codes `a` and `s` index them) and the regime
    names (`regime` indexes them). Works on pieces of one (asset, sensor, night, UTC hour; a
    quarter hour in zones with half-hour offsets: `unit` is each row's, in one chunk), not on rows:
    day and regime hold for a piece.
    """
    now, before = _with_previous(unit)
    starts = [first_of_series, _stretch_starts(frame["night"]), _rows_where(now != before)]
    first = pl.concat(starts).unique().sort()
    pieces_asset, pieces_sensor = frame["asset_id"].gather(first), frame["sensor"].gather(first)
    a_of_piece, assets = _dense(pieces_asset)
    s_of_piece, sensors = _dense(pieces_sensor)
    unit = unit.gather(first)
    del pieces_asset, pieces_sensor
    first_unit, day_of_unit = _day_table(unit, unit_us, timezone)
    hour = unit // (HOUR_US // unit_us)
    first_hour = int(hour.min())
    n_hours = int(hour.max()) - first_hour + 1
    grid, regime_names = _regime_grid(regimes, assets, first_hour, n_hours)
    pieces = pl.DataFrame(
        {
            "first": first,
            "a": a_of_piece,
            "s": s_of_piece,
            "day": day_of_unit.gather(unit - first_unit),
            "night": frame["night"].gather(first),
            "regime": grid.gather(a_of_piece.cast(pl.Int64) * n_hours + (hour - first_hour)),
        }
    )
    new_run = _changes(*pieces.select("a", "s", "day", "night", "regime").get_columns())
    return pieces.filter(new_run), assets, sensors, regime_names


def run_of_row(first: pl.Series, n_rows: int) -> pl.Series:
    """The run number (1, 2, ...) of every row, from the first row of each run; marked sorted."""
    starts = pl.repeat(False, n_rows, dtype=pl.Boolean, eager=True).scatter(first, True)
    return starts.cum_sum().set_sorted()
