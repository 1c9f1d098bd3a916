import zipfile
from datetime import date

import numpy as np
import polars as pl
import pytest

from foresight.errors import ModelError
from models.card import model_card
from models.registry import ModelRegistry, export_bundle, import_bundle


@pytest.fixture
def source(tmp_path, trained, fleet_frame) -> ModelRegistry:
    registry = ModelRegistry(tmp_path / "plant-a")
    model, metrics = trained
    registry.save(model, model_card(model, fleet_frame, metrics, "plant-a"))
    registry.promote(model.version)
    return registry


def test_bundle_round_trip_scores_the_same_in_another_plant(tmp_path, source, fleet_frame):
    bundle = export_bundle(source, tmp_path / "bundle.zip")
    target = ModelRegistry(tmp_path / "plant-b")
    promotion = import_bundle(target, bundle, fleet_frame.columns, ["motor", "pump"])
    assert promotion.promoted and target.champion_version() == "v0001"
    assert target.card("v0001")["imported_from"] == {
        "plant": "plant-a",
        "version": "v0001",
        "bundle": "bundle.zip",
    }
    night = fleet_frame.filter(pl.col("as_of") == date(2025, 7, 1))
    original, imported = source.load(), target.load()
    np.testing.assert_allclose(imported.predict_risk(night, 7), original.predict_risk(night, 7))
    np.testing.assert_allclose(imported.health.score(night), original.health.score(night))


def test_bundle_carries_its_feature_contract_and_asset_classes(tmp_path, source):
    with zipfile.ZipFile(export_bundle(source, tmp_path / "b.zip")) as bundle:
        manifest = __import__("json").loads(bundle.read("manifest.json"))
    assert manifest["asset_types"] == ["motor", "pump"]
    assert "vibration_rms_mm_s__mean__1d" in manifest["features"]
    assert manifest["horizons_days"] == [7, 30]


def test_import_names_the_features_the_plant_lacks(tmp_path, source, fleet_frame):
    bundle = export_bundle(source, tmp_path / "bundle.zip")
    columns = [c for c in fleet_frame.columns if c != "vibration_rms_mm_s__mean__1d"]
    target = ModelRegistry(tmp_path / "plant-b")
    with pytest.raises(ModelError, match="lacks 1: vibration_rms_mm_s__mean__1d"):
        import_bundle(target, bundle, columns, ["pump"])
    assert target.versions() == []  # nothing half-imported


def test_import_refuses_a_plant_with_other_asset_classes(tmp_path, source, fleet_frame):
    bundle = export_bundle(source, tmp_path / "bundle.zip")
    target = ModelRegistry(tmp_path / "plant-b")
    with pytest.raises(ModelError, match=r"this plant also has \['fan'\]"):
        import_bundle(target, bundle, fleet_frame.columns, ["pump", "fan"])


def test_import_keeps_the_champion_unless_asked(tmp_path, source, fleet_frame):
    bundle = export_bundle(source, tmp_path / "bundle.zip")
    target = ModelRegistry(tmp_path / "plant-b")
    import_bundle(target, bundle, fleet_frame.columns, ["pump"])
    kept = import_bundle(target, bundle, fleet_frame.columns, ["pump"])
    assert (kept.promoted, target.champion_version()) == (False, "v0001")
    taken = import_bundle(target, bundle, fleet_frame.columns, ["pump"], champion=True)
    assert (taken.promoted, target.champion_version()) == (True, "v0003")


def test_a_file_that_is_not_a_bundle_is_refused(tmp_path):
    bogus = tmp_path / "model.zip"
    bogus.write_text("not a zip")
    with pytest.raises(ModelError, match="not a zip file"):
        import_bundle(ModelRegistry(tmp_path / "b"), bogus, [], [])


def test_exporting_without_a_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match=r"cannot export model \(champion\)"):
        export_bundle(ModelRegistry(tmp_path), tmp_path / "b.zip")
