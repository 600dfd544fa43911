"""Privacy section of `python -m bench`: the scorecard's cost at 100,000 rows x 20 columns
(goal <= 10 s), and the utility-vs-epsilon curve of the DP synthesizer on a core table."""

from __future__ import annotations

import statistics
from time import perf_counter

import numpy as np
import pandas as pd

from e2i_synth.privacy.scorecard import score

SCORECARD_ROWS = 100_000
SCORECARD_HOLDOUT = 20_000
NUMERIC_COLUMNS = 12
CATEGORICAL_COLUMNS = 8
SCORECARD_GOAL_SECONDS = 10.0
SCORECARD_REPEATS = 3


def wide_table(n: int, seed: int) -> pd.DataFrame:
    """12 correlated numerics (a shared factor) and 8 categoricals tied to it."""
    rng = np.random.default_rng(seed)
    factor = rng.normal(size=n)
    numeric = {
        f"num_{i}": (0.6 * factor + rng.normal(size=n)) * (i + 1) for i in range(NUMERIC_COLUMNS)
    }
    categorical = {
        f"cat_{i}": np.digitize(factor + rng.normal(size=n), np.linspace(-2, 2, 3 + i)).astype(str)
        for i in range(CATEGORICAL_COLUMNS)
    }
    return pd.DataFrame(numeric | categorical)


def scorecard_table() -> pd.DataFrame:
    """Median wall seconds of one full scorecard (TSTR included) at 100k x 20."""
    train = wide_table(SCORECARD_ROWS, 1)
    holdout = wide_table(SCORECARD_HOLDOUT, 2)
    synthetic = wide_table(SCORECARD_ROWS, 3)
    timings = []
    for _ in range(SCORECARD_REPEATS):
        started = perf_counter()
        card = score("bench", train, holdout, synthetic, target="cat_0")
        timings.append(perf_counter() - started)
    seconds = statistics.median(timings)
    return pd.DataFrame(
        [
            {
                "measure": f"scorecard, {SCORECARD_ROWS:,} train + {SCORECARD_ROWS:,} synthetic "
                f"rows x {NUMERIC_COLUMNS + CATEGORICAL_COLUMNS} columns, "
                f"{SCORECARD_HOLDOUT:,} holdout",
                "goal": f"<= {SCORECARD_GOAL_SECONDS:.0f} s",
                "measured": f"{seconds:.2f} s (median of "
                + ", ".join(f"{t:.2f}" for t in timings)
                + ")",
                "result": "PASS" if seconds <= SCORECARD_GOAL_SECONDS else "FAIL",
                "all green (fresh draw)": card.all_green,
            }
        ]
    ).set_index("measure")


if __name__ == "__main__":
    print(scorecard_table().T.to_string())
