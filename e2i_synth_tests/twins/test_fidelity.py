import numpy as np
import pytest

from e2i_synth.catalog import INTERVENTION_TYPES


def test_metrics_match_sklearn_and_scipy():
    from scipy import stats

    from e2i_synth.twins.fidelity import fidelity_metrics

    rng = np.random.default_rng(3)
    actual = rng.normal(size=500)
    predicted = actual + rng.normal(scale=0.5, size=500)
    from sklearn.metrics import mean_absolute_error, root_mean_squared_error

    m = fidelity_metrics(predicted, actual, interval_halfwidth=1.0)
    assert m.mae == pytest.approx(mean_absolute_error(actual, predicted))
    assert m.rmse == pytest.approx(root_mean_squared_error(actual, predicted))
    assert m.correlation == pytest.approx(np.corrcoef(predicted, actual)[0, 1])
    # |N(0, 0.5)| <= 1 with probability 2 Phi(2) - 1
    expected = 2 * stats.norm.cdf(2) - 1
    assert abs(m.coverage_95pct - expected) < 4 * np.sqrt(expected * (1 - expected) / 500)


def test_held_out_hcps_are_unseen(generator, iw):
    from e2i_synth.twins.fidelity import check_drift, held_out_frame, prediction_fidelity

    rows = held_out_frame(iw)
    assert set(rows["data_split"]) == {"test"}
    assert not set(rows["hcp_id"]) & set(generator.donors["hcp_id"])
    metrics = prediction_fidelity(generator, rows)
    assert metrics.sample_size == len(rows)
    assert not check_drift(metrics, metrics).drifted


def test_injected_shift_triggers_drift(generator, iw):
    """A level shift of the outcome (the world moved, the twins did not) raises the MAE by
    more than 20% and drops coverage: retrain and investigate."""
    from e2i_synth.twins.fidelity import FidelityHistory, held_out_frame, prediction_fidelity

    rows = held_out_frame(iw)
    history = FidelityHistory(generator.model_id)
    first = history.record(prediction_fidelity(generator, rows), "held_out")
    assert not first.drift.drifted
    shifted = rows.assign(prescribing_change=rows["prescribing_change"] + 0.05)
    second = history.record(prediction_fidelity(generator, shifted), "held_out")
    assert second.drift.retrain and second.drift.investigate
    assert any("retrain" in r for r in second.drift.reasons)
    scrambled = rows.assign(
        prescribing_change=np.random.default_rng(0).permutation(rows["prescribing_change"])
    )
    third = history.record(prediction_fidelity(generator, scrambled), "held_out")
    assert third.drift.warn
    frame = history.frame()
    assert list(frame["retrain"]) == [False, True, third.drift.retrain]


def test_subgroup_scores_line_up_with_truth(generator, iw):
    from e2i_synth.twins.fidelity import score_simulation
    from e2i_synth.twins.simulation import simulate

    population = generator.generate(2_000)
    result = simulate(generator, population, {"intervention_type": "email_campaign"})
    score = score_simulation(result, iw)
    assert score.n_real_hcps == iw.n_hcps
    groups = score.subgroups
    assert groups["true"].notna().all()
    assert np.allclose(
        groups["abs_error"], (groups["simulated"] - groups["true"]).abs(), equal_nan=True
    )
    refused = groups["note"] != ""
    assert groups.loc[refused, "covered"].isna().all()
    assert groups.loc[~refused, "covered"].notna().all()


def test_experiment_feeds_fidelity(generator, iw):
    """The world's multi-arm randomized experiment: each arm's difference in means against
    the untreated arm lands within 4 SEs of the exact effect on the same HCPs; per-HCP
    tracking rows (one per HCP) score the twin predictions of the arm each HCP received."""
    from e2i_synth.twins.fidelity import experiment_fidelity

    experiment = experiment_fidelity(generator, iw, {"tier": [1, 2, 3]})
    tracking = experiment.tracking
    assert len(tracking) == (iw.hcps["priority_tier"] <= 3).sum()
    assert tracking["hcp_id"].is_unique
    sizes = tracking["intervention_type"].value_counts(dropna=False)
    assert len(sizes) == 1 + len(INTERVENTION_TYPES) and sizes.max() - sizes.min() <= 1
    assert (tracking["assigned"] == tracking["intervention_type"].notna()).all()
    np.testing.assert_allclose(
        tracking["error"], (tracking["predicted_value"] - tracking["actual_value"]).abs()
    )
    assert set(experiment.arms) == set(INTERVENTION_TYPES)
    for name, arm in experiment.arms.items():
        assert abs(arm.experiment_ate - arm.true_ate) < 4 * arm.experiment_se, name
        in_arm = tracking["intervention_type"].isin([name]) | ~tracking["assigned"]
        assert arm.metrics.sample_size == in_arm.sum() == len(arm.tracking)
