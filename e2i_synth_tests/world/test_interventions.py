import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from e2i_synth.catalog import (
    EFFECT_MULTIPLIERS,
    HISTORY_PERIODS,
    INTERVENTION_TYPES,
    INTERVENTIONS,
    REFERENCE_DURATION_WEEKS,
    REFERENCE_INTENSITY,
)
from e2i_synth.settings import Scenario
from e2i_synth.tables import build_tables
from e2i_synth.tables.downstream import GROUND_TRUTH_SPEC, HISTORY_SPEC, UNIT_TRUTH_SPEC
from e2i_synth.world import draw_world
from e2i_synth.world.interventions import (
    HCP_WORLDS,
    delivery_propensity,
    dose,
    draw_interventions,
    ground_truth_table,
    history_table,
    run_experiment,
    true_effects,
)

SCENARIO = Scenario("kisqali", "confounded")


def layer(seed: int = 7, n_patients: int = 6_000):
    world = draw_world(SCENARIO, n_patients, seed)
    return draw_interventions(world, build_tables(world)["hcp_profiles"])


@pytest.fixture(scope="module")
def iw():
    """600 HCPs: the smallest arm (speaker programmes, ~1 in 10 treated HCPs) then has
    enough HCPs for the naive contrast's bias to stand 4 standard errors clear."""
    return layer()


def test_catalog_lists_every_intervention_once():
    assert tuple(INTERVENTIONS) == INTERVENTION_TYPES
    assert [s.base_effect for s in INTERVENTIONS.values()] == [0.05, 0.08, 0.12, 0.06, 0.10]


def test_same_seed_same_layer_other_seed_differs(iw):
    again = layer()
    pd.testing.assert_frame_equal(history_table(iw), history_table(again))
    pd.testing.assert_frame_equal(ground_truth_table(iw), ground_truth_table(again))
    assert not np.allclose(layer(seed=8).y0, iw.y0)


def test_tables_follow_their_specs(iw):
    history, truth = history_table(iw), ground_truth_table(iw)
    assert list(history.columns) == list(HISTORY_SPEC.columns)
    assert list(truth.columns) == list(GROUND_TRUTH_SPEC.columns)
    assert len(history) == iw.n_hcps * HISTORY_PERIODS
    assert history["history_id"].is_unique and truth["truth_id"].is_unique
    assert not history.duplicated(["hcp_id", "period_index"]).any()
    assert history.groupby("hcp_id")["data_split"].nunique().eq(1).all()
    untreated = ~history["treated"]
    assert history.loc[untreated, ["intervention_type", "intensity"]].isna().all().all()
    assert history.loc[~untreated, ["intervention_type", "intensity"]].notna().all().all()


def test_outcome_is_relative_trx_change(iw):
    history = history_table(iw)
    np.testing.assert_allclose(
        history["trx_after"] / history["trx_before"] - 1, history["prescribing_change"]
    )


@given(st.floats(0.1, 2.0), st.floats(0.1, 2.0), st.integers(1, 52), st.integers(1, 52))
def test_dose_is_one_at_reference_and_monotone(i1, i2, w1, w2):
    assert dose(REFERENCE_INTENSITY, REFERENCE_DURATION_WEEKS) == pytest.approx(1.0)
    if i1 <= i2 and w1 <= w2:
        assert dose(i1, w1) <= dose(i2, w2) + 1e-12


def test_effect_is_base_times_stated_multipliers(iw):
    hcp = iw.hcps.iloc[[0]]
    expected = INTERVENTIONS["speaker_program_invitation"].base_effect * np.prod(
        [EFFECT_MULTIPLIERS[c][hcp[c].iloc[0]] for c in EFFECT_MULTIPLIERS]
    )
    assert true_effects(hcp, "speaker_program_invitation")[0] == pytest.approx(expected)


def test_truth_is_the_exact_mean_and_subgroups_add_up(iw):
    truth = ground_truth_table(iw)
    for name in INTERVENTION_TYPES:
        rows = truth[truth["intervention_type"] == name]
        overall = rows[rows["subgroup_column"] == "all"]["true_ate"].iloc[0]
        assert overall == pytest.approx(true_effects(iw.hcps, name).mean(), abs=1e-15)
        for column in EFFECT_MULTIPLIERS:
            part = rows[rows["subgroup_column"] == column]
            assert part["n_hcps"].sum() == iw.n_hcps
            weighted = (part["true_ate"] * part["n_hcps"]).sum() / iw.n_hcps
            assert weighted == pytest.approx(overall)
    np.testing.assert_allclose(truth["mean_y1"] - truth["mean_y0"], truth["true_ate"])


def test_delivery_is_confounded_with_untreated_growth(iw):
    """Reps favour high-decile, tier-1, early adopters, who also grow faster untreated."""
    propensity = delivery_propensity(iw.hcps)
    level = iw.y0.mean(axis=1)
    assert np.corrcoef(propensity, level)[0, 1] > 0.3
    treated_share = (iw.delivered >= 0).mean(axis=1)
    tier1 = iw.hcps["priority_tier"].to_numpy() == 1
    assert treated_share[tier1].mean() > treated_share[~tier1].mean() + 0.2


def test_naive_contrast_is_biased_upward(iw):
    """Every naive contrast exceeds the exact effect by more than 4 of its standard errors."""
    history = history_table(iw)
    truth = ground_truth_table(iw).query("subgroup_column == 'all'").set_index("intervention_type")
    sd = history["prescribing_change"].std()
    for name in INTERVENTION_TYPES:
        n_treated = (history["intervention_type"] == name).sum()
        se = sd * np.sqrt(1 / n_treated + 1 / (~history["treated"]).sum())
        assert truth.loc[name, "naive_contrast"] - truth.loc[name, "true_ate"] > 4 * se


def test_experiment_puts_each_hcp_in_one_arm_of_the_truths_draw(iw):
    ids = iw.hcps["hcp_id"]
    result = run_experiment(iw, ids)
    assert result["hcp_id"].is_unique and len(result) == len(ids)
    arm = result["intervention_type"]
    sizes = arm.value_counts(dropna=False)
    assert len(sizes) == 1 + len(INTERVENTION_TYPES) and sizes.max() - sizes.min() <= 1
    control = result[arm.isna()]
    untreated = control["prescribing_change"]
    for name in INTERVENTION_TYPES:
        treated = result.loc[arm == name, "prescribing_change"]
        estimate = treated.mean() - untreated.mean()
        se = np.sqrt(treated.var() / len(treated) + untreated.var() / len(untreated))
        assert abs(estimate - true_effects(iw.hcps, name).mean()) < 4 * se, name
    # common random numbers: the untreated arm's outcomes are exactly the world's Y0, and
    # a treated HCP's is Y0 plus its own exact effect
    members = iw.hcps["hcp_id"].isin(control["hcp_id"]).to_numpy()
    np.testing.assert_array_equal(untreated.to_numpy(), iw.y0[members, HISTORY_PERIODS])
    peer = arm == "peer_to_peer_referral"
    rows = iw.hcps["hcp_id"].isin(result.loc[peer, "hcp_id"]).to_numpy()
    expected = iw.y0[rows, HISTORY_PERIODS] + true_effects(iw.hcps[rows], "peer_to_peer_referral")
    np.testing.assert_allclose(result.loc[peer, "prescribing_change"], expected, rtol=1e-15)


def test_unit_truth_is_each_hcps_exact_effect_and_averages_to_the_truth(iw):
    from e2i_synth.world.interventions import unit_truth_table

    units = unit_truth_table(iw)
    assert list(units.columns) == list(UNIT_TRUTH_SPEC.columns)
    assert len(units) == iw.n_hcps * len(INTERVENTION_TYPES) and units["unit_truth_id"].is_unique
    truth = ground_truth_table(iw).query("subgroup_column == 'all'").set_index("intervention_type")
    means = units.groupby("intervention_type")["individual_effect"].mean()
    np.testing.assert_allclose(means[truth.index], truth["true_ate"], rtol=1e-12)
    # the stated dose response reproduces the world's effect at any dose
    row = units.iloc[7]
    hcp = iw.hcps[iw.hcps["hcp_id"] == row["hcp_id"]]
    at = row["individual_effect"] * 1.3 ** row["intensity_exponent"]
    at *= -np.expm1(-20 / row["duration_scale_weeks"])
    at /= -np.expm1(-row["reference_duration_weeks"] / row["duration_scale_weeks"])
    assert at == pytest.approx(true_effects(hcp, row["intervention_type"], 1.3, 20)[0], rel=1e-12)


def dgp_layer(dgp: str):
    from e2i_synth_tests.twins.conftest import layer as twin_layer

    return twin_layer(dgp=dgp)


@pytest.mark.parametrize("dgp", list(HCP_WORLDS))
def test_each_dgp_states_its_truth_and_identification(dgp):
    truth = ground_truth_table(dgp_layer(dgp))
    assert (truth["truth_statement"] == HCP_WORLDS[dgp].truth).all()
    assert (truth["identification"] == HCP_WORLDS[dgp].identification).all()


def test_simple_linear_has_constant_effects_and_no_targeting_bias():
    iw = dgp_layer("simple_linear")
    for name in INTERVENTION_TYPES:
        assert np.ptp(iw.exact_effects(iw.hcps, name)) < 1e-15
    assert np.ptp(delivery_propensity(iw.hcps, HCP_WORLDS["simple_linear"].targeting)) == 0
    truth = ground_truth_table(iw).query("subgroup_column == 'all'").set_index("intervention_type")
    history = history_table(iw)
    sd = history["prescribing_change"].std()
    for name in INTERVENTION_TYPES:
        n = (history["intervention_type"] == name).sum()
        se = sd * np.sqrt(1 / n + 1 / (~history["treated"]).sum())
        assert abs(truth.loc[name, "naive_contrast"] - truth.loc[name, "true_ate"]) < 4 * se


def test_heterogeneous_effects_spread_more_than_confounded():
    """The multiplier squared: the coefficient of variation of the HCPs' effects grows."""
    spread = {}
    for dgp in ("confounded", "heterogeneous"):
        iw = dgp_layer(dgp)
        effect = iw.exact_effects(iw.hcps, "email_campaign")
        spread[dgp] = effect.std() / effect.mean()
    assert spread["heterogeneous"] > 1.8 * spread["confounded"]


def test_time_series_carries_half_an_effect_into_the_next_period():
    iw = dgp_layer("time_series")
    extra = iw.observed - iw.y0[:, :HISTORY_PERIODS] - iw.delivered_effect
    np.testing.assert_allclose(extra[:, 1:], 0.5 * iw.delivered_effect[:, :-1], atol=1e-15)
    assert np.abs(extra[:, 0]).max() < 1e-15 and (extra[:, 1:] > 0.01).any()


def test_selection_bias_drops_hcps_after_a_bad_period_for_good():
    iw = dgp_layer("selection_bias")
    present = iw.present
    assert present[:, 0].all() and not present.all()
    assert (np.diff(present.astype(int), axis=1) <= 0).all()  # once gone, gone
    left_after = present[:, :-1] & ~present[:, 1:]
    assert (iw.observed[:, :-1][left_after] < 0).all()
    history = history_table(iw)
    assert len(history) == present.sum()
    # the truth still covers every HCP, those who left too
    units_mean = iw.exact_effects(iw.hcps, "email_campaign").mean()
    truth = ground_truth_table(iw).query(
        "subgroup_column == 'all' and intervention_type == 'email_campaign'"
    )
    assert truth["true_ate"].iloc[0] == pytest.approx(units_mean, rel=1e-12)
    assert truth["n_hcps"].iloc[0] == iw.n_hcps
