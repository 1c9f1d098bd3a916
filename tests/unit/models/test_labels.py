from datetime import date

import polars as pl

from models.labels import (
    count_failures,
    failure_counts_by_mode,
    label_failures,
    label_failures_by_mode,
    mode_slug,
)


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


def test_mode_labels_count_only_that_modes_failures():
    events = pl.DataFrame(
        {
            "asset_id": ["P-001", "P-001"],
            "failure_day": [date(2026, 1, 10), date(2026, 1, 20)],
            "failure_code": ["BRG-WEAR", "SEAL-LEAK"],
        }
    )
    out = label_failures_by_mode(grid([5, 15]), events, (7,), observed_until=date(2026, 1, 31))
    assert out["label_7d__brg_wear"].to_list() == [1, 0]
    assert out["label_7d__seal_leak"].to_list() == [0, 1]
    assert out["days_to_failure__seal_leak"].to_list() == [15, 5]


def test_mode_labels_are_censored_like_any_failure_labels():
    events = pl.DataFrame(
        {"asset_id": ["P-001"], "failure_day": [date(2026, 1, 10)], "failure_code": ["BRG-WEAR"]}
    )
    out = label_failures_by_mode(grid([20, 28]), events, (7,), observed_until=date(2026, 1, 30))
    assert out["label_7d__brg_wear"].to_list() == [0, None]


def test_mode_labels_by_component_when_asked():
    events = pl.DataFrame(
        {
            "asset_id": ["P-001"],
            "failure_day": [date(2026, 1, 10)],
            "failure_code": ["BRG-LUBE"],
            "component": ["bearing"],
        }
    )
    out = label_failures_by_mode(grid([5]), events, (7,), date(2026, 1, 31), key="component")
    assert out["label_7d__bearing"].to_list() == [1]


def test_failures_are_counted_once_per_asset_and_day():
    events = pl.DataFrame(
        {"asset_id": ["P-001"], "failure_day": [date(2026, 1, 10)], "failure_code": ["BRG-WEAR"]}
    )
    frame = label_failures_by_mode(grid([2, 5, 8]), events, (7,), date(2026, 1, 31))
    assert count_failures(frame, "brg_wear") == 1
    assert failure_counts_by_mode(events) == {"BRG-WEAR": 1}


def test_mode_slug_makes_a_column_name_part():
    assert mode_slug(" BRG-WEAR ") == "brg_wear"
