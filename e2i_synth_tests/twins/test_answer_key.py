"""The per-HCP answer key stays apart: no analysis or fidelity table recovers an HCP's
individual effect, by the differencing attack an audit ran on the old experiments
(actual_k - actual_untreated per HCP) or by fitting the stored rows."""

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression

from e2i_synth.catalog import INTERVENTION_TYPES
from e2i_synth.world.interventions import SUBGROUP_COLUMNS


def differencing_attack(tracking: pd.DataFrame) -> pd.DataFrame:
    """Per HCP and intervention: its actual outcome with the intervention minus its actual
    outcome without it, wherever one table row holds each."""
    treated = tracking[tracking["assigned"]]
    untreated = tracking[~tracking["assigned"]][["hcp_id", "actual_value"]]
    return treated.merge(untreated, on="hcp_id", suffixes=("", "_untreated")).assign(
        recovered=lambda f: f["actual_value"] - f["actual_value_untreated"]
    )


def test_the_differencing_attack_finds_nothing_to_difference(twin_frames):
    tracking = twin_frames["fidelity_tracking"]
    assert tracking["hcp_id"].is_unique  # one arm per HCP, as a real experiment
    assert differencing_attack(tracking).empty


def test_the_attack_would_have_recovered_the_old_experiments_exactly(twin_frames, iw):
    """The attack is real: on five experiments of random halves sharing one untreated draw
    (the old design, rebuilt here from the world's draw) it recovers the individual effect
    of every HCP treated in one and untreated in another, to rounding."""
    from e2i_synth.world.interventions import true_effects

    y0 = iw.y0[:, -1]
    old = pd.concat(
        [
            pd.DataFrame(
                {
                    "hcp_id": iw.hcps["hcp_id"],
                    "assigned": assigned,
                    "intervention_type": name,
                    "actual_value": y0 + assigned * true_effects(iw.hcps, name),
                }
            )
            for k, name in enumerate(INTERVENTION_TYPES)
            for assigned in (np.random.default_rng(k).permutation(iw.n_hcps) % 2 == 0,)
        ]
    )
    hit = differencing_attack(old).drop_duplicates(["hcp_id", "intervention_type"])
    units = twin_frames["intervention_unit_truth"]
    joined = hit.merge(units, on=["hcp_id", "intervention_type"])
    assert joined["hcp_id"].nunique() > 0.9 * iw.n_hcps
    np.testing.assert_allclose(joined["recovered"], joined["individual_effect"], atol=1e-15)


def test_fitting_the_stored_experiment_does_not_recover_individual_effects(twin_frames, iw):
    """The second attack: a model of the actual outcome on arm x effect modifiers, fitted to
    the stored experiment, predicts each HCP's effect only as well as a randomized
    experiment allows: off the answer key by far more than rounding."""
    tracking = twin_frames["fidelity_tracking"].merge(
        iw.hcps[["hcp_id", *SUBGROUP_COLUMNS]], on="hcp_id"
    )
    modifiers = pd.get_dummies(tracking[list(SUBGROUP_COLUMNS)].astype(str), dtype=float)
    arms = pd.get_dummies(tracking["intervention_type"], dtype=float)
    design = pd.concat(
        [modifiers, *(modifiers.mul(arms[a], axis=0).add_prefix(f"{a}:") for a in arms)], axis=1
    )
    model = LinearRegression().fit(design, tracking["actual_value"])
    units = twin_frames["intervention_unit_truth"]
    errors = []
    for name in INTERVENTION_TYPES:
        with_arm = design.copy()
        for a in arms:
            with_arm.loc[:, [c for c in design if c.startswith(f"{a}:")]] = modifiers.to_numpy() * (
                a == name
            )
        without = design.copy()
        without.loc[:, [c for c in design if ":" in c]] = 0.0
        predicted = model.predict(with_arm) - model.predict(without)
        truth = units[units["intervention_type"] == name].set_index("hcp_id")["individual_effect"]
        errors.append(np.abs(predicted - truth.loc[tracking["hcp_id"]].to_numpy()))
    error = np.concatenate(errors)
    typical = units["individual_effect"].abs().median()
    assert np.median(error) > 0.1 * typical  # nowhere near exact
    assert np.mean(error < 1e-9) == 0.0


def test_the_answer_key_is_stored_apart(twin_frames, iw):
    units = twin_frames["intervention_unit_truth"]
    assert len(units) == iw.n_hcps * len(INTERVENTION_TYPES)
    analysis = {"hcp_intervention_history", "fidelity_tracking", "simulation_runs"}
    for name in analysis:
        assert "individual_effect" not in twin_frames[name].columns
