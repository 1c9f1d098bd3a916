"""The whole nightly path on a small simulated plant, run in process as `foresight nightly` does."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from foresight.cli import main
from foresight.plant import load_plant

TABLES = (
    "foresight_current_risk_scores",
    "foresight_risk_score_history",
    "foresight_work_requests",
)


def dump(url: str) -> dict[str, list[tuple]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        out = {t: sorted(map(tuple, conn.execute(sa.text(f"SELECT * FROM {t}")))) for t in TABLES}
    engine.dispose()
    return out


@pytest.fixture(scope="module")
def plant():
    plant = load_plant()
    assert plant.name == "small", "tests/conftest.py must select the small plant"
    assert main(["nightly"]) == 0
    return plant


def test_nightly_writes_one_current_score_per_active_asset_and_horizon(plant):
    url = plant.expand(plant.cmms_target.url)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        active = conn.execute(
            sa.text("SELECT COUNT(*) FROM assets WHERE status = 'active'")
        ).scalar()
        rows = conn.execute(
            sa.text(
                "SELECT asset_id, horizon_days, risk, band, drivers, model_version "
                "FROM foresight_current_risk_scores"
            )
        ).fetchall()
    engine.dispose()
    horizons = plant.models.horizons_days
    assert len(rows) == active * len(horizons)
    assert {r.horizon_days for r in rows} == set(horizons)
    scored = [r for r in rows if r.risk is not None]
    assert len(scored) >= 0.8 * len(rows)
    assert all(0.0 <= r.risk <= 1.0 for r in scored)
    assert all(r.drivers for r in rows) and all(r.model_version.startswith("v") for r in rows)


def test_rerunning_the_same_night_changes_nothing(plant):
    url = plant.expand(plant.cmms_target.url)
    before = dump(url)
    assert main(["nightly"]) == 0
    assert dump(url) == before


def test_critical_quality_failure_stops_the_run_with_a_readable_message(plant, tmp_path):
    strict = tmp_path / "strict.yaml"
    text = Path(os.environ["FORESIGHT_PLANT"]).read_text()
    strict.write_text(
        text.replace(
            "planners_daily_capacity: 2",
            "planners_daily_capacity: 2\nquality:\n  max_unknown_asset_share: 0.0",
        )
    )
    env = {**os.environ, "FORESIGHT_PLANT": str(strict)}
    night = _night_with_unknown_asset(plant)
    proc = subprocess.run(
        [sys.executable, "-m", "foresight.cli", "nightly", "--as-of", night],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 1
    assert "quality gate" in proc.stderr and "asset id is not in the asset register" in proc.stderr
    assert "Traceback" not in proc.stderr


def _night_with_unknown_asset(plant) -> str:
    """The newest export night holding a reading of an asset the register does not know."""
    import polars as pl

    from connectors.cmms import read_asset_register

    known = read_asset_register(plant.url_of(plant.sources.cmms))["asset_id"].to_list()
    for path in sorted((plant.exports_dir / "historian").glob("readings_*.parquet"), reverse=True):
        if pl.read_parquet(path).filter(~pl.col("asset_id").is_in(known)).height:
            return path.stem.split("_")[-1]
    raise AssertionError("the simulator injected no unknown asset id; raise its rate for this test")


def test_model_bundle_exports_and_imports_through_the_command_line(plant, tmp_path, capsys):
    from models.registry import ModelRegistry

    registry = ModelRegistry(plant.state_dir / "models")
    champion = registry.champion_version()
    bundle = tmp_path / "bundle.zip"
    assert main(["model", "export", "--out", str(bundle)]) == 0
    assert main(["model", "import", str(bundle)]) == 0
    imported = registry.versions()[-1]
    assert registry.card(imported)["imported_from"]["version"] == champion
    assert registry.champion_version() == champion  # an import does not take over unasked
    assert main(["model", "import", str(tmp_path / "missing.zip")]) == 1
    assert "missing.zip does not exist" in capsys.readouterr().err


def test_scores_say_how_they_were_made(plant):
    import polars as pl

    scores = pl.read_parquet(plant.state_dir / "store" / "risk_scores" / "*.parquet")
    assert scores["method"].drop_nulls().str.starts_with("lightgbm").all()
