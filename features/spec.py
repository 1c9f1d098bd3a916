"""The declarative feature spec, loaded from YAML into a typed object."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from foresight.errors import PlantConfigError

SPEC_PATH = Path(__file__).with_name("spec.yaml")
STATISTICS = (
    "mean",
    "std",
    "min",
    "max",
    "last",
    "slope",
    "rate_of_change",
    "p95",
    "hours_above",
    "flagged_count",
    "flagged_share",
)


@dataclass(frozen=True)
class Ratio:
    name: str
    numerator: str
    denominator: str


@dataclass(frozen=True)
class SktimeFamily:
    """An optional family: an sktime transformer over each sensor's daily running means."""

    enabled: bool = False
    transformer: str = "Catch22"
    sensors: tuple[str, ...] = ()
    window_days: int = 30


@dataclass(frozen=True)
class FeatureSpec:
    """Everything the feature engine computes; `spec.yaml` is its source."""

    windows_days: tuple[int, ...] = (1, 7, 30)
    statistics: tuple[str, ...] = STATISTICS
    ewma_halflife_days: float | None = 3.0
    drift: tuple[tuple[int, int], ...] = ((1, 30), (7, 30))
    regime_deviation: tuple[int, int] | None = (7, 30)
    limits: dict[str, float] = field(default_factory=dict)
    ratios: tuple[Ratio, ...] = ()
    excluded: dict[str, tuple[str, ...]] = field(default_factory=dict)  # asset_type -> sensors
    load_windows_days: tuple[int, ...] = (1, 7)
    maintenance: bool = True
    sktime: SktimeFamily = SktimeFamily()
    fleet_deviation: tuple[str, ...] = ()  # `<stat>__<window>d`: minus the same type's median

    @property
    def max_window_days(self) -> int:
        return max(self.windows_days)


def _fail(path: Path, message: str) -> PlantConfigError:
    return PlantConfigError(f"feature spec {path.name}: {message}")


def _windows_pair(path: Path, key: str, pair: list, windows: tuple[int, ...]) -> tuple[int, int]:
    short, long = (int(x) for x in pair)
    if short not in windows or long not in windows or short >= long:
        raise _fail(
            path,
            f"{key} pair [{short}, {long}] must be two windows of {list(windows)}, short first.",
        )
    return short, long


def load_feature_spec(path: Path = SPEC_PATH) -> FeatureSpec:
    """Read and check the feature spec; unknown statistics or windows are named errors."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    stats = tuple(raw.get("statistics", STATISTICS))
    if unknown := sorted(set(stats) - set(STATISTICS)):
        raise _fail(path, f"unknown statistics {unknown}; expected some of {list(STATISTICS)}.")
    windows = tuple(sorted(int(w) for w in raw.get("windows_days", (1, 7, 30))))
    drift = tuple(_windows_pair(path, "drift", p, windows) for p in raw.get("drift", []))
    regime = raw.get("regime_deviation")
    ratios = tuple(Ratio(**r) for r in raw.get("ratios", []))
    types = raw.get("asset_types") or {}
    context = raw.get("context") or {}
    fleet = tuple(str(x) for x in raw.get("fleet_deviation") or ())
    known = {f"{stat}__{w}d" for stat in stats for w in windows}
    if unknown := sorted(set(fleet) - known):
        raise _fail(
            path,
            f"fleet_deviation {unknown}: each must be a statistic and window the spec computes, "
            "as <statistic>__<window>d, e.g. mean__7d.",
        )
    return FeatureSpec(
        windows_days=windows,
        statistics=stats,
        ewma_halflife_days=raw.get("ewma_halflife_days"),
        drift=drift,
        regime_deviation=_windows_pair(path, "regime_deviation", regime, windows)
        if regime
        else None,
        limits={str(k): float(v) for k, v in (raw.get("limits") or {}).items()},
        ratios=ratios,
        excluded={t: tuple(v.get("exclude", ())) for t, v in types.items()},
        load_windows_days=tuple(int(w) for w in context.get("load_windows_days", ())),
        maintenance=bool(raw.get("maintenance", True)),
        fleet_deviation=fleet,
        sktime=SktimeFamily(
            **{
                **(raw.get("sktime") or {}),
                "sensors": tuple((raw.get("sktime") or {}).get("sensors", ())),
            }
        ),
    )
