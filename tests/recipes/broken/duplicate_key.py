"""Broken on purpose: a second asset named `risk_scores`, which the models stage already has."""

import dagster as dg
import polars as pl

from orchestration.defs.plant import OWNERS


@dg.asset(group_name="models", owners=OWNERS, kinds={"polars"})
def risk_scores(window_features: pl.DataFrame) -> pl.DataFrame:
    """A second risk score table."""
    return window_features
