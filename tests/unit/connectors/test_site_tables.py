"""Site registers, work orders and run-to-failure histories into the CMMS readers' columns."""

from datetime import UTC, date, datetime

import polars as pl
import pytest

from connectors.cmms import WORK_ORDER_COLUMNS
from connectors.site_tables import read_maintenance, run_to_failure_orders
from foresight.errors import InputDataError
from foresight.plant_sources import CsvOptions, MaintenanceSource, RunToFailure

ORDERS = (
    "Nr;Anlage;Art;Code;Beginn\n1;P1;Stoerung;X9;26.10.2025 02:30\n2;P2;Wartung;;01.10.2025 08:00\n"
)


def _source(**kw) -> MaintenanceSource:
    base = {
        "file": "x.csv",
        "csv": CsvOptions(separator=";"),
        "columns": {"wo_id": "Nr", "asset_id": "Anlage", "wo_type": "Art",
                    "failure_code": "Code", "opened_at": "Beginn"},
        "time_format": "%d.%m.%Y %H:%M",
        "wo_types": {"Stoerung": "CM", "Wartung": "PM"},
        "failure_codes": {"X9": "bearing"},
    }  # fmt: skip
    return MaintenanceSource(**{**base, **kw})


def test_site_work_orders_get_foresight_types_codes_and_utc_times(tmp_path):
    path = tmp_path / "wo.csv"
    path.write_text(ORDERS)
    orders = read_maintenance(_source(), str(path), "Europe/Berlin", {"P1": "P-001"})
    assert list(orders.columns) == [*WORK_ORDER_COLUMNS, "opened_utc", "closed_utc"]
    first = orders.filter(pl.col("wo_id") == "1").row(0, named=True)
    assert (first["asset_id"], first["wo_type"], first["failure_code"]) == (
        "P-001",
        "CM",
        "bearing",
    )
    # 02:30 on the night clocks go back is read as the earlier instant (summer time)
    assert first["opened_utc"] == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)


def test_an_unmapped_work_order_type_is_named_with_the_fix(tmp_path):
    path = tmp_path / "wo.csv"
    path.write_text(ORDERS.replace("Wartung", "Umbau"))
    with pytest.raises(
        InputDataError, match=r"wo_type values \['Umbau'\] \(1 rows\) are not mapped"
    ):
        read_maintenance(_source(), str(path), "Europe/Berlin", {})


def test_each_history_that_ran_to_failure_fails_at_its_last_record_and_cut_off_ones_never():
    last = datetime(2000, 5, 1, tzinfo=UTC)
    ends = pl.DataFrame(
        {
            "asset_id": ["train-1", "test-1"],
            "source_file": ["train_FD003.txt", "test_FD003.txt"],
            "last": [last, last],
        }
    )
    orders = run_to_failure_orders(ends, RunToFailure(failed_files="train_*"), "UTC")
    assert orders["asset_id"].to_list() == ["train-1"]
    assert orders.row(0, named=True)["wo_type"] == "CM"
    assert orders["opened_utc"].dt.date().to_list() == [date(2000, 5, 1)]


def test_a_failed_files_glob_matching_nothing_is_an_error():
    ends = pl.DataFrame(
        {"asset_id": ["a"], "source_file": ["x.txt"], "last": [datetime(2000, 1, 1, tzinfo=UTC)]}
    )
    with pytest.raises(InputDataError, match="no historian file matches failed_files"):
        run_to_failure_orders(ends, RunToFailure(failed_files="train_*"), "UTC")
