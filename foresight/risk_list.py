"""Print the planners' top risk list and the model card on the terminal."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import sqlalchemy as sa

from connectors.feedback import read_dispositions, technician_precision
from connectors.interface_tables import interface_tables, logical_select
from connectors.work_request_table import is_open, requests_of_night, shadow_sentence
from foresight.plant import Plant


def print_risk_list(plant: Plant, night: date, top: int = 10) -> None:
    """The night's highest risks on the shortest horizon, with drivers and where they went."""
    url = plant.writeback_url()
    horizon = min(plant.models.horizons_days)
    tables = interface_tables(plant.cmms_target.mapping)
    history, requests = tables.history, tables.work_requests
    tonight = (history.c.horizon_days == horizon) & (history.c.as_of_date == night)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            logical_select(history, "asset_id", "risk", "band", "rul_days", "drivers")
            .where(tonight & (history.c.risk.is_not(None) | (history.c.band == "cold start")))
            .order_by(history.c.risk_rank)
            .limit(top)
        ).fetchall()
        scored, insufficient = conn.execute(
            sa.select(sa.func.count(), sa.func.count() - sa.func.count(history.c.risk)).where(
                tonight
            )
        ).one()
        night_scores = conn.execute(
            sa.select(sa.func.count()).where(history.c.as_of_date == night)
        ).scalar_one()
        open_requests = conn.execute(
            sa.select(sa.func.count()).where(is_open(requests))
        ).scalar_one()
    engine.dispose()
    print(f"\nTop {len(rows)} failure risks within {horizon} days, as of {night} ({plant.name}):")
    print(f"{'#':>3}  {'asset':<8} {'risk':>6}  {'band':<7} {'life':>6}  main reasons")
    for i, (asset, risk, band, rul, drivers) in enumerate(rows, 1):
        cap = plant.models.rul_cap_days
        life = "?" if rul is None else (f"{cap}+ d" if rul >= cap - 0.5 else f"{rul:.0f} d")
        shown = "n/a" if risk is None else f"{risk:.1%}"  # a cold start has no calibrated risk
        print(f"{i:>3}  {asset:<8} {shown:>6}  {band:<7} {life:>6}  {drivers}")
    method = _champion_method(plant)
    if method != "lightgbm":
        print(f"\nScored by: {method}")
    where = sa.make_url(url).render_as_string()
    print(
        f"\n{scored} assets scored ({insufficient} with insufficient data); "
        f"scores written ({plant.cmms_target.mode} mode) to {where} tables "
        f"{tables.qualified(tables.current)} and {tables.qualified(history)}."
    )
    if plant.cmms_target.mode == "shadow":
        night_requests = requests_of_night(url, night, plant.cmms_target.mapping)
        print(shadow_sentence(night_scores, night_requests))
    print(f"Open predictive work requests (table {tables.qualified(requests)}): {open_requests}")
    print(feedback_sentence(read_dispositions(url, plant.cmms_target.mapping)))
    print(f"Planners' report: {plant.state_dir / 'reports' / 'latest.html'} (and latest.csv)")


def _champion_method(plant: Plant) -> str:
    """How the champion scores ("lightgbm", or which cold starts and why), from its card."""
    from models.registry import ModelRegistry

    registry = ModelRegistry(plant.state_dir / "models")
    version = registry.champion_version()
    return registry.card(version).get("method", "lightgbm") if version else "no champion"


def feedback_sentence(feedback: pl.DataFrame) -> str:
    """The technicians' answers to Foresight's requests so far, in one line."""
    overall = technician_precision(feedback).filter(pl.col("group") == "overall").row(0, named=True)
    precision = "n/a" if overall["precision"] is None else f"{overall['precision']:.0%}"
    return (
        f"Technicians' answers to Foresight's requests: {overall['fault_confirmed']} fault "
        f"confirmed, {overall['no_fault_found']} no fault found, {overall['deferred']} deferred, "
        f"{overall['awaiting']} awaiting; precision as they judge it: {precision}"
    )


def print_model_card(plant: Plant) -> None:
    """The champion's model card in short."""
    from models.registry import ModelRegistry

    registry = ModelRegistry(plant.state_dir / "models")
    version = registry.champion_version()
    if version is None:
        print("no champion model")
        return
    card = registry.card(version)
    print(
        f"\nchampion {version}: trained on {card['data_from']} .. {card['data_to']}, "
        f"{len(card['features'])} features"
    )
    print(f"method: {card.get('method', 'lightgbm')}")
    newest = registry.versions()[-1]
    gate = registry.card(newest).get("gate")
    if gate:
        print(f"newest model {newest}, gate on the replayed backtest's {gate['metric']}: ", end="")
        print(gate["reason"])
    for row in card.get("cross_validation", []):
        figures = "  ".join(
            f"{s} AP {row[f'{s}_average_precision']:.2f} ROC {row[f'{s}_roc_auc']:.2f}"
            for s in ("lightgbm", "logistic", "rule")
            if f"{s}_average_precision" in row
        )
        print(f"  cv {row['horizon']} fold {row['fold']}: {figures or row.get('skipped', '')}")
    print(json.dumps(card["metrics"], indent=2))
