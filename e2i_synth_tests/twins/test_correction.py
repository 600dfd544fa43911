"""The one-step correction: it recovers a planted model bias within its SE, is zero for an
unbiased model, carries the bias to the simulated dose, and says when it cannot correct."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from e2i_synth.twins.correction import MAX_STABILIZED_WEIGHT, CrossFit, one_step, stabilized_weights

ARMS = np.array(["none", "a", "b"], dtype=object)


def history(rng: np.random.Generator, n_entities: int, periods: int, bias: float) -> CrossFit:
    """Confounded delivery (x raises the chance of an arm); a model whose treated-arm 'a'
    predictions are `bias` too low (residual = bias + noise) and unbiased elsewhere; an
    entity effect correlates an entity's periods."""
    x = np.repeat(rng.normal(size=n_entities), periods)
    entity = np.repeat(np.arange(n_entities), periods)
    p_treated = expit(-0.5 + x)
    u = rng.random(len(x))
    arm = np.where(u < p_treated / 2, "a", np.where(u < p_treated, "b", "none"))
    propensity = np.where(arm == "none", 1 - p_treated, p_treated / 2)
    noise = np.repeat(rng.normal(0, 0.02, n_entities), periods) + rng.normal(0, 0.02, len(x))
    residual = noise + np.where(arm == "a", bias * (1 + 0.5 * x), 0.0)
    return CrossFit(
        frame=pd.DataFrame({"id": entity, "arm": arm}),
        arm_column="arm",
        fold=entity % 5,
        residual=residual,
        effect=np.where(arm == "none", 0.0, 0.1),
        propensity=propensity,
    )


def test_recovers_a_planted_bias_with_nominal_coverage():
    """300 draws: the population bias E[bias (1 + 0.5 x)] = bias lies in the 95% interval
    of the correction in 95% of draws (binomial SE 1.3%: at least 90% pass), and the mean
    correction is the bias within 3 SE of the mean."""
    rng = np.random.default_rng(11)
    bias, draws = 0.03, 300
    values, covered = [], 0
    for _ in range(draws):
        cf = history(rng, 400, 6, bias)
        c = one_step(cf, np.ones(len(cf.frame), bool), "a", "none", cf.effect, "id")
        values.append(c.value)
        covered += abs(c.value - bias) <= 1.96 * np.sqrt(c.variance)
    values = np.array(values)
    assert covered / draws >= 0.90
    assert abs(values.mean() - bias) < 3 * values.std() / np.sqrt(draws)


def test_unbiased_model_needs_no_correction():
    rng = np.random.default_rng(3)
    cf = history(rng, 2_000, 6, 0.0)
    c = one_step(cf, np.ones(len(cf.frame), bool), "a", "none", cf.effect, "id")
    assert abs(c.value) < 3 * np.sqrt(c.variance)
    assert c.rows == int((cf.frame["arm"] == "a").sum())


def test_weights_are_stabilized_and_truncated():
    arms = np.array(["a", "a", "none", "none"], dtype=object)
    w = stabilized_weights(arms, np.array([0.5, 0.01, 0.5, 0.25]))
    np.testing.assert_allclose(w, [1.0, MAX_STABILIZED_WEIGHT, 1.0, 2.0])


def test_a_doubled_dose_doubles_the_treated_term():
    rng = np.random.default_rng(5)
    cf = history(rng, 2_000, 6, 0.03)
    everyone = np.ones(len(cf.frame), bool)
    once = one_step(cf, everyone, "a", "none", cf.effect, "id")
    twice = one_step(cf, everyone, "a", "none", 2 * cf.effect, "id")
    arms = cf.frame["arm"].to_numpy()
    treated = arms == "a"
    w = stabilized_weights(arms, cf.propensity)[treated]
    a_term = np.sum(w * cf.residual[treated]) / w.sum()
    assert twice.value - once.value == pytest.approx(a_term)
    assert twice.variance > once.variance


def test_no_rows_of_the_arm_means_no_correction():
    rng = np.random.default_rng(1)
    cf = history(rng, 200, 6, 0.03)
    only_controls = cf.frame["arm"].to_numpy() != "a"
    c = one_step(cf, only_controls, "a", "none", cf.effect, "id")
    assert (c.value, c.variance, c.rows) == (0.0, 0.0, 0)
