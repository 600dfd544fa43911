import numpy as np
import pandas as pd

from e2i_synth.twins.features import HCP
from e2i_synth.twins.model import (
    GRADIENT_BOOSTING,
    RANDOM_FOREST,
    BaselineEffectRegressor,
    FoldEnsemble,
    make_pipeline,
    pooled_forest,
)


def test_effect_model_reads_treatment_inputs(generator, frame):
    """No delivery -> prediction equals the baseline; the model is the mean of K distinct
    leave-fold-out fits, and so is its effect."""
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
    np.testing.assert_allclose(model.predict(untreated), each.mean(axis=0))
    assert np.ptp(each, axis=0).max() > 0  # fitted on different folds


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
    slow = np.stack(
        [m.predict_effect(treated[model.inputs]) for m in (model.estimator, *model.replicates)]
    )
    np.testing.assert_allclose(fast, slow)


def test_pooled_forest_predicts_the_mean_of_its_forests():
    """Pooling K random forests' trees into one forest is exactly the mean of their
    predictions (equal tree counts); other learners are not pooled."""
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    y = X["a"] * 2 + np.sin(X["b"]) + rng.normal(0, 0.1, 300)
    forests = [
        make_pipeline({}, ("a", "b"), RANDOM_FOREST, seed).fit(X.iloc[k::3], y.iloc[k::3])
        for k, seed in enumerate((1, 2, 3))
    ]
    pooled = pooled_forest(forests)
    assert pooled[-1].n_estimators == 3 * forests[0][-1].n_estimators
    np.testing.assert_allclose(
        pooled.predict(X), np.mean([f.predict(X) for f in forests], axis=0), rtol=1e-12
    )
    boosted = [make_pipeline({}, ("a", "b"), GRADIENT_BOOSTING, 1).fit(X, y)] * 2
    assert pooled_forest(boosted) is None
