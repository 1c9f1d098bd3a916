"""The model registry: versioned model artefacts with model cards, and the champion pointer."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import TYPE_CHECKING

import joblib

from foresight.errors import ModelError
from models.risk_model import FailureRiskModel

if TYPE_CHECKING:
    from models.promotion import Verdict

CHAMPION = "champion.json"
BUNDLE_FORMAT = 1
BUNDLE_MEMBERS = ("manifest.json", "card.json", "model.joblib")


@dataclass(frozen=True)
class Promotion:
    """The gate's verdict on a new model version."""

    version: str
    promoted: bool
    reason: str


class ModelRegistry:
    """Models under one folder: `<version>/model.joblib`, `<version>/card.json`, `champion.json`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def versions(self) -> list[str]:
        return sorted(p.name for p in self.root.glob("v*") if (p / "card.json").is_file())

    def next_version(self) -> str:
        existing = self.versions()
        number = int(existing[-1][1:]) + 1 if existing else 1
        return f"v{number:04d}"

    def save(self, model: FailureRiskModel, card: dict) -> Path:
        folder = self.root / model.version
        folder.mkdir(parents=True, exist_ok=False)
        joblib.dump(model, folder / "model.joblib")
        (folder / "card.json").write_text(json.dumps(card, indent=2, default=str))
        return folder

    def card(self, version: str) -> dict:
        return json.loads((self.root / version / "card.json").read_text())

    def champion_version(self) -> str | None:
        path = self.root / CHAMPION
        return json.loads(path.read_text())["version"] if path.is_file() else None

    def load(self, version: str | None = None) -> FailureRiskModel:
        """The given version, else the champion. Raises ModelError when there is none."""
        chosen = version or self.champion_version()
        if chosen is None:
            raise ModelError(f"no champion model in {self.root}. Run `foresight train` first.")
        return joblib.load(self.root / chosen / "model.joblib")

    def update_card(self, version: str, **extra: object) -> dict:
        """Add entries to a version's card (the gate's figures are known only after saving)."""
        card = {**self.card(version), **extra}
        (self.root / version / "card.json").write_text(json.dumps(card, indent=2, default=str))
        return card

    def apply(self, version: str, verdict: Verdict) -> Promotion:
        """Make `version` the champion if the gate says so; otherwise the champion keeps scoring."""
        if verdict.promote:
            self.promote(version)
        return Promotion(version, verdict.promote, verdict.reason)

    def promote(self, version: str) -> None:
        if not (self.root / version / "model.joblib").is_file():
            raise ModelError(f"no model {version} in {self.root}; known: {self.versions()}")
        (self.root / CHAMPION).write_text(json.dumps({"version": version}))


def bundle_manifest(model: FailureRiskModel, card: dict) -> dict:
    """What a bundle promises: its feature contract, asset classes, horizons and versions."""
    features = sorted({*model.features, *(model.health.features if model.health else [])})
    return {
        "bundle_format": BUNDLE_FORMAT,
        "foresight_version": installed_version("foresight"),
        "model_version": model.version,
        "plant": card.get("plant"),
        "asset_types": sorted(
            model.categories.get("asset_type") or model.typical or card.get("asset_types", [])
        ),
        "features": features,
        "horizons_days": sorted(model.horizons) or list(model.horizon_days),
        "method": model.method_note(),
    }


def export_bundle(registry: ModelRegistry, out: Path, version: str | None = None) -> Path:
    """Write a self-contained zip (model, card, manifest) of `version`, else the champion."""
    chosen = version or registry.champion_version()
    if chosen is None or chosen not in registry.versions():
        raise ModelError(
            f"cannot export model {chosen or '(champion)'}: not in {registry.root} "
            f"(versions: {registry.versions() or 'none'}). Run `foresight train` first."
        )
    model, card = registry.load(chosen), registry.card(chosen)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("manifest.json", json.dumps(bundle_manifest(model, card), indent=2))
        bundle.writestr("card.json", json.dumps(card, indent=2, default=str))
        bundle.write(registry.root / chosen / "model.joblib", "model.joblib")
    return out


def read_bundle(path: Path) -> tuple[dict, dict, FailureRiskModel]:
    """The manifest, card and model of a bundle, after checking it is one this Foresight reads."""
    if not path.is_file():
        raise ModelError(f"model bundle {path} does not exist. Check the path.")
    if not zipfile.is_zipfile(path):
        raise ModelError(f"model bundle {path}: not a zip file. Export one with `model export`.")
    with zipfile.ZipFile(path) as bundle:
        absent = [m for m in BUNDLE_MEMBERS if m not in bundle.namelist()]
        if absent:
            raise ModelError(f"model bundle {path.name}: lacks {absent}; re-export it.")
        manifest = json.loads(bundle.read("manifest.json"))
        if manifest.get("bundle_format") != BUNDLE_FORMAT:
            raise ModelError(
                f"model bundle {path.name}: format {manifest.get('bundle_format')!r}, this "
                f"Foresight reads format {BUNDLE_FORMAT}. Re-export it with this version."
            )
        with bundle.open("model.joblib") as raw:
            model = joblib.load(raw)
        return manifest, json.loads(bundle.read("card.json")), model


def check_contract(manifest: dict, columns: list[str], asset_types: list[str]) -> None:
    """Raise ModelError naming every feature and asset class the plant lacks for this bundle."""
    missing = sorted(set(manifest["features"]) - set(columns))
    if missing:
        raise ModelError(
            f"model bundle {manifest['model_version']} from plant {manifest['plant']!r} needs "
            f"{len(manifest['features'])} features; this plant's feature table lacks "
            f"{len(missing)}: {', '.join(missing[:20])}{' ...' if len(missing) > 20 else ''}. "
            "Give the plant the same sensors and feature spec, or train its own model."
        )
    unknown = sorted(set(asset_types) - set(manifest["asset_types"]))
    if unknown:
        raise ModelError(
            f"model bundle {manifest['model_version']} knows asset classes "
            f"{manifest['asset_types']}; this plant also has {unknown}, which it cannot score. "
            "Import only into plants of the same asset classes."
        )


def import_bundle(
    registry: ModelRegistry,
    path: Path,
    columns: list[str],
    asset_types: list[str],
    champion: bool = False,
) -> Promotion:
    """Register a bundle as a new version after checking its contract against the plant.

    It becomes champion when the plant has none, or when `champion` is asked for explicitly.
    """
    manifest, card, model = read_bundle(path)
    check_contract(manifest, columns, asset_types)
    model.version = registry.next_version()
    origin = {"plant": manifest["plant"], "version": manifest["model_version"], "bundle": path.name}
    registry.save(model, {**card, "version": model.version, "imported_from": origin})
    if champion or registry.champion_version() is None:
        registry.promote(model.version)
        return Promotion(
            model.version, True, f"imported from {origin['plant']} {origin['version']}"
        )
    return Promotion(
        model.version, False, f"imported; champion stays {registry.champion_version()}"
    )
