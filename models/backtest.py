"""Backtest by replay: score past nights as the platform would have, then measure what it caught.

Every `retrain_every_days` the model is retrained on what was known then: features of earlier
nights, failures booked before that night, labels censored at that night. The nightly risk lists
(asset, as_of, horizon, risk, rank) are kept so that any metric can be recomputed from them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from models.baselines import fit_baselines
from models.labels import label_failures
from models.risk_model import CATEGORICAL, FailureRiskModel, feature_columns

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CostModel:
    """What a failure costs when missed, when caught in time, and what an inspection costs."""

    missed_failure: float = 25_000.0
    planned_repair: float = 6_000.0
    inspection: float = 500.0


@dataclass(frozen=True)
class BacktestSpec:
    months: int = 6
    retrain_every_days: int = 30
    horizon_days: int = 7  # the horizon whose risk list planners act on
    capacity: int = 3  # planners' daily capacity k
    min_lead_days: int = 3  # an alert counts only if it came at least this long before the failure
    cost: CostModel = CostModel()
    snooze_nights: int = 0  # an asset on a night's top k is left off the next N nights' top k


def _blocks(
    features: pl.DataFrame, events: pl.DataFrame, spec: BacktestSpec, horizons: tuple[int, ...]
) -> Iterator[tuple[date, pl.DataFrame, pl.DataFrame]]:
    """Each replayed block: its first night, the labelled history known then, its nights' rows.

    The history holds features of earlier nights only, labelled with failures booked before the
    block and censored at the night before it.
    """
    nights = features["as_of"].unique().sort()
    last = nights[-1]
    block = max(nights[0] + timedelta(days=120), last - timedelta(days=30 * spec.months))
    while block <= last:
        known = events.filter(pl.col("failure_day") < block)
        history = features.filter(pl.col("as_of") < block)
        labelled = label_failures(
            history.select("asset_id", "as_of"), known, horizons, block - timedelta(days=1)
        )
        scored = features.filter(
            pl.col("as_of").is_between(block, block + timedelta(days=spec.retrain_every_days - 1))
        )
        yield block, history.join(labelled, on=["asset_id", "as_of"]), scored
        block += timedelta(days=spec.retrain_every_days)


def replay(
    features: pl.DataFrame,
    events: pl.DataFrame,
    spec: BacktestSpec,
    horizons: tuple[int, ...],
    train: Callable[[pl.DataFrame, str], FailureRiskModel],
    progress: Callable[[str], None] = logger.info,
) -> pl.DataFrame:
    """Nightly risk lists of the replayed months (asset, as_of, horizon, risk, rank, model)."""
    lists = []
    for block, history, scored in _blocks(features, events, spec, horizons):
        model = train(history, f"replay-{block}")
        progress(
            f"replayed {block} .. {scored['as_of'].max()} "
            f"with a model trained on {history.height} rows"
        )
        lists += [_risk_list(model, scored, h) for h in horizons]
    lists = pl.concat(lists).sort("horizon_days", "as_of", "rank")
    return snoozed(lists, spec.capacity, spec.snooze_nights)


BASELINE_LIST_SCHEMA = {
    "asset_id": pl.String,
    "as_of": pl.Date,
    "horizon_days": pl.Int32,
    "risk": pl.Float64,
    "method": pl.String,
    "rank": pl.Int32,
}


def replay_baselines(
    features: pl.DataFrame,
    events: pl.DataFrame,
    spec: BacktestSpec,
    horizons: tuple[int, ...],
    seed: int,
    progress: Callable[[str], None] = logger.info,
) -> pl.DataFrame:
    """The baselines' nightly lists over the same replay (method "logistic" or "rule").

    Retrained on the same blocks as the model, so that the figures compare like with like: how
    hard the plant is for a linear model and for a threshold on its most telling sensor. A block
    whose history has no failure within a horizon yet (where the model falls back to its cold
    start) has no baseline lists for that horizon: neither baseline can learn from one class.
    """
    lists = []
    for block, history, scored in _blocks(features, events, spec, horizons):
        rankers = fit_baselines(
            history, [c for c in feature_columns(history) if c not in CATEGORICAL], horizons, seed
        )
        skipped = [h for h in horizons if h not in rankers.fitted]
        progress(
            f"replayed the baselines {block} .. {scored['as_of'].max()}"
            + (f" (none for {skipped} d: no failure labelled before {block})" if skipped else "")
        )
        for h in rankers.fitted:
            for method, score in rankers.scores(scored, h).items():
                lists.append(
                    scored.select("asset_id", "as_of").with_columns(
                        horizon_days=pl.lit(h, pl.Int32),
                        risk=pl.Series(score, dtype=pl.Float64),
                        method=pl.lit(method),
                    )
                )
    if not lists:
        return pl.DataFrame(schema=BASELINE_LIST_SCHEMA)
    ranked = pl.concat(lists).with_columns(
        rank=pl.col("risk")
        .rank("ordinal", descending=True)
        .over("method", "horizon_days", "as_of")
        .cast(pl.Int32)
    )
    return snoozed(ranked, spec.capacity, spec.snooze_nights).sort(
        "method", "horizon_days", "as_of", "rank"
    )


def snoozed(lists: pl.DataFrame, capacity: int, nights: int) -> pl.DataFrame:
    """The lists planners would have seen: an asset put on a night's top k (a work request) is
    left off the top k of the next `nights` nights, and the next assets move up into its place.

    Planners inspect k assets a night; an asset whose request they are still working on takes no
    second slot (the live write-back does the same, `models.work_requests`). `model_rank` keeps
    the model's own order, `rank` becomes the planners' list. Lists of several methods or horizons
    are snoozed each on its own. No snooze (0): `rank` is the model's and `model_rank` its copy.
    """
    lists = lists.with_columns(model_rank=pl.col("rank"))
    if nights <= 0 or lists.is_empty():
        return lists
    groups = [c for c in ("method", "horizon_days") if c in lists.columns]
    lists = lists.sort(*groups, "as_of", "model_rank")
    nightly = lists.group_by(*groups, "as_of", maintain_order=True).agg("asset_id")
    listed: list[bool] = []
    last: dict[tuple, date] = {}  # (group, asset) -> the night it was last put on the list
    for row in nightly.iter_rows(named=True):
        group, night, chosen = tuple(row[c] for c in groups), row["as_of"], 0
        for asset in row["asset_id"]:
            seen = last.get((group, asset))
            take = chosen < capacity and (seen is None or (night - seen).days > nights)
            if take:
                last[(group, asset)], chosen = night, chosen + 1
            listed.append(take)
    return (
        lists.with_columns(_rest=~pl.Series(listed, dtype=pl.Boolean))
        .with_columns(
            rank=pl.struct("_rest", "model_rank")
            .rank("ordinal")
            .over(*groups, "as_of")
            .cast(pl.Int32)
        )
        .drop("_rest")
    )


def _risk_list(model: FailureRiskModel, scored: pl.DataFrame, horizon: int) -> pl.DataFrame:
    """One night's list; a cold-start model ranks by its health score (kept as `risk`)."""
    if model.is_cold_start:
        risk = raw = model.health.score(scored)
    else:
        risk, raw = model.predict_risk(scored, horizon), model.predict_raw(scored, horizon)
    rul = (
        model.rul.predict(model.matrix(scored))[0]
        if model.rul is not None
        else np.full(scored.height, np.nan)
    )
    return (
        scored.select("asset_id", "as_of")
        .with_columns(
            horizon_days=pl.lit(horizon, pl.Int32),
            risk=pl.Series(risk),
            _raw=pl.Series(raw),
            rul_days=pl.Series(rul, dtype=pl.Float64).fill_nan(None),
            model_version=pl.lit(model.version),
            method=pl.lit("cold start" if model.is_cold_start else "lightgbm"),
        )
        .with_columns(
            rank=pl.struct("risk", "_raw")
            .rank("ordinal", descending=True)
            .over("as_of")
            .cast(pl.Int32)
        )
        .drop("_raw")
    )


def _alerts(lists: pl.DataFrame, spec: BacktestSpec, threshold: float) -> pl.DataFrame:
    return lists.filter(
        (pl.col("horizon_days") == spec.horizon_days)
        & (pl.col("rank") <= spec.capacity)
        & (pl.col("risk") >= threshold)
    )


def save_backtest(
    folder: Path, lists: pl.DataFrame, baseline_lists: pl.DataFrame | None, figures: dict
) -> Path:
    """Keep a replay in `folder`: the nightly lists (the baselines' too) and the figures
    (`latest.json`), so that any metric can be recomputed from them; returns `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    lists.write_parquet(folder / "risk_lists.parquet")
    if baseline_lists is not None:
        baseline_lists.write_parquet(folder / "baseline_risk_lists.parquet")
    else:  # an earlier run's lists would sit beside figures that no longer include them
        (folder / "baseline_risk_lists.parquet").unlink(missing_ok=True)
    (folder / "latest.json").write_text(json.dumps(figures, indent=2, default=str))
    return folder
