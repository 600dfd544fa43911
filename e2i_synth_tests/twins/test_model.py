import numpy as np

from e2i_synth.twins.features import HCP
from e2i_synth.twins.model import BaselineEffectRegressor


def test_effect_model_reads_treatment_inputs(generator, frame):
    """No delivery -> prediction equals the baseline; replicates are K leave-fold-out fits."""
    model = generator.training.model
    hcps = frame.drop_duplicates("hcp_id").head(50)
    untreated = hcps.assign(**HCP.untreated)
    np.testing.assert_allclose(model.predict(untreated), model.baseline(untreated))
    effects = model.effects(
        hcps.assign(intervention_type="email_campaign", intensity=1.0, duration_weeks=12)
    )
    assert effects.shape == (1 + len(model.replicates), len(hcps))
    assert isinstance(model.estimator, BaselineEffectRegressor)
    assert all(model.estimator is not r for r in model.replicates)  # the full-data fit


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
