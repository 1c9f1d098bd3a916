import polars as pl

from features.notes import evaluate_recovery, fit_note_classifier, infer_failure_codes

CODED = [
    ("bearing worn out, replaced both DE/NDE brgs", "BRG-WEAR", "bearing"),
    ("brg noisy -> swapped", "BRG-WEAR", "bearing"),
    ("DE bearing pitted, renewed bearing", "BRG-WEAR", "bearing"),
    ("mech seal leaking at gland, renewed seal kit", "SEAL-LEAK", "seal"),
    ("seal leak, water on baseplate, new seal fitted", "SEAL-LEAK", "seal"),
    ("leaking seal replaced", "SEAL-LEAK", "seal"),
]
HEALTHY = [
    "PM done, all OK",
    "greased bearings, vib normal",
    "inspection: no findings",
    "routine check ok",
]


def work_orders(uncoded: list[str]) -> pl.DataFrame:
    rows = [(f"WO-{i}", "CM", code, comp, note) for i, (note, code, comp) in enumerate(CODED)]
    rows += [(f"WO-H{i}", "PM", None, None, note) for i, note in enumerate(HEALTHY)]
    rows += [(f"WO-U{i}", "CM", None, None, note) for i, note in enumerate(uncoded)]
    return pl.DataFrame(
        rows, schema=["wo_id", "wo_type", "failure_code", "component", "notes"], orient="row"
    )


def test_missing_codes_are_read_from_notes_with_their_component():
    orders = work_orders(["bearing noisy, replaced brg", "seal leaking again -> new seal"])
    out = infer_failure_codes(orders, fit_note_classifier(orders)).filter(
        pl.col("wo_id").str.starts_with("WO-U")
    )
    assert out["failure_code_inferred"].to_list() == ["BRG-WEAR", "SEAL-LEAK"]
    assert out["component_inferred"].to_list() == ["bearing", "seal"]
    assert out["failure_code_source"].to_list() == ["notes", "notes"]


def test_coded_orders_keep_their_code():
    orders = work_orders([])
    out = infer_failure_codes(orders, fit_note_classifier(orders))
    coded = out.filter(pl.col("failure_code").is_not_null())
    assert (coded["failure_code_inferred"] == coded["failure_code"]).all()
    assert (coded["failure_code_source"] == "coded").all()


def test_recovery_is_measured_against_ground_truth():
    orders = work_orders(["bearing noisy, replaced brg", "seal leaking again -> new seal"])
    inferred = infer_failure_codes(orders, fit_note_classifier(orders))
    truth = pl.DataFrame(
        {
            "wo_id": ["WO-U0", "WO-U1"],
            "failure_code": ["BRG-WEAR", "BRG-WEAR"],
            "recorded_as": ["notes_only", "notes_only"],
        }
    )
    result = evaluate_recovery(inferred, truth)
    assert (result.predicted, result.correct) == (2, 1)
    assert result.precision == 0.5 and result.recall == 0.5


def test_no_model_without_enough_coded_failures():
    orders = work_orders([]).filter(pl.col("failure_code") != "SEAL-LEAK")
    assert fit_note_classifier(orders) is None
