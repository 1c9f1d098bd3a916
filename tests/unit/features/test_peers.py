from datetime import date

import polars as pl
import pytest

from features.peers import fleet_deviation
from features.spec import load_feature_spec
from foresight.errors import PlantConfigError


def test_deviation_is_from_the_median_of_the_same_type_on_the_same_night():
    table = pl.DataFrame(
        {
            "asset_id": ["P1", "P2", "P3", "M1", "P1"],
            "as_of": [date(2026, 1, 1)] * 4 + [date(2026, 1, 2)],
            "asset_type": ["pump", "pump", "pump", "motor", "pump"],
            "temp__mean__7d": [60.0, 62.0, 70.0, 40.0, 90.0],
            "temp__std__7d": [1.0, 1.0, 1.0, 1.0, 1.0],
        }
    )
    out = fleet_deviation(table, ("mean__7d",))
    assert out["temp__mean__7d__vs_fleet"].to_list() == [-2.0, 0.0, 8.0, 0.0, 0.0]
    assert "temp__std__7d__vs_fleet" not in out.columns


def test_spec_names_an_unknown_fleet_statistic(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("windows_days: [1, 7]\nstatistics: [mean]\nfleet_deviation: [mean__30d]\n")
    with pytest.raises(PlantConfigError, match=r"fleet_deviation \['mean__30d'\]"):
        load_feature_spec(spec)


def test_the_shipped_spec_declares_fleet_deviation():
    assert "mean__7d" in load_feature_spec().fleet_deviation
