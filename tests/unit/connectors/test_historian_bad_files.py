"""Historian export files and tag catalogues that cannot be read: each fails with a named error.

A file-level defect (empty, wrong encoding, corrupt, a column missing) raises `InputDataError`
naming the file and what was expected; row-level defects are the cleaning stage's (see
tests/unit/data_quality/test_bad_inputs.py). Every file is written to tmp_path by the test itself.
"""

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from connectors.historian import read_export_file, read_historian, read_tag_catalog
from foresight.errors import InputDataError

NIGHT = date(2026, 3, 3)
HEADER = "asset_id,tag,timestamp,value,unit,quality"
GOOD_LINE = "P-001,bearing_temp,2026-03-03T10:00:00Z,50,degC,good"


def export(**columns: list) -> dict[str, list]:
    """One good reading as parquet columns, with some columns replaced."""
    row = {
        "asset_id": ["P-001"],
        "tag": ["bearing_temp"],
        "timestamp": ["2026-03-03T10:00:00Z"],
        "value": ["50"],
        "unit": ["degC"],
        "quality": ["good"],
    }
    return row | columns


def write_parquet(tmp_path: Path, columns: dict[str, list]) -> Path:
    path = tmp_path / f"readings_{NIGHT}.parquet"
    pl.DataFrame(columns).write_parquet(path)
    return path


def read_csv_text(tmp_path: Path, text: str, encoding: str = "utf-8") -> pl.DataFrame:
    path = tmp_path / f"readings_{NIGHT}.csv"
    path.write_text(text, encoding=encoding)
    return read_export_file(path, "csv", NIGHT)


def test_line_with_too_many_fields_keeps_its_surplus_instead_of_truncating(tmp_path):
    long_line = "P-001,bearing_temp,2026-03-03T11:00:00Z,5,1,degC,good"  # "5,1": decimal comma
    raw = read_csv_text(tmp_path, f"{HEADER}\n{GOOD_LINE}\n{long_line}\n")
    assert raw["extra_fields"].to_list() == [None, "good"]
    assert raw["value_raw"].to_list() == ["50", "5"]


def test_line_with_too_few_fields_is_read_with_empty_fields(tmp_path):
    raw = read_csv_text(tmp_path, f"{HEADER}\nP-001,bearing_temp\n{GOOD_LINE}\n")
    assert raw.height == 2
    assert raw.row(0, named=True)["ts_raw"] is None


def test_columns_in_another_order_are_read_by_their_header_names(tmp_path):
    header = "tag,asset_id,quality,unit,value,timestamp"
    raw = read_csv_text(
        tmp_path, f"{header}\nbearing_temp,P-001,good,degC,50,2026-03-03T10:00:00Z\n"
    )
    row = raw.row(0, named=True)
    assert (row["asset_id"], row["sensor"], row["value_raw"]) == ("P-001", "bearing_temp", "50")


def test_csv_missing_a_column_names_it_and_the_file(tmp_path):
    text = "asset_id,tag,timestamp,value,unit\nP-001,t,2026-03-03T10:00:00Z,1,degC\n"
    with pytest.raises(InputDataError, match=r"03-03\.csv: missing columns \['quality'\]; found"):
        read_csv_text(tmp_path, text)


def test_parquet_missing_a_column_names_it_and_the_file(tmp_path):
    columns = export()
    del columns["unit"]
    path = write_parquet(tmp_path, columns)
    with pytest.raises(InputDataError, match=r"03-03\.parquet: missing columns \['unit'\]"):
        read_export_file(path, "parquet", NIGHT)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_empty_file_is_refused_by_name(tmp_path, fmt):
    path = tmp_path / f"readings_{NIGHT}.{fmt}"
    path.write_bytes(b"")
    with pytest.raises(InputDataError, match=rf"readings_2026-03-03\.{fmt}: is empty \(0 bytes\)"):
        read_export_file(path, fmt, NIGHT)


def test_header_only_csv_gives_no_rows(tmp_path):
    assert read_csv_text(tmp_path, HEADER + "\n").height == 0


def test_utf16_csv_is_refused_with_the_encoding_to_use(tmp_path):
    with pytest.raises(InputDataError, match=r"03-03\.csv: is UTF-16 .* expected UTF-8"):
        read_csv_text(tmp_path, f"{HEADER}\n{GOOD_LINE}\n", encoding="utf-16")


def test_truncated_parquet_is_refused_by_name(tmp_path):
    path = write_parquet(tmp_path, export())
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(InputDataError, match=r"03-03\.parquet: cannot be read as parquet"):
        read_export_file(path, "parquet", NIGHT)


def test_truncated_parquet_stops_the_night_naming_the_file(tmp_path):
    good = tmp_path / "readings_2026-03-02.parquet"
    pl.DataFrame(export()).write_parquet(good)
    bad = write_parquet(tmp_path, export())
    bad.write_bytes(bad.read_bytes()[: bad.stat().st_size // 2])
    pattern, regex = str(tmp_path / "readings_*.parquet"), r"readings_(\d{4}-\d{2}-\d{2})"
    assert read_historian(pattern, "parquet", regex, [date(2026, 3, 2)]).height == 1
    with pytest.raises(InputDataError, match=r"readings_2026-03-03\.parquet"):
        read_historian(pattern, "parquet", regex, [date(2026, 3, 2), NIGHT])


def test_nested_value_column_is_refused_naming_column_and_type(tmp_path):
    path = write_parquet(tmp_path, export(value=[[50.0, 51.0]]))
    with pytest.raises(InputDataError, match=r"column 'value' holds List\(Float64\) values"):
        read_export_file(path, "parquet", NIGHT)


def test_numeric_value_column_is_read_as_text(tmp_path):
    path = write_parquet(tmp_path, export(value=[50.5], asset_id=[1]))
    row = read_export_file(path, "parquet", NIGHT).row(0, named=True)
    assert (row["value_raw"], row["asset_id"]) == ("50.5", "1")


def test_zoned_datetime_column_becomes_iso_text_with_its_offset(tmp_path):
    stamp = datetime(2026, 3, 3, 10, tzinfo=UTC)
    path = write_parquet(tmp_path, export(timestamp=[stamp]))
    raw = read_export_file(path, "parquet", NIGHT)
    assert raw["ts_raw"].to_list() == ["2026-03-03T10:00:00+00:00"]


def test_zoneless_datetime_column_stays_without_offset(tmp_path):
    path = write_parquet(tmp_path, export(timestamp=[datetime(2026, 3, 3, 10)]))
    assert read_export_file(path, "parquet", NIGHT)["ts_raw"].to_list() == ["2026-03-03T10:00:00"]


def write_catalog(tmp_path: Path, rows: list[str]) -> str:
    path = tmp_path / "tags.csv"
    path.write_text("asset_type,tag,unit,min_valid,max_valid\n" + "\n".join(rows) + "\n")
    return str(path)


def test_tag_catalogue_range_that_is_not_a_number_names_the_tag(tmp_path):
    path = write_catalog(tmp_path, ["pump,bearing_temp,degC,-20,150", "pump,pressure,bar,0,n/a"])
    with pytest.raises(InputDataError, match=r"tags\.csv: min_valid/max_valid .*'0', 'n/a'"):
        read_tag_catalog(path)


def test_tag_catalogue_with_a_tag_twice_names_it(tmp_path):
    path = write_catalog(tmp_path, ["pump,bearing_temp,degC,-20,150", "pump,bearing_temp,degF,0,9"])
    with pytest.raises(InputDataError, match=r"\('pump', 'bearing_temp'\)\] appear more than once"):
        read_tag_catalog(path)


def test_tag_catalogue_missing_a_column_names_it(tmp_path):
    path = tmp_path / "tags.csv"
    path.write_text("asset_type,tag,unit,min_valid\npump,bearing_temp,degC,-20\n")
    with pytest.raises(InputDataError, match=r"missing columns \['max_valid'\]"):
        read_tag_catalog(str(path))


def test_tag_catalogue_ranges_are_numbers(tmp_path):
    catalog = read_tag_catalog(write_catalog(tmp_path, ["pump,bearing_temp,degC,-20, 150.5"]))
    row = catalog.select("sensor", "min_valid", "max_valid").row(0)
    assert row == ("bearing_temp", -20.0, 150.5)


def test_a_shard_reads_only_its_assets_rows_with_the_files_row_numbers(tmp_path):
    path = write_parquet(
        tmp_path,
        export(
            asset_id=["P-001", "P-002", None, "P-001"],
            tag=["t"] * 4,
            timestamp=["2026-03-03T10:00:00Z"] * 4,
            value=["1", "2", "3", "4"],
            unit=["degC"] * 4,
            quality=["good"] * 4,
        ),
    )
    ones = read_export_file(path, "parquet", NIGHT, keep=lambda ids: ["P-001"])
    assert ones["row_number"].to_list() == [0, 3] and ones["value_raw"].to_list() == ["1", "4"]
    rest = read_export_file(path, "parquet", NIGHT, keep=lambda ids: ["P-002", None])
    assert rest["row_number"].to_list() == [1, 2]
