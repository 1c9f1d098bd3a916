"""Metadata for the Dagster UI: markdown tables, inline images, the summary of a table asset."""

import dagster as dg
import polars as pl

from reports.markdown import markdown_table, png_markdown

__all__ = ["markdown_table", "md", "png", "table_metadata"]


def md(frame: pl.DataFrame, digits: int = 3) -> dg.MetadataValue:
    """A small frame as a markdown table in the UI."""
    return dg.MetadataValue.md(markdown_table(frame, digits))


def png(image: bytes, title: str) -> dg.MetadataValue:
    """A PNG image shown inline in the UI (markdown with a data URL: no file server needed)."""
    return dg.MetadataValue.md(png_markdown(image, title))


def table_metadata(table: pl.DataFrame, preview: int = 5) -> dict[str, object]:
    """Rows, distinct assets and nights, non-null share per column and the first rows."""
    keys = [c for c in ("asset_id", "as_of") if c in table.columns]
    filled = pl.DataFrame(
        {
            "column": table.columns,
            "non_null_share": [
                1.0 - table[c].null_count() / table.height if table.height else 0.0
                for c in table.columns
            ],
        }
    )
    meta: dict[str, object] = {
        "rows": table.height,
        "columns": table.width,
        "columns_filled": md(filled),
        "preview": md(table.head(preview)),
    }
    if "asset_id" in keys:
        meta["assets"] = table["asset_id"].n_unique()
    if "as_of" in keys:
        meta["nights"] = table["as_of"].n_unique()
    return meta
