"""Broken on purpose: an asset without description, group or owner, and a check without one."""

import dagster as dg
import polars as pl


@dg.asset
def vibration_spectra(window_features: pl.DataFrame) -> pl.DataFrame:
    return window_features


@dg.asset_check(asset="window_features")
def window_features_have_rows(window_features: pl.DataFrame) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=window_features.height > 0)
