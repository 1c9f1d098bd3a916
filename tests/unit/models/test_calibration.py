from datetime import date, timedelta

import numpy as np

from models.calibration import reliability_table


def test_well_ranked_scores_give_predicted_close_to_observed():
    rng = np.random.default_rng(0)
    n = 4000
    truth = rng.uniform(0, 0.6, n)
    y = (rng.uniform(0, 1, n) < truth).astype(int)
    raw = truth + rng.normal(0, 0.02, n)  # a monotone, noisy score
    nights = np.array(
        [date(2026, 1, 1) + timedelta(days=int(i % 60)) for i in range(n)], dtype="datetime64[D]"
    )
    table = reliability_table(raw, y, nights)
    assert sum(r["rows"] for r in table) == n
    for row in table:
        if row["rows"] > 200:
            assert abs(row["predicted"] - row["observed"]) < 0.06, row
