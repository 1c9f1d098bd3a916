"""A small synthetic fleet whose failures show in one sensor ten days ahead, for model tests."""

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from models.labels import label_failures, label_failures_by_mode

START = date(2025, 1, 1)
NIGHTS = 240
HORIZONS = (7, 30)


def synthetic_fleet(
    n_assets: int = 12, rare_failures: int = 2, seed: int = 3
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(window-feature table, failure events): BRG-WEAR often, SEAL-LEAK `rare_failures` times."""
    rng = np.random.default_rng(seed)
    rows, events = [], []
    for a in range(n_assets):
        asset = f"A-{a:02d}"
        fails = sorted(rng.choice(np.arange(40, NIGHTS - 5), size=3, replace=False))
        days = np.arange(NIGHTS)
        to_next = np.array([min([f - d for f in fails if f > d], default=999) for d in days])
        vib = 2.0 + np.where(to_next <= 10, (11 - to_next) * 0.4, 0) + rng.normal(0, 0.3, NIGHTS)
        for d in days:
            rows.append(
                {
                    "asset_id": asset,
                    "as_of": START + timedelta(days=int(d)),
                    "night": START + timedelta(days=int(d)),
                    "asset_type": "pump" if a % 2 else "motor",
                    "vibration_rms_mm_s__mean__1d": float(vib[d]),
                    "bearing_temp_c__mean__1d": float(60 + rng.normal(0, 1)),
                    "mes_load_pct__mean__1d": float(70 + rng.normal(0, 5)),
                }
            )
        for f in fails:
            events.append((asset, START + timedelta(days=int(f)), "BRG-WEAR", "bearing"))
    for i in range(rare_failures):
        asset, day, _, _ = events[3 * i + 1]
        events[3 * i + 1] = (asset, day, "SEAL-LEAK", "seal")
    ev = pl.DataFrame(
        events, schema=["asset_id", "failure_day", "failure_code", "component"], orient="row"
    )
    return pl.DataFrame(rows), ev


def labelled(features: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    grid = features.select("asset_id", "as_of")
    last = grid["as_of"].max()
    labels = label_failures(grid, events, HORIZONS, last).join(
        label_failures_by_mode(grid, events, HORIZONS, last), on=["asset_id", "as_of"]
    )
    return features.drop("night").join(labels, on=["asset_id", "as_of"])


@pytest.fixture(scope="session")
def fleet() -> tuple[pl.DataFrame, pl.DataFrame]:
    return synthetic_fleet()


@pytest.fixture(scope="session")
def fleet_frame(fleet) -> pl.DataFrame:
    return labelled(*fleet)


@pytest.fixture(scope="session")
def trained(fleet_frame):
    """A model trained quickly (no CV, baselines or remaining life) on the synthetic fleet."""
    from models.training import TrainingSpec, train_failure_risk_model

    spec = TrainingSpec(
        horizons=HORIZONS, min_failures=8, capacity=2, cv_folds=0, baselines=False, rul=False
    )
    return train_failure_risk_model(fleet_frame, spec, "v0001")
