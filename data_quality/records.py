"""The quality gate of a per-asset record source (`connectors.records`): GX rules from its layout.

Critical, because nothing downstream can use such a row: the asset is not named, a time did not
parse, the same asset and time come twice. Warnings: the asset is not in the register, a number is
missing or outside the range the source declares.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import great_expectations.expectations as gxe
import polars as pl

from data_quality.gx_runner import CRITICAL, WARNING, SuiteReport, run_suite

KEY = "record"  # file and row of each record, quoted in failed rules


def _meta(rule: str, severity: str) -> dict[str, str]:
    return {"rule": rule, "severity": severity}


def validate_records(
    source: str,
    records: pl.DataFrame,
    register: pl.DataFrame,
    ranges: Mapping[str, tuple[float | None, float | None]],
    unique_on: tuple[str, ...] = (),
    results_dir: Path | None = None,
) -> SuiteReport:
    """Run the record source's suite.

    Args:
        records: `connectors.records.read_records` output (`asset_id`, `<time>_utc`, numbers,
            `source_file`, `source_row`).
        ranges: number column -> (lowest, highest) plausible value; None leaves a side open.
        unique_on: columns that identify one record (e.g. asset_id and sample time).
    """
    times = [c for c, t in records.schema.items() if isinstance(t, pl.Datetime)]
    suite = [
        gxe.ExpectColumnValuesToNotBeNull(
            column="asset_id", meta=_meta("record names an asset", CRITICAL)
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="asset_id",
            value_set=register["asset_id"].to_list(),
            mostly=0.95,
            meta=_meta("record asset is in the asset register", WARNING),
        ),
        *[
            gxe.ExpectColumnValuesToNotBeNull(
                column=c, meta=_meta(f"{c.removesuffix('_utc')} parses as a time", CRITICAL)
            )
            for c in times
        ],
        *[
            rule
            for column, (low, high) in ranges.items()
            for rule in _number_rules(column, low, high)
        ],
    ]
    if unique_on:
        suite.append(
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=list(unique_on),
                meta=_meta(f"one record per {' and '.join(unique_on)}", CRITICAL),
            )
        )
    frame = records.with_columns(pl.format("{}#{}", "source_file", "source_row").alias(KEY))
    return run_suite(source, frame, suite, results_dir, key=KEY)


def _number_rules(column: str, low: float | None, high: float | None) -> list[object]:
    return [
        gxe.ExpectColumnValuesToNotBeNull(
            column=column, mostly=0.95, meta=_meta(f"{column} is given as a number", WARNING)
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column=column,
            min_value=low,
            max_value=high,
            mostly=0.99,
            meta=_meta(f"{column} is between {low} and {high}", WARNING),
        ),
    ]
