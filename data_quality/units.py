"""Unit conversion to the canonical unit declared per sensor in the tag catalogue."""

from __future__ import annotations

import polars as pl

# (from, to) -> (scale, offset): canonical = value * scale + offset
CONVERSIONS: dict[tuple[str, str], tuple[float, float]] = {
    ("degF", "degC"): (5.0 / 9.0, -32.0 * 5.0 / 9.0),
    ("K", "degC"): (1.0, -273.15),
    ("psi", "bar"): (0.0689475729, 0.0),
    ("kPa", "bar"): (0.01, 0.0),
    ("MPa", "bar"): (10.0, 0.0),
    ("in/s", "mm/s"): (25.4, 0.0),
    ("gpm", "m3/h"): (0.2271247, 0.0),
    ("hp", "kW"): (0.745699872, 0.0),
}
# Other spellings of the same unit that historians export (degree signs, upper case)
ALIASES: dict[str, str] = {"°C": "degC", "℃": "degC", "°F": "degF", "℉": "degF", "PSI": "psi"}


def unit_name(column: str) -> pl.Expr:
    """The unit text of `column` in the catalogue's spelling: trimmed, aliases replaced."""
    return pl.col(column).str.strip_chars().replace(ALIASES)


def conversion_table() -> pl.DataFrame:
    """The conversions as a frame to join on (unit, canonical_unit)."""
    return pl.DataFrame(
        {
            "unit": [src for src, _ in CONVERSIONS],
            "canonical_unit": [dst for _, dst in CONVERSIONS],
            "unit_scale": [scale for scale, _ in CONVERSIONS.values()],
            "unit_offset": [offset for _, offset in CONVERSIONS.values()],
        }
    )


def to_canonical(value: float, unit: str, canonical: str) -> float:
    """Convert one value; raises KeyError for a pair with no known conversion."""
    if unit == canonical:
        return value
    scale, offset = CONVERSIONS[(unit, canonical)]
    return value * scale + offset
