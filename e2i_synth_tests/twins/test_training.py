import numpy as np
import pytest

from e2i_synth.twins.errors import LowFidelityWarning, TwinError
from e2i_synth.twins.features import HCP


def test_too_few_rows_is_one_clear_error_naming_the_count(frame):
    from e2i_synth.twins.training import MIN_TRAINING_ROWS, check_frame, fit

    with pytest.raises(TwinError, match=r"at least 1,000 training rows, got 999"):
        fit(frame.head(MIN_TRAINING_ROWS - 1), HCP, seed=0)
    check_frame(frame.head(MIN_TRAINING_ROWS), HCP)  # exactly enough is fine


def test_missing_columns_are_named(frame):
    from e2i_synth.twins.training import check_frame

    with pytest.raises(TwinError, match="decile"):
        check_frame(frame.drop(columns="decile"), HCP)


def test_training_uses_train_and_validation_hcps_only(frame, generator):
    from e2i_synth.twins.training import training_rows

    rows = training_rows(frame)
    assert set(rows["data_split"]) == {"train", "validation"}
    assert generator.training.training_rows == len(rows)
    assert set(generator.donors["hcp_id"]) == set(rows["hcp_id"])


def test_learner_follows_the_cv_rule(generator):
    from e2i_synth.twins.model import GRADIENT_BOOSTING, HYPERPARAMETERS, RANDOM_FOREST
    from e2i_synth.twins.training import GB_WHEN_RF_R2_BELOW

    result = generator.training
    rf_r2 = result.cv_r2_by_learner[RANDOM_FOREST]
    expected = RANDOM_FOREST if rf_r2 >= GB_WHEN_RF_R2_BELOW else GRADIENT_BOOSTING
    assert result.model_type == expected
    assert result.hyperparameters == HYPERPARAMETERS[expected]
    assert result.metrics["cv_r2_mean"] == result.cv_r2_by_learner[expected]
    assert {"cv_mae", "cv_rmse", "cv_r2_std", "train_r2"} <= set(result.metrics)


def test_noise_target_warns(frame):
    from e2i_synth.twins.training import MIN_TRAINING_ROWS, fit, training_rows

    rows = training_rows(frame).head(MIN_TRAINING_ROWS)
    noise = rows.assign(prescribing_change=np.random.default_rng(0).normal(size=len(rows)))
    with pytest.warns(LowFidelityWarning, match="R²"):
        fit(noise, HCP, seed=0)


def test_conformal_interval_covers_95pct_of_unseen_hcps(generator, iw):
    """Split-conformal half-width: coverage on held-out HCPs within 3 binomial SEs of 95%."""
    from e2i_synth.twins.fidelity import held_out_frame, prediction_fidelity

    metrics = prediction_fidelity(generator, held_out_frame(iw))
    se = np.sqrt(0.95 * 0.05 / metrics.sample_size)
    assert abs(metrics.coverage_95pct - 0.95) < 3 * se + 0.01
