"""Metrics of a replayed backtest, recomputable from the kept nightly risk lists alone."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl

from models.backtest import BacktestSpec, _alerts
from models.labels import label_failures
from models.rul import RUL_CAP_DAYS, phm_score


def precision_at_k(lists: pl.DataFrame, events: pl.DataFrame, spec: BacktestSpec) -> float:
    """Mean over fully observed nights of the share of the top k that failed within the horizon."""
    h = spec.horizon_days
    last = lists["as_of"].max()
    top = lists.filter(
        (pl.col("horizon_days") == h)
        & (pl.col("rank") <= spec.capacity)
        & (pl.col("as_of") + pl.duration(days=h) <= last)
    )
    hits = _hit(top, events, h)
    return float(hits.group_by("as_of").agg(pl.col("hit").mean())["hit"].mean() or 0.0)


def precision_at_k_ceiling(lists: pl.DataFrame, events: pl.DataFrame, spec: BacktestSpec) -> float:
    """What a perfect ranking would score: mean over the same nights of min(failing, k) / k.

    On nights when fewer than k assets fail within the horizon even a perfect list holds some
    that do not, so a plant's failure rate caps precision at k; the ceiling shows by how much.
    """
    h = spec.horizon_days
    last = lists["as_of"].max()
    nights = lists.filter(
        (pl.col("horizon_days") == h) & (pl.col("as_of") + pl.duration(days=h) <= last)
    )
    failing = _hit(nights, events, h).group_by("as_of").agg(pl.col("hit").sum())
    capped = (failing["hit"].clip(upper_bound=spec.capacity) / spec.capacity).mean()
    return float(capped or 0.0)


def _hit(alerts: pl.DataFrame, events: pl.DataFrame, h: int) -> pl.DataFrame:
    """Each alert with `hit`: its asset failed within (as_of, as_of + h]."""
    pairs = alerts.join(events.select("asset_id", "failure_day"), on="asset_id", how="left")
    inside = (pl.col("failure_day") > pl.col("as_of")) & (
        pl.col("failure_day") <= pl.col("as_of") + pl.duration(days=h)
    )
    return pairs.group_by("asset_id", "as_of").agg(hit=inside.fill_null(False).any())


def _in_scope(lists: pl.DataFrame, events: pl.DataFrame, spec: BacktestSpec) -> pl.DataFrame:
    """Failures the replay could have caught: enough replayed nights before them."""
    first, last = lists["as_of"].min(), lists["as_of"].max()
    return events.filter(
        (pl.col("failure_day") > first + pl.duration(days=spec.min_lead_days))
        & (pl.col("failure_day") <= last + pl.duration(days=1))
    )


def outcome_at(
    lists: pl.DataFrame, events: pl.DataFrame, spec: BacktestSpec, threshold: float
) -> dict:
    """Caught failures, lead times, false-alarm episodes and cost for one alert threshold."""
    h, cost = spec.horizon_days, spec.cost
    alerts = _alerts(lists, spec, threshold)
    failures = _in_scope(lists, events, spec)
    leads = (
        failures.join(alerts.select("asset_id", "as_of"), on="asset_id", how="left")
        .with_columns(lead=(pl.col("failure_day") - pl.col("as_of")).dt.total_days())
        .filter(pl.col("lead").is_between(spec.min_lead_days, h))
        .group_by("asset_id", "failure_day")
        .agg(lead_days=pl.col("lead").max())
    )
    false_alerts = _hit(alerts, events, h).filter(~pl.col("hit")).sort("asset_id", "as_of")
    episodes = (
        false_alerts.with_columns(
            gap=(pl.col("as_of") - pl.col("as_of").shift().over("asset_id")).dt.total_days()
        )
        .filter(pl.col("gap").is_null() | (pl.col("gap") > h))
        .height
    )
    caught, total = leads.height, failures.height
    all_episodes = episodes + caught
    spend = (
        (total - caught) * cost.missed_failure
        + caught * cost.planned_repair
        + all_episodes * cost.inspection
    )
    return {
        "threshold": threshold,
        "failures": total,
        "caught": caught,
        "recall": caught / total if total else 0.0,
        "lead_days": sorted(leads["lead_days"].to_list()),
        "false_alarm_episodes": episodes,
        "cost_saved": total * cost.missed_failure - spend,
    }


def evaluate_backtest(
    lists: pl.DataFrame, events: pl.DataFrame, spec: BacktestSpec, assets: int
) -> dict:
    """All backtest figures; the alert threshold is the one that saves most under the cost model."""
    risks = _alerts(lists, spec, 0.0)["risk"].to_numpy()
    candidates = (
        sorted({0.0, *np.quantile(risks, np.linspace(0, 0.95, 20)).round(4).tolist()})
        if len(risks)
        else [0.0]
    )
    best = max(
        (outcome_at(lists, events, spec, t) for t in candidates), key=lambda o: o["cost_saved"]
    )
    months = max((lists["as_of"].max() - lists["as_of"].min()).days / 30.0, 1e-9)
    leads = best.pop("lead_days")
    return {
        "nights": lists["as_of"].n_unique(),
        "horizon_days": spec.horizon_days,
        "k": spec.capacity,
        "snooze_nights": spec.snooze_nights,
        "precision_at_k": precision_at_k(lists, events, spec),
        "precision_at_k_ceiling": precision_at_k_ceiling(lists, events, spec),
        **best,
        "lead_days_min": min(leads, default=None),
        "lead_days_median": float(np.median(leads)) if leads else None,
        "lead_days_max": max(leads, default=None),
        "false_alarms_per_asset_month": best["false_alarm_episodes"] / (assets * months),
        **remaining_life_errors(lists, events, spec),
        "cost_model": vars(spec.cost),
    }


def remaining_life_errors(lists: pl.DataFrame, events: pl.DataFrame, spec: BacktestSpec) -> dict:
    """RMSE and PHM08 score of the replayed median remaining life, on nights whose next failure
    on record came within the cap (60 days); the PHM score punishes late predictions more.
    """
    none = {"rul_rmse_days": None, "rul_phm_score_per_night": None, "rul_nights": 0}
    if "rul_days" not in lists.columns:
        return none
    nights = lists.filter(
        (pl.col("horizon_days") == spec.horizon_days) & pl.col("rul_days").is_not_null()
    )
    if nights.is_empty():
        return none
    ahead = label_failures(nights.select("asset_id", "as_of"), events, (), nights["as_of"].max())
    truth = nights.join(ahead, on=["asset_id", "as_of"]).filter(
        pl.col("days_to_failure") <= RUL_CAP_DAYS
    )
    predicted = truth["rul_days"].to_numpy()
    actual = truth["days_to_failure"].to_numpy().astype(float)
    if not len(actual):
        return none
    return {
        "rul_rmse_days": float(np.sqrt(np.mean((predicted - actual) ** 2))),
        "rul_phm_score_per_night": phm_score(predicted, actual) / len(actual),
        "rul_late_share": float(np.mean(predicted > actual)),
        "rul_nights": len(actual),
    }


HEADLINE = (
    "precision_at_k",
    "precision_at_k_ceiling",
    "recall",
    "caught",
    "failures",
    "lead_days_median",
    "false_alarms_per_asset_month",
    "threshold",
    "cost_saved",
)


def figures_by_horizon(
    lists: pl.DataFrame, events: pl.DataFrame, spec: BacktestSpec, assets: int
) -> dict[str, dict]:
    """The headline figures of every replayed horizon, keyed "7d", "30d", ..."""
    return {
        f"{h}d": {
            k: v
            for k, v in evaluate_backtest(
                lists, events, replace(spec, horizon_days=h), assets
            ).items()
            if k in HEADLINE
        }
        for h in sorted(lists["horizon_days"].unique().to_list())
    }


def backtest_report(
    lists: pl.DataFrame,
    baseline_lists: pl.DataFrame | None,
    events: pl.DataFrame,
    spec: BacktestSpec,
    assets: int,
) -> dict:
    """The planners' horizon's figures, every horizon's headline, and the baselines' beside them.

    `baseline_lists` are `models.backtest.replay_baselines` lists (column `method`); each
    baseline is judged by the same rules, with its own cost-optimal threshold.
    """
    figures = evaluate_backtest(lists, events, spec, assets)
    figures["by_horizon"] = figures_by_horizon(lists, events, spec, assets)
    if spec.snooze_nights and "model_rank" in lists.columns:  # what the unsnoozed lists give
        plain = lists.with_columns(rank=pl.col("model_rank"))
        figures["without_snooze"] = figures_by_horizon(plain, events, spec, assets)
    if baseline_lists is not None:
        figures["baselines"] = {
            method: figures_by_horizon(part, events, spec, assets)
            for (method,), part in baseline_lists.group_by("method", maintain_order=True)
        }
    return figures


def comparison_rows(figures: dict) -> list[dict]:
    """One row per method and horizon (model first, then the baselines) from `backtest_report`."""
    methods = {"model": figures.get("by_horizon", {}), **figures.get("baselines", {})}
    return [
        {"method": method, "horizon": horizon, **{k: row[k] for k in HEADLINE}}
        for method, by_horizon in methods.items()
        for horizon, row in by_horizon.items()
    ]
