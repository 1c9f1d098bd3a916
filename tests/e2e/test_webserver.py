"""Smoke test: the Dagster webserver serves our definitions over its GraphQL endpoint."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

QUERY = """{ repositoriesOrError { ... on RepositoryConnection { nodes {
  jobs { name } schedules { name cronSchedule executionTimezone }
  assetNodes { assetKey { path } groupName } } } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, deadline: float) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": QUERY}).encode(),
        headers={"Content-Type": "application/json"},
    )
    while True:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(1)


def test_webserver_serves_jobs_schedule_and_asset_graph(tmp_path):
    port = _free_port()
    root = Path(__file__).resolve().parents[2]
    webserver = Path(sys.executable).with_name("dagster-webserver")
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [str(webserver), "-w", str(root / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(port)],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        answer = _graphql(port, deadline=time.time() + 120)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    repo = answer["data"]["repositoriesOrError"]["nodes"][0]
    assert {"nightly", "training", "backtest"} <= {j["name"] for j in repo["jobs"]}
    assert repo["schedules"][0]["executionTimezone"] == "Europe/Berlin"
    groups = {n["groupName"] for n in repo["assetNodes"]}
    assert groups == {"ingest", "quality", "features", "models", "writeback"}
