"""The sensor-readings gate: GX expectations on a per-night profile of the rule outcomes.

Validating 28.8 million rows one by one in GX's pandas engine takes minutes; the rules only need
counts, so polars classifies every row once (`classify_readings`, whose result the cleaning reuses)
and GX validates the per-night profile of those counts. Examples of offending rows come from the
classified rows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import great_expectations.expectations as gxe
import polars as pl

from data_quality import reasons as R
from data_quality.cleaning import Classified, classify_readings
from data_quality.gx_runner import CRITICAL, WARNING, RuleOutcome, SuiteReport, run_suite


def _meta(rule: str, severity: str, reason: str | None = None) -> dict[str, str]:
    return {"rule": rule, "severity": severity, "reason": reason or ""}


def profile_readings(
    classified: Classified, nights: list[date], active_assets: int
) -> pl.DataFrame:
    """One row per night: rows received, share of rows per quarantine reason, assets reporting.

    An asset reports on a night when a clean row is stamped on that plant-local date (not late).
    """
    frame = pl.DataFrame({"night": nights}, schema={"night": pl.Date})
    shares = (
        classified.rejected.group_by("night", "reason")
        .len()
        .with_columns(pl.col("reason").cast(pl.String))
        .pivot("reason", index="night", values="len")
    )
    # a few nights and tens of millions of rows: one cheap masked pass per night beats a group-by
    valid, raw = classified.valid, classified.raw
    received, kept = [], []
    for night in nights:
        on = valid["night"] == night
        received.append((night, int((raw["night"] == night).sum())))
        kept.append(
            (
                night,
                int((valid["unit_converted"] & on).sum()),
                valid["asset_id"].filter(on & ~valid["late"]).n_unique(),
            )
        )
    received = pl.DataFrame(received, schema=["night", "rows"], orient="row")
    kept = pl.DataFrame(kept, schema=["night", "unit_converted", "assets_reporting"], orient="row")
    for part in (received, kept, shares):
        frame = frame.join(part, on="night", how="left")
    missing = [r for r in R.DESCRIPTIONS if r not in frame.columns]
    frame = frame.with_columns(pl.lit(0, pl.UInt32).alias(r) for r in missing)
    return frame.select(
        "night",
        pl.col("rows").fill_null(0),
        pl.col("unit_converted").fill_null(0),
        pl.col("assets_reporting").fill_null(0),
        *[
            (pl.col(r).fill_null(0) / pl.col("rows"))
            .fill_null(0.0)
            .fill_nan(0.0)
            .alias(f"share_{r}")
            for r in R.DESCRIPTIONS
        ],
        reporting_share=pl.col("assets_reporting").fill_null(0) / max(active_assets, 1),
    ).sort("night")


# rules on whole nights: rule -> (profile column, its minimum, severity)
NIGHT_RULES = {
    "the night's historian export has arrived (freshness)": ("rows", 1, CRITICAL),
    "at least half the active assets report readings stamped on the night": (
        "reporting_share",
        0.5,
        CRITICAL,
    ),
    "at least 90 % of the active assets report on the night": ("reporting_share", 0.9, WARNING),
}


def readings_suite(max_unknown: float, max_malformed: float, min_reporting: float = 0.5) -> list:
    """Expectations on the per-night profile; thresholds from the plant file's quality section."""
    minima = {"reporting_share": min_reporting}  # the critical one; a run-to-failure fleet shrinks

    def at_most(reason: str, limit: float, severity: str) -> object:
        return gxe.ExpectColumnValuesToBeBetween(
            column=f"share_{reason}",
            min_value=0.0,
            max_value=limit,
            meta=_meta(f"at most {limit:.2%} of rows: {R.DESCRIPTIONS[reason]}", severity, reason),
        )

    per_night = [
        gxe.ExpectColumnValuesToBeBetween(
            column=column,
            min_value=minima.get(column, minimum) if severity == CRITICAL else minimum,
            meta=_meta(rule, severity),
        )
        for rule, (column, minimum, severity) in NIGHT_RULES.items()
    ]
    return [
        *per_night,
        at_most(R.INVALID_ENCODING, max_malformed, CRITICAL),
        at_most(R.MALFORMED_LINE, max_malformed, CRITICAL),
        at_most(R.MISSING_KEY, max_malformed, CRITICAL),
        at_most(R.MALFORMED_TIMESTAMP, max_malformed, CRITICAL),
        at_most(R.UNKNOWN_ASSET, max_unknown, CRITICAL),
        at_most(R.NON_NUMERIC_VALUE, 0.01, WARNING),
        at_most(R.UNKNOWN_SENSOR, 0.0, WARNING),
        at_most(R.UNIT_MISMATCH, 0.0, WARNING),
        at_most(R.BAD_QUALITY, 0.05, WARNING),
        at_most(R.FUTURE_TIMESTAMP, 0.0001, WARNING),
        at_most(R.BEFORE_COMMISSIONING, 0.0001, WARNING),
        at_most(R.OUT_OF_RANGE, 0.001, WARNING),
        at_most(R.DUPLICATE, 0.01, WARNING),
    ]


def validate_readings(
    raw: pl.DataFrame,
    catalog: pl.DataFrame,
    register: pl.DataFrame,
    *,
    nights: list[date],
    timezone: str,
    max_unknown: float,
    max_malformed: float,
    results_dir: Path | None = None,
) -> SuiteReport:
    """Run the sensor-readings suite on the nights' raw readings; failures carry example rows."""
    classified = classify_readings(raw, catalog, register, timezone)
    return validate_classified(
        classified, register, nights=nights, max_unknown=max_unknown,
        max_malformed=max_malformed, results_dir=results_dir,
    )  # fmt: skip


def validate_classified(
    classified: Classified,
    register: pl.DataFrame,
    *,
    nights: list[date],
    max_unknown: float,
    max_malformed: float,
    min_reporting_share: float = 0.5,
    results_dir: Path | None = None,
) -> SuiteReport:
    """The sensor-readings suite on rows already classified (the cleaning reuses them)."""
    target = classified.of_nights(nights)
    active = register.filter(pl.col("status") == "active").height
    profile = profile_readings(target, nights, active)
    report = run_suite(
        "sensor_readings",
        profile,
        readings_suite(max_unknown, max_malformed, min_reporting_share),
        results_dir,
    )
    return report.with_details(lambda outcome: _detail(outcome, target, profile))


def _detail(outcome: RuleOutcome, classified: Classified, profile: pl.DataFrame) -> RuleOutcome:
    """Rows and examples for a failed rule: counts over the nights, a few offending raw rows."""
    nights = f"on {outcome.failing_rows} of {outcome.checked_rows} nights"
    if outcome.reason:
        rejected = classified.rejected
        return replace(
            outcome,
            scope=nights + ", overall",
            failing_rows=int((rejected["reason"] == outcome.reason).sum()),
            checked_rows=int(profile["rows"].sum()),
            examples=classified.examples(outcome.reason),
        )
    column, minimum, _ = NIGHT_RULES[outcome.rule]
    bad = profile.filter(pl.col(column) < minimum)
    nights = [
        f"{r['night']}: {r['rows']} rows, {r['reporting_share']:.0%} of assets"
        for r in bad.head(5).iter_rows(named=True)
    ]
    return replace(
        outcome,
        failing_rows=bad.height,
        checked_rows=profile.height,
        counted="nights",
        examples=nights,
    )
