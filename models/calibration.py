"""How trustworthy the calibrated risk is: a reliability table from cross-fitted calibration."""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.isotonic import IsotonicRegression

BINS = (0.0, 0.05, 0.1, 0.2, 0.4, 1.0)


def isotonic() -> IsotonicRegression:
    # clipped to [0.001, 0.99]: a few validation failures must not make a risk "certain"
    return IsotonicRegression(out_of_bounds="clip", y_min=0.001, y_max=0.99)


def reliability_table(raw: np.ndarray, y: np.ndarray, nights: np.ndarray) -> list[dict]:
    """Predicted vs observed failure rate per risk bin, calibration fitted on the other nights.

    Validation nights are split by parity; each half is calibrated by an isotonic map fitted on the
    other half, so the table shows out-of-sample calibration ("a risk of 0.3 means about 30 %").
    """
    even = (nights.astype("datetime64[D]").astype(np.int64) % 2) == 0
    calibrated = np.empty_like(raw, dtype=float)
    for part in (even, ~even):
        if part.all() or not part.any():
            return []
        calibrated[part] = isotonic().fit(raw[~part], y[~part]).predict(raw[part])
    frame = pl.DataFrame({"risk": calibrated, "failed": y.astype(float)}).with_columns(
        bin=pl.col("risk").cut(list(BINS[1:-1]), left_closed=True)
    )
    table = (
        frame.group_by("bin")
        .agg(predicted=pl.col("risk").mean(), observed=pl.col("failed").mean(), nights=pl.len())
        .sort("predicted")
    )
    return [
        {
            "bin": str(r["bin"]),
            "predicted": round(r["predicted"], 4),
            "observed": round(r["observed"], 4),
            "rows": r["nights"],
        }
        for r in table.iter_rows(named=True)
    ]
