"""Render the nightly risk list for planners: ranked assets, why, remaining life, plots."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import polars as pl
from jinja2 import Environment, FileSystemLoader, select_autoescape

from reports.plots import line_chart_svg

TEMPLATES = Path(__file__).with_name("templates")
# how each score was made: the method (cold starts named), likeliest failure mode, health score
MODEL_COLUMNS = ("method", "failure_mode", "failure_mode_risk", "health_anomaly")


@dataclass(frozen=True)
class ReportInputs:
    """Everything the report shows, already computed by the pipeline."""

    plant: str
    night: date
    scores: (
        pl.DataFrame
    )  # tonight: asset_id, horizon_days, risk, band, rank, rul_*, drivers, status
    risk_history: pl.DataFrame  # asset_id, as_of, horizon_days, risk (earlier nights)
    daily: pl.DataFrame  # level-1 aggregates of recent days
    work_orders: pl.DataFrame
    register: pl.DataFrame
    warnings: list[str] = field(default_factory=list)
    top_plots: int = 5
    requests: pl.DataFrame | None = None  # Foresight's open work requests: request_id, asset_id
    feedback: pl.DataFrame | None = None  # technician-judged precision (connectors.feedback)
    shadow_note: str | None = None  # shadow mode: what would have been written to the CMMS


def risk_table(inputs: ReportInputs) -> pl.DataFrame:
    """One row per asset, ranked by the shortest horizon's risk, with trend and maintenance."""
    h = int(inputs.scores["horizon_days"].min())
    short = inputs.scores.filter(pl.col("horizon_days") == h)
    wide = inputs.scores.pivot(on="horizon_days", index="asset_id", values="risk")
    wide = wide.rename({c: f"risk_{c}d" for c in wide.columns if c != "asset_id"})
    week_ago = inputs.risk_history.filter(
        (pl.col("horizon_days") == h) & (pl.col("as_of") == inputs.night - timedelta(days=7))
    ).select("asset_id", risk_week_ago="risk")
    return (
        short.select(
            "asset_id",
            "rank",
            "band",
            "rul_days",
            "rul_low_days",
            "rul_high_days",
            "drivers",
            "data_quality_status",
            *[c for c in MODEL_COLUMNS if c in short.columns],
        )
        .join(wide, on="asset_id", how="left")
        .join(week_ago, on="asset_id", how="left")
        .with_columns(trend=pl.col(f"risk_{h}d") - pl.col("risk_week_ago"))
        .join(inputs.register.select("asset_id", "asset_type", "site"), on="asset_id", how="left")
        .join(_last_maintenance(inputs.work_orders, inputs.night), on="asset_id", how="left")
        .join(_open_orders(inputs.work_orders, inputs.requests), on="asset_id", how="left")
        .sort("rank", "asset_id", nulls_last=True)
    )


def _last_maintenance(work_orders: pl.DataFrame, night: date) -> pl.DataFrame:
    done = work_orders.filter(pl.col("opened_utc").dt.date() <= night).sort("opened_utc")
    return done.group_by("asset_id").agg(
        last_maintenance=pl.format(
            "{} {} ({})",
            pl.col("wo_type").last(),
            pl.col("opened_utc").last().dt.date(),
            pl.col("component").last().fill_null("general"),
        )
    )


def _open_orders(work_orders: pl.DataFrame, requests: pl.DataFrame | None) -> pl.DataFrame:
    """Open CMMS work orders and Foresight's own open requests, per asset."""
    ids = work_orders.filter(pl.col("status") == "open").select("asset_id", wo=pl.col("wo_id"))
    if requests is not None and requests.height:
        ids = pl.concat([ids, requests.select("asset_id", wo=pl.col("request_id"))])
    return ids.group_by("asset_id").agg(open_work_order=pl.col("wo").sort().str.join(", "))


def _sensors_of(drivers: str, known: set[str]) -> list[str]:
    """Sensors named in the drivers text (their words), in order of appearance."""
    found = [s for s in known if s.replace("_", " ") in drivers]
    return sorted(found, key=lambda s: drivers.index(s.replace("_", " ")))[:2]


def _plots(inputs: ReportInputs, table: pl.DataFrame) -> dict[str, list[str]]:
    h = int(inputs.scores["horizon_days"].min())
    sensors = set(inputs.daily["sensor"].unique().to_list()) if inputs.daily.height else set()
    running = (
        inputs.daily.filter(pl.col("regime") != "idle")
        .group_by("asset_id", "sensor", "day")
        .agg(mean=pl.col("sum_v").sum() / pl.col("n").sum())
        .sort("day")
        if inputs.daily.height
        else inputs.daily
    )
    plots: dict[str, list[str]] = {}
    for row in (
        table.filter(pl.col("rank").is_not_null()).head(inputs.top_plots).iter_rows(named=True)
    ):
        asset = row["asset_id"]
        history = (
            pl.concat(
                [
                    inputs.risk_history.filter(
                        (pl.col("asset_id") == asset) & (pl.col("horizon_days") == h)
                    ).select("as_of", "risk"),
                    pl.DataFrame({"as_of": [inputs.night], "risk": [row[f"risk_{h}d"]]}),
                ]
            )
            .sort("as_of")
            .unique("as_of", keep="last")
            .sort("as_of")
        )
        history = history.drop_nulls("risk")  # a cold start has no risk to chart
        charts = []
        if history.height:
            charts.append(
                line_chart_svg(
                    {"risk": (history["as_of"].to_list(), history["risk"].to_list())},
                    f"{asset}: {h}-day failure risk by night",
                    percent=True,
                )
            )
        for sensor in _sensors_of(row["drivers"] or "", sensors):
            trend = running.filter((pl.col("asset_id") == asset) & (pl.col("sensor") == sensor))
            if trend.height:
                charts.append(
                    line_chart_svg(
                        {sensor: (trend["day"].to_list(), trend["mean"].to_list())},
                        f"{asset}: {sensor.replace('_', ' ')}, daily mean while running",
                    )
                )
        plots[asset] = charts
    return plots


def _method(scores: pl.DataFrame) -> str:
    """The night's scoring method in words ("lightgbm", or the cold starts and why)."""
    if "method" not in scores.columns or not scores.height:
        return "lightgbm"
    return " / ".join(scores["method"].unique(maintain_order=True).to_list())


def render_report(inputs: ReportInputs) -> tuple[str, pl.DataFrame]:
    """The HTML page and the CSV table of the night's risk list."""
    table = risk_table(inputs)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    h = int(inputs.scores["horizon_days"].min())
    html = env.get_template("risk_report.html").render(
        plant=inputs.plant,
        night=inputs.night,
        horizon=h,
        rows=table.to_dicts(),
        horizons=sorted(inputs.scores["horizon_days"].unique().to_list()),
        plots=_plots(inputs, table),
        warnings=inputs.warnings,
        model=inputs.scores["model_version"][0] if inputs.scores.height else "none",
        method=_method(inputs.scores),
        counts=table.group_by("band").len().sort("band").to_dicts(),
        feedback=inputs.feedback.to_dicts() if inputs.feedback is not None else [],
        shadow_note=inputs.shadow_note,
    )
    return html, table
