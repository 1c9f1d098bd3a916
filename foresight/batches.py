"""Nights of a backfill in batches that bound memory: one batch's readings at a time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date


def night_batches(
    rows: Mapping[date, int], nights: Sequence[date], budget: int
) -> list[list[date]]:
    """Consecutive nights, in order, grouped so that no group holds more than `budget` rows.

    A night above the budget on its own is a group of its own (it cannot be split: a night is the
    unit the gate judges). A night missing from `rows` counts as empty.
    """
    batches: list[list[date]] = []
    held = 0
    for night in sorted(nights):
        n = rows.get(night, 0)
        if batches and held + n <= budget:
            batches[-1].append(night)
            held += n
        else:
            batches.append([night])
            held = n
    return batches
