"""Metadata rendering for the Dagster UI (tables as markdown)."""

import polars as pl


def markdown_table(frame: pl.DataFrame, digits: int = 3) -> str:
    """A small frame as a GitHub markdown table; floats rounded for reading."""
    if frame.is_empty():
        return "_no rows_"
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "---|" * frame.width
    lines = [header, rule]
    for row in frame.iter_rows():
        cells = [f"{v:.{digits}f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)
