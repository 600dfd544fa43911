import numpy as np
import pandas as pd
import pytest

from e2i_synth.twins.features import HCP
from e2i_synth_tests.twins.conftest import BRAND, DGP, SEED, hcp_frame

N = 4_000


@pytest.fixture(scope="module")
def population(generator):
    return generator.generate(N)


def test_twins_are_new_not_copies(generator, population):
    from e2i_synth.twins.sampler import exact_copy_rate

    assert len(population.twins) == N and population.twins["twin_id"].is_unique
    assert population.exact_copy_rate == 0.0
    assert population.exact_copy_rate == exact_copy_rate(
        population.twins, generator.donors, list(HCP.features)
    )
    assert exact_copy_rate(generator.donors, generator.donors, list(HCP.features)) == 1.0


def test_marginals_match_the_training_population(generator, population):
    """Numeric features: KS distance within the kernel's smoothing plus sampling noise;
    categorical shares within 3 binomial SEs of twins and donors."""
    from scipy import stats

    donors = generator.donors
    for column in ("years_experience", "digital_engagement_score", "peer_influence_score"):
        result = stats.ks_2samp(population.twins[column], donors[column])
        assert result.statistic < 0.1, column
    for column in ("specialty", "adoption_stage", "priority_tier", "region"):
        p = donors[column].value_counts(normalize=True)
        q = population.twins[column].value_counts(normalize=True).reindex(p.index, fill_value=0)
        # A twin's parts come from the donors' neighbourhoods, so the donors are a sample of
        # the twins' distribution as much as the twins are of theirs.
        se = np.sqrt(p * (1 - p) * (1 / N + 1 / len(donors)))
        assert ((q - p).abs() < 3 * se).all(), column


def test_joint_structure_is_kept(generator, population):
    """Features that travel together (one part from one neighbour) keep their correlation
    within 4 SEs of the difference of two correlation estimates; features from different
    parts (associated below `ASSOCIATED` on the donors) may lose theirs but gain none.
    Every twin keeps its donor's decile -> tier rule and target <= total."""
    from e2i_synth.twins.sampler import ASSOCIATED, parts

    numeric = [c for c in HCP.numeric if c not in HCP.strata]
    donors_corr = generator.donors[numeric].corr()
    twins_corr = population.twins[numeric].corr()
    together = {(a, b) for part in parts(generator.donors, HCP) for a in part for b in part}
    for i, a in enumerate(numeric):
        for b in numeric[i + 1 :]:
            r, t = donors_corr.loc[a, b], twins_corr.loc[a, b]
            se = (1 - r**2) * np.sqrt(1 / len(generator.donors) + 1 / N)
            if (a, b) in together:
                assert abs(t - r) < 4 * se, (a, b)
            else:
                assert abs(r) < ASSOCIATED and abs(t) < abs(r) + 4 * se, (a, b)
    pairs = population.twins[["decile", "priority_tier"]].drop_duplicates()
    known = generator.donors[["decile", "priority_tier"]].drop_duplicates()
    assert len(pairs.merge(known)) == len(pairs)
    twins = population.twins
    assert (twins["target_patient_volume"] <= twins["total_patient_volume"]).all()


def test_kernel_is_scotts_rule_on_the_data_covariance(generator):
    """The noise covariance scipy's gaussian_kde uses: cov x n^(-2/(d+4))."""
    from scipy import stats

    jittered = [c for c in HCP.numeric if c not in HCP.strata]
    values = generator.donors[jittered].to_numpy(float)
    n, d = values.shape
    kernel = stats.gaussian_kde(values.T).covariance
    np.testing.assert_allclose(kernel, np.cov(values.T) * n ** (-2 / (d + 4)))


def test_baseline_is_the_untreated_prediction(generator, population):
    untreated = population.twins.assign(**HCP.untreated)
    np.testing.assert_allclose(
        population.twins["baseline_behavior"], generator.training.model.predict(untreated)
    )


def test_filters_restrict_the_donors(generator):
    population = generator.generate(500, {"tier": [1], "min_decile": 9})
    assert (population.twins["priority_tier"] == 1).all()
    assert (population.twins["decile"] >= 9).all()
    assert (
        population.reference_count
        == ((generator.donors["priority_tier"] == 1) & (generator.donors["decile"] >= 9)).sum()
    )


@pytest.mark.integration
def test_same_seed_same_twins_and_results(generator, population):
    from e2i_synth.twins.generator import TwinGenerator
    from e2i_synth.twins.simulation import simulate

    again = TwinGenerator.train(hcp_frame(), "hcp", BRAND, f"{BRAND}|{DGP}", SEED)
    twins = again.generate(N)
    pd.testing.assert_frame_equal(twins.twins, population.twins)
    config = {"intervention_type": "email_campaign"}
    first, second = simulate(generator, population, config), simulate(again, twins, config)
    assert (first.ate, first.ci_lower, first.ci_upper) == (
        second.ate,
        second.ci_lower,
        second.ci_upper,
    )
    assert first.simulation_id == second.simulation_id
    other = generator.generate(N, seed=SEED + 1)
    assert not other.twins["years_experience"].equals(population.twins["years_experience"])


def test_twins_do_not_reveal_their_donors(generator, population, iw):
    """A distance attack (members: the donors; non-members: the HCPs never fitted on) is
    close to guessing: the privacy check's gate passes (its AUC's one-sided 95% lower bound
    is at most 0.60; a twin that kept its donor's categories gave an AUC of 0.99). The
    unseen HCPs are 60 here: the AUC's SE is about 0.04."""
    from e2i_synth.privacy.scorecard import score
    from e2i_synth.privacy.twin_scorecard import real_hcps
    from e2i_synth.world.interventions import history_table

    donors, unseen = real_hcps(history_table(iw), iw.hcps)
    card = score("twins", donors, unseen, population.twins[donors.columns])
    assert card.check("mia_auc").passed and 0.03 < card.mia_auc_se < 0.05
    assert card.ks_mean <= 0.10 and card.corr_delta <= 0.10
