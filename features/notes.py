"""Technicians' notes: a text model that reads failure modes from free text where codes are missing.

Trained on the plant's own coded work orders: corrective orders with a failure code teach the
modes, preventive orders and inspections teach what "no failure" sounds like. Character n-grams
cope with the abbreviations and typos of real notes ("brg", "bearing", "brng").
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

NO_FAILURE = "none"


@dataclass(frozen=True)
class NoteRecovery:
    """How well notes-only failures were recovered, against a ground truth."""

    true_notes_only: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.true_notes_only if self.true_notes_only else 0.0


def _training_set(work_orders: pl.DataFrame) -> pl.DataFrame:
    coded = work_orders.filter(
        (pl.col("wo_type") == "CM") & pl.col("failure_code").is_not_null()
    ).select("notes", label=pl.col("failure_code"))
    healthy = work_orders.filter(pl.col("wo_type").is_in(["PM", "INSP"])).select(
        "notes", label=pl.lit(NO_FAILURE)
    )
    return pl.concat([coded, healthy]).filter(pl.col("notes").is_not_null())


def fit_note_classifier(work_orders: pl.DataFrame, seed: int = 0) -> Pipeline | None:
    """A TF-IDF + logistic-regression pipeline from notes to failure code; None if too few codes."""
    data = _training_set(work_orders)
    if data.filter(pl.col("label") != NO_FAILURE)["label"].n_unique() < 2:
        return None
    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, lowercase=True),
        LogisticRegression(max_iter=2000, class_weight="balanced", random_state=seed),
    )
    return model.fit(data["notes"].to_list(), data["label"].to_list())


def infer_failure_codes(
    work_orders: pl.DataFrame, model: Pipeline | None, min_confidence: float = 0.5
) -> pl.DataFrame:
    # min_confidence: the probability that the note describes a failure at all
    """Add `failure_code_inferred` and `failure_code_source` ("coded", "notes" or null).

    Only corrective orders without a code are read; a prediction below `min_confidence` or of
    "none" leaves the order unlabelled rather than guessing.
    """
    missing = (
        (pl.col("wo_type") == "CM")
        & pl.col("failure_code").is_null()
        & pl.col("notes").is_not_null()
    )
    todo = work_orders.filter(missing)
    if model is None or todo.is_empty():
        guessed = todo.select("wo_id", guess=pl.lit(None, pl.String))
    else:
        guessed = todo.select("wo_id").with_columns(
            guess=pl.Series(_guess(model, todo["notes"].to_list(), min_confidence), dtype=pl.String)
        )
    out = (
        work_orders.join(guessed, on="wo_id", how="left")
        .with_columns(
            failure_code_inferred=pl.coalesce("failure_code", "guess"),
            failure_code_source=pl.when(pl.col("failure_code").is_not_null())
            .then(pl.lit("coded"))
            .when(pl.col("guess").is_not_null())
            .then(pl.lit("notes")),
        )
        .drop("guess")
    )
    return out.with_columns(component_inferred=pl.coalesce("component", _component_of_code(out)))


def _component_of_code(work_orders: pl.DataFrame) -> pl.Expr:
    """The component each failure code is most often booked against, as a replace expression."""
    pairs = (
        work_orders.filter(pl.col("failure_code").is_not_null() & pl.col("component").is_not_null())
        .group_by("failure_code", "component")
        .len()
        .sort("len", "component", descending=[True, False])
        .unique("failure_code", keep="first")
    )
    mapping = dict(zip(pairs["failure_code"], pairs["component"], strict=True))
    return pl.col("failure_code_inferred").replace_strict(
        mapping, default=None, return_dtype=pl.String
    )


def _guess(model: Pipeline, notes: list[str], min_failure_probability: float) -> list[str | None]:
    """The most likely failure mode of each note, if a failure at all is likely enough."""
    proba = model.predict_proba(notes)
    classes = list(model.classes_)
    none = classes.index(NO_FAILURE) if NO_FAILURE in classes else None
    guesses = []
    for row in proba:
        p_failure = 1.0 - (row[none] if none is not None else 0.0)
        modes = [(p, c) for p, c in zip(row, classes, strict=True) if c != NO_FAILURE]
        guesses.append(max(modes)[1] if p_failure >= min_failure_probability else None)
    return guesses


def evaluate_recovery(inferred: pl.DataFrame, ground_truth: pl.DataFrame) -> NoteRecovery:
    """Compare codes read from notes with the ground truth of notes-only failures."""
    truth = ground_truth.filter(pl.col("recorded_as") == "notes_only").select(
        "wo_id", true_code="failure_code"
    )
    predicted = inferred.filter(pl.col("failure_code_source") == "notes").select(
        "wo_id", "failure_code_inferred"
    )
    joined = predicted.join(truth, on="wo_id", how="left")
    correct = joined.filter(pl.col("failure_code_inferred") == pl.col("true_code")).height
    return NoteRecovery(true_notes_only=truth.height, predicted=predicted.height, correct=correct)
