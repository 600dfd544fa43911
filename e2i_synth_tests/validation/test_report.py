"""The HTML report: verdict, summary per scenario, every failure, the estimate plot."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd

from e2i_synth.settings import Scenario
from e2i_synth.tables import build_tables
from e2i_synth.tables.results import RESULTS_SPEC
from e2i_synth.validation.records import results_frame
from e2i_synth.validation.suite import run_checks
from e2i_synth.world import draw_world
from e2i_synth.world.variants import parse_knobs
from e2i_synth_tests.conftest import frames_of


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


def test_the_contents_link_every_section_and_each_heading_carries_its_anchor():
    """The report was one long page with no way around it: the contents now list every
    section, own and added, each a link to the anchor its heading carries."""
    import re

    from e2i_synth.validation import report

    added = report.ReportSection("added", "Added <by a domain>", lambda r: "<p>added body</p>")
    page = report.render_html(stored_results(), [added])
    nav = page[page.index('<nav id="contents">') : page.index("</nav>")]
    links = re.findall(r'<a href="#([a-z-]+)">([^<]+)</a>', nav)
    assert links == [
        ("summary", "Summary"),
        ("failures", "Failures"),
        ("causal-recovery", "Causal recovery"),
        ("added", "Added &lt;by a domain&gt;"),
        ("every-check", "Every check"),
    ]
    anchors = re.findall(r'<h2 id="([a-z-]+)">', page)
    assert anchors == [anchor for anchor, _ in links]
    assert (
        page.index('id="added"') < page.index("<p>added body</p>") < page.index('id="every-check"')
    )
    assert "<script" not in page


def test_a_section_names_the_figures_it_draws_under_every_check():
    """A result a section draws is listed with those figures named, not dumped."""
    from e2i_synth.validation import report

    results = stored_results()
    recovery = (results["check_name"] == "causal_recovery").to_numpy()
    drawing = report.ReportSection(
        "drawing", "Drawing", lambda r: "", draws=lambda r: recovery, drawn_figures=("estimands",)
    )
    listed = report.listed_figures(results, [drawing])
    drawn = json.loads(listed[int(recovery.argmax())])
    assert drawn["estimands"] == "drawn in the drawing section" and "estimate" in drawn
    assert listed[int((~recovery).argmax())] == results["figures"][int((~recovery).argmax())]


def test_a_report_is_readable_by_whoever_may_read_its_folder(tmp_path):
    """Written through a private temporary file, it used to keep that file's mode, 0600."""
    from e2i_synth.validation.report import write_whole

    path = tmp_path / "latest.html"
    write_whole(path, "<html></html>")
    assert path.stat().st_mode & 0o777 == 0o644 and path.read_text() == "<html></html>"
