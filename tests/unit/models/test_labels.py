from datetime import date

import polars as pl

from models.labels import label_failures


def grid(days: list[int]) -> pl.DataFrame:
    return pl.DataFrame({"asset_id": "P-001", "as_of": [date(2026, 1, d) for d in days]})


EVENTS = pl.DataFrame({"asset_id": ["P-001"], "failure_day": [date(2026, 1, 10)]})


def test_failure_within_horizon_is_positive_and_day_of_failure_is_not():
    out = label_failures(grid([2, 3, 9, 10]), EVENTS, (7,), observed_until=date(2026, 1, 31))
    assert out["label_7d"].to_list() == [0, 1, 1, 0]
    assert out["days_to_failure"].to_list()[:3] == [8, 7, 1]


def test_unobserved_horizon_is_censored_not_negative():
    out = label_failures(grid([20, 25]), EVENTS, (7,), observed_until=date(2026, 1, 30))
    assert out["label_7d"].to_list() == [0, None]


def test_failure_inside_unobserved_tail_is_still_positive():
    events = pl.DataFrame({"asset_id": ["P-001"], "failure_day": [date(2026, 1, 29)]})
    out = label_failures(grid([25]), events, (7,), observed_until=date(2026, 1, 30))
    assert out["label_7d"].to_list() == [1]
