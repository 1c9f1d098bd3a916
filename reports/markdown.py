"""Markdown for small tables and images: model cards and the Dagster UI's metadata render it."""

import base64

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


def png_markdown(image: bytes, title: str) -> str:
    """A PNG inline as a markdown image with a base64 data URL (self-contained, no file server)."""
    if not image.startswith(b"\x89PNG"):
        raise ValueError(f"{title}: not a PNG image (it starts with {image[:8]!r})")
    encoded = base64.b64encode(image).decode("ascii")
    return f"**{title}**\n\n![{title}](data:image/png;base64,{encoded})"
