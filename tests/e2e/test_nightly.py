"""The whole nightly path on a small simulated plant, run in process as `foresight nightly` does."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from foresight.cli import main
from foresight.plant import load_plant
from simulator.technicians import TechnicianSettings

FEEDBACK_DELAY_DAYS = TechnicianSettings().response_days
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
    assert main(["simulate"]) == 0
    from foresight.cli import latest_night

    earlier = latest_night(plant) - timedelta(days=FEEDBACK_DELAY_DAYS + 1)
    assert main(["nightly", "--as-of", earlier.isoformat()]) == 0  # opens requests...
    assert main(["nightly"]) == 0  # ...which the simulated technicians answer before this night
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


def test_technicians_answer_the_earlier_requests_and_the_feedback_is_reported(plant):
    from connectors.feedback import read_dispositions

    feedback = read_dispositions(plant.writeback_url())
    answered = feedback.filter(feedback["disposition"].is_not_null())
    assert answered.height >= 1
    assert set(answered["disposition"]) <= {"fault_confirmed", "no_fault_found", "deferred"}
    assert all(answered["technician_note"].str.len_chars() > 0)
    report = (plant.state_dir / "reports" / "latest.html").read_text()
    assert 'id="technician-feedback"' in report and "No predictive work request" not in report
    from foresight.cli import latest_night

    meta = _latest_metadata("technician_feedback")  # read before tonight's requests were written
    earlier = feedback.filter(feedback["created_night"] < latest_night(plant))
    assert meta["requests"].value == earlier.height
    assert "| overall | all |" in meta["precision_table"].value


def test_confirmed_faults_join_the_failure_labels(plant):
    from connectors.feedback import confirmed_failure_events, read_dispositions
    from foresight.runner import run_job

    url = plant.writeback_url()
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # the small plant's last weeks hold no true failure: one is
        conn.execute(  # confirmed here as the CMMS would, so that the wiring has one to carry
            sa.text(
                "UPDATE foresight_work_requests SET disposition = 'fault_confirmed', "
                "disposition_at = '2026-04-20 10:00:00.000000', closed = 1, status = 'closed' "
                "WHERE request_id = (SELECT MIN(request_id) FROM foresight_work_requests)"
            )
        )
    engine.dispose()
    confirmed = confirmed_failure_events(read_dispositions(url))
    assert confirmed.height >= 1
    run_job("training", assets=("failure_labels",))  # labels only: no model is trained
    assert _latest_metadata("failure_labels")["confirmed_by_technicians"].value == confirmed.height


def _latest_metadata(asset: str) -> dict:
    import dagster as dg

    event = dg.DagsterInstance.get().get_latest_materialization_event(dg.AssetKey(asset))
    return event.asset_materialization.metadata


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


def test_shadow_mode_leaves_the_live_cmms_byte_for_byte_unchanged(plant, tmp_path, capsys):
    """The night's write-back assets rerun in process with the same plant in shadow mode."""
    import hashlib

    from foresight.cli import latest_night
    from foresight.risk_list import print_risk_list
    from foresight.runner import run_job

    live = Path(plant.expand(plant.cmms_target.url).removeprefix("sqlite:///"))
    before = hashlib.sha256(live.read_bytes()).hexdigest()
    shadow_file = tmp_path / "small_shadow.yaml"  # same plant and state, no mode: shadow
    shadow_file.write_text(
        Path(os.environ["FORESIGHT_PLANT"]).read_text().replace("  mode: live\n", "")
    )
    shadow = load_plant(shadow_file)
    assert shadow.cmms_target.mode == "shadow" and shadow.state_dir == plant.state_dir
    night = latest_night(plant)
    run_job(
        "nightly",
        partition=night.isoformat(),
        assets=("technician_feedback", "cmms_risk_scores", "planner_report"),
        run_config={"resources": {"plant": {"config": {"plant_file": str(shadow_file)}}}},
    )
    print_risk_list(shadow, night)
    assert hashlib.sha256(live.read_bytes()).hexdigest() == before
    written = dump(shadow.writeback_url())
    scores, requests = written["foresight_current_risk_scores"], written["foresight_work_requests"]
    assert scores and requests
    sentence = (
        f"shadow mode: nothing written to the live CMMS, {len(scores)} scores and "
        f"{len(requests)} work requests would have been written"
    )
    assert sentence in capsys.readouterr().out
    assert sentence in (plant.state_dir / "reports" / "latest.html").read_text()


@pytest.mark.postgres
def test_the_nightly_write_back_into_postgresql_twice_then_a_rerun(plant, tmp_path, postgres_url):
    """The write-back assets of two nights against a fresh PostgreSQL CMMS, then a rerun."""
    from connectors.feedback import read_dispositions
    from foresight.cli import latest_night
    from foresight.runner import run_job
    from tests.cmms_fixtures import table_dump

    pg_file = tmp_path / "small_pg.yaml"  # same plant and state; the CMMS target is PostgreSQL
    text = Path(os.environ["FORESIGHT_PLANT"]).read_text()
    target = text[text.index("cmms_target:") : text.index("\nmodels:")]
    pg_file.write_text(text.replace(target, f'cmms_target:\n  url: "{postgres_url}"\n  mode: live'))
    last = latest_night(plant)
    writeback = ("technician_feedback", "cmms_risk_scores", "planner_report")
    config = {"resources": {"plant": {"config": {"plant_file": str(pg_file)}}}}

    def night(day) -> dict:
        run_job("nightly", partition=day.isoformat(), assets=writeback, run_config=config)
        return table_dump(postgres_url)

    night(last - timedelta(days=FEEDBACK_DELAY_DAYS + 1))
    second = night(last)
    history = second["foresight_risk_score_history"][0]
    current = second["foresight_current_risk_scores"][0]
    assert current > 0 and history == 2 * current
    feedback = read_dispositions(postgres_url)
    assert feedback["disposition"].is_not_null().sum() >= 1  # the first night's, answered
    assert night(last) == second  # the same night again: counts and content hashes unchanged
    first = (last - timedelta(days=FEEDBACK_DELAY_DAYS + 1)).isoformat()
    span = (first, last.isoformat())  # a single-run backfill of both nights changes nothing either
    run_job("nightly", partition_range=span, assets=writeback, run_config=config)
    assert table_dump(postgres_url) == second


def test_a_cmms_written_by_an_earlier_foresight_is_upgraded_before_the_technicians_read_it(plant):
    """Last in this module: it alters the live CMMS the other tests read."""
    from foresight.cli import latest_night
    from foresight.runner import run_job

    newer = ("horizon_days", "disposition", "disposition_at", "technician_note", "closed")
    engine = sa.create_engine(plant.writeback_url())
    with engine.begin() as conn:  # the work-request table as an earlier Foresight left it
        for column in newer:
            conn.execute(sa.text(f"ALTER TABLE foresight_work_requests DROP COLUMN {column}"))
    night = latest_night(plant)
    run_job("nightly", partition=night.isoformat(), assets=("technician_feedback",))
    present = {c["name"] for c in sa.inspect(engine).get_columns("foresight_work_requests")}
    engine.dispose()
    assert set(newer) <= present


def test_backtest_prints_every_horizon_beside_the_baselines_and_fills_the_model_card(plant, capsys):
    import json

    from models.registry import ModelRegistry

    capsys.readouterr()
    assert main(["backtest", "--months", "1", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)  # the JSON alone: progress goes to stderr
    horizons = {f"{h}d" for h in plant.models.horizons_days}
    assert set(figures["by_horizon"]) == horizons
    assert set(figures["baselines"]) == {"logistic", "rule"}
    assert all(set(b) == horizons for b in figures["baselines"].values())
    assert figures["by_horizon"][f"{figures['horizon_days']}d"]["recall"] == figures["recall"]
    registry = ModelRegistry(plant.state_dir / "models")
    card = registry.card(registry.champion_version())
    assert card["backtest"]["baselines"] == figures["baselines"]
    lists = plant.state_dir / "backtests" / "baseline_risk_lists.parquet"
    assert lists.is_file()
