"""The command line's one-line summary of the technicians' answers."""

from datetime import date, datetime

import polars as pl

from connectors.feedback import FEEDBACK_SCHEMA
from foresight.risk_list import feedback_sentence


def test_feedback_sentence_counts_answers_and_judged_precision():
    feedback = pl.DataFrame(
        {
            "request_id": ["FS-1", "FS-2", "FS-3", "FS-4"],
            "asset_id": ["P-1", "P-2", "P-3", "P-4"],
            "failure_mode": ["general"] * 4,
            "horizon_days": [7] * 4,
            "created_night": [date(2026, 3, 1)] * 4,
            "status": ["closed", "closed", "closed", "open"],
            "disposition": ["fault_confirmed", "no_fault_found", "fault_confirmed", None],
            "disposition_at": [datetime(2026, 3, 4, 10)] * 3 + [None],
            "technician_note": ["worn", "NFF", "worn", None],
            "closed": [True, True, True, None],
        },
        schema=FEEDBACK_SCHEMA,
    )
    assert feedback_sentence(feedback) == (
        "Technicians' answers to Foresight's requests: 2 fault confirmed, 1 no fault found, "
        "0 deferred, 1 awaiting; precision as they judge it: 67%"
    )


def test_feedback_sentence_before_any_request():
    text = feedback_sentence(pl.DataFrame(schema=FEEDBACK_SCHEMA))
    assert text.endswith("0 awaiting; precision as they judge it: n/a")
