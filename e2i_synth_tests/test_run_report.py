"""The run's report: the validation report with the privacy section the registry adds."""

from __future__ import annotations

import json

import pandas as pd

from e2i_synth.validation.records import results_frame
from e2i_synth_tests.privacy.stored_twins import SCENARIO, stored_frames
from e2i_synth_tests.validation.test_report import stored_results


def test_the_privacy_section_is_in_the_contents_between_the_checks_and_every_check():
    from e2i_synth import run_report

    page = run_report.render_html(stored_results())
    nav = page[page.index('<nav id="contents">') : page.index("</nav>")]
    assert nav.index('href="#causal-recovery"') < nav.index('href="#privacy"')
    assert nav.index('href="#privacy"') < nav.index('href="#every-check"')
    assert '<a href="#privacy">Privacy and utility of synthesizers</a>' in nav


def privacy_part(page: str) -> str:
    section = page[page.index('<h2 id="privacy">') :]
    return section[: section.index('<h2 id="every-check">')]


def test_report_shows_the_twins_privacy_scorecard_with_its_plots():
    """One scenario's report: the section holds the numbers the check computed, coloured by
    their verdicts, the summary plots and, per scorecard, its marginals and DCR histograms;
    the check counts in the verdict like any other, and its per-scorecard figures are
    drawn, not listed."""
    from e2i_synth import run_report as report
    from e2i_synth.privacy.twin_scorecard import SOURCES, twin_scorecard

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
    listed = page[page.index('<h2 id="every-check">') :]
    assert "drawn in the privacy section" in listed and "dcr_histogram" not in listed


def test_a_report_over_several_scenarios_draws_marginals_only_where_not_green():
    from e2i_synth import run_report as report
    from e2i_synth.privacy.twin_scorecard import CHECK, SOURCES, TABLE, twin_scorecard

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
    from e2i_synth import run_report as report

    assert "No privacy scorecards in this run." in report.render_html(stored_results())
