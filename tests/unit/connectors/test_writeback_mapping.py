"""Write-back and feedback through a non-default mapping onto a site's own tables."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from connectors.feedback import read_dispositions
from connectors.interface_tables import CmmsMapping
from connectors.work_request_table import read_open_requests
from foresight.errors import WritebackError
from simulator.technicians import RequestTable, TechnicianSettings, respond_to_requests
from tests.cmms_fixtures import ground_truth, table_dump, write_night

SITE = {
    "current_scores": {
        "table": "mxfs_risk_current",
        "columns": {"asset_id": "assetnum", "risk": "fs_risk", "as_of_date": "fs_asof"},
    },
    "score_history": {
        "table": "mxfs_risk_history",
        "columns": {"asset_id": "assetnum", "as_of_date": "fs_asof", "is_current": "fs_current"},
    },
    "work_requests": {
        "table": "mxfs_pdm_request",
        "columns": {
            "request_id": "extrefid",
            "asset_id": "assetnum",
            "disposition": "fs_result",
            "disposition_at": "fs_result_date",
            "technician_note": "remarks",
            "closed": "fs_closed",
        },
    },
}
RISKS = {"P-001": 0.7, "P-002": 0.3, "P-003": None}


def roundtrip(url: str, mapping: CmmsMapping, tmp_path) -> None:
    schema = mapping.db_schema
    write_night(url, date(2026, 3, 1), RISKS, mapping=mapping, run_id="a")
    write_night(url, date(2026, 3, 2), RISKS, mapping=mapping, run_id="b")
    tables = table_dump(url, schema)
    assert set(tables) == {"mxfs_risk_current", "mxfs_risk_history", "mxfs_pdm_request"}
    assert (tables["mxfs_risk_current"][0], tables["mxfs_risk_history"][0]) == (3, 6)
    write_night(url, date(2026, 3, 2), RISKS, mapping=mapping, run_id="c")  # rerun
    assert table_dump(url, schema) == tables

    engine = sa.create_engine(url)
    prefix = f"{schema}." if schema else ""
    with engine.connect() as conn:
        current = conn.execute(
            sa.text(f"SELECT assetnum, fs_risk, fs_asof FROM {prefix}mxfs_risk_current")
        ).fetchall()
        flagged = conn.execute(
            sa.text(f"SELECT COUNT(*) FROM {prefix}mxfs_risk_history WHERE fs_current")
        ).scalar()
    engine.dispose()
    assert sorted(r[0] for r in current) == ["P-001", "P-002", "P-003"]
    assert all(str(r[2]) == "2026-03-02" for r in current) and flagged == 3
    assert read_open_requests(url, mapping)["asset_id"].to_list() == ["P-001", "P-002"]

    truth = ground_truth(
        tmp_path / "gt", [("P-001", "wear", datetime(2026, 2, 1), datetime(2026, 3, 5))]
    )
    columns = SITE["work_requests"]["columns"]
    table = RequestTable("mxfs_pdm_request", schema, columns)
    settings = TechnicianSettings(defer_share=0.0)
    respond_to_requests(url, truth, date(2026, 3, 5), "Europe/Berlin", settings, table)
    answers = dict(read_dispositions(url, mapping).select("asset_id", "disposition").iter_rows())
    assert answers == {"P-001": "fault_confirmed", "P-002": "no_fault_found"}


def test_site_mapping_on_sqlite(tmp_path):
    roundtrip(f"sqlite:///{tmp_path / 'site.sqlite'}", CmmsMapping(**SITE), tmp_path)


@pytest.mark.postgres
def test_site_mapping_in_a_postgres_schema(postgres_url, tmp_path):
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA maximo"))
    engine.dispose()
    roundtrip(postgres_url, CmmsMapping(schema="maximo", **SITE), tmp_path)
    assert table_dump(postgres_url, "public") == {}  # nothing under Foresight's default names


@pytest.mark.postgres
def test_missing_schema_is_named_with_the_ones_there_are(postgres_url):
    with pytest.raises(WritebackError, match=r"schema 'maximo'.*does not exist.*'public'"):
        write_night(postgres_url, date(2026, 3, 1), RISKS, mapping=CmmsMapping(schema="maximo"))
