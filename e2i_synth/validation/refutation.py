"""DoWhy's refuters on every estimate of the causal validator, and the checks they make.

Placebo treatment (permuted), random common cause and 80% data subsets. The check refits
the estimator of record in batched numpy (`fast_refuters`) and lets DoWhy's own
significance test decide: DoWhy's refuters refit through pandas, statsmodels and sklearn
once per simulation, several times the cost of generating a scenario. `refute_with_dowhy`
runs DoWhy's refuters themselves; the tests hold the two to the same verdicts and to means
within simulation error, and the bench times both in one run.

DoWhy's refuters run on the clean analysis frame: DoWhy's estimators write propensity
columns into the frame they are given, and a refuter handed that frame would reuse the
real treatment's propensities for the placebo.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from e2i_synth.catalog import TREATMENT_COLUMN
from e2i_synth.validation import fast_refuters
from e2i_synth.validation.causal import (
    TRUTH_TABLE,
    Fitted,
    estimate_scenario,
    overall_truth,
    quiet,
    recovery_result,
)
from e2i_synth.validation.result import CheckResult

REFUTER_SIGNIFICANCE = 0.05
REFUTER_SIMULATIONS = {"placebo_treatment": 20, "random_common_cause": 20, "data_subset": 20}
"""DoWhy tests each refuter with a one-sided normal test of a reference value (0 for the
placebo, the estimate for the others) against its k simulations. On sound data the
simulations' mean sits within sd/sqrt(k) of the reference; DoWhy's z uses the population
sd, so a false refutation needs a t statistic with k - 1 degrees of freedom beyond
1.645 sqrt(k - 1): 8e-4 at k = 10 but 8e-7 at k = 20, under 1e-4 over the ~80
refutations of a full run. Power: simulations centred c sd from the reference are
refuted with probability 0.58 / 0.89 / 0.996 / 0.99995 at c = 1.645 / 2 / 2.5 / 3 with
k = 20 (0.61 / 0.84 / 0.98 / 0.998 with k = 10; simulated, 400,000 draws each). A leak is
many sd away (the planted placebo leak of the tests: 8 sd). Halving k would halve a cost
that is now milliseconds while raising the false-refutation rate a thousandfold, so k
stays 20."""
DATA_SUBSET_FRACTION = 0.8


@dataclass(frozen=True)
class Refutation:
    """One DoWhy refuter on one estimate: DoWhy's own test decides (a significant
    difference from the refuter's null distribution refutes the estimate)."""

    refuter: str
    estimand: str
    estimate: float
    new_effect: float
    p_value: float
    simulations: int

    @property
    def passed(self) -> bool:
        return bool(np.isfinite(self.p_value) and self.p_value > REFUTER_SIGNIFICANCE)

    def summary(self) -> str:
        return (
            f"{self.refuter} on {self.estimand}: new effect {self.new_effect:.3f} "
            f"(estimate {self.estimate:.3f}), p = {self.p_value:.2f}"
        )

    def figures(self) -> dict[str, object]:
        return {
            "refuter": self.refuter,
            "estimand": self.estimand,
            "estimate": round(self.estimate, 6),
            "new_effect": round(self.new_effect, 6),
            "p_value": round(self.p_value, 6),
            "simulations": self.simulations,
            "passed": self.passed,
        }


def refute(fitted: Fitted, seed: int) -> list[Refutation]:
    """Placebo treatment (permuted), random common cause and 80% data subsets: batched
    refits of the estimator of record, judged by DoWhy's test (reference 0 for the
    placebo, the estimate for the others)."""
    d = fast_refuters.design(fitted)
    head = fitted.results[0]
    refutations = []
    # The systems are at most a dozen columns wide: BLAS threads only contend, the more so
    # on a shared 2-core machine (selection_bias at full scale, medians of 7: 0.3 s on
    # one thread, 1.0-1.6 s with OpenBLAS's default threads).
    with quiet(), threadpool_limits(limits=1, user_api="blas"):
        fast_refuters.reproduces_estimate(d, fitted)
        for name, simulations in REFUTER_SIMULATIONS.items():
            effects = fast_refuters.simulate(
                d, fitted, name, simulations, seed, DATA_SUBSET_FRACTION
            )
            reference = 0.0 if name == "placebo_treatment" else head.value
            refutations.append(
                Refutation(
                    refuter=name,
                    estimand=head.estimand,
                    estimate=head.value,
                    new_effect=float(effects.mean()),
                    p_value=fast_refuters.significance(reference, effects),
                    simulations=simulations,
                )
            )
    return refutations


def refute_with_dowhy(fitted: Fitted, seed: int) -> list[Refutation]:
    """The same three refuters run by DoWhy itself (one estimator refit per simulation)."""
    from dowhy.causal_refuters import (
        refute_data_subset,
        refute_placebo_treatment,
        refute_random_common_cause,
    )
    from dowhy.causal_refuters.placebo_treatment_refuter import PlaceboType

    common = {
        "data": fitted.data,
        "target_estimand": fitted.identified,
        "estimate": fitted.estimate,
    }
    runs = {
        "placebo_treatment": lambda k, rs: refute_placebo_treatment(
            treatment_names=[TREATMENT_COLUMN],
            placebo_type=PlaceboType.PERMUTE,
            num_simulations=k,
            random_state=rs,
            **common,
        ),
        "random_common_cause": lambda k, rs: refute_random_common_cause(
            num_simulations=k, random_state=rs, **common
        ),
        "data_subset": lambda k, rs: refute_data_subset(
            subset_fraction=DATA_SUBSET_FRACTION, num_simulations=k, random_state=rs, **common
        ),
    }
    refutations = []
    with quiet():
        for name, run in runs.items():
            simulations = REFUTER_SIMULATIONS[name]
            # A RandomState object (not an int) so each simulation draws afresh.
            outcome = run(simulations, np.random.RandomState(seed % 2**32))
            refutations.append(
                Refutation(
                    refuter=name,
                    estimand=fitted.results[0].estimand,
                    estimate=fitted.results[0].value,
                    new_effect=float(outcome.new_effect),
                    p_value=float(outcome.refutation_result["p_value"]),
                    simulations=simulations,
                )
            )
    return refutations


def refutation_result(refutations: list[Refutation]) -> CheckResult:
    failed = [r for r in refutations if not r.passed]
    figures = {
        "refutations": [r.figures() for r in refutations],
        "failed_refutations": len(failed),
        "simulations": dict(REFUTER_SIMULATIONS),
    }
    if failed:
        message = "refuted: " + "; ".join(r.summary() for r in failed)
    else:
        worst = min(refutations, key=lambda r: r.p_value)
        message = f"{len(refutations)} refutations passed; lowest p: " + worst.summary()
    return CheckResult("causal_refutation", TRUTH_TABLE, not failed, message, figures)


class CausalChecks:
    """Recovery of every estimand, then the three refuters on every DoWhy estimate, from one
    fit. A stored graph that contradicts the stored adjustment set fails both checks."""

    def __init__(self, journeys: pd.DataFrame, truth: pd.DataFrame) -> None:
        self.truth = truth
        try:
            self.estimates, self.fits = estimate_scenario(journeys, truth)
            self.error = ""
        except ValueError as exc:
            self.estimates, self.fits, self.error = [], [], str(exc)

    def recovery(self) -> CheckResult:
        if self.error:
            message = f"not estimated: {self.error}"
            return CheckResult("causal_recovery", TRUTH_TABLE, False, message)
        return recovery_result(self.estimates)

    def refutation(self) -> CheckResult:
        if self.error:
            return CheckResult("causal_refutation", TRUTH_TABLE, False, f"not run: {self.error}")
        seed = int(overall_truth(self.truth)["seed"])
        return refutation_result([r for fitted in self.fits for r in refute(fitted, seed)])


def check_causal(journeys: pd.DataFrame, truth: pd.DataFrame) -> list[CheckResult]:
    """Both causal checks on one scenario."""
    checks = CausalChecks(journeys, truth)
    return [checks.recovery(), checks.refutation()]
