"""The promotion gate on a short replayed backtest: challenger and champion on the same window.

Both recipes are replayed over the latest months of the stored feature table, retrained every
30 days on what was known then (`models.backtest.replay`): the challenger with the current training
settings and every feature, the champion with the feature set on its card. The gate compares one
backtest figure (recall at >= min lead, precision at k or cost saved) and promotes the challenger
only if it beats the champion's by the margin; otherwise the champion keeps scoring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import polars as pl

from foresight.errors import ModelError
from models.backtest import BacktestSpec, replay
from models.backtest_metrics import evaluate_backtest
from models.registry import ModelRegistry, Promotion
from models.risk_model import NOT_FEATURES, FailureRiskModel
from models.training import TrainingSpec, train_failure_risk_model


@dataclass(frozen=True)
class GateSpec:
    """What the gate compares: which backtest figure, by how much, over which replay."""

    metric: str  # a key of `evaluate_backtest`'s figures: recall, precision_at_k, cost_saved
    margin: float
    backtest: BacktestSpec


def replayed_figures(
    features: pl.DataFrame,
    events: pl.DataFrame,
    training: TrainingSpec,
    gate: GateSpec,
    assets: int,
    keep: list[str] | None = None,
) -> dict:
    """Backtest figures of one recipe on the gate's window; `keep`: the recipe's feature set."""
    if keep is not None:
        keys = [c for c in features.columns if c in NOT_FEATURES or c in ("night", "asset_type")]
        features = features.select(
            *keys, *[c for c in keep if c in features.columns and c not in keys]
        )
    quick = replace(training, baselines=False, per_mode=False, cv_folds=0, rul=False)
    lists = replay(
        features,
        events,
        gate.backtest,
        training.horizons,
        lambda frame, version: train_failure_risk_model(frame, quick, version)[0],
    )
    figures = evaluate_backtest(lists, events, gate.backtest, assets)
    figures["window"] = f"{lists['as_of'].min()} .. {lists['as_of'].max()}"
    figures["cold_start_nights"] = int(lists.filter(pl.col("method") == "cold start").height)
    return figures


@dataclass(frozen=True)
class Verdict:
    """The two figures on the same window and the decision."""

    promote: bool
    reason: str
    challenger: float | None
    champion: float | None


def judge(
    challenger: dict | None, champion: dict | None, gate: GateSpec, champion_version: str | None
) -> Verdict:
    """Promote when there is no champion, or the challenger's figure beats it by the margin.

    A figure is None for a cold-start model (no classifier to replay): a cold-start challenger
    never replaces a classifier champion; a classifier challenger always replaces a cold start.
    """
    m = gate.metric
    new = challenger[m] if challenger else None
    old = champion[m] if champion else None
    if champion_version is None:
        return Verdict(True, "first model", new, old)
    if new is None and old is not None:
        return Verdict(
            False, f"cold start does not replace classifier {champion_version}", new, old
        )
    if new is None or old is None:
        kind = "both cold start" if new is None else f"replaces cold-start {champion_version}"
        return Verdict(True, kind, new, old)
    window = challenger.get("window", "?")
    if new < old + gate.margin:
        return Verdict(
            False,
            f"backtest {m} {new:.3f} does not beat champion {champion_version}'s {old:.3f} "
            f"by {gate.margin} (same replay {window})",
            new,
            old,
        )
    return Verdict(
        True, f"backtest {m} {new:.3f} beats {champion_version}'s {old:.3f} ({window})", new, old
    )


def held_back(verdict: Verdict, unscorable: Sequence[str]) -> Verdict:
    """A winning verdict turned down when the nightly scoring lacks some of the model's features."""
    if not verdict.promote or not unscorable:
        return verdict
    listed = ", ".join(unscorable[:5]) + (" ..." if len(unscorable) > 5 else "")
    return replace(
        verdict,
        promote=False,
        reason=f"{verdict.reason}; not promoted: the nightly feature table lacks "
        f"{len(unscorable)} of its features ({listed}). Add their family to the nightly "
        "feature table first.",
    )


def gate_new_model(
    registry: ModelRegistry,
    model: FailureRiskModel,
    features: pl.DataFrame,
    events: pl.DataFrame,
    training: TrainingSpec,
    gate: GateSpec,
    assets: int,
    unscorable: Sequence[str] = (),
) -> Promotion:
    """Replay challenger and champion on the same window, record both on the card, decide.

    The first model is promoted without a replay. A replay that cannot train (too few failures in
    its early months) keeps the champion, and the card says why. `unscorable`: features of the
    model that the nightly scoring does not have; such a model is judged and recorded like any
    other but never made champion (it would stop the nightly run).
    """
    champion = registry.champion_version()
    if champion is None:
        first = held_back(judge(None, None, gate, None), unscorable)
        return registry.apply(model.version, first)
    old_card = registry.card(champion)
    try:
        new = (
            None
            if model.is_cold_start
            else replayed_figures(features, events, training, gate, assets)
        )
        old = (
            None
            if "any" in old_card.get("cold_start", {})
            else replayed_figures(features, events, training, gate, assets, old_card["features"])
        )
        verdict = held_back(judge(new, old, gate, champion), unscorable)
    except ModelError as exc:
        new = old = None
        verdict = Verdict(
            False, f"backtest replay failed ({exc}); champion keeps scoring", None, None
        )
    registry.update_card(
        model.version,
        gate={
            "metric": gate.metric,
            "margin": gate.margin,
            "champion": champion,
            "promoted": verdict.promote,
            "reason": verdict.reason,
            "challenger_backtest": new,
            "champion_backtest": old,
        },
    )
    return registry.apply(model.version, verdict)
