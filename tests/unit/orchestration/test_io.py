"""The Parquet IO manager: nights staged by a step land one file per night, or not at all."""

from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from foresight.errors import ForesightError
from orchestration.defs.io import NightFiles, PartitionedParquetIOManager

DAYS = dg.DailyPartitionsDefinition(start_date="2026-01-01", end_date="2026-01-10")


def _job(tmp_path: Path, fail_after: int | None = None) -> dg.JobDefinition:
    @dg.asset(partitions_def=DAYS, backfill_policy=dg.BackfillPolicy.single_run())
    def readings(context: dg.AssetExecutionContext):
        nights = [date.fromisoformat(k) for k in context.partition_keys]
        with NightFiles(tmp_path / "staging") as out:
            for i, night in enumerate(nights):
                if fail_after is not None and i == fail_after:
                    raise OSError("the share went away")
                rows = pl.DataFrame({"night": [night] * (i + 1), "value": list(range(i + 1))})
                out.write(night, rows)
        return out

    io = PartitionedParquetIOManager(base_dir=str(tmp_path / "store"))
    return dg.Definitions(
        assets=[readings],
        jobs=[dg.define_asset_job("j", partitions_def=DAYS)],
        resources={"io_manager": io},
    ).resolve_job_def("j")


def _run(job: dg.JobDefinition):
    return job.execute_in_process(
        tags={
            "dagster/asset_partition_range_start": "2026-01-02",
            "dagster/asset_partition_range_end": "2026-01-04",
        },
        raise_on_error=False,
    )


def test_staged_nights_are_moved_into_the_store_one_file_each(tmp_path):
    result = _run(_job(tmp_path))
    assert result.success
    store = tmp_path / "store" / "readings"
    assert sorted(p.name for p in store.iterdir()) == [
        "2026-01-02.parquet",
        "2026-01-03.parquet",
        "2026-01-04.parquet",
    ]
    assert pl.read_parquet(store / "2026-01-04.parquet")["value"].to_list() == [0, 1, 2]
    assert not (tmp_path / "staging").exists()


def test_a_failed_step_leaves_neither_staged_nor_stored_nights(tmp_path):
    result = _run(_job(tmp_path, fail_after=2))
    assert not result.success
    assert not (tmp_path / "staging").exists()
    assert not (tmp_path / "store").exists()


def test_a_night_missing_from_the_staging_fails_the_step(tmp_path):
    files = NightFiles(tmp_path / "staging")
    with files:
        files.write(date(2026, 1, 2), pl.DataFrame({"night": [date(2026, 1, 2)]}))
    context = dg.build_output_context(asset_key=dg.AssetKey("readings"), partition_key="2026-01-03")
    io = PartitionedParquetIOManager(base_dir=str(tmp_path / "store"))
    with pytest.raises(FileNotFoundError, match="night 2026-01-03 was not staged"):
        io.handle_output(context, files)


def test_rows_of_a_night_not_staged_stop_the_step_instead_of_vanishing(tmp_path):
    frame = pl.DataFrame({"night": [date(2026, 1, 2), date(2026, 1, 5)], "value": [1, 2]})
    with (
        pytest.raises(ForesightError, match=r"outside the nights being staged.*'2026-01-05'"),
        NightFiles(tmp_path / "staging") as out,
    ):
        out.write_by_night([date(2026, 1, 2)], frame)
    assert not (tmp_path / "staging").exists()


def test_a_range_run_returning_rows_of_a_night_outside_its_partitions_fails_unwritten(tmp_path):
    @dg.asset(partitions_def=DAYS, backfill_policy=dg.BackfillPolicy.single_run())
    def scores(context: dg.AssetExecutionContext) -> pl.DataFrame:
        return pl.DataFrame({"night": [date(2026, 1, 2), date(2026, 1, 9)], "value": [1, 2]})

    io = PartitionedParquetIOManager(base_dir=str(tmp_path / "store"))
    job = dg.Definitions(
        assets=[scores],
        jobs=[dg.define_asset_job("j", partitions_def=DAYS)],
        resources={"io_manager": io},
    ).resolve_job_def("j")
    result = _run(job)
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error
    assert "1 rows of nights ['2026-01-09'] outside this run's partitions" in str(failure)
    assert not (tmp_path / "store").exists()
