"""draft-plant guesses formats, columns and time from sample files, and the draft loads."""

import yaml

from foresight.drafting import draft_plant, guess_file


def test_wide_semicolon_decimal_comma_local_time_is_recognised(tmp_path):
    path = tmp_path / "messwerte_2025-09-01.csv"
    path.write_text("Anlage;Zeit;temp_c;druck_bar\nP1;01.09.2025 00:00;61,5;2,25\n")
    guess = guess_file(path)
    assert guess.options.separator == ";" and guess.options.decimal_comma
    assert guess.layout == "wide"
    assert guess.columns == {"asset_id": "Anlage", "timestamp": "Zeit"}
    assert guess.time == {"kind": "local", "format": "%d.%m.%Y %H:%M"}
    assert guess.units == {"temp_c": "degC", "druck_bar": "bar"}


def test_long_export_with_epoch_seconds(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("machine,signal,ts,value\nM1,temp,1735689600,3.5\n")
    guess = guess_file(path)
    assert guess.layout == "long" and guess.time == {"kind": "epoch_seconds"}
    assert guess.columns == {"timestamp": "ts", "tag": "signal", "value": "value",
                             "asset_id": "machine"}  # fmt: skip


def test_headerless_whitespace_text_counts_cycles_and_the_draft_is_valid_yaml(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("1 1 0.5 7.0\n1 2 0.6 7.1\n2 1 0.4 6.9\n")
    text = draft_plant([path], tmp_path, "engines")
    draft = yaml.safe_load(text)
    historian = draft["sources"]["historian"]
    assert historian["csv"]["separator"] == "whitespace" and historian["csv"]["header"] is False
    assert historian["time"]["kind"] == "cycles"
    assert "CHECK" in text


def test_sensor_names_containing_hint_letters_are_not_taken_for_tag_or_value(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("Anlage;Zeit;supply_voltage;valve_temp\nP1;01.09.2025 00:00;230,1;40,5\n")
    guess = guess_file(path)
    assert guess.layout == "wide" and set(guess.units) == {"supply_voltage", "valve_temp"}


def test_the_draft_of_a_wide_export_loads_as_a_plant_file(tmp_path):
    from foresight.plant import load_plant

    path = tmp_path / "messwerte_2025-09-01.csv"
    path.write_text("Anlage;Zeit;temp_c\nP1;01.09.2025 00:00;61,5\n")
    out = tmp_path / "plant.yaml"
    out.write_text(draft_plant([path], tmp_path, "site"))
    plant = load_plant(out)
    assert plant.sources.historian.layout == "wide"
    assert plant.sources.historian.units == {"temp_c": "degC"}
