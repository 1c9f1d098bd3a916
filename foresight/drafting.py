"""`foresight draft-plant`: look at sample exports and write a starting plant file.

Guesses, from the first rows of each file: text or Parquet, the separator, a header line, decimal
commas, long or wide layout, which column names the asset, the sensor, the value and the time, how
time is written (ISO with offset, local wall-clock, epoch seconds, operating cycles) and units from
column names. Every guess is written with a comment saying what it was based on and what to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from connectors.exports import read_text_table
from connectors.historian import SURPLUS
from foresight.errors import InputDataError
from foresight.plant_sources import CsvOptions

SAMPLE_ROWS = 2000
ASSET_NAMES = ("asset", "equipment", "machine", "unit", "engine", "anlage", "device", "id")
TIME_NAMES = ("timestamp", "time", "date", "zeit", "datum", "ts", "cycle")
TAG_NAMES = ("tag", "sensor", "signal", "variable", "messstelle", "channel", "point")
VALUE_NAMES = ("value", "wert", "reading", "val", "measurement")
UNIT_SUFFIXES = {
    "_c": "degC", "_degc": "degC", "_f": "degF", "_bar": "bar", "_psi": "psi", "_kw": "kW",
    "_mm_s": "mm/s", "_a": "A", "_v": "V", "_rpm": "rpm", "_m3_h": "m3/h", "_hz": "Hz",
    "_pct": "%", "_k": "K",
}  # fmt: skip
LOCAL_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
    "%Y-%m-%dT%H:%M:%S",
)  # fmt: skip


@dataclass
class Guess:
    """What was guessed about one export file, and the notes for the user."""

    path: Path
    options: CsvOptions | None  # None: Parquet
    columns: dict[str, str] = field(default_factory=dict)
    layout: str = "long"
    time: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def sniff_text(path: Path) -> CsvOptions:
    """Separator, header and decimal comma from the first lines of a text file."""
    with path.open("rb") as fh:
        head = fh.read(16384).decode("utf-8", errors="replace").splitlines()[:20]
    lines = [line for line in head if line.strip()]
    if not lines:
        raise InputDataError(f"sample file {path.name}: is empty; expected exported readings.")
    counts = {sep: min(line.count(sep) for line in lines) for sep in (";", "\t", ",")}
    sep = max(counts, key=counts.get)
    if counts[sep] == 0:
        sep = "whitespace"
    first = lines[0].split() if sep == "whitespace" else lines[0].split(sep)
    numeric = sum(bool(re.fullmatch(r"[-+]?[\d.,eE+-]+", f.strip().strip('"'))) for f in first)
    header = numeric < len(first) / 2
    body = " ".join(lines[1:] if header else lines)
    decimal_comma = sep != "," and bool(re.search(r"(^|[;\t\s])-?\d+,\d+($|[;\t\s])", body))
    names = None if header else tuple(f"column_{i + 1}" for i in range(len(first)))
    return CsvOptions(separator=sep, header=header, column_names=names, decimal_comma=decimal_comma)


def _pick(names: list[str], hints: tuple[str, ...], taken: set[str]) -> str | None:
    """The first column one of whose words is a hint (words: split at anything not a letter or
    digit), so that 'supply_voltage' is not taken for a tag column."""
    for hint in hints:
        for name in names:
            if name not in taken and hint in re.split(r"[^0-9a-z]+", name.lower()):
                return name
    return None


def _time_kind(values: pl.Series) -> tuple[dict[str, str], str]:
    """How a time column is written, and why we think so."""
    text = values.drop_nulls().cast(pl.String).str.strip_chars().head(200)
    if text.is_empty():
        return {"kind": "iso"}, "the time column is empty in the sample: check it"
    if text.str.contains(r"(Z|[+-]\d\d:?\d\d)$").all():
        return {"kind": "iso"}, "ISO 8601 times with an offset"
    numbers = text.cast(pl.Float64, strict=False)
    if numbers.null_count() == 0:
        top = float(numbers.max())
        if 1e9 <= top < 1e11:
            return {"kind": "epoch_seconds"}, "numbers around 1e9: seconds since 1970 (UTC)"
        if 1e12 <= top < 1e14:
            return {"kind": "epoch_milliseconds"}, "numbers around 1e12: milliseconds since 1970"
        return {"kind": "cycles", "cycle_hours": "24"}, (
            "small counting numbers: operating cycles or hours, not clock time; mapped to a "
            "synthetic clock (one cycle = one day): check cycle_hours"
        )
    for fmt in LOCAL_FORMATS:
        if text.str.to_datetime(fmt, strict=False).null_count() == 0:
            return {"kind": "local", "format": fmt}, (
                f"local times without offset ({fmt}): localised with the plant's time zone"
            )
    return {"kind": "iso"}, "time format not recognised: set time.kind and time.format"


def guess_file(path: Path) -> Guess:
    """Everything `draft-plant` can tell about one sample export."""
    if path.suffix.lower() in (".parquet", ".pq"):
        sample, options = pl.read_parquet(path, n_rows=SAMPLE_ROWS), None
        sample = sample.select(pl.all().cast(pl.String))
    else:
        options = sniff_text(path)
        sample = read_text_table(path, options, "sample file").head(SAMPLE_ROWS)
    guess = Guess(path=path, options=options)
    names, taken = list(sample.columns), set()
    for role, hints in (("timestamp", TIME_NAMES), ("tag", TAG_NAMES), ("value", VALUE_NAMES),
                        ("asset_id", ASSET_NAMES)):  # fmt: skip
        if (name := _pick(names, hints, taken)) is not None:
            guess.columns[role], taken = name, taken | {name}
    if "asset_id" not in guess.columns or "timestamp" not in guess.columns:
        _by_position(guess, sample)
    guess.layout = "long" if {"tag", "value"} <= set(guess.columns) else "wide"
    if guess.layout == "wide":
        guess.columns = {k: v for k, v in guess.columns.items() if k in ("asset_id", "timestamp")}
        sensors = [c for c in names if c not in guess.columns.values() and c != SURPLUS]
        guess.units = {s: _unit_of(s) for s in sensors}
    guess.time, why = _time_kind(sample[guess.columns["timestamp"]])
    guess.notes.append(f"time: {why}")
    return guess


def _by_position(guess: Guess, sample: pl.DataFrame) -> None:
    """No telling names: the first column is the asset, the second the time (as in C-MAPSS)."""
    names = sample.columns
    guess.columns.setdefault("asset_id", names[0])
    guess.columns.setdefault("timestamp", names[1])
    guess.notes.append(
        f"columns: no telling names; guessed asset id = {names[0]!r}, time = {names[1]!r} by "
        "position: CHECK"
    )


def _unit_of(column: str) -> str:
    lower = column.lower()
    for suffix, unit in UNIT_SUFFIXES.items():
        if lower.endswith(suffix):
            return unit
    return "CHECK"  # no unit in the name: the user must say it


def _yaml_map(mapping: dict[str, str]) -> str:
    return "{" + ", ".join(f"{k}: {_q(v)}" for k, v in mapping.items()) + "}"


def _q(value: str) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def draft_plant(files: list[Path], out_dir: Path, name: str = "my-plant") -> str:
    """A starting plant file for the sensor exports `files` (the first file drives the guesses).

    Paths in it are relative to `out_dir`, where the plant file will be written.
    """
    if not files:
        raise InputDataError("draft-plant needs at least one sample export file.")
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise InputDataError(f"draft-plant: sample files {missing} do not exist.")
    g = guess_file(files[0])
    rel = [_relative(f, out_dir) for f in files]
    lines = [
        f"# Drafted by `foresight draft-plant` from {', '.join(f.name for f in files)}.",
        "# Every line marked CHECK is a guess: confirm it before the first run.",
        f"name: {name}",
        "timezone: Europe/Berlin          # CHECK: the plant's IANA time zone (local times use it)",
        "history_start: 2025-01-01        # CHECK: the first night of history to build",
        "sources:",
        "  historian:",
        f"    files: [{', '.join(_q(r) for r in rel)}]   # CHECK: a glob covers every export",
        f"    format: {'parquet' if g.options is None else 'csv'}",
        f"    layout: {g.layout}                 # guessed: "
        + ("a tag and a value column" if g.layout == "long" else "one column per sensor"),
    ]
    if g.options is not None:
        o = g.options
        lines += [
            "    csv:",
            f"      separator: {_q(o.separator)}   # guessed from the first lines",
            f"      decimal_comma: {str(o.decimal_comma).lower()}",
            f"      header: {str(o.header).lower()}",
        ]
        if o.column_names:
            lines.append(
                f"      column_names: [{', '.join(o.column_names)}]   # CHECK: name the columns"
            )
    lines.append(f"    columns: {_yaml_map(g.columns)}   # CHECK: which column is which")
    lines.append(f"    time: {_yaml_map(g.time)}   # {g.notes[-1]}")
    lines.append("    arrival: timestamp   # a reading's night is its own date; or file_name")
    if g.units:
        lines.append(
            f"    units: {_yaml_map(g.units)}   # CHECK: unit of every sensor ('CHECK' = unknown)"
        )
    else:
        lines.append("    # the export has a unit column; the catalogue needs each sensor's unit:")
        lines.append("    units: {}   # CHECK: sensor: unit, or tag_catalog: a CSV")
    lines += [
        "  asset_register:",
        "    from_readings: true        # CHECK: or file: assets.csv with columns mapping",
        "    defaults: {asset_type: machine}   # CHECK: the type of every asset",
        "  maintenance:                 # CHECK: your work orders (or run_to_failure: ...)",
        '    file: "work_orders.csv"',
        "    columns: {wo_id: wo_id, asset_id: asset_id, wo_type: wo_type, opened_at: opened_at}",
        "    wo_types: {}               # your type -> PM, CM or INSP",
        "    failure_codes: {}          # your failure code -> Foresight's",
        "cmms_target:",
        '  url: "sqlite:///{state}/scores.sqlite"',
        "  mode: shadow                 # a new plant writes nothing live",
        "models:",
        "  horizons_days: [7, 30]",
        "planners_daily_capacity: 3",
    ]
    notes = [f"# note: {n}" for n in g.notes[:-1]]
    return "\n".join(lines[:2] + notes + lines[2:]) + "\n"


def _relative(path: Path, base: Path) -> str:
    import os

    return os.path.relpath(path.resolve(), base.resolve())
