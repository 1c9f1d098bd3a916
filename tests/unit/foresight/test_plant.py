from pathlib import Path

import pytest

from foresight.errors import PlantConfigError
from foresight.plant import DEFAULT_PLANT, load_plant


def test_demo_plant_file_loads_with_its_settings():
    plant = load_plant(DEFAULT_PLANT)
    assert plant.name == "demo"
    assert plant.simulator is not None and plant.simulator.n_assets == 50
    assert plant.cmms_target.mode == "live"
    assert "{exports}" not in plant.expand(plant.sources.cmms.url)


def test_wrong_value_names_key_and_line(tmp_path: Path):
    text = DEFAULT_PLANT.read_text().replace(
        "planners_daily_capacity: 3", "planners_daily_capacity: many"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    line = next(
        i for i, t in enumerate(text.splitlines(), 1) if t.startswith("planners_daily_capacity")
    )
    with pytest.raises(PlantConfigError, match=rf"planners_daily_capacity' \(line {line}\)"):
        load_plant(bad)


def test_unknown_key_is_rejected(tmp_path: Path):
    bad = tmp_path / "typo.yaml"
    bad.write_text(DEFAULT_PLANT.read_text().replace("timezone:", "time_zone: x\ntimezone:", 1))
    with pytest.raises(PlantConfigError, match="time_zone"):
        load_plant(bad)


def test_unknown_time_zone_is_explained(tmp_path: Path):
    bad = tmp_path / "tz.yaml"
    bad.write_text(DEFAULT_PLANT.read_text().replace("Europe/Berlin", "Mars/Olympus"))
    with pytest.raises(PlantConfigError, match="unknown time zone 'Mars/Olympus'"):
        load_plant(bad)


def test_missing_password_variable_is_named(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("CMMS_PW_FOR_TEST", raising=False)
    text = DEFAULT_PLANT.read_text().replace(
        "  mode: live", "  mode: live\n  password_env: CMMS_PW_FOR_TEST"
    )
    path = tmp_path / "pw.yaml"
    path.write_text(text)
    plant = load_plant(path)
    with pytest.raises(PlantConfigError, match="CMMS_PW_FOR_TEST"):
        plant.cmms_target.resolved_url()


def test_missing_file_says_how_to_choose_one(tmp_path: Path):
    with pytest.raises(PlantConfigError, match="--plant"):
        load_plant(tmp_path / "nope.yaml")


EXAMPLE = DEFAULT_PLANT.parent / "examples" / "cmapss_fd003.yaml"


def test_example_run_to_failure_plant_loads_with_paths_relative_to_its_folder():
    plant = load_plant(EXAMPLE)
    assert plant.run_to_failure is not None and plant.models.rul_cap_days == 125
    first = Path(plant.path_of(plant.sources.historian.globs[0]))
    assert first.parts[-3:] == ("datasets", "cmapss-fd003", "train_FD003.txt")
    assert first.is_absolute()


def test_wrong_layout_names_the_nested_key_its_line_and_the_choices(tmp_path: Path):
    text = EXAMPLE.read_text().replace("layout: wide", "layout: sideways")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "layout: sideways" in t)
    with pytest.raises(
        PlantConfigError, match=rf"sources.historian.layout' \(line {line}\).*'long' or 'wide'"
    ):
        load_plant(bad)


def test_a_plant_without_cmms_must_say_where_register_and_work_orders_are(tmp_path: Path):
    text = EXAMPLE.read_text()
    start = text.index("  maintenance:")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text[:start] + text[text.index("cmms_target:") :])
    with pytest.raises(PlantConfigError, match="give both asset_register and maintenance"):
        load_plant(bad)
