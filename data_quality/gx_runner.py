"""Run a Great Expectations (GX Core 1.x) suite on a frame; summarise it for people and Dagster."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
logger = logging.getLogger(__name__)

CRITICAL = "critical"
WARNING = "warning"


@dataclass(frozen=True)
class RuleOutcome:
    """One expectation's verdict, in words a plant engineer reads."""

    rule: str
    severity: str
    passed: bool
    failing_rows: int | None
    checked_rows: int | None
    examples: list[str] = field(default_factory=list)
    observed: str | None = None
    reason: str = ""  # the quarantine reason code the rule counts, when it counts one
    counted: str = "rows"
    scope: str = ""  # where it failed, e.g. "on 3 of 450 nights"

    def sentence(self, source: str) -> str:
        if self.failing_rows is not None and self.checked_rows:
            share = 100.0 * self.failing_rows / self.checked_rows
            amount = (
                f"{self.failing_rows:,} of {self.checked_rows:,} {self.counted} ({share:.2f} %)"
            )
        else:
            amount = f"observed {self.observed}"
        examples = f"; e.g. {', '.join(self.examples[:5])}" if self.examples else ""
        scope = f" {self.scope}" if self.scope else ""
        return f"{source}: rule '{self.rule}' failed ({self.severity}){scope}: {amount}{examples}"


@dataclass(frozen=True)
class SuiteReport:
    """A suite's outcome on one batch: which rules passed, which critical ones failed."""

    source: str
    outcomes: list[RuleOutcome]
    results_path: Path | None = None

    @property
    def critical_passed(self) -> bool:
        return all(o.passed for o in self.outcomes if o.severity == CRITICAL)

    @property
    def failures(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if not o.passed]

    def message(self) -> str:
        """All failed rules, critical first; empty when everything passed."""
        ordered = sorted(self.failures, key=lambda o: o.severity != CRITICAL)
        return "\n".join(o.sentence(self.source) for o in ordered)

    def with_details(self, details: Callable[[RuleOutcome], RuleOutcome]) -> SuiteReport:
        """The same report with failed outcomes rewritten, e.g. with row counts and example rows."""
        outcomes = [o if o.passed else details(o) for o in self.outcomes]
        return replace(self, outcomes=outcomes)

    def as_metadata(self) -> dict[str, object]:
        return {
            "rules_checked": len(self.outcomes),
            "critical_failures": sum(
                not o.passed and o.severity == CRITICAL for o in self.outcomes
            ),
            "warnings": sum(not o.passed and o.severity == WARNING for o in self.outcomes),
            "failed_rules": self.message() or "none",
            "gx_results": str(self.results_path) if self.results_path else "not kept",
        }


def combine_reports(reports: list[tuple[str, SuiteReport]]) -> SuiteReport:
    """One report for a suite run on several batches (labelled, e.g. by their nights).

    A rule passes if it passed on every batch; a failed rule is listed once per batch it failed
    on, its scope prefixed with the batch's label. One batch: its report, unchanged.
    """
    if len(reports) == 1:
        return reports[0][1]
    first = reports[0][1]
    rules: dict[str, RuleOutcome] = {}  # every batch's rules, in the order they first appear
    for _, r in reports:
        for o in r.outcomes:
            rules.setdefault(o.rule, o)
    outcomes = []
    for rule in rules.values():
        failed = [
            (label, o)
            for label, r in reports
            for o in r.outcomes
            if o.rule == rule.rule and not o.passed
        ]
        outcomes += [replace(o, scope=f"[{label}] {o.scope}".rstrip()) for label, o in failed] or [
            rule
        ]
    paths = [r.results_path for _, r in reports if r.results_path is not None]
    return SuiteReport(first.source, outcomes, paths[0].parent if paths else None)


def _error_of(result: object) -> str | None:
    """The message of an exception GX caught while evaluating the rule, if it caught one."""
    info = result.exception_info or {}
    infos = [info] if "raised_exception" in info else list(info.values())
    for item in infos:
        if isinstance(item, dict) and item.get("raised_exception"):
            return str(item.get("exception_message"))
    return None


def _examples(details: dict, key: str | None) -> list[str]:
    """Offending rows named by their key when the suite has one, else the offending values."""
    if key and details.get("partial_unexpected_index_list"):
        return [
            f"{key}={row[key]} ("
            + ", ".join(f"{name}={value}" for name, value in row.items() if name != key)
            + ")"
            for row in details["partial_unexpected_index_list"]
        ]
    return [str(x) for x in (details.get("partial_unexpected_list") or [])]


def _outcome(result: object, key: str | None) -> RuleOutcome:
    config = result.expectation_config
    details = result.result or {}
    error = _error_of(result)
    observed = details.get("observed_value")
    return RuleOutcome(
        rule=str((config.meta or {}).get("rule", config.type)),
        severity=str((config.meta or {}).get("severity", WARNING)),
        passed=bool(result.success),
        failing_rows=details.get("unexpected_count"),
        checked_rows=details.get("element_count"),
        examples=list(dict.fromkeys(_examples(details, key)))[:5],
        observed=f"no verdict, the check itself failed: {error}" if error else observed,
        reason=str((config.meta or {}).get("reason", "")),
    )


def run_suite(
    source: str,
    frame: pl.DataFrame,
    expectations: list[object],
    results_dir: Path | None = None,
    key: str | None = None,
) -> SuiteReport:
    """Validate `frame` with GX against the expectations; keep GX's JSON results in results_dir.

    Args:
        key: a column naming each row (e.g. `wo_id`); failed rules then quote offending keys.
    """
    import great_expectations as gx  # slow to import: only when a suite runs

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    batch_def = (
        context.data_sources.add_pandas(f"{source}_source")
        .add_dataframe_asset(source)
        .add_batch_definition_whole_dataframe("whole_batch")
    )
    suite = gx.ExpectationSuite(name=f"{source}_suite")
    for expectation in expectations:
        suite.add_expectation(expectation)
    batch = batch_def.get_batch(batch_parameters={"dataframe": frame.to_pandas()})
    result_format = {"result_format": "SUMMARY"}
    if key is not None:
        result_format["unexpected_index_column_names"] = [key]
    result = batch.validate(suite, result_format=result_format)
    path = None
    if results_dir is not None:
        results_dir.mkdir(parents=True, exist_ok=True)
        path = results_dir / f"{source}.json"
        path.write_text(json.dumps(result.to_json_dict(), indent=1, default=str))
    return SuiteReport(
        source=source, outcomes=[_outcome(r, key) for r in result.results], results_path=path
    )
