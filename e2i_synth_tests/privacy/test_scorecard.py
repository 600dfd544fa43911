"""The scorecard separates a fresh sample of the real distribution from copies and noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from e2i_synth.errors import E2IError
from e2i_synth_tests.privacy.conftest import mixed_table


def test_a_fresh_sample_of_the_same_distribution_is_all_green(real_split):
    from e2i_synth.privacy import scorecard

    train, holdout = real_split
    card = scorecard.score("fresh", train, holdout, mixed_table(1_200, seed=99), target="flag")
    assert card.all_green, card.as_frame()
    assert 0.3 < card.mia_auc < 0.6
    assert card.dcr_share < 0.15
    assert card.tstr == pytest.approx(card.trtr, abs=0.1)


def test_copied_training_rows_fail_duplicates_and_membership(real_split):
    from e2i_synth.privacy import scorecard

    train, holdout = real_split
    copies = train.sample(len(train), replace=True, random_state=0)
    card = scorecard.score("copier", train, holdout, copies)
    failed = {c.name for c in card.checks if not c.passed}
    assert failed == {"duplicate_rate", "mia_auc", "mia_exposed"}
    assert card.duplicate_rate == 1.0
    assert card.dcr_share == 1.0


def test_uniform_noise_fails_the_marginals(real_split):
    from e2i_synth.privacy import scorecard

    train, holdout = real_split
    rng = np.random.default_rng(0)
    noise = mixed_table(1_200, seed=5).assign(
        x=rng.uniform(-500, 500, 1_200), y=rng.uniform(-500, 500, 1_200)
    )
    card = scorecard.score("noise", train, holdout, noise)
    assert card.ks_mean > scorecard.KS_LIMIT
    assert not card.all_green


def test_scorecard_frame_lists_every_gated_check_with_its_limit(real_split):
    from e2i_synth.privacy import scorecard

    train, holdout = real_split
    card = scorecard.score("fresh", train, holdout, mixed_table(300, seed=4), target="y")
    frame = card.as_frame()
    gated = frame.dropna(subset=["limit"])
    assert list(gated.index) == [c.name for c in card.checks]
    assert set(card.per_column.index) == set(train.columns)


def test_a_tiny_holdout_is_one_clear_error(real_split):
    from e2i_synth.privacy import scorecard

    train, holdout = real_split
    with pytest.raises(E2IError, match="holdout rows"):
        scorecard.score("t", train, holdout.iloc[:5], train)


def test_missing_synthetic_columns_are_one_clear_error(real_split):
    from e2i_synth.privacy import scorecard

    train, holdout = real_split
    with pytest.raises(E2IError, match="missing"):
        scorecard.score("t", train, holdout, pd.DataFrame({"x": [1.0]}))


def test_the_attack_gate_reads_the_aucs_lower_bound():
    """Fails only when AUC - z SE exceeds the limit: a high AUC from a small holdout passes,
    the same AUC measured precisely fails; a check without an SE reads its value."""
    from e2i_synth.privacy import scorecard

    z = scorecard.Z
    assert z == pytest.approx(1.6449, abs=1e-4)
    noisy = scorecard.Check("mia_auc", 0.65, 0.60, se=0.04)
    precise = scorecard.Check("mia_auc", 0.65, 0.60, se=0.01)
    assert noisy.bound == pytest.approx(0.65 - z * 0.04) and noisy.passed
    assert precise.bound == pytest.approx(0.65 - z * 0.01) and not precise.passed
    assert scorecard.Check("ks_mean", 0.1001, 0.10).bound == 0.1001
    assert not scorecard.Check("ks_mean", 0.1001, 0.10).passed


def test_the_attack_is_scored_on_every_member_with_its_se(real_split):
    """Members are not cut to the holdout's size: 1,200 members and 400 holdout rows give
    the SE of a Mann-Whitney AUC near 0.5, sqrt((1/m + 1/n) / 12), within 15%."""
    from e2i_synth.privacy import scorecard

    train, holdout = real_split
    card = scorecard.score("fresh", train, holdout, mixed_table(1_200, seed=99))
    null_se = np.sqrt((1 / 1_200 + 1 / 400) / 12)
    assert card.mia_auc_se == pytest.approx(null_se, rel=0.15)
    frame = card.as_frame()
    assert frame.loc["mia_auc", "se"] == card.mia_auc_se
    assert frame["se"].drop(["mia_auc", "mia_exposed"]).isna().all()


def test_figures_hold_every_number_and_the_histograms_to_draw(real_split):
    from e2i_synth.privacy import scorecard

    train, holdout = real_split
    card = scorecard.score("fresh", train, holdout, mixed_table(1_200, seed=99))
    figures = scorecard.figures(card)
    assert figures["rows"] == {"train": 1_200, "holdout": 400, "synthetic": 1_200}
    assert figures["passed"] == {c.name: c.passed for c in card.checks}
    assert figures["mia_auc_bound"] == pytest.approx(
        card.mia_auc - scorecard.Z * card.mia_auc_se, abs=1e-4
    )
    assert set(figures["marginals"]) == set(train.columns)
    histogram = figures["dcr_histogram"]
    assert sum(histogram["synthetic"]) == pytest.approx(1.0, abs=1e-3)
    assert sum(histogram["holdout"]) == pytest.approx(1.0, abs=1e-3)


def copying(train: pd.DataFrame, fresh: pd.DataFrame, share: float, seed: int) -> pd.DataFrame:
    """A planted leak: `share` of the rows are training rows, nudged past the duplicate
    check (a hundredth of a severity point), the rest fresh."""
    rng = np.random.default_rng(seed)
    copied = train.iloc[rng.choice(len(train), int(share * len(fresh)), replace=False)]
    copied = copied.assign(disease_severity=copied["disease_severity"] + 0.01)
    return pd.concat([copied, fresh.iloc[len(copied) :]], ignore_index=True)


@pytest.mark.parametrize("seed", range(5))
def test_copying_a_tenth_of_the_rows_fails_the_exposure_gate_at_the_small_scale(
    small_journeys, seed
):
    """The AUC of such a leak is about 0.55: under the AUC limit at any holdout size. The
    exposed-members gate catches it (stated power above 0.99), and passes the fresh draw."""
    from e2i_synth.privacy import scorecard

    train, holdout, design, fresh = small_journeys
    leaky = scorecard.score("leak", train, holdout, copying(train, fresh, 0.10, seed), seed=seed)
    assert not leaky.check("mia_exposed").passed
    assert leaky.check("mia_auc").passed and leaky.check("duplicate_rate").passed
    assert leaky.exposed == pytest.approx(0.10, abs=4 * leaky.exposed_se)
    honest = scorecard.score("fresh", train, holdout, fresh, seed=seed, design=design)
    assert honest.check("mia_exposed").passed


def test_the_exposure_gate_states_its_power():
    from e2i_synth.privacy.scorecard import exposure_power

    assert exposure_power(0.10, 1_800, 150) > 0.99
    assert exposure_power(0.0, 1_800, 150) < 1e-3  # false alarm on a leak-free synthesizer
    powers = [exposure_power(c, 1_800, 150) for c in (0.02, 0.05, 0.08, 0.10)]
    assert powers == sorted(powers)


def test_the_effect_rules_and_tstr_gate_all_green(small_journeys):
    """A fresh draw keeps the effect, the rules and TSTR; the same rows with the treatment
    shuffled lose the effect (and the score rule), each failure named with its fix."""
    from e2i_synth.privacy import copula, failures, scorecard

    train, holdout, design, fresh = small_journeys
    card = scorecard.score("fresh", train, holdout, fresh, "engagement_score", 0, design)
    assert card.all_green, card.as_frame()
    gap = abs(card.ate_synthetic - card.ate_real)
    assert gap <= card.ate_tolerance and card.ate_tolerance < 0.1
    rng = np.random.default_rng(0)
    shuffled = fresh.assign(engaged=rng.permutation(fresh["engaged"].to_numpy()))
    broken = scorecard.score("shuffled", train, holdout, shuffled, "engagement_score", 0, design)
    kinds = failures.classify(broken)
    assert {"HIGH_ATE_GAP", "RULE_VIOLATIONS"} <= set(kinds)
    assert broken.rule_adherence["engaged_by_score"] == pytest.approx(0.5, abs=0.05)
    params = copula.starting_params(*train.shape)
    diagnosis = {f.kind: f for f in failures.diagnose(broken, copula.FAMILY, params)}
    assert "treatment effect is not kept" in diagnosis["HIGH_ATE_GAP"].root_cause
    assert any("mst" in s for s in diagnosis["HIGH_ATE_GAP"].suggestions)
    assert "engaged_by_score holds in" in diagnosis["RULE_VIOLATIONS"].root_cause
    moved = failures.next_params(list(diagnosis.values()), copula.FAMILY, params)
    assert moved["shrinkage"] < params["shrinkage"]
