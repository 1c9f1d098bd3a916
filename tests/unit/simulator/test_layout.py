"""Output layout, schemas and catalog shape."""

from __future__ import annotations

import sqlite3
from datetime import date

import polars as pl

from simulator import ASSET_TYPES, SimulationSettings, simulate_plant

COLUMNS = ["asset_id", "tag", "timestamp", "value", "unit", "quality"]


def test_catalog_has_three_types_with_5_to_20_sensors():
    assert len(ASSET_TYPES) >= 3
    counts = [len(t.sensors) for t in ASSET_TYPES.values()]
    assert all(5 <= c <= 20 for c in counts) and 20 in counts
    for spec in ASSET_TYPES.values():
        names = {s.name for s in spec.sensors}
        for comp in spec.components:
            for mode in comp.modes:
                assert {s for s, _ in mode.effects} <= names


def test_file_layout_and_schema(small_plant):
    out, summary = small_plant
    files = sorted((out / "historian").glob("readings_*.parquet"))
    assert len(files) == 60 == summary.n_historian_files
    assert files[0].name == "readings_2025-09-01.parquet"
    df = pl.read_parquet(files[10])
    assert df.columns == COLUMNS and all(t == pl.String for t in df.dtypes)
    assert df["timestamp"].str.ends_with("Z").mean() > 0.9
    for rel in (
        "historian/tags.csv",
        "cmms.sqlite",
        "mes/production_orders.csv",
        "ground_truth/failures.parquet",
        "ground_truth/maintenance_resets.parquet",
        "ground_truth/defects.parquet",
        "manifest.json",
    ):
        assert (out / rel).exists(), rel
    tags = pl.read_csv(out / "historian" / "tags.csv")
    assert tags.columns == ["asset_type", "tag", "unit", "description", "min_valid", "max_valid"]
    mes = pl.read_csv(out / "mes" / "production_orders.csv")
    assert mes.columns == [
        "order_id",
        "asset_id",
        "start_local",
        "end_local",
        "product_spec",
        "material_batch",
        "load_regime",
        "load_pct",
    ]
    assert set(mes["load_regime"]) == {"low", "normal", "high"}


def test_cmms_tables(small_plant):
    out, _ = small_plant
    con = sqlite3.connect(out / "cmms.sqlite")
    assets = con.execute("select asset_id, asset_type, status from assets").fetchall()
    assert len(assets) == 6 and len({a[1] for a in assets}) == 3
    types = {r[0] for r in con.execute("select distinct wo_type from work_orders")}
    assert {"PM", "INSP"} <= types
    opened = con.execute("select opened_at from work_orders limit 1").fetchone()[0]
    assert len(opened) == 19 and "T" not in opened
    ids = {a[0] for a in assets}
    wo_assets = {r[0] for r in con.execute("select asset_id from work_orders")}
    assert wo_assets - ids  # injected unknown asset ids
    assert con.execute("select count(*) from work_orders where closed_at < opened_at").fetchone()[0]
    assert con.execute("select count(*) from failure_codes").fetchone()[0] >= 7


def test_csv_format(tmp_path):
    settings = SimulationSettings(seed=3, n_assets=4, days=5, historian_format="csv")
    simulate_plant(settings, tmp_path)
    files = sorted((tmp_path / "historian").glob("readings_*.csv"))
    assert len(files) == 5
    header = files[0].read_text().splitlines()[0]
    assert header.replace('"', "") == ",".join(COLUMNS)


def test_days_restriction_writes_only_those_files(tmp_path):
    settings = SimulationSettings(seed=7, n_assets=6, days=60)
    summary = simulate_plant(settings, tmp_path, days=(date(2025, 9, 10), date(2025, 9, 11)))
    names = sorted(p.name for p in (tmp_path / "historian").glob("readings_*"))
    assert names == ["readings_2025-09-10.parquet", "readings_2025-09-11.parquet"]
    assert summary.first_day == date(2025, 9, 10) and summary.last_day == date(2025, 9, 11)
    assert (tmp_path / "cmms.sqlite").exists()
    assert (tmp_path / "ground_truth" / "failures.parquet").exists()
