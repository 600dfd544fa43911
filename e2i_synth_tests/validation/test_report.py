"""The HTML report: verdict, summary per scenario, every failure, the estimate plot."""

from __future__ import annotations

import json

import pandas as pd

from e2i_synth.settings import Scenario
from e2i_synth.validation import report
from e2i_synth.validation.records import RESULTS_SPEC, results_frame
from e2i_synth.validation.suite import run_checks
from e2i_synth_tests.conftest import frames_of


def stored_results(shift: float = 0.0) -> pd.DataFrame:
    frames = dict(frames_of("kisqali", "heterogeneous"))
    truth = frames["causal_ground_truth"].copy()
    truth["true_ate"] += shift
    frames["causal_ground_truth"] = truth
    names = ["causal_ground_truth.causal_recovery", "patient_journeys.keys"]
    return results_frame(run_checks(frames, names), "run-1", Scenario("kisqali", "heterogeneous"))


def test_results_frame_follows_its_spec_and_figures_are_json():
    results = stored_results()
    assert list(results.columns) == list(RESULTS_SPEC.columns)
    assert results["result_id"].is_unique
    recovery = json.loads(
        results.loc[results["check_name"] == "causal_recovery", "figures"].iloc[0]
    )
    assert len(recovery["estimands"]) == 5 and recovery["failed_estimands"] == 0


def test_passing_report_has_summary_plot_and_no_failures():
    page = report.render_html(stored_results())
    assert "validation report: PASSED" in page and "None: every check passed." in page
    assert "<svg" in page and "cate region=northeast" in page and "kisqali|heterogeneous" in page


def test_failing_report_names_the_check_and_the_figure():
    page = report.render_html(stored_results(shift=0.5))
    assert "FAILED (1 checks)" in page
    assert "causal_ground_truth.causal_recovery</b>: truth not recovered" in page
    summary = report.summary_table(stored_results(shift=0.5))
    assert summary.loc[0, "failed"] == "causal_ground_truth.causal_recovery"
