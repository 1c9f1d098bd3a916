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
  assetNodes { assetKey { path } groupName description
    owners { ... on TeamAssetOwner { team } ... on UserAssetOwner { email } }
    dependencyKeys { path } } } } } }"""
KNOWN = {  # every asset the platform ships, by group; an added asset only needs group and owner
    "ingest": (
        "asset_register",
        "tag_catalog",
        "maintenance_logs",
        "production_context",
        "sensor_readings_raw",
    ),
    "quality": ("sensor_readings_clean", "quarantined_readings", "data_quality_scorecard"),
    "features": ("sensor_daily_aggregates", "maintenance_failure_modes", "window_features"),
    "models": ("failure_labels", "failure_risk_model", "risk_scores", "risk_backtest"),
    "writeback": ("technician_feedback", "cmms_risk_scores", "planner_report"),
}


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
    nodes = {"/".join(n["assetKey"]["path"]): n for n in repo["assetNodes"]}
    served = {name: node["groupName"] for name, node in nodes.items()}
    assert {a: g for g, assets in KNOWN.items() for a in assets}.items() <= served.items()
    assert set(served.values()) == set(KNOWN)
    assert all(n["description"] and n["owners"] for n in nodes.values())
    parents = {"/".join(k["path"]) for k in nodes["risk_scores"]["dependencyKeys"]}
    assert {"window_features", "failure_risk_model", "data_quality_scorecard"} <= parents
