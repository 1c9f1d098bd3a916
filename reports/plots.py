"""Small inline SVG line charts (matplotlib, Agg backend): risk history and sensor trends."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import matplotlib

matplotlib.use("Agg")  # no display on a server
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams.update({"font.size": 8, "svg.fonttype": "none", "font.family": "sans-serif"})


def line_chart_svg(
    series: dict[str, tuple[list[date], list[float]]],
    title: str,
    unit: str = "",
    percent: bool = False,
) -> str:
    """An SVG line chart of one or more named series, as inline markup (no external resources)."""
    fig, ax = plt.subplots(figsize=(4.2, 1.8), dpi=100)
    for name, (xs, ys) in series.items():
        ax.plot(xs, [y * 100 for y in ys] if percent else ys, linewidth=1.4, label=name)
    ax.set_title(title, loc="left", fontsize=9)
    ax.set_ylabel("%" if percent else unit)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    days = sorted({x for xs, _ in series.values() for x in xs})
    if len(days) == 1:  # one night so far: a point in a three-day frame
        ax.set_xlim(days[0] - timedelta(days=1), days[0] + timedelta(days=1))
    if not days or (days[-1] - days[0]).days <= 6:  # a few nights: one tick per day
        ax.xaxis.set_major_locator(mdates.DayLocator())
    else:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=5))
    ax.grid(alpha=0.3)
    if len(series) > 1:
        ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.DOTALL)  # RDF namespaces, no data
    return text[text.index("<svg") :]  # drop the XML prologue: the SVG sits inside HTML
