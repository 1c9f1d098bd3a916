"""Write a night's `reports/<night>/risk_report.html` and `risk_list.csv`, plus latest."""

from __future__ import annotations

import shutil
from pathlib import Path

from reports.risk_report import ReportInputs, render_report


def publish_report(inputs: ReportInputs, folder: Path) -> tuple[Path, Path]:
    """Render and write the report; `latest.html` / `latest.csv` point planners at the newest."""
    html, table = render_report(inputs)
    night_dir = folder / inputs.night.isoformat()
    night_dir.mkdir(parents=True, exist_ok=True)
    page, csv = night_dir / "risk_report.html", night_dir / "risk_list.csv"
    page.write_text(html, encoding="utf-8")
    table.write_csv(csv)
    newest = sorted(p.name for p in folder.iterdir() if p.is_dir())[-1]
    if newest == inputs.night.isoformat():
        shutil.copyfile(page, folder / "latest.html")
        shutil.copyfile(csv, folder / "latest.csv")
    return page, csv
