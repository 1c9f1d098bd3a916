"""Extra feature families beside the nightly feature table, joined on asset and night."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from foresight.errors import InputDataError

KEYS = ("asset_id", "as_of")


def join_families(table: pl.DataFrame, families: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """`table` with each family's columns left-joined on (asset_id, as_of); rows never change.

    Raises:
        InputDataError: a family lacks the keys, repeats an (asset, night), or reuses a column
            name of the table or of another family.
    """
    out = table
    for name, family in families.items():
        if missing := [k for k in KEYS if k not in family.columns]:
            raise InputDataError(
                f"feature family {name}: lacks key columns {missing}; a family has one row per "
                "asset_id and as_of (night)."
            )
        if family.select(KEYS).is_duplicated().any():
            raise InputDataError(
                f"feature family {name}: more than one row for some asset and night; a family "
                "has one row per asset_id and as_of."
            )
        extra = [c for c in family.columns if c not in KEYS]
        if clash := sorted(set(extra) & set(out.columns)):
            raise InputDataError(
                f"feature family {name}: columns {clash[:5]} already exist in the feature table; "
                "give the family's columns their own prefix."
            )
        out = out.join(family.select(*KEYS, *extra), on=list(KEYS), how="left")
    return out
