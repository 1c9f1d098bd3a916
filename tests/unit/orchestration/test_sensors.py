"""The export-arrival sensor on a temp folder, and the failure sensor against a real HTTP server."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.operations.sensors import historian_export_arrivals, notify_on_run_failure
from orchestration.defs.resources import PlantResource

SMALL = Path(__file__).resolve().parents[2] / "e2e" / "small_plant.yaml"


def _plant_file(tmp_path: Path, exports: Path, extra: str = "") -> PlantResource:
    text = SMALL.read_text().replace(
        '"{exports}/historian/readings_*.parquet"', f'"{exports}/readings_*.csv"'
    )
    path = tmp_path / "plant.yaml"
    path.write_text(text + extra)
    return PlantResource(plant_file=str(path))


def _tick(plant: PlantResource, cursor: str | None) -> dg.SensorResult:
    with dg.build_sensor_context(cursor=cursor, resources={"plant": plant}) as context:
        return historian_export_arrivals(context)


def test_new_file_gives_one_run_of_its_night_then_none_then_one_when_changed(tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    plant = _plant_file(tmp_path, exports)
    export = exports / "readings_2026-03-01.csv"
    export.write_text("asset_id,tag,timestamp,value\n")

    first = _tick(plant, None)
    assert [r.partition_key for r in first.run_requests] == ["2026-03-01"]

    again = _tick(plant, first.cursor)
    assert again.run_requests == []

    export.write_text("asset_id,tag,timestamp,value\nP-001,t,2026-03-01T00:00:00Z,1\n")
    changed = _tick(plant, again.cursor)
    assert [r.partition_key for r in changed.run_requests] == ["2026-03-01"]
    assert changed.run_requests[0].run_key != first.run_requests[0].run_key


def test_a_file_dated_outside_the_partitions_requests_nothing_and_blocks_nothing(tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    plant = _plant_file(tmp_path, exports)
    (exports / "readings_2020-01-01.csv").write_text("asset_id,tag,timestamp,value\n")
    (exports / "readings_2026-03-02.csv").write_text("asset_id,tag,timestamp,value\n")

    result = _tick(plant, None)

    assert [r.partition_key for r in result.run_requests] == ["2026-03-02"]
    assert _tick(plant, result.cursor).run_requests == []


class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        _Hook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def webhook():
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Hook.received = []
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Hook.received
    server.shutdown()
    server.server_close()


@dg.asset
def _gearbox_reading():
    raise ValueError("historian export truncated at row 17")


def _failed_run_context(plant: PlantResource) -> dg.RunFailureSensorContext:
    """A real failed run on an ephemeral instance, and the sensor context Dagster would build."""
    instance = dg.DagsterInstance.ephemeral()
    job = dg.define_asset_job("boom")
    defs = dg.Definitions(assets=[_gearbox_reading], jobs=[job])
    boom = defs.resolve_job_def("boom")
    result = boom.execute_in_process(instance=instance, raise_on_error=False)
    records = instance.get_records_for_run(
        result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE
    ).records
    return dg.build_run_status_sensor_context(
        sensor_name="notify_on_run_failure",
        dagster_event=records[0].event_log_entry.dagster_event,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
        resources={"plant": plant},
    ).for_run_failure()


def test_failure_is_posted_with_job_run_id_and_error(tmp_path, monkeypatch, webhook):
    url, received = webhook
    monkeypatch.setenv("FS_TEST_FAILURE_HOOK", url)
    extra = "operations:\n  failure_webhook_env: FS_TEST_FAILURE_HOOK\n"
    plant = _plant_file(tmp_path, tmp_path, extra)
    context = _failed_run_context(plant)

    notify_on_run_failure(context)

    assert len(received) == 1
    text = received[0]["text"]
    assert "'boom'" in text and context.dagster_run.run_id in text
    assert "historian export truncated at row 17" in text


def test_without_a_webhook_in_the_plant_file_nothing_is_posted(tmp_path, webhook):
    _, received = webhook
    context = _failed_run_context(_plant_file(tmp_path, tmp_path))

    notify_on_run_failure(context)  # logs the message instead

    assert received == []
