"""The refuters pass on every clean scenario and a refutation fails the check."""

from __future__ import annotations

import pytest

from e2i_synth.catalog import DGPS
from e2i_synth.validation import causal, refutation
from e2i_synth_tests.conftest import causal_scenario as scenario


@pytest.mark.parametrize("dgp", list(DGPS))
def test_clean_estimates_survive_every_refuter(dgp):
    recovery, refuted = refutation.check_causal(*scenario(dgp))
    assert recovery.passed, recovery.message
    assert refuted.passed, refuted.message
    runs = refuted.figures["refutations"]
    assert {r["refuter"] for r in runs} == set(refutation.REFUTER_SIMULATIONS)
    k = refutation.REFUTER_SIMULATIONS
    assert all(r["simulations"] == k[r["refuter"]] and r["p_value"] > 0.05 for r in runs)
    placebo = [r for r in runs if r["refuter"] == "placebo_treatment"]
    assert all(abs(r["new_effect"]) < 0.02 for r in placebo)


def test_refuters_are_deterministic_for_a_scenario():
    _, fits = causal.estimate_scenario(*scenario("selection_bias"))
    first, second = refutation.refute(fits[0], 7), refutation.refute(fits[0], 7)
    assert first == second


def test_a_significant_refutation_fails_the_check_and_is_named():
    refutations = [
        refutation.Refutation("placebo_treatment", "ate", 0.25, 0.21, 0.001, 20),
        refutation.Refutation("data_subset", "ate", 0.25, 0.25, 0.48, 20),
    ]
    result = refutation.refutation_result(refutations)
    assert not result.passed and result.figures["failed_refutations"] == 1
    assert result.message.startswith("refuted: placebo_treatment on ate")


def test_graph_that_disagrees_with_the_adjustment_set_fails_both_checks():
    journeys, truth = scenario("confounded")
    truth["graph_dot"] = truth["graph_dot"].str.replace("academic_hcp -> treatment_initiated;", "")
    with pytest.raises(ValueError, match="adjustment set"):
        causal.estimate_scenario(journeys, truth)
    recovery, refuted = refutation.check_causal(journeys, truth)
    assert not recovery.passed and not refuted.passed
    assert "causal_ground_truth.adjustment_columns says" in recovery.message
