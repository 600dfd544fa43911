import numpy as np
import pandas as pd

from e2i_synth.twins.features import HCP


def test_effect_model_reads_treatment_inputs(generator, frame):
    """No delivery -> prediction equals the baseline; the model is the mean of K distinct
    leave-fold-out fits, and so is its effect."""
    from e2i_synth.twins.model import BaselineEffectRegressor, FoldEnsemble

    model = generator.training.model
    hcps = frame.drop_duplicates("hcp_id").head(50)
    untreated = hcps.assign(**HCP.untreated)
    np.testing.assert_allclose(model.predict(untreated), model.baseline(untreated))
    effects = model.effects(
        hcps.assign(intervention_type="email_campaign", intensity=1.0, duration_weeks=12)
    )
    assert effects.shape == (1 + len(model.replicates), len(hcps))
    assert isinstance(model.estimator, FoldEnsemble)
    assert all(isinstance(r, BaselineEffectRegressor) for r in model.replicates)
    assert len({id(r.baseline_) for r in model.replicates}) == len(model.replicates) == 5
    np.testing.assert_allclose(effects[0], effects[1:].mean(axis=0))
    each = np.stack([r.predict(untreated[model.inputs]) for r in model.replicates])
    assert np.ptp(each, axis=0).max() > 0  # fitted on different folds
    # The prediction is the members' mean up to one forest's Monte Carlo spread (see
    # test_pooled_forest_...): nearer to it than any single member is.
    mean = each.mean(axis=0)
    off_mean = np.abs(model.predict(untreated) - mean).mean()
    assert off_mean < np.abs(each - mean).mean(axis=1).min()


def test_feature_importances_cover_both_parts(generator):
    importances = generator.training.model.feature_importances()
    assert abs(importances.filter(like="baseline:").sum() - 1) < 1e-9
    assert abs(importances.filter(like="effect:").sum() - 1) < 1e-9
    assert "effect:intervention_type" in importances.index


def test_effects_encoded_once_equal_each_pipelines_own(generator, frame):
    model = generator.training.model
    treated = frame.head(40).assign(
        intervention_type="peer_to_peer_referral", intensity=1.3, duration_weeks=8
    )
    fast = model.effects(treated)
    slow = np.stack([m.predict_effect(treated[model.inputs]) for m in model.replicates])
    np.testing.assert_allclose(fast, np.vstack([slow.mean(axis=0), slow]))


def test_pooled_forest_predicts_the_mean_of_its_forests_at_the_cost_of_one():
    """A pooled forest holds as many trees as one member, an equal share of each; it
    predicts the members' mean within the Monte Carlo spread of one forest's trees, and is
    exact when every tree is kept. Other learners are not pooled."""
    from e2i_synth.twins.model import GRADIENT_BOOSTING, RANDOM_FOREST, make_pipeline, pooled_forest

    rng = np.random.default_rng(3)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    y = X["a"] * 2 + np.sin(X["b"]) + rng.normal(0, 0.1, 300)
    forests = [
        make_pipeline({}, ("a", "b"), RANDOM_FOREST, seed).fit(X.iloc[k::4], y.iloc[k::4])
        for k, seed in enumerate((1, 2, 3, 4))
    ]
    pooled = pooled_forest(forests)
    n_trees = forests[0][-1].n_estimators
    assert pooled[-1].n_estimators == n_trees
    shares = [{id(t) for t in f[-1].estimators_} for f in forests]
    assert [sum(id(t) in share for t in pooled[-1].estimators_) for share in shares] == [25] * 4
    mean = np.mean([f.predict(X) for f in forests], axis=0)
    trees = np.stack([t.predict(X.to_numpy()) for f in forests for t in f[-1].estimators_])
    monte_carlo_se = trees.std(axis=0) / np.sqrt(n_trees)
    assert np.all(np.abs(pooled.predict(X) - mean) <= 4 * monte_carlo_se + 1e-12)
    assert np.abs(pooled.predict(X) - mean).max() > 0

    every_tree = pooled_forest([forests[0]])
    np.testing.assert_allclose(every_tree.predict(X), forests[0].predict(X), rtol=1e-12)
    boosted = [make_pipeline({}, ("a", "b"), GRADIENT_BOOSTING, 1).fit(X, y)] * 2
    assert pooled_forest(boosted) is None
