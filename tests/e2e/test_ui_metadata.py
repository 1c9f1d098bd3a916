"""What the UI shows for each asset after a night and a training run: counts, quality results, the
model card, feature importance, the top of the risk list, the backtest's plot."""

import dagster as dg
import pytest

from foresight import runner
from foresight.cli import latest_night
from models.registry import ModelRegistry
from orchestration.definitions import defs

EXPECTED = {  # asset -> metadata it must carry (beyond whatever else it says); risk_backtest below
    "asset_register": ("assets", "active", "by_type"),
    "tag_catalog": ("tags", "asset_types"),
    "maintenance_logs": ("work_orders", "corrective", "assets"),
    "production_context": ("orders",),
    "sensor_readings_raw": ("rows", "files", "nights"),
    "sensor_readings_clean": ("raw_rows", "clean", "quarantined", "quarantined_share"),
    "quarantined_readings": ("clean", "quarantined"),
    "data_quality_scorecard": ("sensors", "poor_sensors", "poorest_sensors"),
    "sensor_daily_aggregates": ("rows", "readings"),
    "maintenance_failure_modes": ("corrective_orders", "codes_from_notes"),
    "window_features": ("rows", "assets", "features", "columns"),
    "failure_labels": ("rows", "failures", "positive_7d"),
    "failure_risk_model": ("version", "promotion", "model_card", "feature_importance"),
    "risk_scores": ("rows", "model_version", "top_risks", "bands_tonight"),
    "technician_feedback": ("requests", "precision_table"),
    "cmms_risk_scores": ("rows_written", "mode", "target"),
    "planner_report": ("night", "scores", "html", "csv"),
}


@pytest.fixture(scope="module")
def instance(plant_with_history) -> dg.DagsterInstance:
    """The instance after a training run (unless a champion exists) and the latest night."""
    plant = plant_with_history
    if ModelRegistry(plant.state_dir / "models").champion_version() is None:
        runner.run_job("training")
    runner.run_job("nightly", partition=latest_night(plant).isoformat())
    return dg.DagsterInstance.get()


def metadata(instance: dg.DagsterInstance, asset: str) -> dict:
    event = instance.get_latest_materialization_event(dg.AssetKey(asset))
    assert event is not None, f"{asset} was never materialized"
    return event.asset_materialization.metadata


def test_every_asset_of_the_night_and_the_training_says_what_it_holds(instance):
    graph = defs().resolve_asset_graph()
    shipped = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert set(EXPECTED) <= shipped
    missing = {
        asset: [k for k in keys if k not in metadata(instance, asset)]
        for asset, keys in EXPECTED.items()
    }
    assert {a: m for a, m in missing.items() if m} == {}
    added = [
        a
        for a in shipped - set(EXPECTED)
        if instance.get_latest_materialization_event(dg.AssetKey(a))
    ]  # an asset added since: it says something, at least
    assert [a for a in added if not metadata(instance, a)] == []


def test_the_ui_tables_are_markdown_the_ui_renders(instance):
    model = metadata(instance, "failure_risk_model")
    assert isinstance(model["model_card"], dg.MarkdownMetadataValue)
    assert "#### Validation (latest nights, out of time)" in model["model_card"].value
    assert model["feature_importance"].value.startswith("| feature | gain_share_7d |")
    top = metadata(instance, "risk_scores")["top_risks"].value
    assert top.startswith("| rank | asset_id | risk | band | drivers |") and "| 1 |" in top


def test_the_quality_gate_results_are_on_the_source_checks(instance):
    keys = [
        dg.AssetCheckKey(dg.AssetKey(a), "passes_quality_gate")
        for a in ("asset_register", "maintenance_logs", "production_context")
    ]
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    assert set(latest) == set(keys)
    for record in latest.values():
        evaluation = record.event.dagster_event.event_specific_data
        assert evaluation.metadata["rules_checked"].value > 0
        assert "failed_rules" in evaluation.metadata and "gx_results" in evaluation.metadata


@pytest.mark.slow
def test_the_backtest_shows_its_figures_and_the_replayed_risk_before_failures(instance):
    runner.run_job("backtest", run_config={"ops": {"risk_backtest": {"config": {"months": 2}}}})
    meta = metadata(instance, "risk_backtest")
    assert {"recall", "precision_at_k", "summary"} <= set(meta)
    plot = meta["risk_before_failures"].value
    assert plot.startswith("**Replayed 7-day risk in the 30 nights before")
    assert "](data:image/png;base64,iVBORw0KGgo" in plot  # a PNG, inline
