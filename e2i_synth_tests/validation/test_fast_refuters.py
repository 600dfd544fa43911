"""The batched refits agree with DoWhy's refuters and still refute a leaky estimate."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from e2i_synth.catalog import DGPS
from e2i_synth.validation import fast_refuters, refutation
from e2i_synth.validation.causal import estimate_scenario
from e2i_synth_tests.conftest import frames_of

SEED = 7
AGREEMENT_UNITS = 3_000
MEAN_TOLERANCE_SE = 4.0
"""Two means of k independent simulations differ by N(0, 2 sd^2 / k) if both draw from the
same distribution; 4 such standard errors bound it with probability 1 - 6e-5 per pair."""


def fits_of(dgp: str, n: int = AGREEMENT_UNITS):
    frames = frames_of("kisqali", dgp, n)
    return estimate_scenario(frames["patient_journeys"], frames["causal_ground_truth"])[1]


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(30, 200),
    shared=st.integers(1, 4),
    varying=st.integers(0, 3),
    k=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
)
def test_batched_normal_equations_equal_least_squares_per_simulation(n, shared, varying, k, seed):
    rng = np.random.default_rng(seed)
    batch = fast_refuters.Batch(rng.normal(size=(n, shared)), rng.normal(size=(k, n, varying)))
    weights = rng.uniform(0.1, 2.0, size=(k, n))
    y = rng.normal(size=n)
    beta = batch.solve(weights, weights * y)
    for i in range(k):
        x = np.column_stack([batch.shared, batch.varying[i]]) * np.sqrt(weights[i])[:, None]
        expected = np.linalg.lstsq(x, y * np.sqrt(weights[i]), rcond=None)[0]
        np.testing.assert_allclose(beta[i], expected, rtol=1e-7, atol=1e-9)


def test_batched_logistic_fit_is_sklearn_unpenalised_fit():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(3)
    n, k = 2_000, 3
    shared = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    varying = rng.normal(size=(k, n, 1))
    t = (rng.random((k, n)) < 1 / (1 + np.exp(-shared[:, 1] + 0.5 * varying[..., 0]))).astype(float)
    weights = (rng.random((k, n)) < 0.8).astype(float)
    fitted = fast_refuters.logistic_propensity(fast_refuters.Batch(shared, varying), t, weights)
    for i in range(k):
        x = np.column_stack([shared[:, 1:], varying[i]])
        model = LogisticRegression(C=np.inf, max_iter=1000, tol=1e-10)
        model.fit(x, t[i], sample_weight=weights[i])
        np.testing.assert_allclose(fitted[i], model.predict_proba(x)[:, 1], atol=1e-5)


@pytest.mark.parametrize("dgp", list(DGPS))
def test_same_verdicts_and_means_as_dowhys_refuters(dgp):
    for fitted in fits_of(dgp):
        d = fast_refuters.design(fitted)
        fast = refutation.refute(fitted, SEED)
        dowhy = refutation.refute_with_dowhy(fitted, SEED)
        for ours, theirs in zip(fast, dowhy, strict=True):
            assert ours.refuter == theirs.refuter and ours.passed == theirs.passed
            effects = fast_refuters.simulate(
                d, fitted, ours.refuter, ours.simulations, SEED, refutation.DATA_SUBSET_FRACTION
            )
            assert ours.new_effect == pytest.approx(effects.mean())
            allowed = MEAN_TOLERANCE_SE * effects.std(ddof=1) * np.sqrt(2 / ours.simulations)
            assert abs(ours.new_effect - theirs.new_effect) <= allowed, (ours, theirs)


def test_refits_reproduce_dowhys_estimate_or_refuse():
    fitted = fits_of("heterogeneous")[0]
    d = fast_refuters.design(fitted)
    fast_refuters.reproduces_estimate(d, fitted)
    # the adjustment set's rows misaligned with the units: a wrong design (here 1.8 SE off;
    # misaligned region modifiers barely move the average effect, so they cannot show it)
    shuffled = replace(d, w=d.w[::-1])
    with pytest.raises(RuntimeError, match="batched refit gives"):
        fast_refuters.reproduces_estimate(shuffled, fitted)


def test_a_placebo_leak_is_refuted_as_dowhy_refutes_it():
    """The leak the module guards against: the placebo weighted by the real treatment's
    propensities, which DoWhy reuses when the frame carries a propensity column."""
    fitted = fits_of("selection_bias")[0]
    d = fast_refuters.design(fitted)
    model = fitted.estimate.estimator.propensity_score_model
    e = model.predict_proba(fitted.data[list(model.feature_names_in_)])[:, 1]
    k = refutation.REFUTER_SIMULATIONS["placebo_treatment"]
    placebo = np.random.default_rng(SEED).permuted(np.tile(d.t, (k, 1)), axis=1)
    leaked = fast_refuters.hajek_effects(d, placebo, np.tile(e, (k, 1)), np.ones((k, d.n)))
    assert fast_refuters.significance(0.0, leaked) <= refutation.REFUTER_SIGNIFICANCE
    clean = fast_refuters.simulate(d, fitted, "placebo_treatment", k, SEED, 0.8)
    assert fast_refuters.significance(0.0, clean) > refutation.REFUTER_SIGNIFICANCE
    dowhy = refutation.refute_with_dowhy(
        replace(fitted, data=fitted.data.assign(propensity_score=e)), SEED
    )
    assert not next(r for r in dowhy if r.refuter == "placebo_treatment").passed


def test_an_estimate_its_data_do_not_give_is_refuted_by_both():
    """A stale estimate, 5 standard errors from what the data give: the random common
    cause and the subsets centre on the data's value and refute it."""
    fitted = fits_of("confounded")[0]
    head = fitted.results[0]
    stale = head.value + 5 * head.std_error
    fast = refutation.refute(replace(fitted, results=[replace(head, value=stale)]), SEED)
    dowhy_estimate = copy.copy(fitted.estimate)
    dowhy_estimate.value = stale
    dowhy = refutation.refute_with_dowhy(replace(fitted, estimate=dowhy_estimate), SEED)
    verdicts = {r.refuter: r.passed for r in fast}
    assert verdicts == {
        "placebo_treatment": True,
        "random_common_cause": False,
        "data_subset": False,
    }
    assert {r.refuter: r.passed for r in dowhy} == verdicts


def test_a_constant_adjustment_column_gives_the_least_squares_effect():
    """Collinear with the intercept: dropped, where a pseudo-inverse would ignore it."""
    fitted = fits_of("confounded")[0]
    adjustment = list(fitted.identified.get_backdoor_variables())
    data = fitted.data.assign(**{adjustment[0]: 1.0})
    d = fast_refuters.design(replace(fitted, data=data))
    assert d.w.shape[1] == len(adjustment) - 1
    x = np.column_stack([np.ones(len(data)), d.t, data[adjustment].to_numpy(dtype=float)])
    expected = np.linalg.lstsq(x, d.y, rcond=None)[0][1]
    value = fast_refuters.effects(d, None, np.empty((1, d.n, 0)), np.ones((1, d.n)))[0]
    assert value == pytest.approx(expected, rel=1e-9)
