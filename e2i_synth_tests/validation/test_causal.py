"""DoWhy recovery passes on clean scenarios and catches a truth or data shifted by 0.1."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pandas as pd
import pyparsing
import pytest

from e2i_synth.catalog import DGPS, OUTCOME_COLUMN, TREATMENT_COLUMN
from e2i_synth.validation import causal
from e2i_synth_tests.conftest import causal_scenario as scenario
from e2i_synth_tests.conftest import frames_of

SHIFT = 0.1


@pytest.mark.parametrize("dgp", list(DGPS))
def test_clean_scenario_recovers_every_estimand(dgp):
    estimates, _ = causal.estimate_scenario(*scenario(dgp))
    recovery = causal.recovery_result(estimates)
    assert recovery.passed, recovery.message
    assert len(estimates) == causal.estimands_per_scenario(dgp)
    for e in recovery.figures["estimands"]:
        assert abs(e["error"]) <= e["band"] and e["passed"]


@pytest.mark.parametrize("dgp", list(DGPS))
def test_truth_shifted_by_a_tenth_is_caught(dgp):
    journeys, truth = scenario(dgp)
    truth["true_ate"] += SHIFT
    recovery = causal.recovery_result(causal.estimate_scenario(journeys, truth)[0])
    assert not recovery.passed
    assert recovery.message.startswith("truth not recovered") and "vs truth" in recovery.message


def test_effect_shifted_in_the_data_is_caught():
    """Drop a tenth of the treated patients' initiations: the data no longer match the truth."""
    journeys, truth = scenario("confounded")
    rng = np.random.default_rng(0)
    treated_initiated = journeys.index[journeys[TREATMENT_COLUMN] & journeys[OUTCOME_COLUMN]]
    n_flip = round(SHIFT * journeys[TREATMENT_COLUMN].sum())
    journeys.loc[rng.choice(treated_initiated, n_flip, replace=False), OUTCOME_COLUMN] = False
    estimates, _ = causal.estimate_scenario(journeys, truth)
    [ate] = estimates
    assert not ate.passed and ate.error < -ate.band


def test_confounded_naive_estimate_is_reported_and_biased():
    estimates, _ = causal.estimate_scenario(*scenario("confounded"))
    [ate] = estimates
    assert ate.naive - ate.truth > 0.05 and ate.passed and ate.within_tolerance and ate.covers
    assert ate.method == "linear_regression"
    assert set(ate.adjustment_set) == set(DGPS["confounded"].adjustment_columns)


def test_heterogeneous_reports_every_segment_and_their_weighted_ate():
    estimates, fits = causal.estimate_scenario(*scenario("heterogeneous"))
    overall, *segments = estimates
    regions = [s.estimand.split("=")[1] for s in segments]
    assert regions == list(DGPS["heterogeneous"].segment_effects)
    weights = np.array([s.n_units for s in segments]) / overall.n_units
    assert overall.value == pytest.approx(weights @ [s.value for s in segments])
    assert len(fits) == 1 and fits[0].results == estimates  # one DoWhy model, refuted once
    assert overall.method == "linear_regression with interactions"
    assert set(overall.adjustment_set) == {"disease_severity", "comorbidity_count", "region"}


def test_time_series_effect_appears_only_after_the_lag():
    after, before = causal.estimate_scenario(*scenario("time_series"))[0]
    assert before.truth == 0.0 and before.passed and abs(before.value) < 0.02
    assert after.passed and after.value > 0.2


def test_selection_bias_uses_weighting_without_the_true_propensity():
    journeys, truth = scenario("selection_bias")
    journeys["true_propensity"] = 0.5  # an estimator reading a joined answer key would break
    [ate], [fitted] = causal.estimate_scenario(journeys, truth)
    assert ate.method == "propensity_score_weighting" and ate.passed
    assert "true_propensity" not in set(fitted.data.columns)


@pytest.mark.parametrize("dgp", list(DGPS))
def test_adjustment_columns_are_dowhys_efficient_set_on_the_stored_graph(dgp):
    """What a user gets from DoWhy on the stored DOT, unmodified, is the stated set."""
    from dowhy import CausalModel

    truth = frames_of("kisqali", dgp)["causal_ground_truth"]
    row = truth.loc[truth["segment_column"].isna()].iloc[0]
    graph = causal.parse_graph(str(row["graph_dot"]))
    columns = sorted(set(graph.nodes))
    model = CausalModel(
        data=pd.DataFrame(0.0, index=range(3), columns=columns),
        treatment=TREATMENT_COLUMN,
        outcome=OUTCOME_COLUMN,
        graph=graph,
    )
    identified = model.identify_effect(method_name="efficient-adjustment")
    assert set(identified.get_backdoor_variables()) == set(row["adjustment_columns"])


def test_parsing_a_graph_keeps_no_callers_tables_alive():
    """pyparsing's memo cache, which matplotlib switches on for the whole process, kept the
    parse's failed alternatives with their tracebacks: every caller's frame, up to the
    check's that held the scenario's tables (250 MiB at full scale), until the next parse."""
    pyparsing.ParserElement.enable_packrat()

    def check() -> weakref.ref:
        tables = pd.DataFrame({"patient_id": range(1_000)})
        graph = causal.parse_graph("digraph {age -> engaged; engaged -> treatment_initiated}")
        assert set(graph.edges) == {("age", "engaged"), ("engaged", "treatment_initiated")}
        return weakref.ref(tables)

    tables = check()
    gc.collect()
    assert tables() is None
