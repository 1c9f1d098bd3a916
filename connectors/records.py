"""Per-asset records from a site export (lab results, inspections, meter reads), made canonical.

A record is a row about one asset at one time with a few numbers: an oil sample's iron content, a
thermography reading. The export names its columns its own way (`RecordExport.columns` maps them),
times in it are local wall-clock like the CMMS's and become UTC (`<name>_utc`), and numbers may use
a decimal comma. A cell that cannot be read (a time, a number) becomes null and stays in the frame:
the source's quality gate (`data_quality.records`) counts it and decides. Only what makes a whole
file unusable raises.
"""

from __future__ import annotations

import glob
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from connectors.cmms import local_to_utc
from connectors.exports import read_text_table, value_text
from connectors.site_tables import _mapped
from foresight.errors import InputDataError
from foresight.plant_sources import CsvOptions


@dataclass(frozen=True)
class RecordExport:
    """How a site's export of per-asset records is laid out.

    `columns` maps canonical names to the file's columns and must map `asset_id`; `times` and
    `numbers` are canonical names of columns read as local times (into `<name>_utc`) and as floats.
    """

    what: str  # the source in words ("oil analysis"): every error message names it
    columns: Mapping[str, str]
    times: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    csv: CsvOptions = field(default_factory=CsvOptions)

    def __post_init__(self) -> None:
        if "asset_id" not in self.columns:
            raise InputDataError(
                f"{self.what}: the columns mapping has no 'asset_id' (it maps "
                f"{sorted(self.columns)}). Name the file's asset column as asset_id."
            )
        if unmapped := sorted((set(self.times) | set(self.numbers)) - set(self.columns)):
            raise InputDataError(
                f"{self.what}: times/numbers {unmapped} are not in the columns mapping "
                f"{sorted(self.columns)}. Map each of them to a column of the file."
            )

    @property
    def schema(self) -> dict[str, pl.DataType]:
        """The canonical frame's columns and types (also of an export without a row)."""
        out: dict[str, pl.DataType] = {"asset_id": pl.String()}
        for name in self.columns:
            if name in self.times:
                out[f"{name}_utc"] = pl.Datetime("us", "UTC")
            elif name in self.numbers:
                out[name] = pl.Float64()
            elif name != "asset_id":
                out[name] = pl.String()
        out["source_file"] = pl.String()
        out["source_row"] = pl.UInt32()  # 1 = the first data row of the file
        return out


def read_records(
    pattern: str, export: RecordExport, timezone: str, aliases: Mapping[str, str] | None = None
) -> pl.DataFrame:
    """Every file matching `pattern` as one canonical frame (`export.schema`), in file order.

    Raises:
        InputDataError: no file matches, a file cannot be read, or a mapped column is missing.
    """
    files = sorted(glob.glob(pattern))
    if not files:
        raise InputDataError(
            f"{export.what}: no file matches {pattern}. Write the export there, or point the "
            "asset's config at where it is."
        )
    frames = [_read_file(Path(f), export, timezone, aliases or {}) for f in files]
    return pl.concat(frames, how="vertical")


def _read_file(
    path: Path, export: RecordExport, timezone: str, aliases: Mapping[str, str]
) -> pl.DataFrame:
    what = f"{export.what} export {path.name}"
    text = read_text_table(path, export.csv, export.what)
    frame = _mapped(text, dict(export.columns), what).select(list(export.columns))
    asset = pl.col("asset_id").str.strip_chars()
    typed = [asset.replace(dict(aliases)) if aliases else asset]
    typed += [local_to_utc(c, timezone).alias(f"{c}_utc") for c in export.times]
    typed += [
        value_text(export.csv.decimal_comma, c).cast(pl.Float64, strict=False).alias(c)
        for c in export.numbers
    ]
    return (
        frame.with_columns(pl.col(c).str.strip_chars() for c in export.numbers)
        .with_columns(typed)
        .with_columns(source_file=pl.lit(path.name))
        .with_row_index("source_row", offset=1)
        .select(list(export.schema))
        .cast(export.schema)
    )
