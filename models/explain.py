"""Explanations: the top drivers of each score, from SHAP contributions, in plain words."""

from __future__ import annotations

import re

import numpy as np

WINDOW_WORDS = {"1d": "last day", "7d": "7-day", "30d": "30-day", "365d": "12-month"}
STAT_WORDS = {
    "mean": "mean",
    "std": "variability",
    "min": "minimum",
    "max": "maximum",
    "last": "latest value",
    "slope": "trend per day",
    "flagged_share": "share of flagged readings",
    "n": "reading count",
    "rate_of_change": "rate of change per day",
    "p95": "95th percentile",
    "hours_above": "hours above limit",
    "flagged_count": "flagged readings",
}
PLAIN_NAMES = {
    "load_regime_now": "load regime now",
    "product_spec_now": "product now",
    "days_since_pm": "days since last preventive maintenance",
    "days_since_cm": "days since last corrective repair",
    "cm_count__365d": "corrective repairs in the past 12 months",
    "age_days": "age in days",
    "mes_load_pct__mean__1d": "mean load (%) last day",
    "mes_load_pct__mean__7d": "mean load (%) 7-day",
    "run_hours__1d": "run hours last day",
    "run_hours__7d": "run hours 7-day",
    "high_load_share__1d": "share of high-load hours last day",
    "high_load_share__7d": "share of high-load hours 7-day",
}
SENSOR_FEATURE = re.compile(r"^(?P<sensor>.+?)__(?P<stat>[a-z][a-z0-9_]*)__(?P<window>\d+d)$")


def describe_feature(name: str) -> str:
    """'bearing_temp__mean__7d' -> 'bearing temp 7-day mean'; other features get readable names."""
    if name in PLAIN_NAMES:
        return PLAIN_NAMES[name]
    if name.startswith("component_age_days__"):
        return f"{name.split('__')[1]} age in days (since last renewal)"
    if name.startswith("ratio__"):
        return f"{name.split('__')[1].replace('_', ' ')} (7-day means)"
    match = SENSOR_FEATURE.match(name)
    if match is None:
        return name.replace("__", " ").replace("_", " ")
    sensor = match["sensor"].replace("_", " ")
    window = WINDOW_WORDS.get(match["window"], match["window"])
    return f"{sensor} {window} {STAT_WORDS.get(match['stat'], match['stat'])}"


def _drift_words(name: str) -> str | None:
    # 'bearing_temp__drift__7d_vs_30d', 'bearing_temp__regime_dev__7d_vs_30d', '..__ewma__3d_hl'
    if "__ewma__" in name:
        return f"{name.split('__')[0].replace('_', ' ')} recent weighted mean"
    for marker, words in (
        ("__drift__", "mean vs"),
        ("__regime_dev__", "mean vs, at the same load,"),
    ):
        if marker in name:
            sensor, pair = name.split(marker, 1)
            short, long = pair.split("_vs_")
            sensor = sensor.replace("_", " ")
            recent, longer = WINDOW_WORDS.get(short, short), WINDOW_WORDS.get(long, long)
            return f"{sensor} {recent} {words} {longer} mean"
    return None


def driver_sentence(name: str, value: float | None, typical: float | None, unit: str) -> str:
    """One driver in words: what, its value, and what is typical for this asset type."""
    label = _drift_words(name) or describe_feature(name)
    unit_text = f" {unit}" if unit else ""
    if value is None or np.isnan(value):
        return f"{label}: no data"
    if typical is None or np.isnan(typical):
        return f"{label} {_number(value)}{unit_text}"
    direction = "above" if value > typical else "below"
    return f"{label} {_number(value)}{unit_text} ({direction} typical {_number(typical)})"


def _number(x: float) -> str:
    """Three significant digits, without scientific notation for plant-sized numbers (1,310 rpm)."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


UNITLESS = ("__flagged_share__", "__flagged_count__", "__n__", "__slope__", "__rate_of_change__")


def unit_of(name: str, units: dict[str, str]) -> str:
    """The unit to print beside a feature's value: the sensor's, hours, per day, or none."""
    if "__hours_above__" in name:
        return "h"
    if any(marker in name for marker in UNITLESS[:3]) or name.startswith(
        ("ratio__", "component_age")
    ):
        return ""
    unit = units.get(name.split("__")[0], "")
    return f"{unit}/day" if unit and any(m in name for m in UNITLESS[3:]) else unit


def top_drivers(contrib_row: np.ndarray, features: list[str], k: int = 3) -> list[int]:
    """Indices of the k features pushing this score up the most (positive contributions only)."""
    values = contrib_row[: len(features)]
    order = np.argsort(-values)
    return [int(i) for i in order[:k] if values[i] > 0]
