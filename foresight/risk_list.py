"""Print the planners' top risk list and the model card on the terminal."""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa

from foresight.plant import Plant


def print_risk_list(plant: Plant, night: date, top: int = 10) -> None:
    """The night's highest risks on the shortest horizon, with drivers and where they went."""
    url = plant.writeback_url()
    horizon = min(plant.models.horizons_days)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT asset_id, risk, band, rul_days, drivers FROM foresight_risk_score_history "
                "WHERE horizon_days = :h AND as_of_date = :d AND risk IS NOT NULL "
                "ORDER BY risk_rank LIMIT :n"
            ),
            {"h": horizon, "d": night, "n": top},
        ).fetchall()
        counts = conn.execute(
            sa.text(
                "SELECT COUNT(*), SUM(CASE WHEN risk IS NULL THEN 1 ELSE 0 END) "
                "FROM foresight_risk_score_history "
                "WHERE horizon_days = :h AND as_of_date = :d"
            ),
            {"h": horizon, "d": night},
        ).one()
    engine.dispose()
    print(f"\nTop {len(rows)} failure risks within {horizon} days, as of {night} ({plant.name}):")
    print(f"{'#':>3}  {'asset':<8} {'risk':>6}  {'band':<7} {'life':>6}  main reasons")
    for i, (asset, risk, band, rul, drivers) in enumerate(rows, 1):
        cap = plant.models.rul_cap_days
        life = "?" if rul is None else (f"{cap}+ d" if rul >= cap - 0.5 else f"{rul:.0f} d")
        print(f"{i:>3}  {asset:<8} {risk:>6.1%}  {band:<7} {life:>6}  {drivers}")
    print(
        f"\n{counts[0]} assets scored ({counts[1] or 0} with insufficient data); "
        f"scores written ({plant.cmms_target.mode} mode) to {sa.make_url(url).render_as_string()} "
        "tables foresight_current_risk_scores and foresight_risk_score_history."
    )
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        open_requests = conn.execute(
            sa.text("SELECT COUNT(*) FROM foresight_work_requests WHERE status = 'open'")
        ).scalar()
    engine.dispose()
    print(f"Open predictive work requests (table foresight_work_requests): {open_requests}")
    print(f"Planners' report: {plant.state_dir / 'reports' / 'latest.html'} (and latest.csv)")


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
    print(json.dumps(card["metrics"], indent=2))
