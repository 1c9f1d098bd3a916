"""The model registry: versioned model artefacts with model cards, and the champion pointer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import joblib

from foresight.errors import ModelError
from models.risk_model import FailureRiskModel

CHAMPION = "champion.json"


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

    def consider(self, version: str, metric: str, margin: float) -> Promotion:
        """Promote `version` if it beats the champion's `metric` by `margin` (or there is none)."""
        current = self.champion_version()
        new_score = self.card(version)["score"][metric]
        if current is not None:
            old_score = self.card(current)["score"][metric]
            if new_score < old_score + margin:
                return Promotion(
                    version,
                    False,
                    f"{metric} {new_score:.3f} does not beat champion "
                    f"{current}'s {old_score:.3f} by {margin}",
                )
        (self.root / CHAMPION).write_text(json.dumps({"version": version}))
        reason = "first model" if current is None else f"{metric} {new_score:.3f} beats {current}"
        return Promotion(version, True, reason)
