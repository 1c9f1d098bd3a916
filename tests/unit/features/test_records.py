from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from features.families import join_families
from features.records import build_record_features
from foresight.errors import InputDataError

UTC_TS = pl.Datetime("us", "UTC")


def lab(rows: list[tuple[str, datetime, datetime, float | None]]) -> pl.DataFrame:
    """(asset, sampled, reported, iron) rows as the record reader gives them."""
    return pl.DataFrame(
        rows,
        schema={"asset_id": pl.String, "sampled": UTC_TS, "reported": UTC_TS, "iron": pl.Float64},
        orient="row",
    )


def features(records: pl.DataFrame, nights: list[date], windows=(7,)) -> pl.DataFrame:
    return build_record_features(
        records,
        ["P-1", "P-2"],
        nights,
        "UTC",
        prefix="oil",
        values=("iron",),
        known_at="reported",
        sampled_at="sampled",
        windows_days=windows,
    )


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def test_a_result_counts_from_the_night_it_was_reported_not_sampled():
    table = features(lab([("P-1", at(2), at(5), 10.0)]), [date(2026, 3, d) for d in (4, 5)])
    p1 = table.filter(pl.col("asset_id") == "P-1")
    assert p1["oil__iron__last"].to_list() == [None, 10.0]
    assert p1["oil__days_since_sample"].to_list() == [None, 3.5]  # noon of the 2nd to night end


def test_change_is_the_latest_value_minus_the_one_known_before_it():
    records = lab([("P-1", at(1), at(2), 10.0), ("P-1", at(8), at(9), 14.0)])
    table = features(records, [date(2026, 3, 9)]).filter(pl.col("asset_id") == "P-1")
    assert table.select("oil__iron__last", "oil__iron__change").row(0) == (14.0, 4.0)


def test_window_mean_takes_results_reported_within_the_window_only():
    records = lab(
        [("P-1", at(1), at(1), 1.0), ("P-1", at(8), at(9), 4.0), ("P-1", at(9), at(10), None)]
    )
    table = features(records, [date(2026, 3, 10)], windows=(7, 30)).filter(
        pl.col("asset_id") == "P-1"
    )
    assert table.select("oil__iron__mean__7d", "oil__iron__mean__30d").row(0) == (4.0, 2.5)


def test_an_asset_without_records_has_a_row_of_nulls():
    table = features(lab([("P-1", at(1), at(1), 1.0)]), [date(2026, 3, 2)])
    p2 = table.filter(pl.col("asset_id") == "P-2").drop("asset_id", "as_of")
    assert p2.null_count().row(0) == tuple([1] * p2.width)


def test_records_without_asset_or_time_are_left_out():
    records = lab([(None, at(1), at(1), 99.0), ("P-1", at(1), None, 98.0)])
    table = features(records, [date(2026, 3, 2)])
    assert table["oil__iron__last"].null_count() == table.height


def test_a_missing_column_is_named():
    with pytest.raises(InputDataError, match=r"columns \['reported'\] are not in the records"):
        features(lab([]).drop("reported"), [date(2026, 3, 2)])


def test_empty_records_give_the_full_grid():
    table = features(lab([]), [date(2026, 3, 2), date(2026, 3, 3)])
    assert table.height == 4 and table["oil__iron__last"].null_count() == 4


@settings(max_examples=40, deadline=None)
@given(
    reports=st.lists(
        st.tuples(
            st.sampled_from(["P-1", "P-2"]),
            st.integers(0, 20),  # sampled on day
            st.integers(0, 5),  # reported that many days later
            st.floats(0, 100, allow_nan=False),
        ),
        max_size=25,
    ),
    night=st.integers(0, 20),
    shift=st.floats(1, 50),
)
def test_altering_results_reported_after_the_night_changes_no_feature(reports, night, shift):
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    rows = [
        (a, start + timedelta(days=s), start + timedelta(days=s + lag), v)
        for a, s, lag, v in reports
    ]
    as_of = date(2026, 3, 1) + timedelta(days=night)
    cutoff = datetime.combine(as_of + timedelta(days=1), datetime.min.time(), UTC)
    altered = [(a, s, r, v + shift if r >= cutoff else v) for a, s, r, v in rows]
    later = [(a, s + timedelta(days=30), r + timedelta(days=30), v) for a, s, r, v in rows]
    before = features(lab(rows), [as_of], windows=(3, 10))
    assert_frame_equal(before, features(lab(altered), [as_of], windows=(3, 10)))
    unseen = [row for row in later if row[2] >= cutoff]  # results that arrive after the night
    assert_frame_equal(before, features(lab(rows + unseen), [as_of], windows=(3, 10)))


def test_families_join_on_asset_and_night_and_keep_every_row():
    table = pl.DataFrame({"asset_id": ["A", "B"], "as_of": [date(2026, 3, 1)] * 2, "x": [1, 2]})
    family = pl.DataFrame({"asset_id": ["A"], "as_of": [date(2026, 3, 1)], "oil__y": [5.0]})
    joined = join_families(table, {"oil": family})
    assert joined.to_dicts() == [
        {"asset_id": "A", "as_of": date(2026, 3, 1), "x": 1, "oil__y": 5.0},
        {"asset_id": "B", "as_of": date(2026, 3, 1), "x": 2, "oil__y": None},
    ]


def test_a_family_reusing_a_column_name_or_repeating_a_night_is_refused():
    table = pl.DataFrame({"asset_id": ["A"], "as_of": [date(2026, 3, 1)], "x": [1]})
    with pytest.raises(InputDataError, match=r"feature family oil: columns \['x'\] already"):
        join_families(table, {"oil": table})
    twice = pl.concat([table, table]).rename({"x": "oil__x"})
    with pytest.raises(InputDataError, match="more than one row for some asset and night"):
        join_families(table, {"oil": twice})
    with pytest.raises(InputDataError, match=r"lacks key columns \['as_of'\]"):
        join_families(table, {"oil": table.drop("as_of").rename({"x": "y"})})
