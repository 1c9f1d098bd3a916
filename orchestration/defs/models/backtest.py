"""The replayed backtest: past nights scored as the platform would have, and what that caught."""

from dataclasses import replace

import dagster as dg
import polars as pl
from pydantic import Field

from models.backtest import replay, replay_baselines, save_backtest
from models.backtest_metrics import backtest_report, comparison_rows
from models.labels import failure_events
from models.training import train_failure_risk_model
from orchestration.defs.metadata import markdown_table, png
from orchestration.defs.models.assets import active_count, backtest_spec, training_spec
from orchestration.defs.operations.progress import say
from orchestration.defs.plant import OWNERS
from orchestration.defs.resources import ModelRegistryResource, PlantResource
from reports.backtest_plot import backtest_plot


class RiskBacktestConfig(dg.Config):
    """How far back to replay and how often the replayed model is retrained."""

    months: int = Field(
        0, ge=0, description="Months to replay; 0: the plant file's models.backtest_months."
    )
    retrain_every_days: int = Field(
        30, ge=1, description="The replayed model is retrained on what was known every N days."
    )
    baselines: bool = Field(
        True, description="Also replay logistic regression and the one-sensor rule beside it."
    )


@dg.asset(group_name="models", owners=OWNERS, kinds={"lightgbm", "polars"})
def risk_backtest(
    context: dg.AssetExecutionContext,
    config: RiskBacktestConfig,
    plant: PlantResource,
    model_registry: ModelRegistryResource,
    window_features: pl.DataFrame,
    maintenance_failure_modes: pl.DataFrame,
    asset_register: pl.DataFrame,
) -> dg.MaterializeResult:
    """Past months replayed night by night: precision at k, recall, lead times, alarms, cost."""
    p = plant.plant()
    spec = backtest_spec(p, config.months or p.models.backtest_months, config.retrain_every_days)
    # the replay measures the any-failure lists planners act on: no modes or folds; the
    # baselines are replayed on their own below
    training = replace(training_spec(p), baselines=False, per_mode=False, cv_folds=0)
    events = failure_events(maintenance_failure_modes, p.timezone)
    features = window_features.drop("night")

    def progress(text: str) -> None:  # the replays' lines, in the UI and on the command line
        say(context, text)

    lists = replay(
        features,
        events,
        spec,
        p.models.horizons_days,
        lambda frame, version: train_failure_risk_model(frame, training, version)[0],
        progress,
    )
    baseline_lists = (
        replay_baselines(features, events, spec, p.models.horizons_days, training.seed, progress)
        if config.baselines
        else None
    )
    assets = active_count(asset_register)
    figures = backtest_report(lists, baseline_lists, events, spec, assets)
    folder = save_backtest(p.state_dir / "backtests", lists, baseline_lists, figures)
    registry = model_registry.registry()
    champion = registry.champion_version()
    if champion is not None:  # the replay of its recipe, on its card (issue #6)
        registry.update_card(champion, backtest=figures)
    shown = {k: v for k, v in figures.items() if not isinstance(v, dict)}
    title, plot = backtest_plot(lists, events, spec.horizon_days, figures.get("threshold"))
    (folder / "risk_before_failures.png").write_bytes(plot)
    return dg.MaterializeResult(
        value=figures,
        metadata={
            **shown,
            "risk_lists": dg.MetadataValue.path(str(folder / "risk_lists.parquet")),
            "summary": dg.MetadataValue.md(
                markdown_table(pl.DataFrame([{k: str(v) for k, v in shown.items()}]))
            ),
            "model_vs_baselines": dg.MetadataValue.md(
                markdown_table(pl.DataFrame(comparison_rows(figures)))
            ),
            "risk_before_failures": png(plot, title),
        },
    )
