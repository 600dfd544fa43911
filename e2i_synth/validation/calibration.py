"""How the causal validator behaves over many independent draws of one DGP.

Redraws the scenario per seed, estimates every estimand, and summarises per estimand the
95% CI coverage of the sample truth, the mean and spread of the error, the mean standard
error, and how often the whole scenario's verdict passed. A user can run it for any size
to see what the recovery check can resolve there.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from e2i_synth.catalog import BRANDS
from e2i_synth.settings import Scenario
from e2i_synth.tables import causal_ground_truth, patient_journeys
from e2i_synth.validation.causal import estimate_scenario
from e2i_synth.world import draw_world


def calibrate(dgp: str, seeds: Iterable[int], n_units: int) -> pd.DataFrame:
    """One row per estimand; brands rotate over the seeds."""
    brands = list(BRANDS)
    rows = []
    for seed in seeds:
        world = draw_world(Scenario(brands[seed % len(brands)], dgp), n_units, seed)
        estimates, _ = estimate_scenario(
            patient_journeys.build(world, {}), causal_ground_truth.build(world, {})
        )
        verdict = all(e.passed for e in estimates)
        rows += [
            {
                "estimand": e.estimand.split(" (")[0],
                "error": e.error,
                "std_error": e.std_error,
                "covers": e.covers,
                "naive_bias": e.naive - e.truth,
                "scenario_passed": verdict,
            }
            for e in estimates
        ]
    draws = pd.DataFrame(rows)
    return (
        draws.groupby("estimand", sort=False)
        .agg(
            draws=("error", "size"),
            coverage_95=("covers", "mean"),
            mean_bias=("error", "mean"),
            sd_error=("error", "std"),
            mean_se=("std_error", "mean"),
            naive_bias=("naive_bias", "mean"),
            verdict_pass_rate=("scenario_passed", "mean"),
        )
        .reset_index()
        .assign(dgp=dgp)
    )
