"""Failure labels from maintenance logs: a failure within H days of each night, censoring-aware."""

from __future__ import annotations

from datetime import date

import polars as pl


def failure_events(
    work_orders: pl.DataFrame, timezone: str, extra_events: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Failures: corrective work orders with a failure code, dated by their local open day.

    Where the notes model has read a code from the notes (`failure_code_inferred`), that counts.
    `extra_events` (same schema, e.g. faults technicians confirmed on predictive requests) are
    added; on a day an asset already has a work-order failure, the work order is kept.
    """
    if "failure_code_inferred" in work_orders.columns:
        work_orders = work_orders.with_columns(
            failure_code=pl.col("failure_code_inferred"), component=pl.col("component_inferred")
        )
    events = (
        work_orders.filter(
            (pl.col("wo_type") == "CM")
            & pl.col("failure_code").is_not_null()
            & (pl.col("status") != "cancelled")
            & pl.col("opened_utc").is_not_null()
        )
        .select(
            "asset_id",
            "component",
            "failure_code",
            "wo_id",
            failure_day=pl.col("opened_utc").dt.convert_time_zone(timezone).dt.date(),
        )
        .sort("asset_id", "failure_day")
    )
    if extra_events is None:
        return events
    return (
        pl.concat([events, extra_events.select(events.columns)])
        .unique(["asset_id", "failure_day"], keep="first", maintain_order=True)
        .sort("asset_id", "failure_day")
    )


def label_failures(
    grid: pl.DataFrame, events: pl.DataFrame, horizons: tuple[int, ...], observed_until: date
) -> pl.DataFrame:
    """Add `days_to_failure` and one `label_<H>d` column per horizon to an (asset_id, as_of) grid.

    label = 1 if a failure falls in (as_of, as_of + H]; 0 if none did and the whole horizon is
    observed (as_of + H <= observed_until); null (censored, not a negative) otherwise.
    """
    nxt = events.select("asset_id", next_failure=pl.col("failure_day")).sort("next_failure")
    joined = (
        grid.sort("as_of")
        .join_asof(
            nxt,
            left_on="as_of",
            right_on="next_failure",
            by="asset_id",
            strategy="forward",
            allow_exact_matches=False,
            check_sortedness=False,
        )
        .with_columns(days_to_failure=(pl.col("next_failure") - pl.col("as_of")).dt.total_days())
    )
    labels = []
    for h in horizons:
        failed = pl.col("days_to_failure").is_not_null() & (pl.col("days_to_failure") <= h)
        observed = pl.col("as_of") + pl.duration(days=h) <= pl.lit(observed_until)
        labels.append(
            pl.when(failed)
            .then(1)
            .when(observed)
            .then(0)
            .otherwise(None)
            .cast(pl.Int8)
            .alias(f"label_{h}d")
        )
    return joined.with_columns(labels).drop("next_failure").sort("asset_id", "as_of")


def mode_slug(mode: str) -> str:
    """A failure mode or component as a column-name part: `BRG-WEAR` -> `brg_wear`."""
    return "".join(ch if ch.isalnum() else "_" for ch in mode.strip().lower()).strip("_")


def failure_counts_by_mode(events: pl.DataFrame, key: str = "failure_code") -> dict[str, int]:
    """Failures on record per failure mode (or component, `key`), ignoring events without one."""
    if key not in events.columns:
        raise ValueError(f"failure events have no column {key!r}; expected failure_code/component")
    counts = events.drop_nulls(key).group_by(key).len().sort(key)
    return dict(zip(counts[key].to_list(), counts["len"].to_list(), strict=True))


def label_failures_by_mode(
    grid: pl.DataFrame,
    events: pl.DataFrame,
    horizons: tuple[int, ...],
    observed_until: date,
    key: str = "failure_code",
) -> pl.DataFrame:
    """`label_<H>d__<mode>` per horizon and `days_to_failure__<mode>` per failure mode (or
    component, `key`).

    Same rule as `label_failures`, on that mode's failures only: 1 if one falls in (as_of,
    as_of + H], 0 if the horizon was observed without one, null (censored) otherwise. A failure of
    another mode is not a failure of this one.
    """
    out = grid.select("asset_id", "as_of").sort("asset_id", "as_of")
    for mode in failure_counts_by_mode(events, key):
        own = events.filter(pl.col(key) == mode)
        labelled = label_failures(out.select("asset_id", "as_of"), own, horizons, observed_until)
        slug = mode_slug(mode)
        out = out.with_columns(
            labelled["days_to_failure"].alias(f"days_to_failure__{slug}"),
            *[labelled[f"label_{h}d"].alias(f"label_{h}d__{slug}") for h in horizons],
        )
    return out


def labelled_modes(frame: pl.DataFrame) -> list[str]:
    """The failure modes (label suffixes) that a labelled frame carries columns for."""
    return sorted(c.split("__", 1)[1] for c in frame.columns if c.startswith("days_to_failure__"))


def count_failures(frame: pl.DataFrame, mode: str | None = None) -> int:
    """Distinct failures (asset, day) the labels of `frame` point at; of one mode if given."""
    column = "days_to_failure" if mode is None else f"days_to_failure__{mode}"
    return (
        frame.filter(pl.col(column).is_not_null())
        .select("asset_id", day=pl.col("as_of") + pl.duration(days=pl.col(column)))
        .n_unique()
    )


def run_to_failure_grid(grid: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """The nights of a run-to-failure fleet that can be labelled: before each asset's failure.

    Each history ends in its failure (the asset is gone after it) or is cut off before one (its
    future is unknown: scored, never trained on), so only assets with a failure on record, on
    nights before it, are kept.
    """
    ends = events.group_by("asset_id").agg(end=pl.col("failure_day").max())
    return (
        grid.join(ends, on="asset_id", how="inner")
        .filter(pl.col("as_of") < pl.col("end"))
        .drop("end")
    )
