"""The simulated technicians answer Foresight's requests the way ground truth says."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from simulator.technicians import RequestTable, TechnicianSettings, respond_to_requests
from tests.cmms_fixtures import ground_truth, table_dump, write_night

TZ = "Europe/Berlin"
NIGHT = date(2026, 3, 1)
NO_DEFER = TechnicianSettings(seed=1, response_days=3, defer_share=0.0, detect_days=20)


def answers(url: str, table: str = "foresight_work_requests") -> dict[str, tuple]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(f"SELECT asset_id, disposition, status, closed, technician_note FROM {table}")
        ).fetchall()
    engine.dispose()
    return {r[0]: tuple(r[1:]) for r in rows}


def world(tmp_path):
    url = f"sqlite:///{tmp_path / 'cmms.sqlite'}"
    write_night(url, NIGHT, {"P-001": 0.6, "P-002": 0.5, "P-003": 0.4})
    truth = ground_truth(
        tmp_path / "gt",
        [
            # P-001 fails 5 days after the request: inside its 7-day horizon
            ("P-001", "bearing wear", datetime(2026, 2, 1), datetime(2026, 3, 6, 10)),
            # P-002 fails 15 days after the inspection, degrading since February
            ("P-002", "bearing wear", datetime(2026, 2, 10), datetime(2026, 3, 19, 10)),
            # P-003 failed long before the request, and not again
            ("P-003", "bearing wear", datetime(2025, 12, 1), datetime(2026, 1, 5, 10)),
        ],
    )
    return url, truth


def test_requests_are_not_answered_before_the_response_delay(tmp_path):
    url, truth = world(tmp_path)
    counts = respond_to_requests(url, truth, date(2026, 3, 3), TZ, NO_DEFER)
    assert sum(counts.values()) == 0
    assert {v[0] for v in answers(url).values()} == {None}


def test_dispositions_follow_ground_truth(tmp_path):
    url, truth = world(tmp_path)
    counts = respond_to_requests(url, truth, date(2026, 3, 4), TZ, NO_DEFER)
    got = answers(url)
    assert got["P-001"][:3] == ("fault_confirmed", "closed", True)  # failure within the horizon
    assert got["P-002"][:3] == ("fault_confirmed", "closed", True)  # degradation in progress
    assert got["P-003"][:3] == ("no_fault_found", "closed", True)
    assert counts == {"fault_confirmed": 2, "no_fault_found": 1}
    assert "bearing wear" in got["P-001"][3] and got["P-003"][3]


def test_degradation_far_from_failure_is_not_seen(tmp_path):
    url, truth = world(tmp_path)
    blind = TechnicianSettings(seed=1, defer_share=0.0, detect_days=5)
    respond_to_requests(url, truth, date(2026, 3, 4), TZ, blind)
    assert answers(url)["P-002"][0] == "no_fault_found"


def test_deferred_request_stays_open_and_is_decided_on_the_next_visit(tmp_path):
    url, truth = world(tmp_path)
    always_defer = TechnicianSettings(seed=1, defer_share=1.0, detect_days=20)
    respond_to_requests(url, truth, date(2026, 3, 4), TZ, always_defer)
    assert {v[:3] for v in answers(url).values()} == {("deferred", "open", False)}
    counts = respond_to_requests(url, truth, date(2026, 3, 7), TZ, always_defer)
    assert counts == {"fault_confirmed": 2, "no_fault_found": 1}


def test_the_same_night_twice_changes_nothing(tmp_path):
    url, truth = world(tmp_path)
    settings = TechnicianSettings(seed=5, defer_share=0.5)
    respond_to_requests(url, truth, date(2026, 3, 10), TZ, settings)
    once = table_dump(url)
    assert sum(respond_to_requests(url, truth, date(2026, 3, 10), TZ, settings).values()) == 0
    assert table_dump(url) == once


def test_answers_land_in_the_sites_own_columns(tmp_path):
    from connectors.interface_tables import CmmsMapping

    url = f"sqlite:///{tmp_path / 'cmms.sqlite'}"
    columns = {"asset_id": "ASSETNUM", "disposition": "FS_RESULT", "technician_note": "REMARKS"}
    mapping = CmmsMapping(work_requests={"table": "MX_PDM_REQ", "columns": columns})
    write_night(url, NIGHT, {"P-001": 0.6}, mapping=mapping)
    truth = ground_truth(
        tmp_path / "gt", [("P-001", "x", datetime(2026, 2, 1), datetime(2026, 3, 5))]
    )
    table = RequestTable("MX_PDM_REQ", None, columns)
    respond_to_requests(url, truth, date(2026, 3, 4), TZ, NO_DEFER, table)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT ASSETNUM, FS_RESULT, REMARKS FROM MX_PDM_REQ")).one()
    engine.dispose()
    assert row[:2] == ("P-001", "fault_confirmed") and row[2]


def test_the_simulator_imports_nothing_from_foresight_or_dagster():
    import ast
    from pathlib import Path

    import simulator

    forbidden = {"connectors", "data_quality", "features", "foresight", "models", "orchestration"}
    forbidden |= {"reports", "dagster"}
    for path in Path(simulator.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not {n.split(".")[0] for n in names} & forbidden, f"{path.name}: {names}"
