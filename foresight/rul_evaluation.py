"""Remaining life of cut-off run-to-failure histories, against the true remaining life on file.

The usual benchmark of run-to-failure data (C-MAPSS): the champion's median remaining life at
the last record of each history cut off before failure, compared with the true remaining life:
root mean squared error, and the PHM08 score (late estimates cost more than early ones).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl

from connectors import site
from foresight.errors import ForesightError, InputDataError
from foresight.plant import Plant
from models.registry import ModelRegistry
from models.rul import phm_score


def read_true_remaining_life(plant: Plant) -> pl.DataFrame:
    """`asset_id`, `true_rul`: one number per line, line n naming the configured asset id."""
    rtf = plant.run_to_failure
    path = Path(plant.path_of(rtf.true_remaining_life))
    if not path.is_file():
        raise InputDataError(f"true remaining life file {path} does not exist.")
    values = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    try:
        numbers = [float(v) for v in values]
    except ValueError as exc:
        raise InputDataError(
            f"true remaining life file {path.name}: {exc}; expected one number per line."
        ) from exc
    ids = [rtf.true_remaining_life_ids.format(n=i) for i in range(1, len(numbers) + 1)]
    return pl.DataFrame({"asset_id": ids, "true_rul": numbers})


def _features_at(store: Path, days: list) -> pl.DataFrame:
    paths = [store / "window_features" / f"{d.isoformat()}.parquet" for d in sorted(set(days))]
    if missing := [p.name for p in paths if not p.is_file()]:
        raise ForesightError(
            f"window features of nights {missing[:3]} are not built; run `foresight train` first."
        )
    return pl.concat([pl.read_parquet(p) for p in paths], how="diagonal_relaxed")


def evaluate_cut_off_histories(plant: Plant, version: str | None = None) -> dict[str, float]:
    """RMSE and PHM08 score of a model's remaining life at each cut-off history's end.

    Args:
        version: the model version to evaluate; by default the newest trained (promoted or not).
    Writes the figures and the per-asset estimates under `<state>/evaluations/`.
    """
    if plant.run_to_failure is None or plant.run_to_failure.true_remaining_life is None:
        raise ForesightError(
            "the plant file names no maintenance.run_to_failure.true_remaining_life "
            "to compare with."
        )
    truth = read_true_remaining_life(plant)
    ends = site.cut_off_assets(plant).join(truth, on="asset_id", how="inner")
    if ends.height != truth.height:
        raise InputDataError(
            f"true remaining life names {truth.height} histories but {ends.height} of them are "
            "cut-off histories in the readings; check true_remaining_life_ids."
        )
    rows = _features_at(plant.state_dir / "store", ends["last_day"].to_list()).join(
        ends, left_on=["asset_id", "as_of"], right_on=["asset_id", "last_day"], how="inner"
    )
    registry = ModelRegistry(plant.state_dir / "models")
    model = registry.load(version or max(registry.versions(), key=_version_number))
    median, low, high = model.rul.predict(model.matrix(rows))
    actual = rows["true_rul"].to_numpy()
    out = rows.select("asset_id", "true_rul").with_columns(
        rul=pl.Series(median), rul_low=pl.Series(low), rul_high=pl.Series(high)
    )
    folder = plant.state_dir / "evaluations"
    folder.mkdir(parents=True, exist_ok=True)
    out.sort("asset_id").write_csv(folder / "cut_off_rul.csv")
    figures = {
        "histories": float(rows.height),
        "rmse": float(np.sqrt(np.mean((median - actual) ** 2))),
        "phm08_score": phm_score(median, actual),
        "mean_absolute_error": float(np.mean(np.abs(median - actual))),
        "interval_coverage": float(np.mean((actual >= low) & (actual <= high))),
        "model_version": model.version,
        "rul_cap": float(model.rul.cap_days),
    }
    (folder / "cut_off_rul.json").write_text(json.dumps(figures, indent=2))
    return figures


def _version_number(version: str) -> int:
    digits = "".join(ch for ch in version if ch.isdigit())
    return int(digits) if digits else -1
