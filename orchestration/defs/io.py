"""Parquet IO manager: one file per asset partition, split by the `night` column on range runs."""

import pickle
from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl

from foresight.errors import InputDataError


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
        if not isinstance(obj, pl.DataFrame):
            path = self._path(key, None, "pkl")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pickle.dumps(obj))
            return
        partitions = context.asset_partition_keys if context.has_asset_partitions else [None]
        if len(partitions) == 1:
            self._write(self._path(key, partitions[0], "parquet"), obj)
            return
        by_night = obj.partition_by("night", as_dict=True, include_key=True)
        for partition in partitions:
            night = date.fromisoformat(partition)
            part = by_night.get((night,), obj.clear())  # an empty night is still a materialization
            self._write(self._path(key, partition, "parquet"), part)

    @staticmethod
    def _write(path: Path, frame: pl.DataFrame) -> None:
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
