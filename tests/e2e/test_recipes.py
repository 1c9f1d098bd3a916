"""The recipes' worked examples, dropped into a defs folder beside Foresight's own definitions and
run on the small simulated plant, with a simulated oil lab as the new source."""

import shutil
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
import polars as pl
import pytest

from foresight import runner
from foresight.cli import latest_night
from foresight.errors import QualityGateError
from models.registry import ModelRegistry
from orchestration.defs.resources import ModelRegistryResource
from tests.recipes.oil_lab import write_oil_lab
from tests.recipes.project import examples, load_project

SOURCE, FAMILY, CHALLENGER = (
    "ingest/oil_analysis.py",
    "features/oil_analysis_features.py",
    "models/oil_analysis_challenger.py",
)


@pytest.fixture(scope="module")
def plant(plant_with_history):
    """The small plant with its history and its oil lab's export."""
    write_oil_lab(plant_with_history)
    return plant_with_history


@pytest.fixture(scope="module")
def project(plant, tmp_path_factory):
    """Foresight's definitions with the three examples enabled."""
    return load_project(tmp_path_factory.mktemp("recipes"), examples(SOURCE, FAMILY, CHALLENGER))


def latest_event(asset: str) -> dg.EventLogEntry | None:
    return dg.DagsterInstance.get().get_latest_materialization_event(dg.AssetKey(asset))


def latest(asset: str) -> dg.AssetMaterialization:
    return latest_event(asset).asset_materialization


def backfill_the_oil_assets(plant, project) -> tuple[str, str]:
    """The source and the family over the whole history in one run; the span of nights."""
    span = (plant.history_start.isoformat(), latest_night(plant).isoformat())
    assets = ("oil_analysis", "oil_analysis_features")
    runner.run_job("nightly", partition_range=span, assets=assets, definitions=project)
    return span


def test_the_examples_show_in_the_asset_graph_with_their_lineage(project):
    graph = project.resolve_asset_graph()
    parents = {
        name: {k.to_user_string() for k in graph.get(dg.AssetKey(name)).parent_keys}
        for name in ("oil_analysis", "oil_analysis_features", "oil_analysis_challenger")
    }
    assert parents["oil_analysis"] == {"asset_register"}
    assert parents["oil_analysis_features"] == {"oil_analysis", "asset_register"}
    assert {"window_features", "oil_analysis_features", "failure_labels"} <= parents[
        "oil_analysis_challenger"
    ]
    nightly = project.resolve_job_def("nightly").asset_layer.selected_asset_keys
    assert {dg.AssetKey("oil_analysis"), dg.AssetKey("oil_analysis_features")} <= nightly
    assert dg.AssetKey("oil_analysis_challenger") not in nightly  # trained by hand, in the UI


def test_the_source_reads_the_lab_export_behind_its_quality_gate(plant, project):
    night = latest_night(plant).isoformat()
    runner.run_job("nightly", partition=night, assets=("oil_analysis",), definitions=project)
    lab = pl.read_csv(plant.exports_dir / "lab" / "oil_analysis.csv")
    meta = latest("oil_analysis").metadata
    assert meta["rows"].value == lab.height
    assert meta["assets"].value == lab["equipment"].n_unique()
    assert "| asset_id | sample_id | sampled_at_utc |" in meta["preview"].value
    check = dg.DagsterInstance.get().event_log_storage.get_latest_asset_check_execution_by_key(
        [dg.AssetCheckKey(dg.AssetKey("oil_analysis"), "passes_quality_gate")]
    )
    evaluation = next(iter(check.values())).event.dagster_event.event_specific_data
    assert evaluation.passed and evaluation.metadata["rules_checked"].value == 11


def test_a_bad_lab_export_stops_at_the_gate_naming_the_rule_and_the_rows(plant, project, tmp_path):
    lab = pl.read_csv(plant.exports_dir / "lab" / "oil_analysis.csv", infer_schema=False)
    bad = pl.concat([lab.head(3), lab.head(1)]).with_columns(  # a repeated sample ...
        reported=pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("soon")).otherwise("reported")
    )  # ... and a report time that is not a time
    bad.write_csv(tmp_path / "oil_analysis_bad.csv")
    config = {"ops": {"oil_analysis": {"config": {"files": str(tmp_path / "*.csv")}}}}
    night = latest_night(plant).isoformat()
    before = latest_event("oil_analysis_features")
    with pytest.raises(QualityGateError) as raised:
        runner.run_job(
            "nightly",
            partition=night,
            assets=("oil_analysis", "oil_analysis_features"),
            run_config=config,
            definitions=project,
        )
    said = str(raised.value)
    assert "oil_analysis: rule 'reported_at parses as a time' failed (critical)" in said
    assert "record=oil_analysis_bad.csv#2" in said
    assert "rule 'one record per asset_id and sampled_at_utc' failed (critical)" in said
    assert latest_event("oil_analysis_features") == before  # the gate kept the family from running


def test_the_family_gives_every_night_the_latest_result_reported_before_it(plant, project):
    span = backfill_the_oil_assets(plant, project)
    nights = dg.DagsterInstance.get().get_materialized_partitions(
        dg.AssetKey("oil_analysis_features")
    )
    assert {span[0], span[1]} <= nights and len(nights) == (
        latest_night(plant) - plant.history_start
    ).days + 1
    store = plant.state_dir / "store" / "oil_analysis_features"
    night = latest_night(plant) - timedelta(days=40)
    table = pl.read_parquet(store / f"{night.isoformat()}.parquet")
    lab = pl.read_csv(plant.exports_dir / "lab" / "oil_analysis.csv")
    zone = ZoneInfo(plant.timezone)
    cutoff = datetime.combine(night + timedelta(days=1), time(), zone).astimezone(UTC)
    local = pl.col("reported").str.to_datetime().dt.replace_time_zone(plant.timezone)
    reported = local.dt.convert_time_zone("UTC")
    known = lab.with_columns(reported=reported).filter(pl.col("reported") < cutoff)
    expected = known.sort("reported").group_by("equipment").agg(pl.col("fe_ppm").last())
    got = dict(table.select("asset_id", "oil__iron_ppm__last").iter_rows())
    assert expected.height > 0
    for asset, iron in expected.iter_rows():
        assert got[asset] == pytest.approx(iron)
    meta = latest("oil_analysis_features").metadata
    assert meta["nights"].value == len(nights) and "oil__iron_ppm__mean__90d" in (
        meta["columns_filled"].value
    )


@pytest.mark.slow
def test_the_challenger_enters_the_promotion_gate_and_its_verdict_is_recorded(
    plant, project, tmp_path
):
    if ModelRegistry(plant.state_dir / "models").champion_version() is None:
        runner.run_job("training")
    registry = tmp_path / "models"  # a copy: the session's champion stays as it is
    shutil.copytree(plant.state_dir / "models", registry)
    champion = ModelRegistry(registry).champion_version()
    backfill_the_oil_assets(plant, project)
    assets = [a for a in project.assets if isinstance(a, dg.AssetsDefinition)]
    result = dg.materialize(
        assets,
        selection=["oil_analysis_challenger"],
        instance=dg.DagsterInstance.get(),
        resources={
            **project.resources,
            "model_registry": ModelRegistryResource(root=str(registry)),
        },
    )
    assert result.success
    meta = result.asset_materializations_for_node("oil_analysis_challenger")[0].metadata
    card = ModelRegistry(registry).card(meta["version"].value)
    gate = card["gate"]
    assert card["recipe"] == "oil_analysis_challenger" and gate["champion"] == champion
    assert gate["challenger_backtest"]["window"] == gate["champion_backtest"]["window"]
    assert meta["promotion"].value == gate["reason"] and meta["promoted"].value == gate["promoted"]
    assert "#### Promotion gate" in meta["model_card"].value
    assert "oil__" in meta["feature_importance"].value  # the family is there to be judged
    uses_oil = any(f.startswith("oil__") for f in card["features"])
    if uses_oil:  # the nightly scoring has no oil features: never the champion
        assert not gate["promoted"] and ModelRegistry(registry).champion_version() == champion
