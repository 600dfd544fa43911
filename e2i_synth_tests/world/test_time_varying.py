"""A time-varying engagement with treatment-confounder feedback (`feedback`): the truth
is the effect of engaging at both times vs at neither; the g-formula recovers it, and the
one-regression answers a backdoor habit gives do not."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from e2i_synth.benchmark.data import variant_data
from e2i_synth.benchmark.estimators import g_formula, ipw
from e2i_synth.catalog import (
    FOLLOWUP_ACTIVITY_COLUMN,
    FOLLOWUP_TREATMENT_COLUMN,
    OUTCOME_COLUMN,
    TREATMENT_COLUMN,
)
from e2i_synth.errors import ConfigError
from e2i_synth.settings import Scenario
from e2i_synth.tables import build_tables
from e2i_synth.validation.causal import parse_graph
from e2i_synth.validation.suite import structural_checks
from e2i_synth.world import draw_world
from e2i_synth.world.variants import parse_knobs

N = 20_000
FEEDBACK = Scenario("kisqali", "confounded", parse_knobs(["feedback=1"]))


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return build_tables(draw_world(FEEDBACK, N, 4))


def test_the_truth_is_the_always_vs_never_contrast_of_unit_outcomes(frames):
    units = frames["unit_truth"].set_index("patient_id")
    journeys = frames["patient_journeys"].set_index("patient_id")
    truth = frames["causal_ground_truth"].iloc[0]
    assert truth["true_ate"] == pytest.approx((units["y1"].astype(int) - units["y0"]).mean())
    first, second = journeys[TREATMENT_COLUMN], journeys[FOLLOWUP_TREATMENT_COLUMN].astype(bool)
    observed = journeys[OUTCOME_COLUMN].astype(bool)
    # engaged at both times: the outcome is y1; at neither: y0 (common random numbers)
    assert (observed[first & second] == units["y1"][first & second]).all()
    assert (observed[~first & ~second] == units["y0"][~first & ~second]).all()
    # the first engagement lowers the day-30 activity, which brings reps back
    activity = journeys[FOLLOWUP_ACTIVITY_COLUMN]
    drop = activity[~first].mean() - activity[first].mean()
    assert drop > 0 and activity.between(0, 10).all()
    assert (
        second[activity > activity.median()].mean() > second[activity <= activity.median()].mean()
    )
    assert [r.message for r in structural_checks(frames) if not r.passed] == []
    # engagement_events records both engagements, the second 30 days after the index
    events = frames["engagement_events"].dropna(subset=["patient_id"])
    dates = events.groupby("patient_id")["engagement_date"].agg(["count", "min", "max"])
    expected = (first.astype(int) + second.astype(int)).loc[dates.index]
    assert (dates["count"] == expected).all()
    assert len(dates) == (first | second).sum()
    both = dates.index[dates["count"] == 2]
    assert ((dates.loc[both, "max"] - dates.loc[both, "min"]).dt.days == 30).all()


def test_the_truth_names_the_time_varying_treatment_and_no_backdoor_set(frames):
    truth = frames["causal_ground_truth"].iloc[0]
    stated = json.loads(truth["identification"])
    assert stated["backdoor_valid"] is False and json.loads(truth["valid_adjustment_sets"]) == []
    assert stated["time_varying"]["treatments"] == [TREATMENT_COLUMN, FOLLOWUP_TREATMENT_COLUMN]
    assert stated["time_varying"]["confounders"] == [FOLLOWUP_ACTIVITY_COLUMN]
    [route] = [r for r in stated["routes"] if r["route"] == "g_formula"]
    assert FOLLOWUP_ACTIVITY_COLUMN in route["columns"]
    graph = parse_graph(truth["graph_dot"])
    assert graph.has_edge(TREATMENT_COLUMN, FOLLOWUP_ACTIVITY_COLUMN)  # feedback
    assert graph.has_edge(FOLLOWUP_ACTIVITY_COLUMN, FOLLOWUP_TREATMENT_COLUMN)  # confounding
    assert graph.has_edge(FOLLOWUP_ACTIVITY_COLUMN, OUTCOME_COLUMN)


def one_regression(journeys: pd.DataFrame, columns: list[str]) -> tuple[float, float]:
    """The sum of both engagements' coefficients in one OLS with `columns` beside them."""
    import statsmodels.api as sm

    design = journeys[[TREATMENT_COLUMN, FOLLOWUP_TREATMENT_COLUMN, *columns]].astype(float)
    fit = sm.OLS(journeys[OUTCOME_COLUMN].astype(float), sm.add_constant(design)).fit(
        cov_type="HC1"
    )
    weights = np.zeros(len(fit.params))
    weights[1:3] = 1
    test = fit.t_test(weights)
    return float(test.effect[0]), float(test.sd[0][0])


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_the_g_formula_recovers_it_and_one_regression_does_not(seed):
    """20,000 patients: the g-formula (ICE, linear, within each regime) lands within 3 SE
    of the truth (measured -1.9, -0.3, -1.1 SE: its linear models miss the activity's
    clipping at 0 and 10, a bias of about one SE); one OLS on both engagements misses it by
    more than 4 SE whether it adjusts for the day-30 activity (which blocks the first
    engagement's effect through it; measured 10 to 11 SE) or not (which leaves the second
    engagement confounded by it; 7 to 8.5 SE); so does the backdoor habit of estimating
    the first engagement's effect alone (IPW; 13 to 15 SE)."""
    data = variant_data(FEEDBACK, N, seed)
    assert data.truth.time_varying == (FOLLOWUP_TREATMENT_COLUMN, FOLLOWUP_ACTIVITY_COLUMN)
    estimate = g_formula(data.tables, data.truth)
    assert abs(estimate.value - data.true_ate) < 3 * estimate.std_error
    journeys = data.tables["patient_journeys"]
    baseline = list(data.truth.adjustment_columns)
    for columns in ([*baseline, FOLLOWUP_ACTIVITY_COLUMN], baseline):
        value, se = one_regression(journeys, columns)
        assert abs(value - data.true_ate) > 4 * se, columns
    first_only = ipw(data.tables, data.truth)
    assert abs(first_only.value - data.true_ate) > 4 * first_only.std_error


def test_the_g_formula_agrees_with_zepids_sequential_regression():
    """zEpid's IterativeCondGFormula (the same iterated conditional expectations, with
    logistic models fitted on everyone) on the same columns: within 2 of our SE of ours
    (measured 0.0003 to 0.02 apart, SE about 0.019) and within 3 SE of the truth."""
    from zepid.causal.gformula import IterativeCondGFormula

    data = variant_data(FEEDBACK, N, 4)
    journeys = data.tables["patient_journeys"]
    columns = list(data.truth.adjustment_columns)
    frame = (
        journeys[columns]
        .astype(float)
        .assign(
            a1=journeys[TREATMENT_COLUMN].astype(int),
            a2=journeys[FOLLOWUP_TREATMENT_COLUMN].astype(int),
            activity=journeys[FOLLOWUP_ACTIVITY_COLUMN].astype(float),
            y1=0,  # a placeholder zEpid overwrites with the second step's predictions
            y2=journeys[OUTCOME_COLUMN].astype(int),
        )
    )
    covariates = " + ".join(columns)
    sequential = IterativeCondGFormula(frame, exposures=["a1", "a2"], outcomes=["y1", "y2"])
    sequential.outcome_model(
        [f"a1 + {covariates}", f"a2 + a1 + activity + {covariates}"], print_results=False
    )
    means = []
    for regime in ([1, 1], [0, 0]):
        sequential.fit(treatments=regime)
        means.append(sequential.marginal_outcome)
    ours = g_formula(data.tables, data.truth)
    assert abs(means[0] - means[1] - ours.value) < 2 * ours.std_error
    assert abs(means[0] - means[1] - data.true_ate) < 3 * ours.std_error


def test_feedback_does_not_combine_with_single_decision_knobs():
    with pytest.raises(ConfigError, match="knob feedback does not combine with dose"):
        parse_knobs(["feedback=0.5", "dose=2"])
