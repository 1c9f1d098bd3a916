"""Every defect kind the simulator injects is caught, checked against its ground truth.

A small plant is simulated once; its historian files, asset register and tag catalogue go through
the real connectors, `clean_readings` and the scorecard. Each kind in
`ground_truth/defects.parquet` must show up with its reason: a quarantine reason code, a flag on
the clean reading, a converted unit, a correctly parsed offset, or a gap in the coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from connectors.cmms import read_asset_register
from connectors.historian import list_export_files, read_historian, read_tag_catalog
from data_quality import reasons as R
from data_quality.cleaning import TS_FORMAT, CleaningResult, clean_readings
from data_quality.flags import FlagRules
from data_quality.scorecard import ScorecardRules, sensor_scorecard
from simulator import SimulationSettings, simulate_plant

SETTINGS = SimulationSettings(n_assets=12, days=90, seed=5)
RULES = FlagRules()
DATE_REGEX = r"readings_(\d{4}-\d{2}-\d{2})"
MALFORMED = [R.MALFORMED_TIMESTAMP, R.NON_NUMERIC_VALUE, R.MISSING_KEY, R.MALFORMED_LINE]
PER_READING = {  # kind -> what catches it, as a condition on the outcome of each raw row
    "duplicate_reading": pl.col("reason") == R.DUPLICATE,
    "unknown_asset_id": pl.col("reason") == R.UNKNOWN_ASSET,
    "malformed_row": pl.col("reason").is_in(MALFORMED),
    "spike": (pl.col("reason") == R.OUT_OF_RANGE) | pl.col("flag_spike"),
    "late_reading": pl.col("late"),
}
EVENTS = ("stuck_sensor", "dead_sensor", "gap", "unit_change", "timezone_shift")


@dataclass(frozen=True)
class Plant:
    raw: pl.DataFrame
    result: CleaningResult
    outcome: pl.DataFrame  # every raw row once: clean (reason null, flags) or quarantined
    card: pl.DataFrame
    catalog: pl.DataFrame
    register: pl.DataFrame
    defects: pl.DataFrame


def outcome_of(result: CleaningResult) -> pl.DataFrame:
    """Clean and quarantined rows in one frame; quarantined timestamps parsed as cleaning does."""
    quarantined = result.quarantine.select(
        "night",
        "asset_id",
        "sensor",
        pl.col("ts_raw")
        .str.to_datetime(TS_FORMAT, time_zone="UTC", time_unit="us", strict=False)
        .alias("ts_utc"),
        "reason",
    )
    clean = result.clean.select(
        "night", "asset_id", "sensor", "ts_utc", "late", "flag_spike", "value", "unit_converted"
    )
    return pl.concat([clean, quarantined], how="diagonal_relaxed").with_columns(
        pl.col("late", "flag_spike", "unit_converted").fill_null(False)
    )


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Plant:
    out: Path = tmp_path_factory.mktemp("plant")
    simulate_plant(SETTINGS, out)
    pattern = str(out / "historian" / "readings_*.parquet")
    nights = sorted(list_export_files(pattern, DATE_REGEX))
    raw = read_historian(pattern, "parquet", DATE_REGEX, nights)
    catalog = read_tag_catalog(str(out / "historian" / "tags.csv"))
    register = read_asset_register(f"sqlite:///{out / 'cmms.sqlite'}")
    result = clean_readings(
        raw, catalog, register, nights=nights, timezone=SETTINGS.timezone, run_id="t", rules=RULES
    )
    card = sensor_scorecard(
        result.clean, result.quarantine, catalog, register, nights, ScorecardRules()
    )
    # clean readings hold asset, sensor and unit as categoricals; the checks here join on text
    as_text = result.clean.with_columns(pl.col("asset_id", "sensor", "unit").cast(pl.String))
    result = CleaningResult(as_text, result.quarantine)
    defects = pl.read_parquet(out / "ground_truth" / "defects.parquet").rename({"tag": "sensor"})
    return Plant(raw, result, outcome_of(result), card, catalog, register, defects)


def in_window(frame: pl.DataFrame, event: dict) -> pl.DataFrame:
    """Rows of the event's asset (and sensor, when it has one) stamped in [start, end)."""
    rows = frame.filter(
        pl.col("asset_id") == event["asset_id"],
        pl.col("ts_utc") >= event["start_ts_utc"],
        pl.col("ts_utc") < event["end_ts_utc"],
    )
    return rows if event["sensor"] is None else rows.filter(pl.col("sensor") == event["sensor"])


def readings_of(plant: Plant, kind: str) -> pl.DataFrame:
    """Per injected per-reading defect: how many of its rows were caught, or quarantined anyway.

    A row is the defect's when it arrived on its night with its tag, asset (unless the id is the
    defect) and a stamp in its window. Another defect can hide it: an unknown id, a garbled stamp
    (no stamp to match) or a duplicate; such rows count as quarantined otherwise.
    """
    defects = plant.defects.filter(pl.col("kind") == kind).with_row_index("defect")
    rows = defects.rename({"file_day": "night"}).join(
        plant.outcome, on=["night", "sensor"], how="left", suffix="_row"
    )
    stamped = pl.col("ts_utc").is_between(pl.col("start_ts_utc"), pl.col("end_ts_utc"), "left")
    same_asset = pl.col("asset_id") == pl.col("asset_id_row")
    mine = stamped if kind == "unknown_asset_id" else stamped & same_asset
    if kind == "malformed_row":
        mine = (stamped | pl.col("ts_utc").is_null()) & same_asset
    held = (
        pl.col("reason").is_not_null()
        & (stamped | pl.col("ts_utc").is_null())
        & (same_asset | (pl.col("reason") == R.UNKNOWN_ASSET))
    )
    catches = PER_READING[kind].fill_null(False)
    return (
        rows.group_by("defect")
        .agg(
            caught=(mine.fill_null(False) & catches).sum(),
            quarantined_otherwise=(held.fill_null(False) & ~catches).sum(),
        )
        .join(defects, on="defect")
    )


def test_every_raw_row_is_either_clean_or_quarantined(plant):
    assert plant.result.clean.height + plant.result.quarantine.height == plant.raw.height
    assert plant.outcome.height == plant.raw.height


def test_every_injected_kind_is_checked_here(plant):
    assert set(plant.defects["kind"].unique()) == set(PER_READING) | set(EVENTS)


@pytest.mark.parametrize("kind", ["duplicate_reading", "unknown_asset_id", "malformed_row"])
def test_per_reading_defect_is_quarantined_with_its_reason(plant, kind):
    found = readings_of(plant, kind)
    assert found.height > 0
    missed = found.filter(pl.col("caught") < pl.col("count"))
    assert missed.is_empty(), missed


def test_late_reading_is_kept_and_marked_late(plant):
    found = readings_of(plant, "late_reading")
    # a late reading that is also a duplicate, unknown id, spike... is quarantined for that
    missed = found.filter(pl.col("caught") + pl.col("quarantined_otherwise") < pl.col("count"))
    assert missed.is_empty(), missed
    assert found["caught"].sum() >= 0.99 * found["count"].sum()


def test_only_late_readings_are_marked_late(plant):
    late = plant.defects.filter(pl.col("kind") == "late_reading").rename({"file_day": "night"})
    marked = plant.outcome.filter(pl.col("late"))
    explained = marked.join_where(
        late,
        pl.col("night") == pl.col("night_right"),
        pl.col("asset_id") == pl.col("asset_id_right"),
        pl.col("sensor") == pl.col("sensor_right"),
        pl.col("ts_utc") >= pl.col("start_ts_utc"),
        pl.col("ts_utc") < pl.col("end_ts_utc"),
    )
    assert marked.height > 0
    assert explained.select("night", "asset_id", "sensor", "ts_utc").n_unique() == marked.height


def test_spike_is_quarantined_out_of_range_or_flagged(plant):
    found = readings_of(plant, "spike")
    caught = found["caught"].sum() + found["quarantined_otherwise"].sum()
    assert caught >= 0.9 * found["count"].sum()
    assert found.filter(pl.col("caught") > 0).height >= 0.9 * found.height


def test_spike_missed_only_where_it_stays_within_the_noise(plant):
    """A spike is caught when it sticks out of both neighbours by 5 % of the tag's range or more.

    The ones missed are x10 of a reading near zero (an idle motor's current) or land between the
    neighbours during a start-up: not excursions that any single-reading rule could see.
    """
    spans = plant.catalog.select(
        "asset_type", "sensor", span=pl.col("max_valid") - pl.col("min_valid")
    )
    series = (
        plant.result.clean.sort("asset_id", "sensor", "ts_utc")
        .with_columns(
            before=pl.col("value").shift(1).over("asset_id", "sensor"),
            after=pl.col("value").shift(-1).over("asset_id", "sensor"),
        )
        .with_columns(
            sticks_out=pl.max_horizontal(
                pl.col("value") - pl.max_horizontal("before", "after"),
                pl.min_horizontal("before", "after") - pl.col("value"),
                0.0,
            )
        )
        .join(plant.register.select("asset_id", "asset_type"), on="asset_id")
        .join(spans, on=["asset_type", "sensor"])
    )
    found = readings_of(plant, "spike")
    missed = found.filter(pl.col("caught") + pl.col("quarantined_otherwise") == 0)
    excursion = (
        missed.rename({"start_ts_utc": "ts_utc"})
        .join(series, on=["asset_id", "sensor", "ts_utc"])
        .with_columns(share=pl.col("sticks_out") / pl.col("span"))
    )
    assert excursion.height == missed.height
    assert excursion.filter(pl.col("share") >= 0.05).is_empty(), excursion


def test_spike_flags_are_rare_outside_injected_spikes(plant):
    spikes = plant.defects.filter(pl.col("kind") == "spike").select(
        "asset_id", "sensor", pl.col("start_ts_utc").alias("ts_utc")
    )
    flagged = plant.result.clean.filter(pl.col("flag_spike"))
    false_alarms = flagged.join(spikes, on=["asset_id", "sensor", "ts_utc"], how="anti")
    assert false_alarms.height <= 0.005 * plant.result.clean.height


def events(plant: Plant, kind: str, detail: str | None = None) -> list[dict]:
    frame = plant.defects.filter(pl.col("kind") == kind)
    if detail is not None:
        frame = frame.filter(pl.col("detail") == detail)
    assert frame.height > 0, f"the plant has no {kind} {detail or ''} to catch"
    return frame.to_dicts()


def test_stuck_sensor_is_flagged_stuck_for_its_whole_stretch(plant):
    long_enough = 0
    for event in events(plant, "stuck_sensor"):
        rows = in_window(plant.result.clean, event)
        if rows.height < 2:
            continue
        span = rows["ts_utc"].max() - rows["ts_utc"].min()
        if span.total_seconds() < RULES.stuck_run_hours * 3600:
            continue  # shorter than the plant's rule: by definition not stuck yet
        long_enough += 1
        assert rows["flag_stuck"].all(), (event, rows)
    assert long_enough > 0


def test_dead_sensor_reading_zero_is_flagged_dead(plant):
    for event in events(plant, "dead_sensor", "reads_zero"):
        rows = in_window(plant.result.clean, event)
        held = in_window(plant.outcome.filter(pl.col("reason").is_not_null()), event)
        assert rows.height + held.height > 0, event
        assert (rows["value"] == 0.0).all() and rows["flag_dead"].all(), (event, rows)
        assert set(held["reason"]) <= {R.BAD_QUALITY, R.DUPLICATE}, (event, held)


def test_dead_sensor_that_stopped_reporting_loses_coverage(plant):
    active = plant.register.filter(pl.col("status") == "active")["asset_id"]
    checked = 0
    for event in events(plant, "dead_sensor", "stopped"):
        assert in_window(plant.outcome, event).is_empty(), event
        if event["asset_id"] not in active:
            continue  # the scorecard covers active assets only
        nights = plant.card.filter(
            pl.col("asset_id") == event["asset_id"],
            pl.col("sensor") == event["sensor"],
            pl.col("night").is_between(event["start_ts_utc"].date(), event["end_ts_utc"].date()),
        )
        assert nights["coverage"].min() < 1.0, (event, nights)
        checked += 1
    assert checked > 0


def test_gap_is_flagged_on_the_next_reading_or_lowers_coverage(plant):
    for event in events(plant, "gap"):
        assert in_window(plant.outcome, event).is_empty(), event
        after = (
            plant.result.clean.filter(
                pl.col("asset_id") == event["asset_id"], pl.col("ts_utc") >= event["end_ts_utc"]
            )
            .sort("ts_utc")
            .group_by("sensor", maintain_order=True)
            .first()
        )
        gap_hours = (event["end_ts_utc"] - event["start_ts_utc"]).total_seconds() / 3600
        if gap_hours + 1 > RULES.gap_factor:  # the pause spans more than gap_factor samples
            assert after.height > 0 and after["flag_gap_before"].all(), (event, after)
        else:
            night = event["start_ts_utc"].date()
            card = plant.card.filter(
                pl.col("asset_id") == event["asset_id"], pl.col("night") == night
            )
            assert card["coverage"].max() < 1.0, (event, card)


def test_unit_change_is_converted_to_canonical_units(plant):
    converted = plant.result.clean.filter(pl.col("unit_converted"))
    changed_assets = set()
    for event in events(plant, "unit_change"):
        changed_assets.add(event["asset_id"])
        rows = in_window(plant.result.clean, event).filter(pl.col("unit").is_in(["degC", "bar"]))
        assert rows.height > 0 and rows["unit_converted"].all(), event
        before = plant.result.clean.filter(
            pl.col("asset_id") == event["asset_id"],
            pl.col("unit").is_in(["degC", "bar"]),
            pl.col("ts_utc") < event["start_ts_utc"],
            pl.col("ts_utc") >= event["start_ts_utc"] - pl.duration(days=14),
        )
        level = (
            rows.filter(pl.col("ts_utc") < event["start_ts_utc"] + pl.duration(days=14))
            .group_by("sensor")
            .agg(after=pl.col("value").median())
            .join(before.group_by("sensor").agg(before=pl.col("value").median()), on="sensor")
        )
        # °F would read ~1.8x+32 and psi 14.5x the canonical level; converted, the level holds
        ratio = level["after"] / level["before"]
        assert level.height > 0 and ratio.is_between(0.67, 1.5).all(), (event, level)
    assert set(converted["asset_id"]) == changed_assets
    assert not plant.outcome["reason"].eq(R.UNIT_MISMATCH).any()


def test_timezone_shift_is_read_as_the_right_utc_instants(plant):
    shifted = [e["asset_id"] for e in events(plant, "timezone_shift")]
    start = events(plant, "timezone_shift")[0]["start_ts_utc"]
    raw = plant.raw.filter(
        pl.col("asset_id").is_in(shifted), pl.col("ts_raw").cast(pl.String).str.contains("^2025")
    )
    # from the shift on, these assets stamp local time with its offset (+02:00 or +01:00)
    local = raw["ts_raw"].cast(pl.String).str.contains(r"T\d\d:\d\d:\d\d[+-]0[12]:00$")
    assert local.sum() > 0 and (local | raw["ts_raw"].cast(pl.String).str.ends_with("Z")).all()
    # a reading whose true instant the ground truth records is found at exactly that instant
    keys = ["file_day", "asset_id", "sensor", "start_ts_utc"]
    hidden = plant.defects.filter(pl.col("kind").is_in(["unknown_asset_id", "malformed_row"]))
    known = (
        plant.defects.filter(
            pl.col("asset_id").is_in(shifted),
            pl.col("kind").is_in(["late_reading", "duplicate_reading", "spike"]),
            pl.col("count") == 1,
            pl.col("start_ts_utc") >= start,
        )
        .join(hidden, on=keys, how="anti")  # its id or its stamp is garbled: nothing to match
        .rename({"file_day": "night", "start_ts_utc": "ts_utc"})
    )
    found = known.join(plant.outcome, on=["night", "asset_id", "sensor", "ts_utc"], how="semi")
    assert known.height > 10 and found.height == known.height
    # every clean reading sits on the hourly grid, none was pushed past its night
    stamped = plant.result.clean.filter(pl.col("asset_id").is_in(shifted))
    assert (stamped["ts_utc"].dt.minute() == 0).all()
    future = plant.outcome.filter(
        pl.col("asset_id").is_in(shifted), pl.col("reason") == R.FUTURE_TIMESTAMP
    )
    assert future.is_empty()


def test_timezone_shift_keeps_both_readings_of_the_repeated_autumn_hour(plant):
    """On 2025-10-26 Berlin's local 02:00 happens twice: +02:00 and +01:00, an hour apart."""
    shifted = [e["asset_id"] for e in events(plant, "timezone_shift")]
    first = plant.raw.filter(
        pl.col("asset_id") == shifted[0],
        pl.col("ts_raw").cast(pl.String).str.starts_with("2025-10-26T02:00:00"),
    )
    assert sorted(first["ts_raw"].unique()) == [
        "2025-10-26T02:00:00+01:00",
        "2025-10-26T02:00:00+02:00",
    ]
    instants = plant.result.clean.filter(
        pl.col("asset_id") == shifted[0],
        pl.col("sensor") == first["sensor"][0],
        pl.col("ts_utc").is_between(
            datetime(2025, 10, 26, 0, tzinfo=UTC), datetime(2025, 10, 26, 1, tzinfo=UTC)
        ),
    )
    assert instants["ts_utc"].dt.hour().sort().to_list() == [0, 1]
