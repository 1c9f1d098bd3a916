"""The backtest in one picture: did the replayed risk of each failed asset rise before it failed?"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on a server
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

DAYS_BEFORE = 30


def risk_before_failures(
    lists: pl.DataFrame, events: pl.DataFrame, horizon_days: int, days: int = DAYS_BEFORE
) -> pl.DataFrame:
    """The replayed risk of each failed asset on the `days` nights before its failure.

    Args:
        lists: the replay's nightly risk lists (`models.backtest.replay`).
        events: failures (`asset_id`, `failure_day`).
    Returns:
        `asset_id`, `failure_day`, `days_before` (days .. 1, in time order) and `risk` on that
        horizon's list.
    """
    risks = lists.filter(pl.col("horizon_days") == horizon_days).select("asset_id", "as_of", "risk")
    return (
        events.select("asset_id", "failure_day")
        .unique()
        .join(risks, on="asset_id")
        .with_columns(days_before=(pl.col("failure_day") - pl.col("as_of")).dt.total_days())
        .filter(pl.col("days_before").is_between(1, days))
        .sort("failure_day", "asset_id", "days_before", descending=[False, False, True])
        .select("asset_id", "failure_day", "days_before", "risk")
    )


def risk_before_failures_png(curves: pl.DataFrame, threshold: float | None, title: str) -> bytes:
    """One thin line per failure, their median in bold, the alert threshold dashed (PNG)."""
    fig, ax = plt.subplots(figsize=(6.0, 2.8), dpi=100)
    for _, curve in curves.group_by("asset_id", "failure_day", maintain_order=True):
        ax.plot(-curve["days_before"], curve["risk"] * 100, color="#9bb7d4", linewidth=0.8)
    if curves.height:
        median = curves.group_by("days_before").agg(pl.col("risk").median()).sort("days_before")
        ax.plot(
            -median["days_before"],
            median["risk"] * 100,
            color="#1f4e79",
            linewidth=2.2,
            label="median over failures",
        )
    if threshold is not None:
        ax.axhline(
            threshold * 100,
            color="#c0392b",
            linestyle="--",
            linewidth=1,
            label=f"alert threshold {threshold:.1%}",
        )
    ax.set_xlabel("days before the failure")
    ax.set_ylabel("replayed risk, %")
    ax.set_title(title, loc="left", fontsize=9)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})  # bytes depend on data only
    plt.close(fig)
    return buffer.getvalue()


def backtest_plot(
    lists: pl.DataFrame, events: pl.DataFrame, horizon_days: int, threshold: float | None
) -> tuple[str, bytes]:
    """The plot of `risk_before_failures` with its title, as PNG bytes."""
    curves = risk_before_failures(lists, events, horizon_days)
    failures = curves.select("asset_id", "failure_day").n_unique()
    title = (
        f"Replayed {horizon_days}-day risk in the {DAYS_BEFORE} nights before {failures} failures"
    )
    return title, risk_before_failures_png(curves, threshold, title)
