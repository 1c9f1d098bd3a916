"""The planners' report opens in headless Chromium, offline, with the top asset and its plot."""

import re
import shutil
import subprocess
import tempfile

import pytest

from tests.e2e.test_nightly import plant  # noqa: F401  (the nightly run that writes the report)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"
)
def test_report_shows_top_asset_and_its_plot_in_a_browser(plant, tmp_path):  # noqa: F811
    page = plant.state_dir / "reports" / "latest.html"
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"<script|https?://(?!www\.w3\.org)", html), "the report must work offline"
    top = re.search(r'<tr id="row-([^"]+)">\s*<td class="num">1</td>', html).group(1)
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        subprocess.run(
            [
                CHROMIUM,
                *FLAGS,
                f"--user-data-dir={profile}",
                "--window-size=1400,1600",
                f"--screenshot={tmp_path / 'report.png'}",
                page.as_uri(),
            ],
            capture_output=True,
            timeout=120,
            check=True,
        )
    assert f'id="row-{top}"' in dom
    section = dom[dom.index(f'id="plots-{top}"') :]
    assert "<svg" in section[:2000], "the top asset's risk plot is missing"
    assert (tmp_path / "report.png").stat().st_size > 10_000
