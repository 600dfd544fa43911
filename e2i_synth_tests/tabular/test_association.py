"""The mixed-type association matrix against its formula's invariants and against
SDMetrics and scikit-learn on the same data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from e2i_synth_tests.privacy.conftest import model_pair

EXACT = 1e-9
"""Same formula, same data: only float rounding may differ."""


@pytest.fixture(scope="module")
def pair():
    """A real frame and a perturbed synthetic one, both in model form."""
    return model_pair()


def test_numeric_pair_delta_matches_sdmetrics_correlation_similarity(pair):
    """SDMetrics scores 1 - |r_real - r_syn| / 2 for a numeric pair."""
    from sdmetrics.column_pairs import CorrelationSimilarity

    from e2i_synth.tabular import association

    real, synthetic, columns = pair
    ours = (
        association.association_matrix(real, columns)
        - association.association_matrix(synthetic, columns)
    ).abs()
    theirs = CorrelationSimilarity.compute(real[["x", "y"]], synthetic[["x", "y"]])
    assert ours.loc["x", "y"] == pytest.approx(2 * (1 - theirs), abs=EXACT)


def test_correlation_ratio_is_sqrt_r2_of_one_hot_regression(pair):
    from sklearn.linear_model import LinearRegression

    from e2i_synth.tabular import association

    real, _, _ = pair
    one_hot = pd.get_dummies(real["region"]).to_numpy(float)
    r2 = LinearRegression().fit(one_hot, real["y"]).score(one_hot, real["y"])
    eta = association.correlation_ratio(real["y"].to_numpy(), pd.factorize(real["region"])[0])
    assert eta == pytest.approx(np.sqrt(r2), abs=1e-9)
    assert eta > 0.2  # the region shifts y


def test_association_matrix_is_symmetric_with_unit_diagonal(pair):
    from e2i_synth.tabular import association

    real, _, columns = pair
    matrix = association.association_matrix(real, columns).to_numpy()
    np.testing.assert_allclose(matrix, matrix.T)
    np.testing.assert_allclose(np.diag(matrix), 1.0)
    assert np.all(np.abs(matrix) <= 1.0 + 1e-12)
