import pandas as pd
import pytest

from e2i_synth.stories.build import analyze_story, check_queries, hero_values
from e2i_synth.stories.golden import TRUTH_Z, Context, judge
from e2i_synth.stories.model import Expectation, GoldenQuery
from e2i_synth.stories.truth import Truths, read_truths
from e2i_synth_tests.stories.conftest import built

TRUTHS = Truths(
    ate=0.3,
    cate={"west": 0.4, "south": 0.3},
    segment_column="region",
    underperformer_region="south",
    counts={"overall": (2000, 800), "west": (1000, 400), "south": (1000, 400)},
)
CONTEXT = Context({"region": "west"}, TRUTHS)


def outcomes_of(build, frames, sequences=None):
    story = build.story
    if sequences:
        story = story.model_copy(
            update={"queries": [q for q in story.queries if q.sequence in sequences]}
        )
    context = Context(
        hero_values(story, list(build.attempts[-1].heroes)), read_truths(build.frames)
    )
    return check_queries(story, analyze_story(story), frames, context, {})


def test_a_query_on_an_empty_window_fails_with_query_preview_and_reason():
    build = built("kisqali_qbr.yaml")
    query = GoldenQuery(
        sequence=99,
        complexity="simple",
        question="Patients indexed in 1999?",
        expected_sql="SELECT region, COUNT(*) AS n FROM patient_journeys "
        "WHERE index_date >= DATE '1999-01-01' AND index_date < DATE '2000-01-01' GROUP BY region",
    )
    story = build.story.model_copy(update={"queries": [query]})
    context = Context({}, read_truths(build.frames))
    [outcome] = check_queries(story, analyze_story(story), build.presented, context, {})
    assert not outcome.passed and outcome.reasons == ("empty answer",)
    report = outcome.failure_report()
    assert "Patients indexed in 1999?" in report and "'1999-01-01'" in report
    assert "answer (0 rows):\n    (no rows; columns: region, n)" in report


def test_hero_entities_top_their_queries():
    build = built("kisqali_qbr.yaml")
    heroes = dict(hero_values(build.story, list(build.attempts[-1].heroes)))
    outcomes = {o.sequence: o for o in build.attempts[-1].outcomes}
    for sequence, hero in ((3, "region"), (4, "hcp_segment"), (5, "hcp")):
        assert outcomes[sequence].passed
        first_row = outcomes[sequence].preview.splitlines()[1]
        assert heroes[hero] in first_row


def test_truth_checked_query_fails_when_the_data_effect_is_shifted_by_a_tenth():
    build = built("kisqali_qbr.yaml")
    assert all(o.passed for o in outcomes_of(build, build.presented, {3}))
    journeys = build.presented["patient_journeys"].copy()
    treated_west = (journeys["region"] == "west") & journeys["engaged"]
    candidates = journeys.index[treated_west & ~journeys["treatment_initiated"]]
    raised = candidates[: round(0.1 * treated_west.sum())]
    journeys.loc[raised, "treatment_initiated"] = True  # +0.1 on the treated initiation rate
    [outcome] = outcomes_of(build, dict(build.presented, patient_journeys=journeys), {3})
    assert not outcome.passed
    assert any("uplift for west" in r and "planted cate" in r for r in outcome.reasons)


@pytest.mark.parametrize(
    ("stated", "uplift", "passes"),
    [
        (0.05, 0.44, True),  # inside the stated tolerance
        (0.05, 0.50, True),  # outside it, inside 3.29 SE = 0.106 at 400 vs 600 patients
        (0.05, 0.52, False),  # outside both
        (None, 0.30, True),  # no stated tolerance: 3.29 SE alone
        (None, 0.25, False),
        (0.2, 0.25, True),  # a stated tolerance wider than the sampling error stands
    ],
)
def test_truth_tolerance_is_the_larger_of_the_stated_one_and_the_standard_error_rule(
    stated, uplift, passes
):
    error = 0.5 * (1 / 400 + 1 / 600) ** 0.5
    assert TRUTH_Z * error == pytest.approx(0.1062, abs=1e-4)
    truth = {"column": "uplift", "effect": "cate", "by": "region", "tolerance": stated}
    answer = pd.DataFrame({"region": ["west"], "uplift": [uplift]})
    reason = judge(Expectation(truth=truth), answer, CONTEXT)
    assert (reason is None) is passes
    if not passes:
        assert f"3.29 x SE {error:.4f}" in reason


def test_engine_errors_are_the_query_failure_not_a_crash():
    build = built("kisqali_qbr.yaml")
    frames = {k: v for k, v in build.presented.items() if k != "business_metrics"}
    [outcome] = outcomes_of(build, frames, {1})
    assert not outcome.passed and outcome.reasons[0].startswith("duckdb error:")


@pytest.mark.parametrize(
    ("values", "direction", "passes"),
    [
        ([1.0, 1.1, 1.2, 1.3], "up", True),
        ([1.0, 1.01, 0.99, 1.0], "up", False),
        ([1.3, 1.2, 1.1, 1.0], "down", True),
        ([1.0, 1.1, 1.2, 1.3], "down", False),
    ],
)
def test_flat_or_wrong_way_trends_are_dull(values, direction, passes):
    expectation = Expectation(trend={"column": "v", "direction": direction})
    reason = judge(expectation, pd.DataFrame({"v": values}), CONTEXT)
    assert (reason is None) == passes


def test_thresholds_and_top_rows():
    answer = pd.DataFrame({"region": ["south", "west"], "x": [5.0, 1.0]})
    assert judge(Expectation(above={"column": "x", "value": 4}), answer, CONTEXT) is None
    assert judge(Expectation(above={"column": "x", "value": 4, "rows": "all"}), answer, CONTEXT)
    assert (
        judge(
            Expectation(top_row={"column": "region", "truth": "underperformer_region"}),
            answer,
            CONTEXT,
        )
        is None
    )
    reason = judge(Expectation(top_row={"column": "region", "hero": "region"}), answer, CONTEXT)
    assert reason == "top region is 'south', not 'west' hero region"
    missing = judge(Expectation(below={"column": "y", "value": 1}), answer, CONTEXT)
    assert "no column 'y'" in missing
