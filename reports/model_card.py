"""The model card in markdown: what a model is, how well it did, what the gate decided, and why."""

from __future__ import annotations

import polars as pl

from reports.markdown import markdown_table

SCORERS = (("", "lightgbm"), ("logistic_", "logistic"), ("rule_", "one-sensor rule"))
GATE_FIGURES = ("recall", "precision_at_k", "cost_saved", "caught", "failures", "window")


def card_markdown(card: dict, importance: pl.DataFrame | None = None, top: int = 10) -> str:
    """The card (`models.card.model_card`, with `gate` and `recipe` when present) for people.

    Args:
        importance: `models.importance.feature_importance` of the model; its top rows are shown.
    """
    recipe = f" (recipe `{card['recipe']}`)" if card.get("recipe") else ""
    parts = [
        f"### Model {card['version']}{recipe}, plant {card['plant']}",
        f"Trained on nights {card['data_from']} .. {card['data_to']} ({card['rows']:,} labelled "
        f"asset-nights), {len(card['features'])} features. Method: {card['method']}.",
        "#### Validation (latest nights, out of time)",
        markdown_table(validation_table(card["metrics"])),
    ]
    if card.get("gate"):
        parts += ["#### Promotion gate", gate_sentence(card["gate"])]
        parts.append(markdown_table(gate_table(card["gate"])))
    if importance is not None and importance.height:
        parts += [
            f"#### Top {min(top, importance.height)} features (share of split gain)",
            markdown_table(importance.head(top)),
        ]
    return "\n\n".join(parts)


def validation_table(metrics: dict) -> pl.DataFrame:
    """One row per horizon and scorer: average precision, ROC AUC, precision at k."""
    rows = []
    for horizon, m in metrics.items():
        if not isinstance(m, dict) or "average_precision" not in m:
            continue
        for prefix, scorer in SCORERS:
            if f"{prefix}average_precision" not in m:
                continue
            name = f"{scorer} ({m['rule_feature']})" if prefix == "rule_" else scorer
            rows.append(
                {
                    "horizon": horizon,
                    "scorer": name,
                    "average_precision": m[f"{prefix}average_precision"],
                    "roc_auc": m[f"{prefix}roc_auc"],
                    "precision_at_k": m[f"{prefix}precision_at_k"],
                    "base_rate": m.get("base_rate"),
                }
            )
    return pl.DataFrame(rows)


def gate_sentence(gate: dict) -> str:
    verdict = "promoted" if gate["promoted"] else "not promoted"
    return (
        f"Metric `{gate['metric']}`, margin {gate['margin']}, against champion "
        f"{gate['champion']}: **{verdict}**. {gate['reason']}"
    )


def gate_table(gate: dict) -> pl.DataFrame:
    """The two replays side by side: the gate's figures of challenger and champion."""
    rows = []
    for role in ("challenger", "champion"):
        figures = gate.get(f"{role}_backtest") or {}
        row = {"model": role}
        row |= {k: figures.get(k) for k in GATE_FIGURES}
        row["window"] = str(figures.get("window", "no replay"))
        rows.append(row)
    return pl.DataFrame(rows, schema_overrides={"window": pl.String})
