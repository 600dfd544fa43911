"""The scorecard of stored twin populations: donors vs never-fitted HCPs, read back from the
stored JSON, every number and failure in one validation result."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from e2i_synth.privacy.scorecard import MIA_AUC_LIMIT
from e2i_synth.privacy.twin_scorecard import (
    CHECK,
    EVIDENCE,
    LIMITS,
    SOURCES,
    TABLE,
    population_twins,
    real_hcps,
    reported,
    twin_scorecard,
)
from e2i_synth.twins import tables
from e2i_synth.twins.features import TWIN_TYPES
from e2i_synth.twins.training import TRAINING_SPLITS
from e2i_synth.validation.records import results_frame
from e2i_synth_tests.privacy.stored_twins import SCENARIO, scenario_twins, stored_frames

FEATURES = list(TWIN_TYPES["hcp"].features)


def sources(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {name: frames[name] for name in SOURCES}


def test_donors_are_the_generators_training_hcps_and_unseen_the_rest():
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
    frames = stored_frames()
    _, run = scenario_twins()
    twins = population_twins(
        frames["digital_twins"], frames["twin_population_members"], run.population.population_id
    )
    pd.testing.assert_frame_equal(twins, run.population.twins[FEATURES])


def test_twins_keep_the_marginals_and_their_membership_signal_is_measured():
    """The neighbourhood sampler's twins: marginals and correlations green, no copies, and
    an attack AUC between guessing and singling donors out (measured 0.62 here; 0.99 when
    twins kept their donors' categories), reported as HIGH_MIA against the 0.60 limit."""
    frames = stored_frames()
    result = twin_scorecard(sources(frames))
    figures = result.figures
    (population,) = figures["populations"]
    assert result.check == CHECK and result.table == TABLE and not result.passed
    assert population["failures"] == ["HIGH_MIA"] and "HIGH_MIA" in result.message
    assert figures["ks_mean"] <= LIMITS["ks_mean"] and figures["corr_delta"] <= LIMITS["corr_delta"]
    assert MIA_AUC_LIMIT < figures["mia_auc"] < 0.75
    # The scorecard's duplicate rate is the generator's own exact-copy rate.
    stored = frames["twin_populations"]["exact_copy_rate"].iloc[0]
    assert figures["duplicate_rate"] == pytest.approx(stored)
    assert "categorical kernel" in population["diagnosis"][0]
    assert set(population["per_column"]) == set(FEATURES)
    twins, unseen = np.array(population["dcr_twins"]), np.array(population["dcr_unseen"])
    assert np.all(np.diff(twins) >= 0) and np.all(np.diff(unseen) >= 0)
    assert twins[10] < unseen[10]  # twins sit nearer the donors than unseen HCPs do
    assert set(figures) >= {*LIMITS, *EVIDENCE, "limits", "populations"}


def test_twins_that_are_unseen_hcps_show_no_membership_signal():
    """The attack tells donors from unseen HCPs: "twins" resampled from the unseen HCPs put
    the unseen side nearer, so the AUC falls far below the limit."""
    frames = stored_frames()
    _, unseen = real_hcps(frames["hcp_intervention_history"], frames["hcp_profiles"])
    twins = frames["digital_twins"].copy()
    stand_ins = unseen.sample(len(twins), replace=True, random_state=3)
    twins["features"] = stand_ins.to_json(orient="records", lines=True).splitlines()
    figures = twin_scorecard(sources({**frames, "digital_twins": twins})).figures
    assert figures["mia_auc"] < MIA_AUC_LIMIT - 0.3
    assert figures["duplicate_rate"] == 0.0


def test_a_filtered_population_is_scored_against_its_own_donor_pool():
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
    whole, filtered = result.figures["populations"]
    _, unseen = real_hcps(frames["hcp_intervention_history"], frames["hcp_profiles"])
    assert filtered["donors"] == tiers.reference_count < whole["donors"]
    assert filtered["unseen"] == unseen["priority_tier"].isin([1, 2]).sum()
    assert filtered["twins"] == 500
    for metric in [*LIMITS, *EVIDENCE]:
        assert result.figures[metric] == max(whole[metric], filtered[metric])


def test_no_population_is_not_green():
    frames = stored_frames()
    result = twin_scorecard(sources({**frames, TABLE: frames[TABLE].iloc[:0]}))
    assert not result.passed and result.message == "no twin populations stored for this scenario"


def test_reported_selects_only_the_twin_scorecard():
    result = twin_scorecard(sources(stored_frames()))
    recorded = results_frame([result], "run-1", SCENARIO)
    other = recorded.assign(check_name="schema")
    both = pd.concat([recorded, other], ignore_index=True)
    assert reported(both).tolist() == [True, False]
