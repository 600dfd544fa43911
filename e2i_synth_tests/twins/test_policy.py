"""Targeting scored against truth: exact values from the answer key, the uplift curve's
invariants, and a cross-check against econml's causal forest on the same history."""

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from e2i_synth.catalog import INTERVENTION_TYPES
from e2i_synth.twins.policy import qini_coefficient, uplift_curves
from e2i_synth.twins.targeting import ranking

effects = st.lists(st.floats(-0.1, 0.3, allow_nan=False), min_size=2, max_size=60)


@given(effects, st.randoms(use_true_random=False))
def test_no_ranking_beats_the_oracle_and_all_end_at_the_total(values, rnd):
    effect = np.asarray(values)
    other = np.array(rnd.sample(range(len(effect)), len(effect)))
    curves = uplift_curves(effect, {"oracle": ranking(effect), "twin": other})
    assert (curves["twin"] <= curves["oracle"] + 1e-12).all()
    for column in ("oracle", "twin", "random"):
        assert curves[column].iloc[-1] == pytest.approx(effect.sum(), abs=1e-12)
        assert curves[column].iloc[0] == 0


@given(effects)
def test_qini_is_one_for_the_oracle_and_negative_reversed(values):
    effect = np.asarray(values)
    best = ranking(effect)
    curves = uplift_curves(effect, {"oracle": best, "twin": best, "worst": best[::-1]})
    if np.trapezoid(curves["oracle"] - curves["random"], curves["k"]) > 1e-9:
        assert qini_coefficient(curves) == pytest.approx(1.0)
        assert qini_coefficient(curves, "worst") < 0


@pytest.fixture(scope="module")
def evaluations(generator, iw):
    from e2i_synth.twins.policy import evaluate_targeting

    return {
        name: evaluate_targeting(generator, iw, {"intervention_type": name}, "10%")
        for name in INTERVENTION_TYPES
    }


def test_values_are_sums_of_the_answer_key(evaluations, twin_frames):
    units = twin_frames["intervention_unit_truth"].set_index(["intervention_type", "hcp_id"])
    for name, e in evaluations.items():
        effect = units.loc[name, "individual_effect"]
        assert e.policy_value == pytest.approx(effect.loc[e.chosen].sum(), rel=1e-12)
        assert e.oracle_value == pytest.approx(effect.nlargest(e.budget).sum(), rel=1e-12)
        assert e.random_value == pytest.approx(e.budget * effect.mean(), rel=1e-12)
        assert e.regret == e.oracle_value - e.policy_value >= 0


def test_the_twins_target_better_than_the_naive_rule_and_random(evaluations):
    """Measured on the shared scenario at K = 30 of 300: twins 2.35-5.68, naive 1.80-4.33,
    random 1.38-3.32, oracle 2.47-5.92 (regret 4-5% of the oracle's value)."""
    for name, e in evaluations.items():
        assert e.policy_value > e.naive_value > e.random_value, name
        assert e.regret < 0.1 * e.oracle_value, name
        assert e.qini > 0.8, name


def test_the_stored_row_carries_the_curve(twin_frames):
    rows = twin_frames["policy_evaluations"]
    assert (rows["regret"] == rows["oracle_value"] - rows["policy_value"]).all()
    curve = json.loads(rows["uplift_curve"].iloc[0])
    assert len(curve) == 21 and curve[0]["share"] == 0 and curve[-1]["share"] == 1
    assert {"twin", "oracle", "naive", "random"} <= set(curve[0])


@pytest.mark.integration
@pytest.mark.parametrize("name", ["email_campaign", "peer_to_peer_referral"])
def test_the_twins_rank_as_well_as_econmls_causal_forest(name, generator, frame, iw, evaluations):
    """A causal forest (econml's CausalForestDML) fitted on the same history rows, this arm
    against the untreated rows, ranks the same real HCPs; at K = 10% the twins' regret is
    no larger than its. Measured: email 0.118 vs 0.511, peer referral 0.184 vs 1.677 (the
    twins pool all arms' rows into one effect model; the forest sees one arm's)."""
    import pandas as pd
    from econml.dml import CausalForestDML
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    from e2i_synth.twins.features import HCP
    from e2i_synth.twins.policy import uplift_curves
    from e2i_synth.twins.training import training_rows
    from e2i_synth.world.interventions import true_effects

    rows = training_rows(frame)
    encoded = pd.get_dummies(
        pd.concat([rows, iw.hcps])[list(HCP.features)], columns=list(HCP.categories), dtype=float
    ).to_numpy()
    history, hcps = encoded[: len(rows)], encoded[len(rows) :]
    keep = rows["intervention_type"].isin([name, "none"]).to_numpy()
    forest = CausalForestDML(
        model_y=RandomForestRegressor(100, min_samples_leaf=5, random_state=0),
        model_t=RandomForestClassifier(100, min_samples_leaf=5, random_state=0),
        discrete_treatment=True,
        n_estimators=400,
        cv=5,
        random_state=0,
    ).fit(
        rows["prescribing_change"].to_numpy()[keep],
        (rows["intervention_type"] == name).to_numpy()[keep].astype(int),
        X=history[keep],
        groups=rows["hcp_id"].to_numpy()[keep],
    )
    effect = true_effects(iw.hcps, name)
    curves = uplift_curves(
        effect, {"forest": ranking(forest.effect(hcps)), "oracle": ranking(effect)}
    )
    twins = evaluations[name]
    forest_regret = curves["oracle"].iloc[twins.budget] - curves["forest"].iloc[twins.budget]
    assert curves["forest"].iloc[twins.budget] > twins.random_value  # the cross-check targets
    assert twins.regret <= forest_regret
