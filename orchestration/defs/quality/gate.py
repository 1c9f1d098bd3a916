"""Turn a GX suite report into a Dagster asset check; critical rules block everything downstream."""

import dagster as dg

from data_quality.gx_runner import SuiteReport
from orchestration.defs.plant import nightly_partitions

CHECK_NAME = "passes_quality_gate"


def gate_spec(asset: str | dg.AssetKey, partitioned: bool = False) -> dg.AssetCheckSpec:
    """The blocking quality-gate check of a source asset."""
    return dg.AssetCheckSpec(
        name=CHECK_NAME,
        asset=asset,
        blocking=True,
        description="GX suite of this source: its critical rules block downstream work.",
        partitions_def=nightly_partitions if partitioned else None,
    )


def check_result(report: SuiteReport, asset: str | dg.AssetKey) -> dg.AssetCheckResult:
    """Critical failures are ERROR (blocking); warnings pass with WARN-level details."""
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=CHECK_NAME,
        passed=report.critical_passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=report.message() or "all rules passed",
        metadata=report.as_metadata(),
    )
