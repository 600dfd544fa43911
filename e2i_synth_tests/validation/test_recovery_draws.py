"""The recovery check over many draws at the small scale (3,000 patients per scenario): how
often a nightly run of the 15 scenarios fails on correct data, what planted shift it
catches, and the calibration behind both. The draws are the check's own figures computed
in numpy for many seeds at once (`calibration.recovery_draws`); a fast test holds them to
the DoWhy check itself."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtr

from e2i_synth.catalog import BRANDS, DGPS
from e2i_synth.settings import Scenario
from e2i_synth.validation.calibration import recovery_draws, scenario_failures
from e2i_synth.validation.causal import RUN_FALSE_ALARM, estimate_scenario
from e2i_synth.validation.fast_refuters import ESTIMATE_TOLERANCE_SE
from e2i_synth_tests.conftest import SMALL, frames_of

RUN_SEEDS = range(400)
"""400 nightly runs of every scenario: about 22 CPU-s, nearly all of it drawing worlds."""
DETECTED_SHIFT = 0.12
"""A truth off by this much fails every scenario's check in at least 90% of draws."""


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    return pd.concat(
        [recovery_draws(Scenario(b, d), RUN_SEEDS, SMALL) for b in BRANDS for d in DGPS],
        ignore_index=True,
    )


@pytest.mark.parametrize("dgp", list(DGPS))
def test_draws_are_the_checks_own_figures(dgp):
    frames = frames_of("remibrutinib", dgp)
    estimates, _ = estimate_scenario(frames["patient_journeys"], frames["causal_ground_truth"])
    draws = recovery_draws(Scenario("remibrutinib", dgp), [7], SMALL).set_index("estimand")
    assert list(draws.index) == [e.estimand for e in estimates]
    for e in estimates:
        row = draws.loc[e.estimand]
        # DoWhy's propensity (sklearn's lbfgs) stops near the logistic MLE Newton reaches;
        # the regressions agree to rounding
        close = pytest.approx(e.value, abs=ESTIMATE_TOLERANCE_SE * e.std_error)
        assert row["estimate"] == close
        assert row["std_error"] == pytest.approx(e.std_error, rel=ESTIMATE_TOLERANCE_SE)
        assert row["truth"] == pytest.approx(e.truth, abs=1e-12)
        assert row["critical"] == e.critical


@pytest.mark.integration
def test_correct_data_fail_at_most_one_nightly_run_in_a_hundred(runs):
    failed = scenario_failures(runs).groupby(level="seed").any()
    n = len(failed)
    # the count a rate of 1% gives, plus two binomial standard errors
    assert failed.sum() <= n * RUN_FALSE_ALARM + 2 * np.sqrt(n * RUN_FALSE_ALARM)
    # The same rate from each estimand's spread of z-scores: their tails are normal (to the
    # 1/5,000 tail over 20,000 seeds of remibrutinib|confounded), and the estimands of a
    # scenario may fail together (a union bound), the scenarios only independently.
    z = (runs["estimate"] - runs["truth"]) / runs["std_error"]
    estimands = runs.assign(z=z).groupby(["brand", "dgp", "estimand"])
    spread, critical = estimands["z"].std(), estimands["critical"].first()
    per_scenario = (2 * ndtr(-critical / spread)).groupby(level=["brand", "dgp"]).sum()
    assert 1 - np.prod(1 - per_scenario.clip(upper=1)) <= RUN_FALSE_ALARM


@pytest.mark.integration
def test_estimates_are_unbiased_and_standard_errors_not_understated_on_every_brand(runs):
    """Remibrutinib's failures were noise: no estimand's mean error differs from 0 by more
    than 4 standard errors of that mean, and no z-score spread exceeds 1 by more than 3 of
    its own. Spreads below 1 (0.8-0.92) are the sample truth's: it moves with the outcomes
    the estimate is made from."""
    errors = runs["estimate"] - runs["truth"]
    estimands = runs.assign(error=errors, z=errors / runs["std_error"]).groupby(
        ["brand", "dgp", "estimand"]
    )
    n = estimands.size()
    bias = estimands["error"].mean() / (estimands["error"].std() / np.sqrt(n))
    assert (bias.abs() <= 4).all(), bias.abs().idxmax()
    spread = estimands["z"].std()
    assert (spread <= 1 + 3 / np.sqrt(2 * n)).all(), spread.idxmax()
    assert (spread >= 0.7).all(), spread.idxmin()


@pytest.mark.integration
def test_a_truth_shifted_by_the_stated_amount_is_caught_in_nine_draws_of_ten(runs):
    for shift in (DETECTED_SHIFT, -DETECTED_SHIFT):
        power = scenario_failures(runs, shift).groupby(level=["brand", "dgp"]).mean()
        assert (power >= 0.9 - 2 * np.sqrt(0.09 / len(RUN_SEEDS))).all(), power.idxmin()
