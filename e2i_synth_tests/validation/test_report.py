"""The HTML report: verdict, summary per scenario, every failure, the estimate plot."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd

from e2i_synth.settings import Scenario
from e2i_synth.tables import build_tables
from e2i_synth.validation.records import RESULTS_SPEC, results_frame
from e2i_synth.validation.suite import run_checks
from e2i_synth.world import draw_world
from e2i_synth.world.variants import parse_knobs
from e2i_synth_tests.conftest import frames_of
from e2i_synth_tests.privacy.stored_twins import SCENARIO, stored_frames


def stored_results(shift: float = 0.0) -> pd.DataFrame:
    frames = dict(frames_of("kisqali", "heterogeneous"))
    truth = frames["causal_ground_truth"].copy()
    truth["true_ate"] += shift
    frames["causal_ground_truth"] = truth
    names = ["causal_ground_truth.causal_recovery", "patient_journeys.keys"]
    return results_frame(run_checks(frames, names), "run-1", Scenario("kisqali", "heterogeneous"))


def test_report_names_a_recovery_that_could_not_run_on_missing_outcomes():
    """A variant with outcomes missing not at random: recovery says why it cannot run,
    and the report still renders (no estimands to plot from that check)."""
    from e2i_synth.validation import report

    scenario = Scenario("kisqali", "confounded", parse_knobs(["selection=0.5"]))
    frames = build_tables(draw_world(scenario, 400, 3))
    names = ["causal_ground_truth.causal_recovery", "patient_journeys.schema"]
    results = results_frame(run_checks(frames, names), "run-2", scenario)
    page = report.render_html(results)
    assert "FAILED (1 checks)" in page and "patient_journeys.schema" not in page
    assert "treatment_initiated is NULL for" in page and "true_ate_observed" in page


def test_results_frame_follows_its_spec_and_figures_are_json():
    results = stored_results()
    assert list(results.columns) == list(RESULTS_SPEC.columns)
    assert results["result_id"].is_unique
    recovery = json.loads(
        results.loc[results["check_name"] == "causal_recovery", "figures"].iloc[0]
    )
    assert len(recovery["estimands"]) == 5 and recovery["failed_estimands"] == 0


def test_passing_report_has_summary_plot_and_no_failures():
    from e2i_synth.validation import report

    page = report.render_html(stored_results())
    assert "validation report: PASSED" in page and "None: every check passed." in page
    assert "<svg" in page and "cate region=northeast" in page and "kisqali|heterogeneous" in page


def test_failing_report_names_the_check_and_the_figure():
    from e2i_synth.validation import report

    page = report.render_html(stored_results(shift=0.5))
    assert "FAILED (1 checks)" in page
    assert "causal_ground_truth.causal_recovery</b>: truth not recovered" in page
    summary = report.summary_table(stored_results(shift=0.5))
    assert summary.loc[0, "failed"] == "causal_ground_truth.causal_recovery"


def test_two_commands_started_in_the_same_second_keep_both_reports(tmp_path, monkeypatch):
    """Report names went to the second: the second command's report replaced the first's."""
    from e2i_synth.cli import runs
    from e2i_synth.validation import report

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None) -> datetime:
            return cls(2026, 3, 1, 2, 0, 0, 250_000, tzinfo=UTC)

    stems = []
    with monkeypatch.context() as patched:
        patched.setattr(runs, "datetime", Frozen)
        for pid in (4101, 4102):
            patched.setattr(runs.os, "getpid", lambda pid=pid: pid)
            stems.append(runs.report_stem("validate"))
    outcomes = (stored_results(), stored_results(shift=0.5))
    paths = [
        report.write_report(r, tmp_path, stem) for r, stem in zip(outcomes, stems, strict=True)
    ]
    assert len(set(paths)) == 2 and paths[0].name.startswith("validate-20260301T020000.25")
    assert "PASSED" in paths[0].read_text() and "FAILED" in paths[1].read_text()
    assert (tmp_path / "latest.html").read_text() == paths[1].read_text()
    assert {p.name for p in tmp_path.iterdir()} == {p.name for p in paths} | {"latest.html"}


def privacy_part(page: str) -> str:
    section = page[page.index("<h2>Privacy and utility of synthesizers</h2>") :]
    return section[: section.index("<h2>Every check</h2>")]


def test_report_shows_the_twins_privacy_scorecard_with_its_plots():
    """One scenario's report: the section holds the numbers the check computed, coloured by
    their verdicts, the summary plots and, per scorecard, its marginals and DCR histograms;
    the check counts in the verdict like any other, and its per-scorecard figures are
    drawn, not listed."""
    from e2i_synth.privacy.twin_scorecard import SOURCES, twin_scorecard
    from e2i_synth.validation import report

    frames = stored_frames()
    privacy = twin_scorecard({name: frames[name] for name in SOURCES})
    page = report.render_html(results_frame([privacy], "run-1", SCENARIO))
    assert "validation report: PASSED" in page and "<p>1 checks over 1 scenarios" in page
    section = privacy_part(page)
    figures = privacy.figures
    green = '<td style="background:#d4edda">'
    assert f"{green}{figures['mia_auc']:.3f} ± {figures['mia_auc_se']:.3f} ✓</td>" in section
    assert f"{green}{figures['ks_mean']:.3f} ✓</td>" in section
    assert f"{green}{figures['corr_delta']:.3f} ✓</td>" in section
    # heatmap, DCR ranges, then the scenario's marginals with its DCR histograms
    assert section.count("<svg") == 3 and page.count("<svg") == 3
    details = section[section.index("<details>") :]
    assert details.startswith(f"<details><summary>{SCENARIO.partition_key} twins: all green")
    for column in figures["scorecards"][0]["marginals"]:
        assert f'id="marginal-{column}-real-0"' in details
        assert f'id="marginal-{column}-synthetic-0"' in details
    assert 'id="dcr-synthetic-0"' in details and 'id="dcr-holdout-0"' in details
    listed = page[page.index("<h2>Every check</h2>") :]
    assert "drawn in the privacy section" in listed and "dcr_histogram" not in listed


def test_a_report_over_several_scenarios_draws_marginals_only_where_not_green():
    from e2i_synth.privacy.twin_scorecard import CHECK, SOURCES, TABLE, twin_scorecard
    from e2i_synth.validation import report

    frames = stored_frames()
    privacy = twin_scorecard({name: frames[name] for name in SOURCES})
    core = stored_results()
    results = pd.concat([core, results_frame([privacy], "run-1", SCENARIO)], ignore_index=True)
    page = report.render_html(results)
    assert f"<p>{len(core) + 1} checks over 2 scenarios" in page
    section = privacy_part(page)
    # the table and both summary plots place the green scorecard; no small multiples
    assert f"{SCENARIO.partition_key} twins" in section and section.count("<svg") == 2
    assert "<details" not in section and "Drawn for the 0 of 1 scorecards" in section
    failing = results.copy()
    card = failing["table_name"].eq(TABLE) & failing["check_name"].eq(CHECK)
    failing.loc[card, "passed"] = False
    failing.loc[card, "figures"] = json.dumps(
        {
            **privacy.figures,
            "scorecards": [
                {**privacy.figures["scorecards"][0], "all_green": False, "failures": ["mia_auc"]}
            ],
        }
    )
    section = privacy_part(report.render_html(failing))
    assert section.count("<svg") == 3 and "<details open><summary>" in section


def test_report_without_twins_says_so():
    from e2i_synth.validation import report

    assert "No privacy scorecards in this run." in report.render_html(stored_results())
