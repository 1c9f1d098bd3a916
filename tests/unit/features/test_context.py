from datetime import UTC, date, datetime

import polars as pl

from features.context import build_component_age, build_production_state

REGISTER = pl.DataFrame(
    {"asset_id": ["P-1"], "asset_type": ["pump"], "commissioned_on": [date(2025, 1, 1)]}
)


def orders(rows: list[tuple]) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=["wo_type", "component_inferred", "day"], orient="row")
    return frame.with_columns(
        asset_id=pl.lit("P-1"),
        status=pl.lit("closed"),
        opened_utc=pl.col("day").cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
        + pl.duration(hours=10),
    )


def test_preventive_replacement_resets_component_age():
    wo = orders(
        [
            ("CM", "bearing", date(2025, 3, 1)),
            ("PM", "bearing", date(2025, 6, 1)),
            ("CM", "seal", date(2025, 2, 1)),
        ]
    )
    out = build_component_age(wo, REGISTER, [date(2025, 2, 15), date(2025, 6, 11)], "UTC").sort(
        "as_of"
    )
    assert out["component_age_days__bearing"].to_list() == [
        45,
        10,
    ]  # from commissioning, then the PM
    assert out["component_age_days__seal"].to_list() == [14, 130]


def test_work_after_the_night_does_not_count():
    wo = orders([("CM", "bearing", date(2025, 3, 2))])
    out = build_component_age(wo, REGISTER, [date(2025, 3, 1)], "UTC")
    assert out["component_age_days__bearing"].to_list() == [59]


def test_production_state_is_the_order_running_at_the_end_of_the_night():
    mes = pl.DataFrame(
        {
            "asset_id": ["P-1", "P-1"],
            "start_utc": [datetime(2025, 3, 1, 8, tzinfo=UTC), datetime(2025, 3, 2, 1, tzinfo=UTC)],
            "product_spec": ["SPEC-A", "SPEC-B"],
            "material_batch": ["B1", "B2"],
            "load_regime": ["low", "high"],
        }
    )
    out = build_production_state(mes, [date(2025, 3, 1)], "UTC")
    assert out.row(0, named=True)["product_spec_now"] == "SPEC-A"
    assert out.row(0, named=True)["load_regime_now"] == "low"


def test_every_component_a_pm_note_names_as_replaced_is_renewed():
    wo = orders(
        [
            ("CM", "seal", date(2025, 2, 1)),
            ("PM", "bearing", date(2025, 6, 1)),
            ("PM", None, date(2025, 6, 5)),
        ]
    ).with_columns(
        notes=pl.Series(["seal leaking", "during PM found bearing and seal worn -> changed", None])
    )
    out = build_component_age(wo, REGISTER, [date(2025, 6, 11)], "UTC")
    assert out["component_age_days__bearing"].to_list() == [10]
    assert out["component_age_days__seal"].to_list() == [10]  # named only in the notes


def test_cancelled_pm_naming_a_component_does_not_renew_it():
    wo = orders([("CM", "seal", date(2025, 2, 1)), ("PM", None, date(2025, 6, 1))]).with_columns(
        notes=pl.Series(["seal leaking", "seal replaced"]),
        status=pl.Series(["closed", "cancelled"]),
    )
    out = build_component_age(wo, REGISTER, [date(2025, 6, 11)], "UTC")
    assert out["component_age_days__seal"].to_list() == [130]
