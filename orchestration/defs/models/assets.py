"""Models: failure labels from work orders, the trained risk model (gated), nightly risk scores."""

import dagster as dg
import polars as pl
from pydantic import Field

from connectors.feedback import confirmed_failure_events, read_dispositions
from data_quality.scorecard import ScorecardRules, asset_status
from foresight.plant import Plant
from models.backtest import BacktestSpec, CostModel
from models.challenger import Entry, Recipe, train_and_gate
from models.importance import feature_importance
from models.labels import (
    failure_counts_by_mode,
    failure_events,
    label_failures,
    label_failures_by_mode,
    run_to_failure_grid,
)
from models.promotion import GateSpec
from models.scoring import ScoringPolicy, score_assets
from models.training import TrainingSpec
from orchestration.defs.metadata import markdown_table
from orchestration.defs.operations.progress import say
from orchestration.defs.plant import NIGHTLY, OWNERS, nights_of
from orchestration.defs.resources import CmmsDatabase, ModelRegistryResource, PlantResource
from reports.model_card import card_markdown

MODELS = {"group_name": "models", "owners": OWNERS}


class FailureRiskModelConfig(dg.Config):
    """What a data scientist may vary when training (the rest is the plant file's `models:`)."""

    validation_share: float = Field(
        0.25,
        gt=0,
        lt=1,
        description="The latest share of nights held out for metrics and calibration.",
    )
    seed: int = Field(7, description="Seed of LightGBM's sampling: the same seed, the same model.")


@dg.asset(**MODELS, kinds={"polars"})
def failure_labels(
    plant: PlantResource,
    cmms: CmmsDatabase,
    window_features: pl.DataFrame,
    maintenance_failure_modes: pl.DataFrame,
) -> dg.MaterializeResult:
    """Did the asset fail (of each failure mode) within each horizon after the night? Null if
    not yet seen."""
    p = plant.plant()
    grid = window_features.select("asset_id", "as_of")
    # faults technicians confirmed on Foresight's requests count as failures too (issue #7)
    confirmed = confirmed_failure_events(read_dispositions(cmms.url(p), p.cmms_target.mapping))
    events = failure_events(maintenance_failure_modes, p.timezone, extra_events=confirmed)
    if p.run_to_failure is not None:  # only nights before each history's failure are labelled
        grid = run_to_failure_grid(grid, events)
    last, key, horizons = grid["as_of"].max(), p.models.failure_mode_key, p.models.horizons_days
    labels = label_failures(grid, events, horizons, observed_until=last).join(
        label_failures_by_mode(grid, events, horizons, last, key), on=["asset_id", "as_of"]
    )
    meta = {f"positive_{h}d": int(labels[f"label_{h}d"].sum() or 0) for h in horizons}
    per_mode = {f"failures_{m}": n for m, n in failure_counts_by_mode(events, key).items()}
    return dg.MaterializeResult(
        value=labels,
        metadata={
            "rows": labels.height,
            "failures": events.height,
            "confirmed_by_technicians": confirmed.height,
            **meta,
            **per_mode,
        },
    )


def training_spec(p: Plant, config: FailureRiskModelConfig | None = None) -> TrainingSpec:
    """The plant file's model settings as a training spec (the asset's config, or its defaults)."""
    m, config = p.models, config or FailureRiskModelConfig()
    return TrainingSpec(
        m.horizons_days,
        m.min_failures_to_train,
        config.validation_share,
        p.planners_daily_capacity,
        config.seed,
        min_failures_per_mode=m.min_failures_per_mode,
        cv_folds=m.cv_folds,
        rul_cap_days=m.rul_cap_days,
        rul_point=m.rul_point_estimate,
    )


def backtest_spec(p: Plant, months: int, retrain_every_days: int = 30) -> BacktestSpec:
    """A replay of the latest `months` with the plant's horizon, capacity, lead and costs."""
    m = p.models
    return BacktestSpec(
        months=months,
        retrain_every_days=retrain_every_days,
        horizon_days=min(m.horizons_days),
        capacity=p.planners_daily_capacity,
        min_lead_days=m.min_lead_days,
        cost=CostModel(**m.cost.model_dump()),
        snooze_nights=p.work_request_snooze_nights,
    )


def gate_spec(p: Plant) -> GateSpec:
    m = p.models
    replay = backtest_spec(p, m.promotion_backtest_months)
    return GateSpec(m.promotion_metric, m.promotion_margin, replay)


@dg.asset(**MODELS, kinds={"lightgbm"})
def failure_risk_model(
    context: dg.AssetExecutionContext,
    config: FailureRiskModelConfig,
    plant: PlantResource,
    model_registry: ModelRegistryResource,
    window_features: pl.DataFrame,
    failure_labels: pl.DataFrame,
    maintenance_failure_modes: pl.DataFrame,
    asset_register: pl.DataFrame,
) -> dg.MaterializeResult:
    """A calibrated LightGBM risk model per horizon and failure mode; champion only if its
    replayed backtest beats the current one's."""
    p = plant.plant()
    recipe = Recipe("failure_risk_model", training_spec(p, config), gate_spec(p))
    say(context, f"training on {failure_labels.height:,} labelled asset-nights, then the gate")
    entry = train_and_gate(
        model_registry.registry(),
        window_features.drop("night"),
        failure_labels,
        failure_events(maintenance_failure_modes, p.timezone),
        recipe,
        p.name,
        active_count(asset_register),
    )
    return dg.MaterializeResult(value=entry.card, metadata=card_metadata(entry))


def active_count(register: pl.DataFrame) -> int:
    """Active assets: the fleet the replays' false-alarm rates are per."""
    return register.filter(pl.col("status") == "active").height


def card_metadata(entry: Entry) -> dict:
    """The card as UI metadata: headline figures, the whole card, feature importance, tables."""
    card, model, promotion = entry.card, entry.model, entry.promotion
    flat = {
        f"{h}.{k}": round(v, 4) if isinstance(v, float) else v
        for h, m in card["metrics"].items()
        for k, v in m.items()
        if isinstance(v, float | int | str)
    }
    importance = feature_importance(model)
    tables = {
        f"reliability_{h}d": markdown_table(pl.DataFrame(m.reliability))
        for h, m in model.horizons.items()
        if m.reliability
    }
    if card["cross_validation"]:
        tables["cross_validation"] = markdown_table(pl.DataFrame(card["cross_validation"]))
    gate = card.get("gate", {})
    return {
        "version": model.version,
        "method": card["method"],
        "promoted": promotion.promoted,
        "promotion": promotion.reason,
        "gate_challenger": str((gate.get("challenger_backtest") or {}).get(gate.get("metric"))),
        "gate_champion": str((gate.get("champion_backtest") or {}).get(gate.get("metric"))),
        "features": len(model.features),
        "model_card": dg.MetadataValue.md(card_markdown(card, importance)),
        "feature_importance": dg.MetadataValue.md(markdown_table(importance.head(25))),
        **flat,
        **{k: dg.MetadataValue.md(v) for k, v in tables.items()},
    }


@dg.asset(
    **MODELS,
    kinds={"lightgbm"},
    **NIGHTLY,
    deps=[failure_risk_model],
)
def risk_scores(
    context: dg.AssetExecutionContext,
    plant: PlantResource,
    model_registry: ModelRegistryResource,
    window_features: pl.DataFrame,
    asset_register: pl.DataFrame,
    tag_catalog: pl.DataFrame,
    data_quality_scorecard: pl.DataFrame,
) -> dg.MaterializeResult:
    """The champion's calibrated risk per active asset and horizon, with its drivers in words."""
    p, model = plant.plant(), model_registry.registry().load()
    policy = ScoringPolicy()
    rules = ScorecardRules(min_coverage=p.quality.min_coverage_for_score)
    quality = asset_status(data_quality_scorecard, rules)
    units = dict(tag_catalog.select("sensor", "unit").unique("sensor").iter_rows())
    nights = nights_of(context)
    frames = [
        score_assets(
            model,
            window_features.filter(pl.col("as_of") == night),
            _active(asset_register, night),
            night,
            policy,
            units,
            quality.filter(pl.col("night") == night),
        )
        for night in nights
    ]
    scores = pl.concat(frames).with_columns(night=pl.col("as_of"))
    tonight = scores.filter(pl.col("as_of") == nights[-1])
    top = tonight.filter(pl.col("horizon_days") == min(p.models.horizons_days)).head(10)
    bands = tonight.group_by("horizon_days", "band").len("assets").sort("horizon_days", "band")
    return dg.MaterializeResult(
        value=scores,
        metadata={
            "rows": scores.height,
            "model_version": model.version,
            "method": model.method_note(),
            "insufficient_data": int((scores["data_quality_status"] != "ok").sum()),
            "top_risks": dg.MetadataValue.md(
                markdown_table(top.select("rank", "asset_id", "risk", "band", "drivers"))
            ),
            "bands_tonight": dg.MetadataValue.md(markdown_table(bands)),
        },
    )


def _active(register: pl.DataFrame, night) -> pl.DataFrame:
    return register.filter((pl.col("status") == "active") & (pl.col("commissioned_on") <= night))
