"""Benchmark 1: our quality gate and cleaning of one night; benchmark 2: a naive GX row-level gate.

Heavy imports (GX, pandas, the gate) happen in each benchmark's setup, in the child process.
"""

from __future__ import annotations

import os
from typing import Any

import polars as pl

from bench.data import ARRIVAL_DATE, NIGHT, TIMEZONE, BenchData
from bench.harness import Phases


def gate_inputs(data: BenchData) -> BenchData:
    """Setup of benchmark 1: import GX and the gate outside the timed region (once per process)."""
    import data_quality.readings_gate  # noqa: F401

    return data


def gate_and_clean(data: BenchData) -> dict[str, Any]:
    """Read the night's export, apply the rules once, run the readings gate, clean; phases."""
    from connectors.cmms import read_asset_register
    from connectors.historian import read_historian, read_tag_catalog
    from data_quality.cleaning import classify_readings, clean_classified
    from data_quality.flags import FlagRules
    from data_quality.readings_gate import validate_classified
    from foresight.plant import QualitySettings

    limits = QualitySettings()
    phases = Phases()
    with phases("read"):
        register = read_asset_register(data.cmms_url)
        catalog = read_tag_catalog(data.tag_catalog)
        raw = read_historian(data.historian_glob, "parquet", ARRIVAL_DATE, [NIGHT])
    n = raw.height
    with phases("classify", readings=n):
        classified = classify_readings(raw, catalog, register, TIMEZONE)
        del raw  # the classification keeps what it needs
    with phases("gate", readings=n):
        report = validate_classified(
            classified, register, nights=[NIGHT],
            max_unknown=limits.max_unknown_asset_share, max_malformed=limits.max_malformed_share,
        )  # fmt: skip
    with phases("clean", readings=n):
        result = clean_classified(classified, nights=[NIGHT], run_id="bench", rules=FlagRules())
    counts = result.counts()
    note = (
        "read = read_historian + read_asset_register + read_tag_catalog, classify = every rule on "
        "every row once (shared by gate and cleaning), gate = validate_classified (GX on the "
        "per-night profile), clean = clean_classified (flags, quarantine); phase peaks are each "
        f"phase's own; critical rules passed: {report.critical_passed}; {counts['clean']:,} "
        f"clean, {counts['quarantined']:,} quarantined"
    )
    return {"readings": n, "phases": phases.rows, "note": note}


def naive_inputs(data: BenchData, n_rows: int) -> dict[str, Any]:
    """Setup of benchmark 2: a seeded sample of the night's raw rows as pandas, plus lookups."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations  # noqa: F401  (slow import, kept out of the timed region)

    from connectors.cmms import read_asset_register
    from connectors.historian import read_tag_catalog

    raw = pl.read_parquet(data.historian_glob).sample(n_rows, seed=1)
    register = read_asset_register(data.cmms_url).select("asset_id", "asset_type")
    catalog = read_tag_catalog(data.tag_catalog).select(
        "asset_type", pl.col("sensor").alias("tag"), "min_valid", "max_valid"
    )
    return {
        "raw": raw.to_pandas(),
        "register": register.to_pandas(),
        "catalog": catalog.to_pandas(),
    }


def naive_gx_gate(inputs: dict[str, Any]) -> dict[str, Any]:
    """The gate as a plain GX user writes it: row-level expectations on the raw rows in pandas.

    Not null on the keys, asset in the register, value between the tag's min and max (column
    pair expectations after joining the catalogue), (asset, tag, timestamp) unique. No unit
    conversion, timestamp parsing or quarantine: it does less than ours, and is still slower.
    """
    import great_expectations as gx
    import great_expectations.expectations as gxe
    import pandas as pd

    register, frame = inputs["register"], inputs.pop("raw")
    frame["value_num"] = pd.to_numeric(frame["value"], errors="coerce")
    frame = frame.merge(register, on="asset_id", how="left").merge(
        inputs["catalog"], on=["asset_type", "tag"], how="left"
    )
    expectations = [
        *[gxe.ExpectColumnValuesToNotBeNull(column=c) for c in ("asset_id", "tag", "timestamp")],
        gxe.ExpectColumnValuesToNotBeNull(column="value_num"),
        gxe.ExpectColumnValuesToBeInSet(column="asset_id", value_set=register["asset_id"].tolist()),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="value_num", column_B="min_valid", or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="max_valid", column_B="value_num", or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["asset_id", "tag", "timestamp"]),
    ]  # fmt: skip
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    batch = (
        context.data_sources.add_pandas("naive")
        .add_dataframe_asset("raw_readings")
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(name="naive_readings", expectations=expectations)
    result = batch.validate(suite, result_format="SUMMARY")
    failed = sum(not r.success for r in result.results)
    return {"readings": len(frame), "note": f"{failed} of {len(expectations)} expectations failed"}
