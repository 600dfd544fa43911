"""The epsilon-DP synthesizer (OpenDP's MST): one small fit, checked for shape, domain,
seeded sampling and its bad-input errors."""

from __future__ import annotations

import pandas as pd
import pytest

from e2i_synth.errors import E2IError
from e2i_synth_tests.privacy.conftest import mixed_table

pytest.importorskip("opendp", reason="the dp extra is not installed: pip install -e '.[dp]'")

from e2i_synth.privacy.dp_synthesizer import FAMILY, MSTSynthesizer


@pytest.fixture(scope="module")
def fitted():
    rows = mixed_table(400, seed=8)[["x", "region", "flag"]]
    return rows, MSTSynthesizer(epsilon=3.0, bins=8, iterations=100).fit(rows)


def test_samples_keep_columns_dtypes_and_domains(fitted):
    rows, model = fitted
    sample = model.sample(300, seed=0)
    pd.testing.assert_series_equal(sample.dtypes, rows.dtypes)
    assert sample["x"].between(rows["x"].min(), rows["x"].max()).all()
    assert set(sample["region"]) <= set(rows["region"])
    assert len(sample) == 300


def test_same_seed_same_rows(fitted):
    _, model = fitted
    pd.testing.assert_frame_equal(model.sample(200, seed=3), model.sample(200, seed=3))
    assert not model.sample(200, seed=3).equals(model.sample(200, seed=4))


def test_common_categories_stay_common(fitted):
    """region is drawn with p = 0.4 / 0.3 / 0.2 / 0.1; at epsilon 3 over 400 rows the
    noisy one-way counts keep that order for the two far-apart ends."""
    _, model = fitted
    shares = model.sample(4_000, seed=1)["region"].value_counts(normalize=True)
    assert shares["north"] > shares["west"]


def test_non_positive_epsilon_is_one_clear_error():
    with pytest.raises(E2IError, match="epsilon"):
        MSTSynthesizer(epsilon=0.0).fit(mixed_table(100, seed=1))


def test_the_family_never_raises_epsilon():
    raised = [a for rules in FAMILY.suggestions.values() for a in rules if a.param == "epsilon"]
    assert raised and all(a.factor < 1 for a in raised)
