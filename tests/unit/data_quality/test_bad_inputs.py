"""A catalogue of bad inputs, read by the real readers and judged by the real cleaning and gates.

Each kind ends in a named error (`InputDataError`), a quarantined row with its reason code, or a
failed gate rule whose message says what was seen; never in a bare exception or a lost row.
File-level historian defects are in tests/unit/connectors/test_historian_bad_files.py.
"""

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from connectors.cmms import read_asset_register, read_work_orders
from connectors.historian import read_historian
from connectors.mes import read_production_orders
from data_quality import reasons as R
from data_quality.cleaning import CleaningResult, clean_readings
from data_quality.flags import FlagRules
from data_quality.readings_gate import validate_readings
from data_quality.suites import (
    validate_asset_register,
    validate_production_context,
    validate_work_orders,
)
from foresight.errors import InputDataError

NIGHT = date(2026, 3, 3)  # Europe/Berlin, +01:00: the night's export closes 2026-03-03T23:00Z
TZ = "Europe/Berlin"
HEADER = "asset_id,tag,timestamp,value,unit,quality"
DATE_REGEX = r"readings_(\d{4}-\d{2}-\d{2})"


def reading(hour: int, value: object = 50, unit: str = "degC", **fields: str) -> str:
    """One CSV line of P-001's bearing temperature, stamped on the night in UTC."""
    row = {
        "asset_id": "P-001",
        "tag": "bearing_temp",
        "timestamp": f"2026-03-03T{hour:02d}:00:00Z",
        "value": str(value),
        "unit": unit,
        "quality": "good",
    }
    return ",".join((row | fields).values())


def write_export(folder: Path, lines: list[str], night: date = NIGHT, encoding: str = "utf-8"):
    path = folder / f"readings_{night}.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding=encoding)


def read(folder: Path, nights: tuple[date, ...] = (NIGHT,)) -> pl.DataFrame:
    return read_historian(str(folder / "readings_*.csv"), "csv", DATE_REGEX, list(nights))


def clean(raw, catalog, register, nights=(NIGHT,)) -> CleaningResult:
    """Clean with the real rules and check nothing was lost: raw = clean + quarantined."""
    result = clean_readings(
        raw, catalog, register, nights=list(nights), timezone=TZ, run_id="r", rules=FlagRules()
    )
    target = raw.filter(pl.col("night").is_in(list(nights)))
    assert result.clean.height + result.quarantine.height == target.height
    assert result.quarantine["reason"].null_count() == 0
    return result


def reasons(result: CleaningResult) -> list[str]:
    return result.quarantine.sort("source_file", "row_number")["reason"].to_list()


def gate(raw, catalog, register, nights=(NIGHT,)):
    limits = {"max_unknown": 0.01, "max_malformed": 0.01}
    return validate_readings(raw, catalog, register, nights=list(nights), timezone=TZ, **limits)


# --- malformed CSV lines ---------------------------------------------------------------------


def test_csv_line_with_too_few_fields_is_quarantined(tmp_path, catalog, register):
    write_export(tmp_path, [reading(1), "P-001,bearing_temp", reading(2)])
    result = clean(read(tmp_path), catalog, register)
    assert reasons(result) == [R.MALFORMED_TIMESTAMP]
    assert result.clean.height == 2


def test_csv_line_with_too_many_fields_is_quarantined_not_truncated(tmp_path, catalog, register):
    write_export(tmp_path, [reading(1), reading(2, value="50,5"), reading(3)])  # decimal comma
    result = clean(read(tmp_path), catalog, register)
    assert reasons(result) == [R.MALFORMED_LINE]
    assert result.quarantine["row_number"].to_list() == [1]


def test_too_long_lines_above_the_limit_fail_the_gate_critically(tmp_path, catalog, register):
    write_export(tmp_path, [reading(1), reading(2, value="50,5")])
    report = gate(read(tmp_path), catalog, register)
    assert not report.critical_passed
    assert "more fields than the header" in report.message()
    assert "readings_2026-03-03.csv:1" in report.message()


# --- wrong column types (Parquet) ------------------------------------------------------------


def write_parquet(folder: Path, name: str, timestamp: datetime, value: float) -> None:
    pl.DataFrame(
        {
            "asset_id": ["P-001"],
            "tag": ["bearing_temp"],
            "timestamp": [timestamp],
            "value": [value],
            "unit": ["degC"],
            "quality": ["good"],
        }
    ).write_parquet(folder / f"readings_{NIGHT}_{name}.parquet")


def test_parquet_with_typed_columns_is_cleaned_like_text(tmp_path, catalog, register):
    stamp = datetime(2026, 3, 3, 10, tzinfo=UTC)
    write_parquet(tmp_path, "a", stamp, 50.5)
    write_parquet(tmp_path, "b", datetime(2026, 3, 3, 11), 51.0)  # no zone: which instant?
    raw = read_historian(str(tmp_path / "readings_*.parquet"), "parquet", DATE_REGEX, [NIGHT])
    result = clean(raw, catalog, register)
    assert result.clean.select("ts_utc", "value").rows() == [(stamp, 50.5)]
    assert reasons(result) == [R.MALFORMED_TIMESTAMP]


# --- missing data: an empty night, an empty file -----------------------------------------------


def test_night_without_export_fails_the_freshness_rule(tmp_path, catalog, register):
    write_export(tmp_path, [reading(1)])
    nights = (NIGHT, date(2026, 3, 4))
    raw = read(tmp_path, nights)
    report = gate(raw, catalog, register, nights)
    assert not report.critical_passed
    message = report.message()
    assert (
        "'the night's historian export has arrived (freshness)' failed (critical): 1 of 2"
        in message
    )
    assert "e.g. 2026-03-04: 0 rows" in message


def test_header_only_export_fails_the_freshness_rule(tmp_path, catalog, register):
    write_export(tmp_path, [])
    report = gate(read(tmp_path), catalog, register)
    assert not report.critical_passed
    assert "2026-03-03: 0 rows" in report.message()


# --- duplicated keys ---------------------------------------------------------------------------


def test_reading_repeated_in_the_same_file_is_quarantined_once(tmp_path, catalog, register):
    write_export(tmp_path, [reading(1), reading(2), reading(1)])
    result = clean(read(tmp_path), catalog, register)
    assert reasons(result) == [R.DUPLICATE]
    assert result.quarantine["row_number"].to_list() == [2]


def test_reading_resent_on_the_next_night_is_quarantined(tmp_path, catalog, register):
    write_export(tmp_path, [reading(1)])
    write_export(tmp_path, [reading(1)], night=date(2026, 3, 4))
    raw = read(tmp_path, (NIGHT, date(2026, 3, 4)))
    result = clean(raw, catalog, register, nights=(date(2026, 3, 4),))
    assert result.clean.height == 0
    assert reasons(result) == [R.DUPLICATE]


def test_asset_twice_in_the_register_stops_cleaning_instead_of_doubling_rows(
    tmp_path, catalog, register
):
    write_export(tmp_path, [reading(1)])
    doubled = pl.concat([register, register.head(1)])
    with pytest.raises(InputDataError, match=r"asset register: \['asset_id'\] \[\('P-001',\)\]"):
        clean(read(tmp_path), catalog, doubled)


# --- timestamps: future, ancient, clock jumps --------------------------------------------------


def test_reading_stamped_after_the_night_is_quarantined_as_future(tmp_path, catalog, register):
    write_export(tmp_path, [reading(1), reading(1, timestamp="2026-03-04T05:00:00Z")])
    assert reasons(clean(read(tmp_path), catalog, register)) == [R.FUTURE_TIMESTAMP]


def test_reading_stamped_1970_is_quarantined_as_before_commissioning(tmp_path, catalog, register):
    write_export(tmp_path, [reading(1), reading(1, timestamp="1970-01-01T00:00:00Z")])
    assert reasons(clean(read(tmp_path), catalog, register)) == [R.BEFORE_COMMISSIONING]


def test_local_time_with_its_offset_is_read_as_the_same_utc_instant(tmp_path, catalog, register):
    utc = [reading(h) for h in range(0, 6)]
    local = [reading(h, timestamp=f"2026-03-03T{h + 1:02d}:00:00+01:00") for h in range(6, 12)]
    write_export(tmp_path, utc + local)
    out = clean(read(tmp_path), catalog, register).clean
    expected = [datetime(2026, 3, 3, h, tzinfo=UTC) for h in range(12)]
    assert out["ts_utc"].to_list() == expected
    assert not out["flag_gap_before"].any()


def test_reading_stamped_at_the_next_local_midnight_is_future(tmp_path, catalog, register):
    write_export(tmp_path, [reading(22), reading(23)])  # 23:00Z is 00:00 on 4 March in Berlin
    assert reasons(clean(read(tmp_path), catalog, register)) == [R.FUTURE_TIMESTAMP]


def test_clock_jumping_forward_shows_a_gap_and_quarantines_stamps_past_the_night(
    tmp_path, catalog, register
):
    before = [reading(h) for h in range(6, 12)]
    jumped = [reading(h, timestamp=f"2026-03-03T{h + 4:02d}:00:00Z") for h in range(12, 20)]
    write_export(tmp_path, before + jumped)  # from 12:00Z on, stamped 4 hours ahead
    result = clean(read(tmp_path), catalog, register)
    assert reasons(result) == [R.FUTURE_TIMESTAMP]  # 19:00 stamped 23:00Z, the next local day
    gap = result.clean.filter(pl.col("flag_gap_before"))
    assert gap["ts_utc"].to_list() == [datetime(2026, 3, 3, 16, tzinfo=UTC)]


def test_clock_jumping_back_quarantines_the_repeated_hours(tmp_path, catalog, register):
    first = [reading(h, value=50 + h) for h in range(8, 12)]
    again = [reading(h, value=60 + h) for h in range(10, 14)]  # the clock was set back 2 hours
    write_export(tmp_path, first + again)
    result = clean(read(tmp_path), catalog, register)
    assert reasons(result) == [R.DUPLICATE, R.DUPLICATE]
    assert result.clean.height == 6


# --- assets, values, units -----------------------------------------------------------------------


def test_unknown_asset_is_quarantined_and_fails_the_gate_above_its_limit(
    tmp_path, catalog, register
):
    write_export(
        tmp_path, [reading(1), reading(2, asset_id="P-9001"), reading(3, asset_id="p-001")]
    )
    raw = read(tmp_path)
    assert reasons(clean(raw, catalog, register)) == [R.UNKNOWN_ASSET, R.UNKNOWN_ASSET]
    report = gate(raw, catalog, register)
    assert not report.critical_passed
    assert "asset id is not in the asset register" in report.message()
    assert "P-9001" in report.message()


def test_flood_of_nans_is_quarantined_and_the_gate_names_the_rule(tmp_path, catalog, register):
    write_export(tmp_path, [reading(1)] + [reading(h, value="NaN") for h in range(2, 20)])
    raw = read(tmp_path)
    assert reasons(clean(raw, catalog, register)) == [R.NON_NUMERIC_VALUE] * 18
    message = gate(raw, catalog, register).message()
    assert (
        "rule 'at most 1.00% of rows: value is empty or not a number' failed (warning)" in message
    )
    assert "18 of 19 rows" in message and "'NaN'" in message


@pytest.mark.parametrize("text", ["ERR", "#N/A", "50 degC", "fifty", "", "0x32"])
def test_text_in_the_value_field_is_quarantined_as_non_numeric(tmp_path, catalog, register, text):
    write_export(tmp_path, [reading(1, value=text)])
    assert reasons(clean(read(tmp_path), catalog, register)) == [R.NON_NUMERIC_VALUE]


@pytest.mark.parametrize("value", ["1e12", "-1e12", "inf", "1e400"])
def test_huge_outlier_is_quarantined_as_out_of_range(tmp_path, catalog, register, value):
    write_export(tmp_path, [reading(1, value=value)])
    assert reasons(clean(read(tmp_path), catalog, register)) == [R.OUT_OF_RANGE]


@pytest.mark.parametrize(
    ("value", "unit", "tag", "canonical"),
    [
        ("122", "degF", "bearing_temp", 50.0),
        ("122", "°F", "bearing_temp", 50.0),
        ("50", "°C", "bearing_temp", 50.0),
        ("145.038", "psi", "pressure", 10.0),
        ("145.038", "PSI", "pressure", 10.0),
    ],
)
def test_switched_unit_is_converted_to_the_canonical_unit(
    tmp_path, catalog, register, value, unit, tag, canonical
):
    write_export(tmp_path, [reading(1, value=value, unit=unit, tag=tag)])
    out = clean(read(tmp_path), catalog, register).clean
    assert out["value"].to_list() == pytest.approx([canonical], rel=1e-5)
    assert out["unit"].to_list() == [{"bearing_temp": "degC", "pressure": "bar"}[tag]]
    assert out["unit_converted"].to_list() == [unit not in ("degC", "°C")]


@pytest.mark.parametrize("unit", ["degR", "mmHg", ""])
def test_unit_without_conversion_is_quarantined_as_unit_mismatch(tmp_path, catalog, register, unit):
    write_export(tmp_path, [reading(1, unit=unit)])
    assert reasons(clean(read(tmp_path), catalog, register)) == [R.UNIT_MISMATCH]


# --- encodings -----------------------------------------------------------------------------------


def test_latin1_bytes_are_quarantined_as_invalid_encoding(tmp_path, catalog, register):
    write_export(tmp_path, [reading(1), reading(2, unit="°C")], encoding="latin-1")
    raw = read(tmp_path)
    assert reasons(clean(raw, catalog, register)) == [R.INVALID_ENCODING]
    report = gate(raw, catalog, register)
    assert not report.critical_passed
    assert "not UTF-8 encoded" in report.message()


# --- CMMS and MES --------------------------------------------------------------------------------

ASSETS = "asset_id, asset_type, site, criticality, commissioned_on, status"
WORK_ORDERS = (
    "wo_id, asset_id, wo_type, status, component, failure_code, opened_at, closed_at, notes"
)


def cmms(tmp_path: Path, orders: list[tuple] | None = None, assets: list[tuple] | None = None):
    """A CMMS SQLite file with the given rows; a table is left out when its rows are None."""
    path = tmp_path / "cmms.sqlite"
    conn = sqlite3.connect(path)
    for table, columns, rows in (("assets", ASSETS, assets), ("work_orders", WORK_ORDERS, orders)):
        if rows is not None:
            conn.execute(f"CREATE TABLE {table}({columns})")
            marks = ",".join("?" * len(columns.split(",")))
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    conn.commit()
    conn.close()
    return f"sqlite:///{path}"


PUMP = ("P-001", "pump", "north", "A", "2025-01-01", "active")


def order(wo_id: str, opened: str, closed: str | None, asset: str = "P-001") -> tuple:
    return (wo_id, asset, "CM", "closed", "bearing", "BRG", opened, closed, "replaced bearing")


def test_cmms_without_work_orders_table_names_the_table(tmp_path):
    url = cmms(tmp_path, assets=[PUMP])
    with pytest.raises(InputDataError, match=r"cannot read table 'work_orders' .*no such table"):
        read_work_orders(url, TZ)


def test_work_order_closed_before_it_opened_is_a_named_warning(tmp_path):
    url = cmms(
        tmp_path,
        orders=[
            order("WO-1", "2026-03-02 08:00:00", "2026-03-02 12:00:00"),
            order("WO-2", "2026-03-02 14:00:00", "2026-03-02 09:30:00"),
        ],
        assets=[PUMP],
    )
    report = validate_work_orders(read_work_orders(url, TZ), read_asset_register(url))
    assert report.critical_passed
    assert "'close time is not before open time' failed (warning): 1 of 2 rows" in report.message()
    assert "wo_id=WO-2" in report.message()


def test_work_order_id_twice_fails_the_maintenance_suite_critically(tmp_path):
    url = cmms(
        tmp_path,
        orders=[
            order("WO-1", "2026-03-02 08:00:00", "2026-03-02 12:00:00"),
            order("WO-1", "2026-03-03 08:00:00", "2026-03-03 12:00:00"),
        ],
        assets=[PUMP],
    )
    report = validate_work_orders(read_work_orders(url, TZ), read_asset_register(url))
    assert not report.critical_passed
    assert "'work order ids are unique' failed (critical)" in report.message()


def test_unreadable_commissioning_date_is_a_warning_naming_the_asset(tmp_path, catalog):
    url = cmms(tmp_path, orders=[], assets=[PUMP, ("P-002", "pump", "s", "B", "soon", "active")])
    report = validate_asset_register(read_asset_register(url), catalog, NIGHT)
    assert report.critical_passed
    assert "'commissioning date is known' failed (warning): 1 of 2 rows" in report.message()
    assert "asset_id=P-002" in report.message()


def test_commissioning_date_in_the_future_is_a_warning_naming_the_asset(tmp_path, catalog):
    future = ("P-002", "pump", "s", "B", "2027-01-01", "active")
    url = cmms(tmp_path, orders=[], assets=[PUMP, future])
    message = validate_asset_register(read_asset_register(url), catalog, NIGHT).message()
    assert "'commissioning date is not in the future' failed (warning): 1 of 2 rows" in message
    assert "asset_id=P-002" in message


MES_HEADER = "order_id,asset_id,start_local,end_local,product_spec,material_batch,load_regime"


def test_mes_export_without_load_column_names_it(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(f"{MES_HEADER}\nPO-1,P-001,2026-03-03 06:00:00,2026-03-03 14:00:00,S,B,high\n")
    with pytest.raises(InputDataError, match=r"orders\.csv: missing columns \['load_pct'\]"):
        read_production_orders(str(path), TZ)


def test_mes_load_that_is_text_is_a_warning_naming_the_order(tmp_path, register):
    path = tmp_path / "orders.csv"
    rows = [
        "PO-1,P-001,2026-03-03 06:00:00,2026-03-03 14:00:00,S,B,high,85",
        "PO-2,P-001,2026-03-03 14:00:00,2026-03-03 22:00:00,S,B,high,full",
    ]
    path.write_text("\n".join([f"{MES_HEADER},load_pct", *rows]) + "\n")
    report = validate_production_context(read_production_orders(str(path), TZ), register)
    assert "'load is given as a number' failed (warning): 1 of 2 rows" in report.message()
    assert "order_id=PO-2" in report.message()
