"""The plant file's cmms_target: shadow mode by default, and the mapping onto the site's tables."""

from pathlib import Path

import pytest

from foresight.errors import PlantConfigError
from foresight.plant import DEFAULT_PLANT, load_plant

MAPPING = """  mapping:
    schema: maximo
    current_scores:
      table: mxfs_risk_current
      columns: {asset_id: assetnum, risk: fs_risk}
    work_requests:
      table: mxfs_pdm_request
      columns: {asset_id: assetnum, disposition: fs_result, technician_note: remarks}
"""


def plant_with(tmp_path: Path, target: str) -> Path:
    text = DEFAULT_PLANT.read_text()
    start = text.index("cmms_target:")
    end = text.index("\nmodels:")
    path = tmp_path / "site.yaml"
    path.write_text(text[:start] + target + text[end:])
    return path


def test_a_new_plant_starts_in_shadow_mode_with_foresights_own_table_names(tmp_path):
    plant = load_plant(plant_with(tmp_path, 'cmms_target:\n  url: "sqlite:///{exports}/x.db"\n'))
    assert plant.cmms_target.mode == "shadow"
    assert plant.writeback_url().endswith("shadow_cmms.sqlite")
    mapping = plant.cmms_target.mapping
    assert mapping.table_name("work_requests") == "foresight_work_requests"
    assert mapping.column_name("current_scores", "asset_id") == "asset_id"


def test_mapping_names_the_sites_tables_columns_and_schema(tmp_path):
    target = 'cmms_target:\n  url: "sqlite:///{exports}/x.db"\n' + MAPPING
    mapping = load_plant(plant_with(tmp_path, target)).cmms_target.mapping
    assert mapping.db_schema == "maximo"
    assert mapping.table_name("current_scores") == "mxfs_risk_current"
    assert mapping.table_name("score_history") == "foresight_risk_score_history"
    assert mapping.column_name("work_requests", "disposition") == "fs_result"
    assert mapping.column_name("work_requests", "risk") == "risk"


def test_unknown_mapped_column_names_the_key_line_and_the_known_columns(tmp_path):
    target = 'cmms_target:\n  url: "x"\n' + MAPPING.replace("disposition:", "result:")
    path = plant_with(tmp_path, target)
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "fs_result" in t)
    with pytest.raises(
        PlantConfigError,
        match=rf"cmms_target.mapping.work_requests.columns' \(line {line}\).*'result' is not a "
        r"column of this table; expected one of \['request_id'",
    ):
        load_plant(path)


def test_two_columns_mapped_to_one_name_are_refused(tmp_path):
    target = 'cmms_target:\n  url: "x"\n' + MAPPING.replace("risk: fs_risk", "risk: assetnum")
    with pytest.raises(PlantConfigError, match=r"\['assetnum'\] would name two columns"):
        load_plant(plant_with(tmp_path, target))


def test_a_name_that_is_not_an_identifier_is_refused(tmp_path):
    target = 'cmms_target:\n  url: "x"\n' + MAPPING.replace("mxfs_pdm_request", '"pdm; drop"')
    with pytest.raises(PlantConfigError, match=r"work_requests.table.*not a plain SQL identifier"):
        load_plant(plant_with(tmp_path, target))
