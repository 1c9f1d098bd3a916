from datetime import UTC, date, datetime

import polars as pl

from reports.risk_report import ReportInputs, render_report, risk_table

NIGHT = date(2026, 3, 10)


def inputs(**extra) -> ReportInputs:
    scores = pl.DataFrame(
        {
            "asset_id": ["P-1", "P-2", "P-1", "P-2"],
            "horizon_days": [7, 7, 30, 30],
            "risk": [0.6, 0.1, 0.8, 0.2],
            "band": ["high", "low", "high", "low"],
            "rank": [1, 2, 1, 2],
            "rul_days": [9.0, 60.0] * 2,
            "rul_low_days": [4.0, 30.0] * 2,
            "rul_high_days": [20.0, 60.0] * 2,
            "drivers": [
                "bearing temp 7-day mean 80 degC (above typical 60)",
                "no single driver stands out",
            ]
            * 2,
            "data_quality_status": ["ok", "ok"] * 2,
            "model_version": ["v0001"] * 4,
        }
    )
    history = pl.DataFrame(
        {"asset_id": ["P-1"], "as_of": [date(2026, 3, 3)], "horizon_days": [7], "risk": [0.2]}
    )
    daily = pl.DataFrame(
        {
            "asset_id": ["P-1"] * 3,
            "sensor": ["bearing_temp"] * 3,
            "regime": ["normal"] * 3,
            "day": [date(2026, 3, d) for d in (8, 9, 10)],
            "sum_v": [60.0, 70.0, 80.0],
            "n": [1, 1, 1],
        }
    )
    orders = pl.DataFrame(
        {
            "wo_id": ["WO-1", "WO-2"],
            "asset_id": ["P-1", "P-2"],
            "wo_type": ["PM", "CM"],
            "status": ["closed", "open"],
            "component": [None, "seal"],
            "opened_utc": [datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC)],
        }
    )
    register = pl.DataFrame(
        {"asset_id": ["P-1", "P-2"], "asset_type": ["pump"] * 2, "site": ["north"] * 2}
    )
    return ReportInputs("demo", NIGHT, scores, history, daily, orders, register, **extra)


def test_table_ranks_assets_with_trend_maintenance_and_open_requests():
    requests = pl.DataFrame(
        {"request_id": ["FS-P-1-general-20260310"], "asset_id": ["P-1"], "priority": [1]}
    )
    table = risk_table(inputs(requests=requests))
    first = table.row(0, named=True)
    assert first["asset_id"] == "P-1" and first["risk_30d"] == 0.8
    assert abs(first["trend"] - 0.4) < 1e-9
    assert first["open_work_order"] == "FS-P-1-general-20260310"
    assert first["last_maintenance"].startswith("PM 2026-02-01")
    assert table.row(1, named=True)["open_work_order"] == "WO-2"


def test_page_is_self_contained_with_a_plot_for_the_top_asset():
    html, _ = render_report(inputs(warnings=["maintenance_logs: rule 'x' failed (warning)"]))
    assert "<script" not in html and 'id="plots-P-1"' in html and "<svg" in html
    assert "Data-quality warnings tonight" in html


def test_cold_start_scores_say_so_on_the_page():
    note = "cold start: unsupervised health score, only 3 labelled failures (8 needed)"
    base = inputs()
    cold = base.scores.with_columns(
        risk=pl.lit(None, pl.Float64),
        band=pl.lit("cold start"),
        method=pl.lit(note),
        health_anomaly=pl.Series([0.97, 0.4] * 2),
    )
    html, table = render_report(ReportInputs(**{**vars(base), "scores": cold}))
    assert f"How tonight was scored:</strong> {note}" in html
    assert "health anomaly 0.97" in html
    assert table["method"].unique().to_list() == [note]


def test_plain_lightgbm_scores_show_no_method_note():
    html, _ = render_report(inputs())
    assert 'id="method"' not in html


def test_feedback_section_shows_technician_judged_precision_per_group():
    from connectors.feedback import FEEDBACK_SCHEMA, technician_precision

    feedback = pl.DataFrame(
        {
            "request_id": ["FS-1", "FS-2", "FS-3"],
            "asset_id": ["P-1", "P-2", "P-3"],
            "failure_mode": ["general"] * 3,
            "horizon_days": [7, 7, 30],
            "created_night": [date(2026, 3, 1)] * 3,
            "status": ["closed", "closed", "open"],
            "disposition": ["fault_confirmed", "no_fault_found", "deferred"],
            "disposition_at": [datetime(2026, 3, 4, 10)] * 3,
            "technician_note": ["brg worn", "NFF", "no access"],
            "closed": [True, True, False],
        },
        schema=FEEDBACK_SCHEMA,
    )
    html, _ = render_report(inputs(feedback=technician_precision(feedback)))
    section = html[html.index('id="technician-feedback"') : html.index("Top assets")]
    assert "Feedback from the floor" in html
    assert "<td>overall</td><td>all</td>" in section and "50 %" in section  # 1 of 2 judged
    assert "<td>horizon days</td><td>30</td>" in section and "n/a" in section  # only deferred


def test_feedback_section_says_when_no_request_was_written_yet():
    from connectors.feedback import FEEDBACK_SCHEMA, technician_precision

    html, _ = render_report(
        inputs(feedback=technician_precision(pl.DataFrame(schema=FEEDBACK_SCHEMA)))
    )
    assert "No predictive work request has been written to the CMMS yet" in html


def test_shadow_mode_banner_says_nothing_reached_the_live_cmms():
    from connectors.work_request_table import shadow_sentence

    note = shadow_sentence(4, 1)
    html, _ = render_report(inputs(shadow_note=note))
    assert 'id="shadow-mode"' in html and note in html
    assert 'id="shadow-mode"' not in render_report(inputs())[0]
