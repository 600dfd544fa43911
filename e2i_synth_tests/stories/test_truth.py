import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import norm
from statsmodels.stats.proportion import confint_proportions_2indep

from e2i_synth.stories.golden import TRUTH_FALSE_FAILURE, TRUTH_Z
from e2i_synth.stories.truth import Truths


def truths(units: int, engaged: int) -> Truths:
    return Truths(0.1, {}, None, None, {"overall": (units, engaged)})


@given(st.integers(2, 10_000), st.data())
def test_standard_error_is_the_wald_error_of_two_proportions_at_one_half(units, data):
    engaged = data.draw(st.integers(1, units - 1))
    low, high = confint_proportions_2indep(
        engaged / 2, engaged, (units - engaged) / 2, units - engaged, method="wald", compare="diff"
    )
    wald = (high - low) / 2 / norm.ppf(0.975)
    assert truths(units, engaged).standard_error("overall") == pytest.approx(wald, rel=1e-9)


def test_no_error_bound_without_both_groups():
    assert truths(10, 10).standard_error("overall") == np.inf


def test_truth_z_gives_the_stated_two_sided_false_failure_rate():
    assert 2 * norm.sf(TRUTH_Z) == pytest.approx(TRUTH_FALSE_FAILURE)
