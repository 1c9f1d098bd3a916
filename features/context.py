"""The context layer: MES load, maintenance history and static asset attributes."""

from __future__ import annotations

from datetime import date

import polars as pl

from features.spec import FeatureSpec


def daily_load(orders: pl.DataFrame, timezone: str) -> pl.DataFrame:
    """Hours run, mean load and high-load hours per asset and local day, from production orders."""
    hours = (
        orders.filter(pl.col("start_utc").is_not_null() & (pl.col("end_utc") > pl.col("start_utc")))
        .with_columns(hour=pl.datetime_ranges("start_utc", "end_utc", "1h", closed="left"))
        .explode("hour")
        .with_columns(day=pl.col("hour").dt.convert_time_zone(timezone).dt.date())
    )
    return hours.group_by("asset_id", "day").agg(
        run_hours=pl.len().cast(pl.Float64),
        load_sum=pl.col("load_pct").sum(),
        high_hours=(pl.col("load_regime") == "high").sum().cast(pl.Float64),
    )


def build_load_features(load: pl.DataFrame, spec: FeatureSpec, as_of: list[date]) -> pl.DataFrame:
    """`mes_load_pct__mean__Nd`, `run_hours__Nd` and `high_load_share__Nd` per asset and night.

    The MES load is prefixed `mes_`: a historian sensor may be called `load_pct` too.
    """
    nights = pl.DataFrame({"as_of": sorted(set(as_of))}, schema={"as_of": pl.Date})
    longest = max(spec.load_windows_days, default=0)
    if longest == 0 or load.is_empty():
        return nights.join(load.select("asset_id").unique(), how="cross")
    expanded = (
        load.with_columns(
            as_of=pl.date_ranges("day", pl.col("day") + pl.duration(days=longest - 1))
        )
        .explode("as_of")
        .join(nights, on="as_of", how="semi")
        .with_columns(age=(pl.col("as_of") - pl.col("day")).dt.total_days())
    )
    exprs = []
    for w in spec.load_windows_days:
        inside = pl.col("age") < w
        run = pl.when(inside).then(pl.col("run_hours")).otherwise(0).sum()
        exprs += [
            (pl.when(inside).then(pl.col("load_sum")).otherwise(0).sum() / run).alias(
                f"mes_load_pct__mean__{w}d"
            ),
            run.alias(f"run_hours__{w}d"),
            (pl.when(inside).then(pl.col("high_hours")).otherwise(0).sum() / run).alias(
                f"high_load_share__{w}d"
            ),
        ]
    return expanded.group_by("asset_id", "as_of").agg(exprs)


def build_maintenance_features(
    work_orders: pl.DataFrame, register: pl.DataFrame, as_of: list[date], timezone: str
) -> pl.DataFrame:
    """Days since the last PM and CM, CM count in the past 365 days, and age since commissioning.

    Only work orders opened before the end of the as-of night count (no look-ahead).
    """
    grid = register.select("asset_id", "commissioned_on").join(
        pl.DataFrame({"as_of": sorted(set(as_of))}, schema={"as_of": pl.Date}), how="cross"
    )
    wo = (
        work_orders.filter(pl.col("status") != "cancelled")
        .with_columns(day=pl.col("opened_utc").dt.convert_time_zone(timezone).dt.date())
        .filter(pl.col("day").is_not_null())
    )
    out = grid.with_columns(age_days=(pl.col("as_of") - pl.col("commissioned_on")).dt.total_days())
    for kind in ("PM", "CM"):
        events = wo.filter(pl.col("wo_type") == kind).select("asset_id", "day").sort("day")
        out = (
            out.sort("as_of")
            .join_asof(
                events.rename({"day": f"last_{kind}"}),
                left_on="as_of",
                right_on=f"last_{kind}",
                by="asset_id",
                strategy="backward",
                check_sortedness=False,
            )
            .with_columns(
                (pl.col("as_of") - pl.col(f"last_{kind}"))
                .dt.total_days()
                .alias(f"days_since_{kind.lower()}")
            )
            .drop(f"last_{kind}")
        )
    cm = wo.filter(pl.col("wo_type") == "CM").select("asset_id", "day")
    counts = (
        grid.select("asset_id", "as_of")
        .join(cm, on="asset_id")
        .filter(
            (pl.col("day") <= pl.col("as_of"))
            & (pl.col("day") > pl.col("as_of") - pl.duration(days=365))
        )
        .group_by("asset_id", "as_of")
        .agg(cm_count__365d=pl.len().cast(pl.Int64))
    )
    return (
        out.join(counts, on=["asset_id", "as_of"], how="left")
        .with_columns(pl.col("cm_count__365d").fill_null(0))
        .drop("commissioned_on")
    )


def build_component_age(
    work_orders: pl.DataFrame, register: pl.DataFrame, as_of: list[date], timezone: str
) -> pl.DataFrame:
    """`component_age_days__<component>`: days since the component was last renewed (PM or CM).

    A preventive replacement resets the age like a repair does; before any work on record the age
    counts from commissioning. Uses `component_inferred` (codes read from notes where missing).
    """
    work = (
        work_orders.filter(
            pl.col("wo_type").is_in(["PM", "CM"])
            & pl.col("component_inferred").is_not_null()
            & (pl.col("status") != "cancelled")
        )
        .select(
            "asset_id",
            component="component_inferred",
            day=pl.col("opened_utc").dt.convert_time_zone(timezone).dt.date(),
        )
        .drop_nulls()
        .sort("day")
    )
    nights = pl.DataFrame({"as_of": sorted(set(as_of))}, schema={"as_of": pl.Date})
    # the components an asset type has: those ever worked on for an asset of that type
    types = register.select("asset_id", "asset_type")
    parts = work.join(types, on="asset_id").select("asset_type", "component").unique()
    named = _named_in_pm_notes(work_orders, types, parts, timezone)
    work = pl.concat([work, named]).unique().sort("day")
    grid = (
        register.select("asset_id", "asset_type", "commissioned_on")
        .join(parts, on="asset_type")
        .join(nights, how="cross")
        .sort("as_of")
    )
    aged = grid.join_asof(
        work.rename({"day": "renewed"}),
        left_on="as_of",
        right_on="renewed",
        by=["asset_id", "component"],
        strategy="backward",
        check_sortedness=False,
    ).with_columns(
        age=(pl.col("as_of") - pl.coalesce("renewed", "commissioned_on")).dt.total_days()
    )
    if aged.is_empty():
        return pl.DataFrame(schema={"asset_id": pl.String, "as_of": pl.Date})
    wide = aged.pivot(on="component", index=["asset_id", "as_of"], values="age")
    return wide.rename(
        {c: f"component_age_days__{c}" for c in wide.columns if c not in ("asset_id", "as_of")}
    )


def _named_in_pm_notes(
    work_orders: pl.DataFrame, types: pl.DataFrame, parts: pl.DataFrame, timezone: str
) -> pl.DataFrame:
    """Components a PM's notes say were replaced: the CMMS `component` field holds only one.

    "during PM found bearing and seal worn -> changed" renews both; a component counts when its
    name appears as a word in the notes of a PM that was not cancelled.
    """
    schema = {"asset_id": pl.String, "component": pl.String, "day": pl.Date}
    if "notes" not in work_orders.columns:
        return pl.DataFrame(schema=schema)
    pms = work_orders.filter(
        (pl.col("wo_type") == "PM")
        & (pl.col("status") != "cancelled")
        & pl.col("notes").is_not_null()
    ).join(types, on="asset_id")
    named = pms.join(parts, on="asset_type").filter(
        pl.col("notes").str.to_lowercase().str.contains(pl.format(r"\b{}\b", pl.col("component")))
    )
    return named.select(
        "asset_id", "component", day=pl.col("opened_utc").dt.convert_time_zone(timezone).dt.date()
    ).cast(schema)


def build_production_state(orders: pl.DataFrame, as_of: list[date], timezone: str) -> pl.DataFrame:
    """The production order running at the end of each night: product spec, batch, load regime."""
    ends = pl.DataFrame({"as_of": sorted(set(as_of))}, schema={"as_of": pl.Date}).with_columns(
        end_utc=pl.col("as_of")
        .cast(pl.Datetime("us"))
        .dt.offset_by("1d")
        .dt.replace_time_zone(timezone, ambiguous="earliest")
        .dt.convert_time_zone("UTC")
    )
    started = (
        orders.select(
            "asset_id",
            "start_utc",
            product_spec_now="product_spec",
            material_batch_now="material_batch",
            load_regime_now="load_regime",
        )
        .drop_nulls("start_utc")
        .sort("start_utc")
    )
    grid = orders.select("asset_id").unique().join(ends, how="cross").sort("end_utc")
    return grid.join_asof(
        started,
        left_on="end_utc",
        right_on="start_utc",
        by="asset_id",
        strategy="backward",
        check_sortedness=False,
    ).drop("end_utc", "start_utc")
