"""The declarative feature spec, loaded from YAML into a typed object."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from foresight.errors import PlantConfigError

SPEC_PATH = Path(__file__).with_name("spec.yaml")
STATISTICS = ("mean", "std", "min", "max", "last", "slope", "flagged_share")


@dataclass(frozen=True)
class FeatureSpec:
    """Windows (days) and statistics per sensor, drift pairs, context and maintenance switches."""

    windows_days: tuple[int, ...] = (1, 7, 30)
    statistics: tuple[str, ...] = STATISTICS
    drift: tuple[tuple[int, int], ...] = ((1, 30), (7, 30))
    load_windows_days: tuple[int, ...] = (1, 7)
    maintenance: bool = True

    @property
    def max_window_days(self) -> int:
        return max(self.windows_days)


def load_feature_spec(path: Path = SPEC_PATH) -> FeatureSpec:
    """Read and check the feature spec; unknown statistics or windows not in the list are errors."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    stats = tuple(raw.get("statistics", STATISTICS))
    if unknown := sorted(set(stats) - set(STATISTICS)):
        raise PlantConfigError(
            f"feature spec {path.name}: unknown statistics {unknown}; expected {STATISTICS}."
        )
    windows = tuple(int(w) for w in raw.get("windows_days", (1, 7, 30)))
    drift = tuple((int(a), int(b)) for a, b in raw.get("drift", []))
    for short, long in drift:
        if short not in windows or long not in windows:
            raise PlantConfigError(
                f"feature spec {path.name}: drift pair [{short}, {long}] uses a window not in windows_days {list(windows)}."
            )
    context = raw.get("context") or {}
    return FeatureSpec(
        windows_days=windows,
        statistics=stats,
        drift=drift,
        load_windows_days=tuple(int(w) for w in context.get("load_windows_days", ())),
        maintenance=bool(raw.get("maintenance", True)),
    )
