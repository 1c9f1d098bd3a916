"""Progress of long steps: a line per batch of nights, at most about ten a step, and the command
line's logger prints those lines and nothing else."""

from datetime import date, timedelta

import dagster as dg

from orchestration.defs.operations.progress import log_progress, progress_logger


@dg.asset
def long_step(context: dg.AssetExecutionContext) -> None:
    """Twenty-five nights, one batch each, and some other log lines."""
    first = date(2026, 1, 1)
    for done in range(1, 26):
        night = first + timedelta(days=done - 1)
        log_progress(context, f"{done * 10} rows", [night], done, 25)
    context.log.info("loaded an input")
    context.log.warning("a warning that is not progress")


def test_only_progress_lines_are_printed_about_ten_per_step(capsys):
    defs = dg.Definitions(assets=[long_step], loggers={"progress": progress_logger})
    job = defs.resolve_implicit_global_asset_job_def()
    assert job.execute_in_process(run_config={"loggers": {"progress": {}}}).success
    lines = capsys.readouterr().err.splitlines()
    assert 5 <= len(lines) <= 10, lines
    assert lines[-1].endswith("long_step 25 of 25 (2026-01-25): 250 rows")
    assert all("long_step" in line and line.startswith("[foresight ") for line in lines)
