from datetime import date, timedelta

import polars as pl
import pytest

from foresight.errors import ModelError
from models.cross_validation import cross_validate, grouped_time_folds
from models.training import TrainingSpec


def frame(assets: int = 9, nights: int = 120) -> pl.DataFrame:
    return pl.DataFrame(
        [
            (f"A-{a}", date(2025, 1, 1) + timedelta(days=n))
            for a in range(assets)
            for n in range(nights)
        ],
        schema=["asset_id", "as_of"],
        orient="row",
    )


@pytest.mark.parametrize("folds,embargo", [(2, 7), (3, 20), (4, 7)])
def test_no_fold_shares_an_asset_or_a_label_window(folds, embargo):
    data = frame()
    made = grouped_time_folds(data, folds, embargo_days=embargo)
    assert len(made) == folds
    for fold in made:
        train, valid = data.filter(fold.train), data.filter(fold.valid)
        assert train.height and valid.height
        assert set(train["asset_id"]).isdisjoint(set(valid["asset_id"]))
        # a training night's label looks at most `embargo` days ahead: still before validation
        assert train["as_of"].max() + timedelta(days=embargo) < valid["as_of"].min()


def test_folds_validate_on_later_and_later_nights():
    made = grouped_time_folds(frame(), 3, embargo_days=7)
    starts = [frame().filter(f.valid)["as_of"].min() for f in made]
    assert starts == sorted(starts) and len(set(starts)) == 3


def test_embargo_longer_than_a_block_is_a_clear_error():
    with pytest.raises(ModelError, match="fold 1 validates from 2025-01-31 but no night ends 30"):
        grouped_time_folds(frame(), 3, embargo_days=30)


def test_too_few_assets_for_the_folds_is_a_clear_error():
    with pytest.raises(ModelError, match="3 folds need .* the data has 2 assets"):
        grouped_time_folds(frame(assets=2), 3, embargo_days=7)


def test_cross_validation_reports_every_scorer_per_fold_and_mean(trained, fleet_frame):
    model, _ = trained
    spec = TrainingSpec(horizons=(7,), cv_folds=3)
    out = cross_validate(model, fleet_frame, 7, spec)
    assert [f["fold"] for f in out["folds"]] == [1, 2, 3]
    assert out["evaluated_folds"] == 3
    assert set(out["mean"]) == {
        f"{s}_{m}"
        for s in ("lightgbm", "logistic", "rule")
        for m in ("average_precision", "roc_auc")
    }
    # the synthetic failures show in vibration ten days ahead: every scorer finds them
    assert out["mean"]["lightgbm_roc_auc"] > 0.9
