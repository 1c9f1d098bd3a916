"""Dispositions read back from the CMMS: precision as technicians judge it, confirmed labels."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from connectors.feedback import (
    confirmed_failure_events,
    read_dispositions,
    technician_precision,
    unrecognised_dispositions,
)
from connectors.interface_tables import CmmsMapping
from foresight.errors import InputDataError
from models.labels import failure_events
from tests.cmms_fixtures import write_night

NIGHT = date(2026, 3, 1)


def set_disposition(url: str, asset: str, disposition: str | None, closed: bool = True) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE foresight_work_requests SET disposition = :d, closed = :c, "
                "status = CASE WHEN :c THEN 'closed' ELSE 'open' END, "
                "disposition_at = '2026-03-04 10:30:00.000000', technician_note = 'checked' "
                "WHERE asset_id = :a"
            ),
            {"d": disposition, "c": closed, "a": asset},
        )
    engine.dispose()


@pytest.fixture
def url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'cmms.sqlite'}"
    write_night(url, NIGHT, {"P-001": 0.6, "P-002": 0.5, "P-003": 0.4, "P-004": 0.3})
    set_disposition(url, "P-001", "fault_confirmed")
    set_disposition(url, "P-002", "no_fault_found")
    set_disposition(url, "P-003", "deferred", closed=False)
    return url


def test_no_request_table_means_no_feedback(tmp_path):
    assert read_dispositions(f"sqlite:///{tmp_path / 'empty.sqlite'}").is_empty()


def test_precision_counts_only_judged_requests(url):
    table = technician_precision(read_dispositions(url))
    overall = table.filter(pl.col("group") == "overall").row(0, named=True)
    assert (overall["fault_confirmed"], overall["no_fault_found"]) == (1, 1)
    assert (overall["deferred"], overall["awaiting"]) == (1, 1)
    assert overall["precision"] == 0.5
    assert table["group"].to_list() == ["overall", "horizon_days", "failure_mode"]
    assert table.filter(pl.col("group") == "horizon_days")["value"].to_list() == ["7"]


def test_precision_is_null_until_something_is_judged(tmp_path):
    url = f"sqlite:///{tmp_path / 'cmms.sqlite'}"
    write_night(url, NIGHT, {"P-001": 0.6})
    assert technician_precision(read_dispositions(url))["precision"].to_list() == [None] * 3


def test_unknown_disposition_is_named_and_kept_out_of_precision(url):
    set_disposition(url, "P-004", "maybe")
    feedback = read_dispositions(url)
    assert unrecognised_dispositions(feedback)["request_id"].str.contains("P-004").to_list() == [
        True
    ]
    overall = technician_precision(feedback).filter(pl.col("group") == "overall")
    assert overall["awaiting"].item() == 0 and overall["precision"].item() == 0.5


def test_next_nights_write_back_never_overwrites_the_dispositions(url):
    before = read_dispositions(url).sort("request_id")
    write_night(url, NIGHT, {"P-001": 0.6, "P-002": 0.5, "P-003": 0.4, "P-004": 0.3})  # rerun
    write_night(url, date(2026, 3, 2), {"P-001": 0.9, "P-002": 0.9, "P-003": 0.9, "P-004": 0.9})
    after = read_dispositions(url).sort("request_id")
    kept = ["request_id", "disposition", "disposition_at", "technician_note", "closed"]
    assert_frame_equal(after.filter(pl.col("created_night") == NIGHT).select(kept), before[kept])
    # P-003 (deferred, still open) was updated in place; the closed ones got new requests
    assert after.filter(pl.col("created_night") == date(2026, 3, 2))[
        "asset_id"
    ].sort().to_list() == [
        "P-001",
        "P-002",
    ]


def test_confirmed_faults_have_exactly_the_failure_event_schema(url):
    events = confirmed_failure_events(read_dispositions(url))
    work_orders = pl.DataFrame(
        {
            "asset_id": ["P-009"],
            "wo_type": ["CM"],
            "status": ["closed"],
            "component": ["bearing"],
            "failure_code": ["BRG-WEAR"],
            "wo_id": ["WO-1"],
            "opened_utc": [datetime(2026, 1, 5, 8)],
        },
        schema_overrides={"opened_utc": pl.Datetime("us", "UTC")},
    )
    assert events.schema == failure_events(work_orders, "Europe/Berlin").schema
    assert events.rows() == [
        ("P-001", None, "PDM-CONFIRMED", "FS-P-001-general-20260301", date(2026, 3, 4))
    ]


def test_confirmed_faults_become_labels_next_to_work_orders(url):
    from models.labels import label_failures

    grid = pl.DataFrame({"asset_id": ["P-001"], "as_of": [date(2026, 3, 1)]})
    extra = confirmed_failure_events(read_dispositions(url))
    empty = pl.DataFrame(
        schema={
            "asset_id": pl.String,
            "wo_type": pl.String,
            "status": pl.String,
            "component": pl.String,
            "failure_code": pl.String,
            "wo_id": pl.String,
            "opened_utc": pl.Datetime("us", "UTC"),
        }
    )
    events = failure_events(empty, "Europe/Berlin", extra_events=extra)
    labels = label_failures(grid, events, (7,), observed_until=date(2026, 3, 20))
    assert labels["label_7d"].to_list() == [1]
    assert label_failures(
        grid, failure_events(empty, "Europe/Berlin"), (7,), observed_until=date(2026, 3, 20)
    )["label_7d"].to_list() == [0]


def test_mapped_column_missing_in_the_cmms_is_named(tmp_path):
    url = f"sqlite:///{tmp_path / 'cmms.sqlite'}"
    write_night(url, NIGHT, {"P-001": 0.6})
    wrong = CmmsMapping(work_requests={"columns": {"disposition": "RESULT"}})
    with pytest.raises(InputDataError, match=r"no column disposition \(as 'RESULT'\).*mapping"):
        read_dispositions(url, wrong)


def test_unreachable_cmms_is_named():
    url = "postgresql+psycopg2://postgres@127.0.0.1:1/nowhere"
    with pytest.raises(InputDataError, match=r"127.0.0.1:1/nowhere: cannot read the dispositions"):
        read_dispositions(url)


def test_a_request_table_of_an_earlier_foresight_gains_the_disposition_columns(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # the table as the first write-back release created it
        conn.execute(
            sa.text(
                "CREATE TABLE foresight_work_requests (request_id VARCHAR(96) PRIMARY KEY, "
                "asset_id VARCHAR(64) NOT NULL, failure_mode VARCHAR(64) NOT NULL, "
                "status VARCHAR(16) NOT NULL, disposition VARCHAR(32), priority INTEGER NOT NULL, "
                "risk FLOAT NOT NULL, description TEXT NOT NULL, created_night DATE NOT NULL, "
                "updated_night DATE NOT NULL, model_version VARCHAR(32) NOT NULL, "
                "run_id VARCHAR(64) NOT NULL)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO foresight_work_requests VALUES ('FS-P-009-general-20260201', "
                "'P-009', 'general', 'closed', 'fault_confirmed', 1, 0.7, 'old', '2026-02-01', "
                "'2026-02-01', 'v0001', 'r')"
            )
        )
    engine.dispose()
    write_night(url, NIGHT, {"P-001": 0.6})
    feedback = read_dispositions(url).sort("request_id")
    assert feedback["asset_id"].to_list() == ["P-001", "P-009"]
    assert feedback["horizon_days"].to_list() == [7, None]
    # confirmed without a time: counted in precision, but no label can be dated from it
    overall = technician_precision(feedback).filter(pl.col("group") == "overall")
    assert overall["fault_confirmed"].item() == 1
    assert confirmed_failure_events(feedback).is_empty()


def test_horizons_are_listed_in_numeric_order(url):
    write_night(url, NIGHT, {"P-005": 0.9})
    feedback = read_dispositions(url).with_columns(
        horizon_days=pl.when(pl.col("asset_id") == "P-005").then(30).otherwise(7)
    )
    table = technician_precision(feedback)
    assert table.filter(pl.col("group") == "horizon_days")["value"].to_list() == ["7", "30"]
