"""Models: failure labels from work orders, the trained risk model (gated), nightly risk scores."""

import dagster as dg
import polars as pl

from data_quality.scorecard import ScorecardRules, asset_status
from models.card import model_card
from models.labels import failure_events, label_failures, run_to_failure_grid
from models.scoring import ScoringPolicy, score_assets
from models.training import TrainingSpec, train_failure_risk_model
from orchestration.defs.metadata import markdown_table
from orchestration.defs.plant import NIGHTLY, OWNERS, nights_of
from orchestration.defs.resources import ModelRegistryResource, PlantResource

MODELS = {"group_name": "models", "owners": OWNERS}


class FailureRiskModelConfig(dg.Config):
    """What a data scientist may vary when training."""

    validation_share: float = (
        0.25  # the latest share of nights held out for metrics and calibration
    )
    seed: int = 7


@dg.asset(**MODELS, kinds={"polars"})
def failure_labels(
    plant: PlantResource, window_features: pl.DataFrame, maintenance_failure_modes: pl.DataFrame
) -> dg.MaterializeResult:
    """Did the asset fail within each horizon after the night? Null (censored) if not yet seen."""
    p = plant.plant()
    grid = window_features.select("asset_id", "as_of")
    events = failure_events(maintenance_failure_modes, p.timezone)
    if p.run_to_failure is not None:
        grid = run_to_failure_grid(grid, events)
    labels = label_failures(
        grid, events, p.models.horizons_days, observed_until=grid["as_of"].max()
    )
    meta = {f"positive_{h}d": int(labels[f"label_{h}d"].sum() or 0) for h in p.models.horizons_days}
    return dg.MaterializeResult(
        value=labels, metadata={"rows": labels.height, "failures": events.height, **meta}
    )


@dg.asset(**MODELS, kinds={"lightgbm"})
def failure_risk_model(
    context: dg.AssetExecutionContext,
    config: FailureRiskModelConfig,
    plant: PlantResource,
    model_registry: ModelRegistryResource,
    window_features: pl.DataFrame,
    failure_labels: pl.DataFrame,
) -> dg.MaterializeResult:
    """A calibrated LightGBM risk model per horizon; champion only if it beats the current one."""
    p, registry = plant.plant(), model_registry.registry()
    frame = window_features.drop("night").join(
        failure_labels, on=["asset_id", "as_of"], how="inner"
    )
    spec = TrainingSpec(
        p.models.horizons_days,
        p.models.min_failures_to_train,
        config.validation_share,
        p.planners_daily_capacity,
        config.seed,
        rul_cap_days=p.models.rul_cap_days,
        rul_point=p.models.rul_point_estimate,
    )
    model, metrics = train_failure_risk_model(frame, spec, registry.next_version())
    card = model_card(model, frame, metrics, p.name)
    registry.save(model, card)
    promotion = registry.consider(
        model.version, "mean_average_precision", p.models.promotion_margin
    )
    flat = {
        f"{h}.{k}": round(v, 4) if isinstance(v, float) else v
        for h, m in metrics.items()
        for k, v in m.items()
    }
    return dg.MaterializeResult(
        value=card,
        metadata={
            "version": model.version,
            "champion": registry.champion_version(),
            "promoted": promotion.promoted,
            "promotion": promotion.reason,
            "features": len(model.features),
            **flat,
            **{
                f"reliability_{h}d": dg.MetadataValue.md(
                    markdown_table(pl.DataFrame(m.reliability))
                )
                for h, m in model.horizons.items()
                if m.reliability
            },
        },
    )


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
    top = scores.filter(
        pl.col("as_of") == nights[-1], pl.col("horizon_days") == min(p.models.horizons_days)
    ).head(10)
    return dg.MaterializeResult(
        value=scores,
        metadata={
            "rows": scores.height,
            "model_version": model.version,
            "insufficient_data": int((scores["data_quality_status"] != "ok").sum()),
            "top_risks": dg.MetadataValue.md(
                markdown_table(top.select("rank", "asset_id", "risk", "band", "drivers"))
            ),
        },
    )


def _active(register: pl.DataFrame, night) -> pl.DataFrame:
    return register.filter((pl.col("status") == "active") & (pl.col("commissioned_on") <= night))
