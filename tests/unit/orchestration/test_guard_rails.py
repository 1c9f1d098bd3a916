"""A new file that breaks the graph fails here, not in the nightly run: each broken example is
dropped into a defs folder beside Foresight's own definitions, and the load or the rules name it."""

import re
from pathlib import Path

import dagster as dg
import pytest

from tests.graph_rules import graph_problems
from tests.recipes.project import examples, load_project

BROKEN = Path(__file__).resolve().parents[2] / "recipes" / "broken"


def problems_with(tmp_path: Path, files: dict) -> str:
    """What the load, Dagster's validation and the graph rules say about the defs folder."""
    defs = load_project(tmp_path, files)
    try:
        dg.Definitions.validate_loadable(defs)
    except dg.DagsterInvalidDefinitionError as exc:
        return str(exc)
    return "\n".join(graph_problems(defs))


@pytest.mark.parametrize(
    ("broken", "named"),
    [
        ("misspelt_input.py", r'Input asset "\["sensor_readings_cleaned"\]" is not produced'),
        ("duplicate_key.py", r"Duplicate asset key: AssetKey\(\['risk_scores'\]\)"),
        ("missing_dep.py", r"asset 'vibration_spectra_raw', which vibration_spectra depend"),
        ("unlabelled.py", r"asset 'vibration_spectra' has no description"),
        ("unlabelled.py", r"asset 'vibration_spectra' is in group 'default'"),
        ("unlabelled.py", r"asset 'vibration_spectra' has no owner"),
        ("unlabelled.py", r"check 'window_features_have_rows' of 'window_features' has no desc"),
    ],
)
def test_a_file_that_breaks_the_graph_is_caught_and_named(tmp_path, broken, named):
    said = problems_with(tmp_path, {f"features/{broken}": BROKEN / broken})
    assert said, f"{broken} went through the guard rails unnoticed"
    assert re.search(named, said), said


def test_the_recipe_examples_pass_the_same_guard_rails(tmp_path):
    files = examples(
        "ingest/oil_analysis.py",
        "features/oil_analysis_features.py",
        "models/oil_analysis_challenger.py",
    )
    assert problems_with(tmp_path, files) == ""
