"""Gate and clean one batch of nights' raw readings: every rule applied once, for both.

The readings gate (a GX suite on the nights' profile) and the cleaning (clean rows, quarantine
with reason codes) read the same classification of every raw row; this is the one place that
runs the two in order and holds them to raw = clean + quarantined.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from data_quality.cleaning import CleaningResult, classify_readings, clean_classified
from data_quality.flags import FlagRules
from data_quality.gx_runner import SuiteReport
from data_quality.readings_gate import validate_classified
from foresight.errors import ForesightError


@dataclass(frozen=True)
class ReadingRules:
    """The plant's limits for the readings gate (shares of rows or assets) and sensor flags."""

    max_unknown: float
    max_malformed: float
    min_reporting_share: float = 0.5
    flags: FlagRules = field(default_factory=FlagRules)


@dataclass(frozen=True)
class GatedBatch:
    """The gate's report, the clean rows and quarantine, and their counts."""

    report: SuiteReport
    result: CleaningResult
    counts: Counter[str]  # raw_rows, clean, quarantined, quarantined.<reason>


def gate_and_clean(
    raw: pl.DataFrame,
    catalog: pl.DataFrame,
    register: pl.DataFrame,
    *,
    nights: list[date],
    timezone: str,
    run_id: str,
    rules: ReadingRules,
    earlier: pl.DataFrame | pl.LazyFrame | None = None,
    results_dir: Path | None = None,
) -> GatedBatch:
    """Classify `raw` (the rows of `nights`) once, run the readings gate on it, then clean it.

    Args:
        earlier: raw rows of the nights just before (lazy: only rows that could repeat one of
            `raw`'s are read), to recognise late duplicates.
        results_dir: where GX keeps its JSON results (None: not kept).

    Raises:
        ForesightError: the cleaning lost or invented rows (raw != clean + quarantined).
    """
    classified = classify_readings(raw, catalog, register, timezone, earlier=earlier)
    report = validate_classified(
        classified,
        register,
        nights=nights,
        max_unknown=rules.max_unknown,
        max_malformed=rules.max_malformed,
        min_reporting_share=rules.min_reporting_share,
        results_dir=results_dir,
    )
    result = clean_classified(classified, nights=nights, run_id=run_id, rules=rules.flags)
    counts = Counter(raw_rows=raw.height, **result.counts())
    if raw.height != counts["clean"] + counts["quarantined"]:
        span = str(nights[0]) if len(nights) == 1 else f"{nights[0]} .. {nights[-1]}"
        raise ForesightError(
            f"sensor readings of {span}: {raw.height:,} raw rows but {counts['clean']:,} clean "
            f"+ {counts['quarantined']:,} quarantined; the cleaning lost or invented rows. "
            "This is a bug in data_quality.cleaning: report it with the run id."
        )
    return GatedBatch(report, result, counts)
