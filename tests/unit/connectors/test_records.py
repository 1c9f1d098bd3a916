from datetime import UTC, datetime

import polars as pl
import pytest

from connectors.records import RecordExport, read_records
from foresight.errors import InputDataError
from foresight.plant_sources import CsvOptions

LAB = RecordExport(
    "oil analysis",
    {"asset_id": "Anlage", "sampled_at": "Entnahme", "iron_ppm": "Eisen"},
    times=("sampled_at",),
    numbers=("iron_ppm",),
    csv=CsvOptions(separator=";", decimal_comma=True),
)


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_columns_are_mapped_times_localised_and_decimal_commas_read(tmp_path):
    write(tmp_path / "lab_1.csv", "Anlage;Entnahme;Eisen\n P-1 ;2026-03-29 01:30;1.234,5\n")
    frame = read_records(str(tmp_path / "lab_*.csv"), LAB, "Europe/Berlin", {"P-1": "P-001"})
    assert frame.to_dicts() == [
        {
            "asset_id": "P-001",
            "sampled_at_utc": datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
            "iron_ppm": 1234.5,
            "source_file": "lab_1.csv",
            "source_row": 1,
        }
    ]


def test_unreadable_cells_stay_as_nulls_for_the_quality_gate(tmp_path):
    write(tmp_path / "lab.csv", "Anlage;Entnahme;Eisen\nP-1;yesterday;n/a\n;2026-03-01 09:00;3\n")
    frame = read_records(str(tmp_path / "lab.csv"), LAB, "Europe/Berlin")
    assert frame.height == 2
    assert frame["sampled_at_utc"].null_count() == 1
    assert frame["iron_ppm"].null_count() == 1
    assert frame["asset_id"].null_count() == 1


def test_every_matching_file_is_read_in_file_order(tmp_path):
    write(tmp_path / "lab_2.csv", "Anlage;Entnahme;Eisen\nP-2;2026-03-02 09:00;2\n")
    write(tmp_path / "lab_1.csv", "Anlage;Entnahme;Eisen\nP-1;2026-03-01 09:00;1\n")
    frame = read_records(str(tmp_path / "lab_*.csv"), LAB, "UTC")
    assert frame["source_file"].to_list() == ["lab_1.csv", "lab_2.csv"]


def test_an_export_without_rows_has_the_canonical_schema(tmp_path):
    write(tmp_path / "lab.csv", "Anlage;Entnahme;Eisen\n")
    frame = read_records(str(tmp_path / "lab.csv"), LAB, "UTC")
    assert frame.is_empty() and frame.schema == pl.Schema(LAB.schema)


def test_no_matching_file_names_the_source_and_the_pattern(tmp_path):
    with pytest.raises(InputDataError, match=r"oil analysis: no file matches .*nowhere_\*\.csv"):
        read_records(str(tmp_path / "nowhere_*.csv"), LAB, "UTC")


def test_a_mapped_column_missing_from_the_file_is_named(tmp_path):
    write(tmp_path / "lab.csv", "Anlage;Datum;Eisen\nP-1;2026-03-01 09:00;1\n")
    with pytest.raises(InputDataError, match=r"columns \['Entnahme'\] named .* not in it"):
        read_records(str(tmp_path / "lab.csv"), LAB, "UTC")


def test_a_layout_without_asset_id_or_with_unmapped_numbers_is_refused():
    with pytest.raises(InputDataError, match="has no 'asset_id'"):
        RecordExport("lab", {"equipment": "equipment"})
    with pytest.raises(InputDataError, match=r"times/numbers \['fe'\] are not in the columns"):
        RecordExport("lab", {"asset_id": "equipment"}, numbers=("fe",))
