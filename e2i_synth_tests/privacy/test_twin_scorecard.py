"""The scorecard of stored twin populations: donors vs never-fitted HCPs, read back from the
stored JSON, every number and failure in one validation result."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from e2i_synth.twins.features import TWIN_TYPES
from e2i_synth_tests.privacy.stored_twins import SCENARIO, scenario_twins, stored_frames

FEATURES = list(TWIN_TYPES["hcp"].features)


def sources(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    from e2i_synth.privacy.twin_scorecard import SOURCES

    return {name: frames[name] for name in SOURCES}


def test_donors_are_the_generators_training_hcps_and_unseen_the_rest():
    from e2i_synth.privacy.twin_scorecard import real_hcps
    from e2i_synth.twins.training import TRAINING_SPLITS

    frames = stored_frames()
    _, run = scenario_twins()
    donors, unseen = real_hcps(frames["hcp_intervention_history"], frames["hcp_profiles"])
    expected = run.generator.donors[FEATURES]
    pd.testing.assert_frame_equal(
        donors.sort_values(FEATURES).reset_index(drop=True),
        expected.sort_values(FEATURES).reset_index(drop=True),
    )
    splits = frames["hcp_intervention_history"].drop_duplicates("hcp_id")["data_split"]
    assert len(unseen) == (~splits.isin(TRAINING_SPLITS)).sum() == 60
    assert len(donors) == 240


def test_stored_twins_read_back_as_sampled():
    from e2i_synth.privacy.twin_scorecard import population_twins

    frames = stored_frames()
    _, run = scenario_twins()
    twins = population_twins(
        frames["digital_twins"], frames["twin_population_members"], run.population.population_id
    )
    pd.testing.assert_frame_equal(twins, run.population.twins[FEATURES])


def test_twins_keep_the_marginals_and_do_not_single_out_their_donors():
    """The neighbourhood sampler's twins: marginals and correlations green, no copies, and
    an attack AUC near guessing (measured 0.52, SE 0.04 from 60 unseen HCPs; 0.99 when twins
    kept their donors' categories), so the scorecard is all green."""
    from e2i_synth.privacy.results import EVIDENCE, LIMITS
    from e2i_synth.privacy.scorecard import MIA_AUC_LIMIT, Z
    from e2i_synth.privacy.twin_scorecard import CHECK, TABLE, twin_scorecard

    frames = stored_frames()
    result = twin_scorecard(sources(frames))
    figures = result.figures
    (population,) = figures["scorecards"]
    assert result.check == CHECK and result.table == TABLE and result.passed
    assert population["failures"] == [] and "all green" in result.message
    assert figures["ks_mean"] <= LIMITS["ks_mean"] and figures["corr_delta"] <= LIMITS["corr_delta"]
    assert figures["mia_auc"] < MIA_AUC_LIMIT
    # 240 donors against 60 unseen HCPs: Mann-Whitney's SE at 0.5 is 0.037.
    assert (
        0.03 < figures["mia_auc_se"] < 0.05
        and f"(SE {figures['mia_auc_se']:.3f})" in result.message
    )
    assert figures["mia_auc_bound"] == pytest.approx(
        figures["mia_auc"] - Z * figures["mia_auc_se"], abs=1e-3
    )
    # The scorecard's duplicate rate is the generator's own exact-copy rate.
    stored = frames["twin_populations"]["exact_copy_rate"].iloc[0]
    assert figures["duplicate_rate"] == pytest.approx(stored)
    assert set(population["per_column"]) == set(FEATURES) == set(population["marginals"])
    twins, unseen = np.array(population["dcr_synthetic"]), np.array(population["dcr_holdout"])
    assert np.all(np.diff(twins) >= 0) and np.all(np.diff(unseen) >= 0)
    assert population["dcr_share"] < 0.15  # about the 5% an unseen HCP would show
    assert set(figures) >= {*LIMITS, *EVIDENCE, "limits", "scorecards"}


def test_twins_that_copy_their_donors_fail_with_the_samplers_advice():
    """Twins resampled from the donors themselves: every one a copy, the attack singles the
    donors out, and the diagnosis names the sampler's neighbourhood."""
    from e2i_synth.privacy.scorecard import MIA_AUC_LIMIT
    from e2i_synth.privacy.twin_scorecard import real_hcps, twin_scorecard

    frames = stored_frames()
    donors, _ = real_hcps(frames["hcp_intervention_history"], frames["hcp_profiles"])
    twins = frames["digital_twins"].copy()
    copies = donors.sample(len(twins), replace=True, random_state=3)
    twins["features"] = copies.to_json(orient="records", lines=True).splitlines()
    result = twin_scorecard(sources({**frames, "digital_twins": twins}))
    (population,) = result.figures["scorecards"]
    assert not result.passed and population["failures"] == ["HIGH_MIA", "HIGH_DUP_RATE"]
    assert population["mia_auc_bound"] > MIA_AUC_LIMIT and population["duplicate_rate"] == 1.0
    assert not population["passed"]["mia_auc"] and population["passed"]["ks_mean"]
    assert "nearest donors" in population["diagnosis"][0]


def test_twins_that_are_unseen_hcps_show_no_membership_signal():
    """The attack tells donors from unseen HCPs: "twins" resampled from the unseen HCPs put
    the unseen side nearer, so the AUC falls far below the limit."""
    from e2i_synth.privacy.scorecard import MIA_AUC_LIMIT
    from e2i_synth.privacy.twin_scorecard import real_hcps, twin_scorecard

    frames = stored_frames()
    _, unseen = real_hcps(frames["hcp_intervention_history"], frames["hcp_profiles"])
    twins = frames["digital_twins"].copy()
    stand_ins = unseen.sample(len(twins), replace=True, random_state=3)
    twins["features"] = stand_ins.to_json(orient="records", lines=True).splitlines()
    figures = twin_scorecard(sources({**frames, "digital_twins": twins})).figures
    assert figures["mia_auc"] < MIA_AUC_LIMIT - 0.3
    assert figures["duplicate_rate"] == 0.0


def test_a_filtered_population_is_scored_against_its_own_donor_pool():
    from e2i_synth.privacy.results import EVIDENCE, LIMITS
    from e2i_synth.privacy.twin_scorecard import TABLE, real_hcps, twin_scorecard
    from e2i_synth.twins import tables

    frames = stored_frames()
    _, run = scenario_twins()
    tiers = run.generator.generate(500, {"tier": [1, 2]}, seed=9, name="tiers 1-2")
    populations = [run.population, tiers]
    stored = {
        **frames,
        "digital_twins": tables.twins_frame(populations, SCENARIO),
        TABLE: tables.populations_frame(populations, SCENARIO),
        "twin_population_members": tables.members_frame(populations, SCENARIO),
    }
    result = twin_scorecard(sources(stored))
    whole, filtered = result.figures["scorecards"]
    _, unseen = real_hcps(frames["hcp_intervention_history"], frames["hcp_profiles"])
    assert filtered["rows"]["train"] == tiers.reference_count < whole["rows"]["train"]
    assert filtered["rows"]["holdout"] == unseen["priority_tier"].isin([1, 2]).sum()
    assert filtered["rows"]["synthetic"] == 500
    for metric in [*LIMITS, *EVIDENCE]:
        assert result.figures[metric] == max(whole[metric], filtered[metric])


def test_no_population_is_not_green():
    from e2i_synth.privacy.twin_scorecard import TABLE, twin_scorecard

    frames = stored_frames()
    result = twin_scorecard(sources({**frames, TABLE: frames[TABLE].iloc[:0]}))
    assert not result.passed and result.message == "no twin populations stored for this scenario"
