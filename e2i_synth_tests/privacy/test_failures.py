"""Failure classes: copies are HIGH_DUP_RATE and HIGH_MIA, noise is HIGH_KS, each with a
root cause from the evidence and concrete parameter changes."""

from __future__ import annotations

import numpy as np

from e2i_synth_tests.privacy.conftest import mixed_table


class Copier:
    """Returns training rows: memorization in its purest form."""

    def fit(self, rows):
        self.rows = rows
        return self

    def sample(self, n, seed):
        return self.rows.sample(n, replace=True, random_state=seed).reset_index(drop=True)


class Noise:
    """Numerics drawn uniformly over ten times their range: nothing learned."""

    def fit(self, rows):
        self.rows = rows
        return self

    def sample(self, n, seed):
        rng = np.random.default_rng(seed)
        out = self.rows.sample(n, replace=True, random_state=seed).reset_index(drop=True)
        for c in ("x", "y"):
            lo, hi = self.rows[c].min(), self.rows[c].max()
            out[c] = rng.uniform(lo - 5 * (hi - lo), hi + 5 * (hi - lo), n)
        return out


def card_of(synth, real_split):
    from e2i_synth.privacy import scorecard

    train, holdout = real_split
    return scorecard.score("t", train, holdout, synth.fit(train).sample(len(train), 0))


def test_a_copier_is_high_dup_rate_and_high_mia(real_split):
    from e2i_synth.privacy import copula
    from e2i_synth.privacy.failures import FailureClass, classify, diagnose

    card = card_of(Copier(), real_split)
    assert classify(card) == [FailureClass.HIGH_MIA, FailureClass.HIGH_DUP_RATE]
    failures = diagnose(card, copula.FAMILY, copula.starting_params(1_200, 6))
    mia, dup = failures
    assert "memorizes" in mia.root_cause and f"{card.dcr_share:.1%}" in mia.root_cause
    assert "reproduces rows" in dup.root_cause
    assert any(s.startswith("smoothing 0.05 -> 0.1") for s in mia.suggestions)


def test_noise_is_high_ks_naming_the_noisy_columns(real_split):
    from e2i_synth.privacy import copula
    from e2i_synth.privacy.failures import FailureClass, classify, diagnose

    card = card_of(Noise(), real_split)
    assert FailureClass.HIGH_KS in classify(card)
    (ks,) = [
        f
        for f in diagnose(
            card, copula.FAMILY, {"smoothing": 0.4, "quantiles": 50, "shrinkage": 0.0}
        )
        if f.kind == "HIGH_KS"
    ]
    worst = ks.root_cause.split("worst columns: ")[1]
    assert worst.startswith(("x ", "y "))
    assert "smoothing 0.4 -> 0.2 (less jitter on the marginals)" in ks.suggestions


def test_dup_rate_root_cause_names_a_small_row_space():
    from e2i_synth.privacy import copula, scorecard
    from e2i_synth.privacy.failures import diagnose

    rows = mixed_table(1_600, seed=2)[["region", "flag"]]
    train, holdout = rows.iloc[:1_200], rows.iloc[1_200:]
    card = scorecard.score("t", train, holdout, mixed_table(800, 3)[["region", "flag"]])
    (dup,) = [
        f
        for f in diagnose(card, copula.FAMILY, copula.starting_params(1_200, 2))
        if f.kind == "HIGH_DUP_RATE"
    ]
    assert "row space is too small" in dup.root_cause


def test_privacy_fixes_win_over_utility_fixes(real_split):
    from e2i_synth.privacy import copula
    from e2i_synth.privacy.failures import diagnose, next_params

    card = card_of(Copier(), real_split)
    params = {"smoothing": 0.1, "quantiles": 100, "shrinkage": 0.0}
    failures = diagnose(card, copula.FAMILY, params)
    assert next_params(failures, copula.FAMILY, params)["smoothing"] == 0.2
