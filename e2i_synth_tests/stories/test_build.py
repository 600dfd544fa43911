import pandas as pd
import pytest

from e2i_synth.stories.analyzer import QueryError
from e2i_synth.stories.build import (
    StoryCheckError,
    analyze_story,
    build_story,
    scenario_frames,
    story_calendar,
    story_frames,
    validate_story,
)
from e2i_synth.stories.model import StoryError, parse_story
from e2i_synth.validation.suite import structural_checks
from e2i_synth_tests.stories.conftest import EXAMPLES, built, example


@pytest.mark.parametrize("name", EXAMPLES)
def test_shipped_stories_pass_with_mixed_queries_and_truth_checks(name):
    build = built(name)
    assert build.passed, build.attempts[-1].describe()
    story = build.story
    assert len(story.queries) >= 6
    assert {q.complexity for q in story.queries} == {"simple", "medium", "complex"}
    truth_checked = [
        q
        for q in story.queries
        if any(e.truth or (e.top_row and e.top_row.truth) for e in q.expect)
    ]
    assert len(truth_checked) >= 2
    assert build.plan.uncovered == []


@pytest.mark.parametrize("name", EXAMPLES)
def test_story_frames_pass_every_structural_check(name):
    assert [r.message for r in structural_checks(built(name).frames) if not r.passed] == []


def test_external_story_hides_names_and_brand():
    build = built("prospect_demo.yaml")
    hcps = build.presented["hcp_profiles"]
    assert not hcps["hcp_name"].str.startswith("Dr.").any()
    assert hcps["hcp_name"].str.fullmatch(r"Provider \d{4}").all()
    for name, frame in build.presented.items():
        if "brand" in frame:
            assert set(frame["brand"]) == {"Zorvexa"}, name
    for name, frame in build.presented.items():  # neither the brand nor its key code shows
        text = frame.astype(str)
        for real in ("remibrutinib", "Remibrutinib", "REM-"):
            found = text.apply(lambda c, r=real: c.str.contains(r, regex=False))
            assert not found.any().any(), (name, real)
    assert build.presented["patient_journeys"]["patient_id"].str.startswith("ZOR-SL-P").all()
    assert set(build.presented["treatment_events"]["product"].dropna()) == {"Zorvexa 25 mg"}
    assert build.plan.data_end.isoformat() == "2026-11-30"  # the last closed month


def test_internal_story_runs_to_the_as_of_date():
    """The as-of date is the data cut: patients are indexed up to the day before it."""
    build = built("kisqali_qbr.yaml")
    as_of = pd.Timestamp(build.story.as_of)
    assert build.frames["patient_journeys"]["index_date"].max() == as_of - pd.Timedelta(days=1)
    assert (build.frames["causal_ground_truth"]["data_cut_date"] == as_of).all()


DULL = """\
title: A segment too small to top its query
audience: internal
as_of: 2026-06-30
scenario: {brand: kisqali, dgp: confounded, scale: 1000, seed: 5}
heroes:
  hcp_segment: {column: adoption_stage, value: innovator, share: 0.15}
retries: 2
queries:
  - sequence: 1
    complexity: simple
    question: Which adoption stage sees most patients?
    expected_sql: |
      SELECT h.adoption_stage, COUNT(*) AS n FROM patient_journeys p
      JOIN hcp_profiles h ON p.hcp_id = h.hcp_id GROUP BY 1 ORDER BY n DESC
    expect:
      - top_row: {column: adoption_stage, hero: hcp_segment}
"""


def test_dull_answers_retry_with_stronger_weights_and_report_each_attempt():
    seen = []
    build = build_story(parse_story(DULL), on_attempt=seen.append)
    assert [a.weight for a in seen] == [a.weight for a in build.attempts]
    assert len(seen) >= 2 and not seen[0].passed and seen[-1].passed
    assert seen[1].weight > seen[0].weight
    assert seen[1].heroes[0].share > seen[0].heroes[0].share
    assert "top adoption_stage is" in seen[0].outcomes[0].reasons[0]


def test_a_story_that_stays_dull_is_one_error_with_every_failure():
    story = parse_story(DULL.replace("retries: 2", "retries: 0"))
    build = build_story(story)
    with pytest.raises(StoryCheckError, match=r"1 golden query failed after 1 attempt") as info:
        build.verdict()
    assert "answer (" in str(info.value)


def test_stated_tables_must_be_the_ones_the_sql_reads():
    stated = DULL.replace("    expect:", "    tables: [patient_journeys]\n    expect:")
    with pytest.raises(
        QueryError,
        match=r"query 1 .* states tables patient_journeys but its SQL reads "
        r"hcp_profiles, patient_journeys",
    ):
        analyze_story(parse_story(stated))
    both = stated.replace("[patient_journeys]", "[hcp_profiles, patient_journeys]")
    assert analyze_story(parse_story(both))[1].tables == ("patient_journeys", "hcp_profiles")


def test_examples_are_package_data():
    assert example("kisqali_qbr.yaml").scenario.dgp == "heterogeneous"


def test_the_story_is_a_pure_transformation_of_its_scenario():
    story = example("kisqali_qbr.yaml")
    spec = story.scenario
    scenario = scenario_frames(spec.brand, spec.dgp, spec.n_patients, spec.seed)

    def digest() -> dict[str, int]:
        return {
            n: int(pd.util.hash_pandas_object(f.astype(str)).sum()) for n, f in scenario.items()
        }

    before = digest()
    build = built("kisqali_qbr.yaml")
    calendar, plan, _ = story_calendar(story, build.analyses)
    assert plan == build.plan
    again = story_frames(story, calendar, 1.0)[0]
    assert digest() == before
    for name, frame in again.items():  # same story, same frames
        pd.testing.assert_frame_equal(frame, build.frames[name])


ONE_OF_EACH = """\
title: t
audience: internal
as_of: 2026-10-05
scenario: {brand: kisqali, dgp: heterogeneous, scale: 2000}
heroes:
  region: {value: west}
queries:
  - sequence: 1
    complexity: sometimes
    question: q1
    expected_sql: SELECT region, COUNT(*) AS n FROM patient_journeys GROUP BY region
  - sequence: 2
    complexity: simple
    question: q2
    expected_sql: SELECT specialty, COUNT(*) AS n FROM hcp_profiles GROUP BY specialty ORDER BY n
    expect:
      - top_row: {column: specialty, hero: hcp_segment}
  - sequence: 3
    complexity: simple
    question: q3
    expected_sql: SELECT regin FROM patient_journeys
"""


def test_validation_lists_schema_hero_and_query_problems_in_one_error():
    with pytest.raises(StoryError) as info:
        validate_story(ONE_OF_EACH, "s.yaml")
    assert str(info.value).splitlines() == [
        "3 problem(s) in the story:",
        "  s.yaml line 9, queries[0].complexity: Input should be 'simple', 'medium' or 'complex'",
        "  s.yaml line 17, queries[1].expect[0].top_row.hero: hero 'hcp_segment' is not "
        "declared under heroes",
        "  s.yaml line 21, query 3 ('q3'): unknown column(s): regin (did you mean region?)",
    ]


def test_validation_says_when_a_schema_error_stops_the_later_checks():
    text = ONE_OF_EACH.replace("dgp: heterogeneous", "dgp: nosuch")
    with pytest.raises(StoryError) as info:
        validate_story(text, "s.yaml")
    lines = str(info.value).splitlines()
    assert lines[0] == "3 problem(s) in the story:"
    assert lines[1].startswith("  s.yaml line 4, scenario.dgp: Input should be")
    assert lines[2].startswith("  s.yaml line 9, queries[0].complexity:")
    assert lines[3] == "  s.yaml: heroes and queries not checked further: fix scenario first"


def test_validation_says_when_no_query_is_left_to_check_the_heroes_with():
    text = ONE_OF_EACH.split("  - sequence: 2")[0]
    with pytest.raises(StoryError) as info:
        validate_story(text, "s.yaml")
    assert str(info.value).splitlines()[1:] == [
        "  s.yaml line 9, queries[0].complexity: Input should be 'simple', 'medium' or 'complex'",
        "  s.yaml: heroes not checked further: no query passed the schema",
    ]


def test_a_valid_story_validates_with_its_analyses():
    text = ONE_OF_EACH.split("  - sequence: 2")[0].replace("sometimes", "simple")
    story, analyses = validate_story(text, "s.yaml")
    assert set(analyses) == {1} and story.queries[0].complexity == "simple"


SMALL = 3000


def test_the_example_story_passes_at_a_small_scale_with_the_standard_error_tolerance():
    story = example("kisqali_qbr.yaml").with_scale(SMALL)
    build = build_story(story)
    assert build.passed, build.attempts[-1].describe()
    assert len(build.frames["patient_journeys"]) == SMALL
    truth = build.frames["causal_ground_truth"]
    assert truth.loc[truth["segment_column"].isna(), "n_units"].item() == SMALL


def test_a_wrong_truth_expectation_still_fails_at_a_small_scale():
    """The engaged patients' rate is no uplift: it misses the planted CATE by far more than
    the widened tolerance."""
    story = example("kisqali_qbr.yaml").with_scale(SMALL)
    wrong = story.queries[2].expected_sql.replace("t.rate - c.rate AS lift", "t.rate AS lift")
    assert wrong != story.queries[2].expected_sql
    queries = [story.queries[2].model_copy(update={"expected_sql": wrong})]
    build = build_story(story.model_copy(update={"queries": queries, "retries": 0}))
    [outcome] = build.attempts[-1].outcomes
    assert not outcome.passed
    assert any("planted cate" in r and "3.29 x SE" in r for r in outcome.reasons)
    with pytest.raises(StoryCheckError, match=r"1 golden query failed after 1 attempt"):
        build.verdict()


def test_a_scale_the_scenario_refuses_is_one_error():
    with pytest.raises(StoryError, match=r"--scale 0: "):
        example("kisqali_qbr.yaml").with_scale(0)
