"""The one-step correction: it recovers a planted model bias within its SE, is zero for an
unbiased model, reads the model's error at the simulated dose, and says when it cannot
correct."""

import numpy as np
import pandas as pd
import pytest

from e2i_synth.twins.correction import (
    MAX_STABILIZED_WEIGHT,
    CrossFit,
    dose_offsets,
    one_step,
    stabilized_weights,
)


def history(rng: np.random.Generator, n_entities: int, periods: int, bias: float) -> CrossFit:
    """Confounded delivery (x raises the chance of an arm); a model whose treated-arm 'a'
    predictions are `bias` too low (residual = bias + noise) and unbiased elsewhere; an
    entity effect correlates an entity's periods. Doses of arm 'a' are uniform on [0.5, 1.5]."""
    from scipy.special import expit

    x = np.repeat(rng.normal(size=n_entities), periods)
    entity = np.repeat(np.arange(n_entities), periods)
    p_treated = expit(-0.5 + x)
    u = rng.random(len(x))
    arm = np.where(u < p_treated / 2, "a", np.where(u < p_treated, "b", "none"))
    propensity = np.where(arm == "none", 1 - p_treated, p_treated / 2)
    noise = np.repeat(rng.normal(0, 0.02, n_entities), periods) + rng.normal(0, 0.02, len(x))
    residual = noise + np.where(arm == "a", bias * (1 + 0.5 * x), 0.0)
    dose = np.where(arm == "none", 0.0, rng.uniform(0.5, 1.5, len(x)))
    return CrossFit(
        frame=pd.DataFrame({"id": entity, "arm": arm, "intensity": dose}),
        arm_column="arm",
        dose_columns=("intensity",),
        fold=entity % 5,
        residual=residual,
        effect=np.where(arm == "none", 0.0, 0.1),
        propensity=propensity,
    )


def everywhere(cf: CrossFit) -> np.ndarray:
    return np.ones(len(cf.frame), bool)


def no_dose(cf: CrossFit) -> np.ndarray:
    """Offsets without dose columns: the correction ignores the dose."""
    return np.zeros((len(cf.frame), 0))


def test_recovers_a_planted_bias_with_nominal_coverage():
    """300 draws: the population bias E[bias (1 + 0.5 x)] = bias lies in the 95% interval
    of the correction in 95% of draws (binomial SE 1.3%: at least 90% pass), and the mean
    correction is the bias within 3 SE of the mean."""
    rng = np.random.default_rng(11)
    bias, draws = 0.03, 300
    values, covered = [], 0
    for _ in range(draws):
        cf = history(rng, 400, 6, bias)
        c = one_step(cf, everywhere(cf), "a", "none", no_dose(cf), cf.effect, "id")
        values.append(c.value)
        covered += abs(c.value - bias) <= 1.96 * np.sqrt(c.variance)
    values = np.array(values)
    assert covered / draws >= 0.90
    assert abs(values.mean() - bias) < 3 * values.std() / np.sqrt(draws)


def test_unbiased_model_needs_no_correction():
    rng = np.random.default_rng(3)
    cf = history(rng, 2_000, 6, 0.0)
    c = one_step(cf, everywhere(cf), "a", "none", no_dose(cf), cf.effect, "id")
    assert abs(c.value) < 3 * np.sqrt(c.variance)
    assert c.rows == int((cf.frame["arm"] == "a").sum())


def test_weights_are_stabilized_and_truncated():
    arms = np.array(["a", "a", "none", "none"], dtype=object)
    w = stabilized_weights(arms, np.array([0.5, 0.01, 0.5, 0.25]))
    np.testing.assert_allclose(w, [1.0, MAX_STABILIZED_WEIGHT, 1.0, 2.0])


def test_the_model_error_is_read_at_the_simulated_dose():
    """Truth 0.1 x dose; the model's effect is the truth plus an error that grows with the
    dose, 0.05 (d - 1). At d* = 1.4 the correction is -0.02 (within 3 SE) only with the
    dose kernel; averaged over every dose, the truth's own slope pulls it off. d* = 1.4 sits
    near the edge of the doses (1.5): the local-linear fit keeps it free of boundary bias."""
    rng = np.random.default_rng(5)
    cf = history(rng, 3_000, 6, 0.0)
    dose = cf.frame["intensity"].to_numpy()
    treated = cf.frame["arm"].to_numpy() == "a"
    model = np.where(treated, 0.1 * dose + 0.05 * (dose - 1), 0.0)
    cf.residual = cf.residual + np.where(treated, 0.1 * dose - model, 0.0)
    cf.effect = model
    target = 1.4
    at_target = np.where(treated, 0.1 * target + 0.05 * (target - 1), 0.0)
    offsets = dose_offsets(cf, "a", {"intensity": target})
    local = one_step(cf, everywhere(cf), "a", "none", offsets, at_target, "id")
    flat = one_step(cf, everywhere(cf), "a", "none", no_dose(cf), at_target, "id")
    assert abs(local.value - -0.02) < 3 * np.sqrt(local.variance)
    assert abs(flat.value - -0.02) > 0.03
    assert np.abs(offsets[treated & (np.abs(dose - target) < 0.01)]).max() < 0.1


def test_no_rows_of_the_arm_means_no_correction():
    rng = np.random.default_rng(1)
    cf = history(rng, 200, 6, 0.03)
    only_controls = cf.frame["arm"].to_numpy() != "a"
    c = one_step(cf, only_controls, "a", "none", no_dose(cf), cf.effect, "id")
    assert (c.value, c.variance, c.rows) == (0.0, 0.0, 0)


def test_a_dose_beyond_the_history_means_no_correction():
    """Doses of arm 'a' lie in [0.5, 1.5]; 4 is beyond KERNEL_RADIUS bandwidths of all."""
    rng = np.random.default_rng(2)
    cf = history(rng, 200, 6, 0.03)
    offsets = dose_offsets(cf, "a", {"intensity": 4.0})
    c = one_step(cf, everywhere(cf), "a", "none", offsets, cf.effect, "id")
    assert (c.value, c.variance, c.rows) == (0.0, 0.0, 0)


def test_plug_in_plus_correction_is_statsmodels_aipw():
    """Cross-check against statsmodels' AIPW with the same nuisances (an OLS outcome model
    per arm, a logit propensity), on a binary treatment with a nonlinear outcome the OLS
    misses: the estimates agree within 0.05 SE (ours normalizes the weights, statsmodels'
    does not) and the standard errors (our influence function, its GMM) within 5%."""
    from scipy.special import expit
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.regression.linear_model import OLS
    from statsmodels.treatment.treatment_effects import TreatmentEffect

    rng = np.random.default_rng(0)
    n = 4_000
    x = rng.normal(size=n)
    treated = rng.random(n) < expit(-0.3 + 0.8 * x)
    y = 0.5 + 0.3 * x + 0.2 * x**2 + treated * (0.4 + 0.1 * x) + rng.normal(0, 0.5, n)
    X = np.column_stack([np.ones(n), x])
    propensity = Logit(treated.astype(int), X).fit(disp=0)
    reference = TreatmentEffect(OLS(y, X), treated.astype(int), results_select=propensity).aipw()

    mu0 = X @ OLS(y[~treated], X[~treated]).fit().params
    mu1 = X @ OLS(y[treated], X[treated]).fit().params
    p = propensity.predict(X)
    arm = np.where(treated, "a", "none")
    cf = CrossFit(
        frame=pd.DataFrame({"id": np.arange(n), "arm": arm}),
        arm_column="arm",
        dose_columns=(),
        fold=np.zeros(n, int),
        residual=y - np.where(treated, mu1, mu0),
        effect=np.where(treated, mu1 - mu0, 0.0),
        propensity=np.where(treated, p, 1 - p),
    )
    assert stabilized_weights(arm, cf.propensity).max() < MAX_STABILIZED_WEIGHT
    c = one_step(cf, everywhere(cf), "a", "none", no_dose(cf), cf.effect, "id")
    ours, se = float(np.mean(mu1 - mu0)) + c.value, np.sqrt(c.variance)
    assert abs(ours - reference.effect[0]) < 0.05 * reference.sd[0]
    assert se == pytest.approx(reference.sd[0], rel=0.05)
