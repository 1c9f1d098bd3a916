"""Parquet IO manager: one file per asset partition, split by the `night` column on range runs.

Heavy per-reading assets write each night as they finish it (`NightFiles`), so that a backfill of
many nights holds one batch in memory, not the whole range; the IO manager then moves those files
into place.
"""

import pickle
import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl

from foresight.errors import ForesightError, InputDataError


class NightFiles:
    """One Parquet file per night, written by an asset while it runs and moved into the store by
    the IO manager when the step succeeds (on failure they are removed: nothing half-done stays).

    Use as a context manager around the work: `with NightFiles(folder) as out: out.write(...)`.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.rows = 0

    def __enter__(self) -> "NightFiles":
        shutil.rmtree(self.folder, ignore_errors=True)  # a retried step starts afresh
        self.folder.mkdir(parents=True)
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:
            self.discard()

    def path(self, night: str) -> Path:
        return self.folder / f"{night}.parquet"

    def write(self, night: date, frame: pl.DataFrame) -> None:
        """Stage one night's rows (an empty frame is a night with no rows, still written)."""
        PartitionedParquetIOManager.write_atomic(self.path(night.isoformat()), frame)
        self.rows += frame.height

    def write_by_night(self, nights: list[date], frame: pl.DataFrame) -> None:
        """Stage a frame of several nights, one file per night (by its `night` column).

        Raises:
            ForesightError: the frame has rows of other nights (or none): they would not be stored.
        """
        by_night = frame.partition_by("night", as_dict=True, maintain_order=True)
        if stray := sorted(str(k[0]) for k in by_night if k[0] not in set(nights)):
            raise ForesightError(
                f"{self.folder.name}: {len(stray)} nights of rows outside the nights being staged "
                f"({nights[0]} .. {nights[-1]}): {stray[:5]}; they would be silently dropped. "
                "The step must give each row the arrival night it is staged under."
            )
        for night in nights:
            self.write(night, by_night.get((night,), frame.clear()))

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        if ".staging" not in self.folder.parts:
            return
        for parent in self.folder.parents:  # the run's folder goes with its last output
            if parent.name == ".staging" or not parent.is_dir() or any(parent.iterdir()):
                break
            parent.rmdir()


def staged(state_dir: Path, context: dg.AssetExecutionContext, output: str) -> NightFiles:
    """Where a step stages an output's nights: under the plant's store, per run and output."""
    key = context.asset_key_for_output(output) if output else context.asset_key
    return NightFiles(Path(state_dir, "store", ".staging", context.run.run_id, *key.path))


class PartitionedParquetIOManager(dg.ConfigurableIOManager):
    """Polars frames as Parquet (`<asset>/<partition>.parquet`); anything else pickled.

    An input annotated `pl.LazyFrame` is scanned, not read: the asset reads only what it needs.
    """

    base_dir: str

    def _path(self, key: dg.AssetKey, partition: str | None, suffix: str) -> Path:
        name = partition or "all"
        return Path(self.base_dir, *key.path, f"{name}.{suffix}")

    def handle_output(self, context: dg.OutputContext, obj: object) -> None:
        if obj is None:
            return
        key = context.asset_key
        if isinstance(obj, NightFiles):
            self._move_into_place(context, obj)
            return
        if not isinstance(obj, pl.DataFrame):
            path = self._path(key, None, "pkl")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pickle.dumps(obj))
            return
        partitions = context.asset_partition_keys if context.has_asset_partitions else [None]
        if len(partitions) == 1:
            self.write_atomic(self._path(key, partitions[0], "parquet"), obj)
            return
        by_night = obj.partition_by("night", as_dict=True, include_key=True)
        if stray := {k[0] for k in by_night} - {date.fromisoformat(p) for p in partitions}:
            raise ForesightError(
                f"{key.to_user_string()}: {sum(by_night[(n,)].height for n in stray)} rows of "
                f"nights {sorted(map(str, stray))} outside this run's partitions "
                f"({partitions[0]} .. {partitions[-1]}); they would be lost, so nothing is written."
            )
        for partition in partitions:
            night = date.fromisoformat(partition)
            part = by_night.get((night,), obj.clear())  # an empty night is still a materialization
            self.write_atomic(self._path(key, partition, "parquet"), part)

    def _move_into_place(self, context: dg.OutputContext, staged: NightFiles) -> None:
        for partition in context.asset_partition_keys:
            source = staged.path(partition)
            if not source.is_file():
                raise FileNotFoundError(
                    f"{context.asset_key.to_user_string()}: night {partition} was not staged in "
                    f"{staged.folder}; every night of the run must be written."
                )
            target = self._path(context.asset_key, partition, "parquet")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, target)  # a rename within one file system: atomic
        staged.discard()

    @staticmethod
    def write_atomic(path: Path, frame: pl.DataFrame) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        frame.write_parquet(tmp)
        tmp.replace(path)  # atomic: a crash never leaves half a file

    def load_input(self, context: dg.InputContext) -> object:
        key = context.asset_key
        if not context.has_asset_partitions:
            pkl = self._path(key, None, "pkl")
            if pkl.is_file():
                return pickle.loads(pkl.read_bytes())
            return pl.read_parquet(self._path(key, None, "parquet"))
        paths = [self._path(key, p, "parquet") for p in context.asset_partition_keys]
        present = [p for p in paths if p.is_file()]
        if not present:
            raise InputDataError(
                f"asset {key.to_user_string()}: none of its {len(paths)} partitions "
                f"({paths[0].stem} .. {paths[-1].stem}) has been materialized. Run the nightly job "
                "for those nights first (foresight nightly does it)."
            )
        if len(present) < len(paths):
            context.log.info(
                f"{key.to_user_string()}: {len(paths) - len(present)} partitions not materialized"
            )
        if context.dagster_type.typing_type is pl.LazyFrame:  # the asset reads what it needs
            return pl.concat([pl.scan_parquet(p) for p in present], how="diagonal_relaxed")
        return pl.concat([pl.read_parquet(p) for p in present], how="diagonal_relaxed")
