"""Same settings -> identical bytes; a restricted write equals the full write."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date
from pathlib import Path

from simulator import SimulationSettings, simulate_plant

SETTINGS = SimulationSettings(seed=5, n_assets=4, days=12)


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def test_same_seed_identical_files(tmp_path):
    simulate_plant(SETTINGS, tmp_path / "a")
    simulate_plant(SETTINGS, tmp_path / "b")
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert a == b and len(a) > 15
    assert (tmp_path / "a/manifest.json").read_bytes().replace(b"/a", b"/b") == (
        tmp_path / "b/manifest.json"
    ).read_bytes()


def test_different_seed_differs(tmp_path):
    simulate_plant(SETTINGS, tmp_path / "a")
    simulate_plant(replace(SETTINGS, seed=6), tmp_path / "b")
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert a["historian/readings_2025-09-05.parquet"] != b["historian/readings_2025-09-05.parquet"]


def test_restricted_day_matches_full_history(tmp_path):
    simulate_plant(SETTINGS, tmp_path / "full")
    day = date(2025, 9, 8)
    simulate_plant(SETTINGS, tmp_path / "one", days=(day, day))
    name = "historian/readings_2025-09-08.parquet"
    assert _digests(tmp_path / "full")[name] == _digests(tmp_path / "one")[name]
