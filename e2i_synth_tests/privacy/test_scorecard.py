"""The scorecard separates a fresh sample of the real distribution from copies and noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from e2i_synth.errors import E2IError
from e2i_synth.privacy import scorecard
from e2i_synth_tests.privacy.conftest import mixed_table


def test_a_fresh_sample_of_the_same_distribution_is_all_green(real_split):
    train, holdout = real_split
    card = scorecard.score("fresh", train, holdout, mixed_table(1_200, seed=99), target="flag")
    assert card.all_green, card.as_frame()
    assert 0.3 < card.mia_auc < 0.6
    assert card.dcr_share < 0.15
    assert card.tstr == pytest.approx(card.trtr, abs=0.1)


def test_copied_training_rows_fail_duplicates_and_membership(real_split):
    train, holdout = real_split
    copies = train.sample(len(train), replace=True, random_state=0)
    card = scorecard.score("copier", train, holdout, copies)
    failed = {c.name for c in card.checks if not c.passed}
    assert failed == {"duplicate_rate", "mia_auc"}
    assert card.duplicate_rate == 1.0
    assert card.dcr_share == 1.0


def test_uniform_noise_fails_the_marginals(real_split):
    train, holdout = real_split
    rng = np.random.default_rng(0)
    noise = mixed_table(1_200, seed=5).assign(
        x=rng.uniform(-500, 500, 1_200), y=rng.uniform(-500, 500, 1_200)
    )
    card = scorecard.score("noise", train, holdout, noise)
    assert card.ks_mean > scorecard.KS_LIMIT
    assert not card.all_green


def test_scorecard_frame_lists_every_gated_check_with_its_limit(real_split):
    train, holdout = real_split
    card = scorecard.score("fresh", train, holdout, mixed_table(300, seed=4), target="y")
    frame = card.as_frame()
    gated = frame.dropna(subset=["limit"])
    assert list(gated.index) == [c.name for c in card.checks]
    assert set(card.per_column.index) == set(train.columns)


def test_a_tiny_holdout_is_one_clear_error(real_split):
    train, holdout = real_split
    with pytest.raises(E2IError, match="holdout rows"):
        scorecard.score("t", train, holdout.iloc[:5], train)


def test_missing_synthetic_columns_are_one_clear_error(real_split):
    train, holdout = real_split
    with pytest.raises(E2IError, match="missing"):
        scorecard.score("t", train, holdout, pd.DataFrame({"x": [1.0]}))
