"""The feature store's propensity and outcome scores and ml_predictions' initiation score
are fitted models of observed data: fitted on the pilot's train split only (the outcome's
where it is recorded), not the answer key, and misspecified where the world is nonlinear."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from e2i_synth.settings import Scenario
from e2i_synth.tables.model_scores import initiation_score, model_scores, pilot_rows
from e2i_synth.world import draw_world
from e2i_synth.world.variants import parse_knobs
from e2i_synth_tests.conftest import frames_of, world_of


def stored_scores(brand: str, dgp: str) -> pd.DataFrame:
    frames = frames_of(brand, dgp)
    values = frames["feature_values"].merge(frames["features"][["feature_id", "feature_name"]])
    rows = values[values["feature_name"].isin(["treatment_propensity", "outcome_probability"])]
    rows = rows.assign(patient_id=rows["entity_values"].str.extract(r'"patient_id": "([^"]+)"'))
    return rows.pivot(index="patient_id", columns="feature_name", values="value").astype(float)


def test_scores_are_fitted_on_the_train_split_alone():
    """An unpenalized logistic fit's score equation: on its own training rows the mean
    prediction equals the mean outcome, which fails on any other set of rows."""
    world = world_of("kisqali", "confounded")
    scores = {**model_scores(world), "initiation": initiation_score(world)}
    pilot = pilot_rows(world)
    assert pilot.sum() == (world.split == 0).sum()  # the whole train split at this size
    for name, observed in (
        ("treatment_propensity", world.engaged),
        ("outcome_probability", world.outcome),
        ("initiation", world.outcome),
    ):
        assert abs(scores[name][pilot].mean() - observed[pilot].mean()) < 1e-4
        others = ~pilot
        gap = abs(scores[name][others].mean() - observed[others].mean())
        se = observed[others].std() / np.sqrt(others.sum())
        assert gap > 1e-4 and gap < 4 * se  # generalizes, but was not fitted there


@pytest.mark.parametrize("knob", ["selection=0.6", "censor=90"])
def test_outcome_scores_learn_from_recorded_outcomes_alone(knob):
    """With outcomes missing not at random (selection) or right-censored, the score
    equation holds on the train rows whose outcome is recorded, not on all of them: no
    label the warehouse holds as NULL was read."""
    world = draw_world(Scenario("kisqali", "confounded", parse_knobs([knob])), 3_000, 7)
    train = pilot_rows(world)
    labelled = train & world.parts.observed
    assert labelled.sum() < 0.97 * train.sum()
    for score in (initiation_score(world), model_scores(world)["outcome_probability"]):
        assert abs(score[labelled].mean() - world.outcome[labelled].mean()) < 1e-4
        assert abs(score[train].mean() - world.outcome[train].mean()) > 0.01


def test_outcome_probability_moves_with_the_treatment_and_is_named_a_trap():
    """The outcome model reads the received treatment: a post-treatment column, which the
    truth names among the columns not to adjust for."""
    world = world_of("kisqali", "confounded")
    flipped = dataclasses.replace(world, engaged=~world.engaged)
    score, other = (model_scores(w)["outcome_probability"] for w in (world, flipped))
    assert np.abs(score - other).min() > 0.01
    truth = frames_of("kisqali", "confounded")["causal_ground_truth"].iloc[0]
    traps = {t["column"]: t for t in json.loads(truth["traps"])}
    trap = traps["outcome_probability"]
    assert (trap["table"], trap["role"]) == ("feature_values", "treatment_descendant")
    assert "engaged" in trap["why"]


def test_scores_are_stored_and_are_not_the_answer_key():
    stored = stored_scores("kisqali", "confounded")
    truth = frames_of("kisqali", "confounded")["unit_truth"].set_index("patient_id")
    truth = truth.loc[stored.index]
    propensity = stored["treatment_propensity"].to_numpy()
    true = truth["true_propensity"].to_numpy()
    assert not np.allclose(propensity, true, atol=1e-3)
    assert np.corrcoef(propensity, true)[0, 1] > 0.9  # a good model of a logistic policy


def test_a_nonlinear_world_leaves_the_logistic_score_misspecified():
    def score_error(knobs: tuple) -> float:
        world = draw_world(Scenario("kisqali", "confounded", knobs), 3_000, 7)
        return float(np.abs(model_scores(world)["treatment_propensity"] - world.propensity).mean())

    assert score_error((("nonlinear", "true"),)) > 2 * score_error(())
