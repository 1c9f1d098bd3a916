"""Nights of a backfill in batches of bounded size."""

from datetime import date, timedelta

from foresight.batches import night_batches

D = [date(2026, 1, 1) + timedelta(days=i) for i in range(5)]


def test_small_nights_share_one_batch():
    assert night_batches(dict.fromkeys(D, 10), D, budget=100) == [D]


def test_batches_never_exceed_the_budget_and_keep_the_nights_in_order():
    rows = dict(zip(D, [40, 40, 40, 10, 90], strict=True))
    assert night_batches(rows, list(reversed(D)), budget=90) == [D[:2], D[2:4], D[4:]]


def test_a_night_above_the_budget_is_a_batch_of_its_own():
    rows = {D[0]: 5, D[1]: 500, D[2]: 5}
    assert night_batches(rows, D[:3], budget=100) == [[D[0]], [D[1]], [D[2]]]


def test_a_night_without_rows_counts_as_empty():
    assert night_batches({}, D[:2], budget=1) == [D[:2]]
    assert night_batches({D[0]: 1}, [], budget=1) == []
