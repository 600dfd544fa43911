"""ml_predictions is what a model of the observed columns would score: with a hidden
confounder, neither the prediction nor the triggers it raises know more of it than the
covariates do, so adjusting for them leaves the hidden-confounding bias where it was."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from e2i_synth.benchmark.data import variant_data
from e2i_synth.benchmark.estimators import BASELINES
from e2i_synth.settings import Scenario
from e2i_synth.tables import TABLES
from e2i_synth.world import draw_world
from e2i_synth.world.variants import parse_knobs

OBSERVED = ["disease_severity", "comorbidity_count", "academic_hcp", "age_at_diagnosis", "region"]
"""The patient's stored pre-treatment covariates."""


def hidden_variant(dgp: str, strength: str) -> Scenario:
    return Scenario("kisqali", dgp, parse_knobs([f"hidden={strength}"]))


def residual(values: np.ndarray, covariates: np.ndarray) -> np.ndarray:
    """What is left of `values` after a linear regression on the covariates."""
    design = np.column_stack([np.ones(len(values)), covariates])
    return values - design @ np.linalg.lstsq(design, values, rcond=None)[0]


@pytest.mark.parametrize(("dgp", "strength"), [("confounded", "0.5"), ("heterogeneous", "0.7")])
def test_predictions_and_triggers_know_nothing_of_the_hidden_confounder(dgp, strength):
    """Partial correlations with the hidden confounder given the stored covariates: within
    3 SE (1/sqrt(n)) of 0. Scored from the true probabilities they were 0.7 to 0.8."""
    world = draw_world(hidden_variant(dgp, strength), 3_000, 7)
    journeys = TABLES["patient_journeys"].build(world, {})
    predictions = TABLES["ml_predictions"].build(world, {})
    triggers = TABLES["triggers"].build(world, {"ml_predictions": predictions})
    covariates = pd.get_dummies(journeys[OBSERVED], drop_first=True, dtype=float).to_numpy(float)
    hidden = residual(world.parts.hidden, covariates)
    scores = {
        "predicted_probability": predictions["predicted_probability"].to_numpy(),
        "triggered": predictions["prediction_id"].isin(triggers["prediction_id"]).to_numpy(),
    }
    for name, score in scores.items():
        partial = np.corrcoef(residual(score.astype(float), covariates), hidden)[0, 1]
        assert abs(partial) < 3 / np.sqrt(world.n_patients), (name, partial)


def test_adjusting_for_the_prediction_leaves_the_hidden_confounding_bias():
    """OLS with the prediction added to the adjustment set (10,000 patients, seed 1): the
    estimate moves by less than its SE. Scored from the true probabilities, the prediction
    took 46% of the bias away (+0.074 to +0.040, SE 0.011)."""
    data = variant_data(hidden_variant("confounded", "0.5"), 10_000, 1)
    world = draw_world(data.scenario, 10_000, 1)
    prediction = TABLES["ml_predictions"].build(world, {})["predicted_probability"].to_numpy()
    journeys = data.tables["patient_journeys"].assign(prediction=prediction)
    with_prediction = dataclasses.replace(
        data.truth, adjustment_columns=(*data.truth.adjustment_columns, "prediction")
    )
    biased = BASELINES["ols"](data.tables, data.truth)
    adjusted = BASELINES["ols"]({**data.tables, "patient_journeys": journeys}, with_prediction)
    assert biased.value - data.true_ate > 3 * biased.std_error  # the hidden bias
    assert abs(adjusted.value - biased.value) < biased.std_error
