"""Write historian exports: one file per arrival day, plus tag metadata."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from simulator.catalog import ASSET_TYPES
from simulator.rows import SCHEMA, Batch, DayAssembler


def write_tags(path: Path) -> None:
    """Write tags.csv: sensor metadata per asset type, in canonical units."""
    with path.open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["asset_type", "tag", "unit", "description", "min_valid", "max_valid"])
        for spec in ASSET_TYPES.values():
            for s in spec.sensors:
                # the engineering range low sits below the physical minimum by the transmitter's
                # noise, as on real tags: a stopped pump reads -0.3 rpm, not an impossible value
                low = round(s.min_valid - 5.0 * s.noise, 6) if s.min_valid == 0 else s.min_valid
                w.writerow([spec.name, s.name, s.unit, s.description, low, s.max_valid])


def _batches(assembler: DayAssembler, day: int):
    """Yield the own-day blocks, then late readings and duplicates (so rows are unsorted)."""
    yield from assembler.own_blocks(day)
    extra = assembler.extras(day)
    if extra is not None:
        yield extra


def write_day(assembler: DayAssembler, day: int, path: Path, fmt: str) -> tuple[int, list]:
    """Write one arrival-day file; return (rows written, per-reading defect arrays)."""
    n_rows, defects = 0, []
    if fmt == "parquet":
        writer = pq.ParquetWriter(path, SCHEMA, compression="snappy")
        with writer:
            for b in _batches(assembler, day):
                writer.write_table(b.table)
                n_rows += b.table.num_rows
                defects.append(_defects_of(b))
        return n_rows, defects
    opts = pcsv.WriteOptions(include_header=True, quoting_style="needed")
    lines: list[str] = []
    with pcsv.CSVWriter(str(path), SCHEMA, write_options=opts) as writer:
        for b in _batches(assembler, day):
            writer.write_table(b.table)
            n_rows += b.table.num_rows + len(b.truncated_lines)
            lines += b.truncated_lines
            defects.append(_defects_of(b))
    if lines:  # appended after the writer closed: rows with too few fields
        with path.open("a") as fh:
            fh.write("\n".join(lines) + "\n")
    return n_rows, defects


def _defects_of(b: Batch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keep only the defect bookkeeping of a batch (the table itself is released)."""
    return b.defect_kind, b.defect_ch, b.defect_t
