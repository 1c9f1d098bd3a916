"""The benchmark harness: rows, phases, extrapolation and the JSON that `make bench` writes."""

import json

import pytest

from bench import harness
from bench.harness import Phases, measure, report

REQUIRED = {"name", "seconds", "peak_mb", "readings", "readings_per_s", "ratio", "ratio_against"}


def _tiny() -> dict:
    return {"readings": 1_000, "note": "tiny"}


def test_report_writes_required_keys_for_a_tiny_benchmark(tmp_path, monkeypatch):
    monkeypatch.setattr(harness, "RESULTS", tmp_path / "bench-results.json")
    report(measure("tiny", _tiny))
    rows = json.loads((tmp_path / "bench-results.json").read_text())
    assert len(rows) == 1
    assert rows[0].keys() >= REQUIRED
    assert rows[0]["readings"] == 1_000 and rows[0]["readings_per_s"] > 0
    assert rows[0]["note"].startswith("tiny; cpu")


def test_measure_adds_one_row_per_phase():
    def two_steps() -> dict:
        phases = Phases()
        with phases("first", readings=10):
            sum(range(1_000))
        with phases("second"):
            sum(range(1_000))
        return {"phases": phases.rows}

    rows = measure("steps", two_steps)
    assert [r.name for r in rows] == ["steps", "steps / first", "steps / second"]
    assert rows[1].readings == 10 and rows[2].readings is None


def test_measure_passes_the_setup_result_to_the_benchmark():
    rows = measure("setup", lambda n: {"readings": n}, setup=lambda: 42)
    assert rows[0].readings == 42


def test_extrapolated_row_is_scaled_and_marked():
    def sliced() -> dict:
        return {"extrapolate": {"factor": 100.0, "readings": 5_000, "basis": "100 slices"}}

    measured, scaled = measure("baseline, slice of 1", sliced)
    assert scaled.name == "baseline, extrapolated"
    assert scaled.seconds == pytest.approx(measured.seconds * 100.0, rel=1e-2, abs=1e-2)
    assert scaled.note.startswith("EXTRAPOLATED x100.0")


def test_measure_raises_when_the_benchmark_fails():
    def broken() -> dict:
        raise ValueError("boom")

    with pytest.raises(RuntimeError, match="benchmark broken failed with exit code 1"):
        measure("broken", broken)
