"""Re-export a simulated plant the way another site would: nothing like the simulator's files.

Sensor history: one wide semicolon CSV per day (one column per sensor), decimal commas, local
Europe/Berlin wall-clock times without offset (the autumn DST hour appears twice), German column
names, some asset ids spelled differently (an alias table). Register and work orders: semicolon
CSVs with the site's own column names, status words, work-order types and failure codes.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import sqlalchemy as sa

WO_TYPES = {"PM": "Wartung", "CM": "Stoerung", "INSP": "Inspektion"}
STATUSES = {"open": "offen", "closed": "erledigt", "cancelled": "storniert"}


def _local_text(column: str) -> pl.Expr:
    return (
        pl.col(column)
        .str.to_datetime("%Y-%m-%dT%H:%M:%S%#z", time_zone="UTC", strict=False)
        .dt.convert_time_zone("Europe/Berlin")
        .dt.strftime("%d.%m.%Y %H:%M")
    )


def write_wide_day(source: Path, target: Path, catalog: pl.DataFrame, alias: dict) -> None:
    """One day's long Parquet as a wide, semicolon, decimal-comma CSV in local time."""
    units = catalog.select("tag", "unit").unique("tag")
    frame = (
        pl.read_parquet(source)
        .join(units, on=["tag", "unit"], how="semi")  # other units would need a unit column
        .with_columns(
            Zeit=_local_text("timestamp"),
            Anlage=pl.col("asset_id").replace(alias),
            value=pl.col("value").str.replace(".", ",", literal=True),
        )
        .filter(pl.col("Zeit").is_not_null())
    )
    wide = frame.pivot(
        on="tag", index=["Anlage", "Zeit"], values="value", aggregate_function="first"
    )
    wide.write_csv(target, separator=";")


def export_site(exports: Path, site: Path) -> dict[str, str]:
    """Write the site's files under `site`; return the units per sensor for the plant file."""
    (site / "messwerte").mkdir(parents=True)
    catalog = pl.read_csv(exports / "historian" / "tags.csv")
    catalog.write_csv(site / "tags.csv")
    engine = sa.create_engine(f"sqlite:///{exports / 'cmms.sqlite'}")
    assets = pl.read_database("SELECT * FROM assets", engine)
    orders = pl.read_database("SELECT * FROM work_orders", engine)
    engine.dispose()
    alias = {a: a.lower().replace("-", " ") for a in assets["asset_id"].to_list()[::2]}
    pl.DataFrame({"alias": list(alias.values()), "asset_id": list(alias.keys())}).write_csv(
        site / "aliases.csv"
    )
    for day in sorted((exports / "historian").glob("readings_*.parquet")):
        stamp = day.stem.removeprefix("readings_")
        write_wide_day(day, site / "messwerte" / f"messwerte_{stamp}.csv", catalog, alias)
    assets.select(
        Anlage=pl.col("asset_id").replace(alias),
        Typ="asset_type",
        Werk="site",
        Kritikalitaet="criticality",
        Inbetriebnahme="commissioned_on",
        Zustand=pl.col("status").replace({"active": "in Betrieb", "decommissioned": "stillgelegt"}),
    ).write_csv(site / "anlagen.csv", separator=";")
    orders.select(
        Auftrag="wo_id",
        Anlage=pl.col("asset_id").replace(alias),
        Art=pl.col("wo_type").replace(WO_TYPES),
        Status=pl.col("status").replace(STATUSES),
        Bauteil="component",
        Schaden=pl.concat_str(pl.lit("S-"), "failure_code"),
        Beginn=pl.col("opened_at").str.to_datetime().dt.strftime("%d.%m.%Y %H:%M"),
        Ende=pl.col("closed_at").str.to_datetime().dt.strftime("%d.%m.%Y %H:%M"),
        Text="notes",
    ).write_csv(site / "auftraege.csv", separator=";")
    codes = orders["failure_code"].drop_nulls().unique().sort().to_list()
    return {
        "units": dict(catalog.select("tag", "unit").unique("tag").iter_rows()),
        "codes": {f"S-{c}": c for c in codes},
    }


PLANT_FILE = """\
name: site-{suffix}
timezone: Europe/Berlin
history_start: {start}
sources:
  historian:
    files: "messwerte/messwerte_*.csv"
    format: csv
    layout: wide
    csv: {{separator: ";", decimal_comma: true}}
    columns: {{asset_id: Anlage, timestamp: Zeit}}
    time: {{kind: local, format: "%d.%m.%Y %H:%M", ambiguous: earliest}}
    units: {units}
    tag_catalog: tags.csv
  asset_aliases: aliases.csv
  asset_register:
    file: anlagen.csv
    csv: {{separator: ";"}}
    columns: {{asset_id: Anlage, asset_type: Typ, site: Werk, criticality: Kritikalitaet,
              commissioned_on: Inbetriebnahme, status: Zustand}}
    statuses: {{in Betrieb: active, stillgelegt: decommissioned}}
  maintenance:
    file: auftraege.csv
    csv: {{separator: ";"}}
    columns: {{wo_id: Auftrag, asset_id: Anlage, wo_type: Art, status: Status,
              component: Bauteil, failure_code: Schaden, opened_at: Beginn, closed_at: Ende,
              notes: Text}}
    time_format: "%d.%m.%Y %H:%M"
    wo_types: {{Wartung: PM, Stoerung: CM, Inspektion: INSP}}
    statuses: {{offen: open, erledigt: closed, storniert: cancelled}}
    failure_codes: {codes}
cmms_target:
  url: "sqlite:///{{state}}/site_cmms.sqlite"
  mode: shadow
models:
  horizons_days: [7, 30]
  min_failures_to_train: 4
  backtest_months: 1
planners_daily_capacity: 2
"""


def write_plant_file(site: Path, facts: dict, start: str, suffix: str = "a") -> Path:
    """The site's plant file, next to its exports (paths in it are relative to it)."""

    def inline(mapping: dict[str, str]) -> str:
        return "{" + ", ".join(f'"{k}": "{v}"' for k, v in mapping.items()) + "}"

    path = site / "plant.yaml"
    path.write_text(
        PLANT_FILE.format(
            suffix=suffix, start=start, units=inline(facts["units"]), codes=inline(facts["codes"])
        ),
        encoding="utf-8",
    )
    return path


if __name__ == "__main__":  # the README quickstart: a sample site from the demo plant's exports
    import sys

    from foresight.plant import load_plant

    demo = load_plant()
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "site-example")
    facts = export_site(demo.exports_dir, target)
    plant_file = write_plant_file(target, facts, str(demo.history_start))
    print(f"wrote a sample site to {target}/ (plant file: {plant_file})")
