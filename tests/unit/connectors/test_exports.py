"""Site exports in other shapes become canonical raw readings (text), nothing parsed away."""

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from connectors.exports import read_historian_source, timestamp_text, value_text
from connectors.historian import RAW_SCHEMA
from foresight.errors import InputDataError
from foresight.plant_sources import CsvOptions, HistorianSource, TimeSettings


def _source(**kw) -> HistorianSource:
    return HistorianSource(**{"files": "x", "units": {"temp_c": "degC"}, **kw})


def _read(path, source, nights, tz="Europe/Berlin", aliases=None):
    return read_historian_source(source, [str(path)], tz, aliases or {}, nights)


def test_wide_semicolon_decimal_comma_local_time_becomes_long_text_with_offsets(tmp_path):
    path = tmp_path / "export_2025-03-30.csv"
    path.write_text(
        "Anlage;Zeit;temp_c;druck\n"
        "P1;30.03.2025 01:30;61,5;1.234,5\n"
        "P1;30.03.2025 03:30;62,0;\n",  # 02:30 does not exist that night; 03:30 is +02:00
        encoding="utf-8",
    )
    source = _source(
        format="csv",
        layout="wide",
        csv=CsvOptions(separator=";", decimal_comma=True),
        columns={"asset_id": "Anlage", "timestamp": "Zeit"},
        time=TimeSettings(kind="local", format="%d.%m.%Y %H:%M"),
        units={"temp_c": "degC", "druck": "bar"},
    )
    raw = _read(path, source, [date(2025, 3, 30)])
    assert raw.columns == list(RAW_SCHEMA)
    assert dict(raw.schema) == {c: raw.schema[c] for c in RAW_SCHEMA}  # categoricals as such
    assert raw.schema["asset_id"] == pl.Categorical and raw.schema["value_raw"] == pl.String
    got = raw.select(pl.col("sensor", "ts_raw", "value_raw", "unit").cast(pl.String)).sort(
        "ts_raw", "sensor"
    )
    expected = pl.DataFrame(
        {
            "sensor": ["druck", "temp_c", "temp_c"],
            "ts_raw": ["2025-03-30T01:30:00+01:00"] * 2 + ["2025-03-30T03:30:00+02:00"],
            "value_raw": ["1234.5", "61.5", "62.0"],  # the empty cell is no reading
            "unit": ["bar", "degC", "degC"],
        }
    )
    assert_frame_equal(got, expected)


def test_repeated_autumn_hour_takes_the_earlier_instant_and_a_skipped_one_stays_as_written():
    frame = pl.DataFrame({"t": ["2025-10-26 02:30:00", "2025-03-30 02:30:00"]})
    out = frame.select(timestamp_text("t", TimeSettings(kind="local"), "Europe/Berlin"))
    assert out["t"].to_list() == ["2025-10-26T02:30:00+02:00", "2025-03-30 02:30:00"]


def test_epoch_seconds_and_cycles_become_utc_iso_text():
    frame = pl.DataFrame({"t": ["1735689600", "3", "oops"]})
    epoch = frame.select(timestamp_text("t", TimeSettings(kind="epoch_seconds"), "UTC"))
    assert epoch["t"][0] == "2025-01-01T00:00:00+00:00" and epoch["t"][2] == "oops"
    cycles = TimeSettings(kind="cycles", cycle_epoch=date(2000, 1, 1), cycle_hours=24)
    assert frame.select(timestamp_text("t", cycles, "UTC"))["t"][1] == "2000-01-04T00:00:00+00:00"


def test_decimal_comma_leaves_point_only_values_alone():
    frame = pl.DataFrame({"value": ["1,5", "2.5", "1.000,25", None]})
    assert frame.select(value_text(True))["value"].to_list() == ["1.5", "2.5", "1000.25", None]


def test_whitespace_text_without_header_with_id_template_and_nights_by_own_time(tmp_path):
    path = tmp_path / "train_X.txt"
    path.write_text("1 1  0.5 7\n1 2  0.6 8 \n2 1 0.7  9\n", encoding="utf-8")
    source = _source(
        format="csv",
        layout="wide",
        csv=CsvOptions(separator="whitespace", header=False, column_names=("e", "c", "a", "b")),
        columns={"asset_id": "e", "timestamp": "c"},
        time=TimeSettings(kind="cycles", cycle_epoch=date(2000, 1, 1)),
        asset_id_template="{file_stem}-{asset_id}",
        arrival="timestamp",
        units={"a": "1", "b": "1"},
    )
    raw = _read(path, source, [date(2000, 1, 3)], tz="UTC")
    assert raw.height == 2  # engine 1, cycle 2: sensors a and b
    assert set(raw["asset_id"].cast(pl.String)) == {"train_X-1"}
    assert set(raw["value_raw"]) == {"0.6", "8"}


def test_aliases_rename_asset_ids_in_long_exports(tmp_path):
    path = tmp_path / "r_2025-01-01.csv"
    path.write_text("Equip,Tag,Time,Val\npump 1,temp_c,2025-01-01T10:00:00Z,5\n")
    source = _source(
        format="csv",
        columns={"asset_id": "Equip", "tag": "Tag", "timestamp": "Time", "value": "Val"},
    )
    raw = _read(path, source, [date(2025, 1, 1)], aliases={"pump 1": "P-001"})
    assert raw["asset_id"].cast(pl.String).to_list() == ["P-001"]
    assert raw["unit"].cast(pl.String).to_list() == ["degC"]  # from the plant file


def test_a_mapped_column_missing_from_the_export_is_named(tmp_path):
    path = tmp_path / "r_2025-01-01.csv"
    path.write_text("Equip,Time,Val\nP1,2025-01-01T10:00:00Z,5\n")
    source = _source(format="csv", columns={"asset_id": "Anlage", "timestamp": "Time"})
    with pytest.raises(InputDataError, match=r"r_2025-01-01.csv: columns \['Anlage'\]"):
        _read(path, source, [date(2025, 1, 1)])
