"""Causal benchmark sections: does the data separate estimators?

1. OLS against AIPW (cross-fitted gradient boosting) on each DGP of the standard suite,
   linear or nonlinear, usual or poor overlap (other knobs at their defaults): paired
   over seeds at 10,000 patients, the mean error of each, their RMSE, and the gap in
   |error| (OLS minus AIPW) with its standard error.
2. The leaderboard of every built-in estimator over the whole standard suite (five
   replicates per variant, 2,000 patients) by estimand, with each cell's coverage and its
   Wilson interval (a correct estimator's should hold 0.95 inside it), overall and split
   by functional form and overlap.

Runnable alone: `python -m bench.benchmark`.
"""

from __future__ import annotations

from time import perf_counter

import numpy as np
import pandas as pd

from e2i_synth.benchmark.estimators import BASELINES, aipw, ols
from e2i_synth.benchmark.leaderboard import by_estimand
from e2i_synth.benchmark.run import knob_column, run_benchmark
from e2i_synth.benchmark.suite import load_suite
from e2i_synth.settings import Scenario
from e2i_synth.world.variants import parse_knobs

GAP_UNITS = 10_000
GAP_SEEDS = range(4)
BOARD_UNITS = 2_000
BOARD_REPLICATES = range(5)
SUITE = "standard"


def gap_table() -> pd.DataFrame:
    dgps = dict.fromkeys(v.dgp for v in load_suite(SUITE).variants)
    rows = []
    for dgp in dgps:
        for form in ("false", "true"):
            for overlap in ("0.05", "0.01"):
                knobs = parse_knobs([f"nonlinear={form}", f"overlap={overlap}"])
                results = run_benchmark(
                    [Scenario("kisqali", dgp, knobs)],
                    {"ols": ols, "aipw": aipw},
                    GAP_UNITS,
                    GAP_SEEDS,
                )
                errors = results.pivot(index="seed", columns="estimator", values="error")
                gap = errors["ols"].abs() - errors["aipw"].abs()
                rows.append(
                    {
                        "dgp": dgp,
                        "nonlinear": form,
                        "overlap": overlap,
                        "ols bias": errors["ols"].mean(),
                        "aipw bias": errors["aipw"].mean(),
                        "ols rmse": np.sqrt((errors["ols"] ** 2).mean()),
                        "aipw rmse": np.sqrt((errors["aipw"] ** 2).mean()),
                        "gap |err|": gap.mean(),
                        "gap se": gap.std(ddof=1) / np.sqrt(len(gap)),
                    }
                )
    return pd.DataFrame(rows).set_index(["dgp", "nonlinear", "overlap"]).round(4)


def board_tables() -> list[tuple[str, pd.DataFrame]]:
    variants = load_suite(SUITE).variants
    started = perf_counter()
    results = run_benchmark(variants, BASELINES, BOARD_UNITS, BOARD_REPLICATES)
    seconds = perf_counter() - started
    title = (
        f"{len(variants)} variants x {len(BOARD_REPLICATES)} replicates, "
        f"{BOARD_UNITS:,} patients, {seconds:.0f} s"
    )
    split = {
        f"nonlinear={form}, overlap={overlap}": by_estimand(part)
        for (form, overlap), part in results.groupby(
            [knob_column(results, "nonlinear"), knob_column(results, "overlap")]
        )
    }
    return [
        (
            f"Causal benchmark: leaderboard by estimand on the {SUITE} suite ({title})",
            by_estimand(results),
        ),
        (
            "Causal benchmark: leaderboard by estimand, by functional form and overlap",
            pd.concat(split, names=["variants"]),
        ),
    ]


def print_sections(section) -> None:
    section(
        f"Causal benchmark: OLS vs AIPW, {GAP_UNITS:,} patients, seeds {list(GAP_SEEDS)} "
        "(errors against the sample ATE; gap = mean of |OLS error| - |AIPW error|)",
        gap_table(),
    )
    for title, table in board_tables():
        section(title, table.round(4))


if __name__ == "__main__":
    print_sections(lambda title, table: print(f"\n{title}\n{table.to_string()}"))
