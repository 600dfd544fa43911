"""Retries raise only what a failing query depends on and stop, saying why, when no change
can help; a share the story states and the data does not reach fails the build."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from e2i_synth.stories import build_story, parse_story
from e2i_synth.stories.build import StoryCheckError, analyze_story
from e2i_synth.stories.golden import QueryOutcome
from e2i_synth.stories.heroes import HeroResult
from e2i_synth.stories.retries import CALENDAR, initial_weights, next_weights, query_levers
from e2i_synth_tests.stories.test_build import DULL

HEAD = """\
title: Retries
audience: internal
as_of: 2026-06-30
scenario: {{brand: kisqali, dgp: confounded, scale: 1000, seed: 5}}
heroes:
{heroes}
retries: 3
queries:
"""
SEGMENT_QUERY = DULL[DULL.index("  - sequence: 1") :]  # a segment hero tops it
TRUTH_QUERY = """\
  - sequence: 2
    complexity: complex
    question: What does engagement add (naively)?
    expected_sql: |
      SELECT AVG(CASE WHEN treatment_initiated THEN 1.0 ELSE 0.0 END) AS rate
      FROM patient_journeys WHERE engaged AND treatment_initiated IS NOT NULL
    expect:
      - truth: {column: rate, effect: ate, tolerance: 0.01}
"""
SEGMENT = "  hcp_segment: {column: adoption_stage, value: innovator, share: 0.15}"
PRODUCT = "  product: {value: Kisqali 400 mg, share: 0.3}"


def story(heroes: str, *queries: str):
    return parse_story(HEAD.format(heroes=heroes) + "".join(queries))


def test_a_retry_raises_only_the_hero_the_failing_query_names():
    build = build_story(story(f"{SEGMENT}\n{PRODUCT}", SEGMENT_QUERY))
    assert build.passed and len(build.attempts) >= 2
    first, last = build.attempts[0], build.attempts[-1]
    assert first.next_step.startswith("retrying with hcp_segment x1.5")
    assert last.weights["hcp_segment"] > 1 and last.weights["product"] == 1
    product = [h for h in last.heroes if h.kind == "product"]
    assert product[0].share == pytest.approx(0.3, abs=product[0].unit)


def test_a_failure_no_weight_can_move_stops_at_once_and_says_so():
    build = build_story(story(PRODUCT, TRUTH_QUERY))
    assert not build.passed and len(build.attempts) == 1
    assert build.attempts[0].weights == {"product": 1.0}
    assert "no retry can help: query 2 depends on no hero" in build.attempts[0].next_step
    with pytest.raises(StoryCheckError, match="no retry can help"):
        build.verdict()


def test_a_stated_hcp_share_out_of_reach_fails_naming_the_share_reached():
    build = build_story(
        story(
            "  hcp: {share: 0.49}",
            TRUTH_QUERY.replace(
                "truth: {column: rate, effect: ate, tolerance: 0.01}", "non_empty: true"
            ),
        )
    )
    [hero] = build.attempts[-1].heroes
    assert hero.share < 0.49 and hero.limit
    assert len(build.attempts) == 1  # every query passes: nothing to retry, the miss stands
    assert build.attempts[0].misses and not build.passed
    with pytest.raises(StoryCheckError) as info:
        build.verdict()
    message = str(info.value)
    assert f"hero hcp {hero.value} reaches {hero.share:.1%} of the patients, the story " in message
    assert "states 49.0%" in message and "largest such group" in message


@pytest.mark.parametrize("share", [0.96, 0.99])
def test_a_high_stated_segment_share_is_not_capped(share):
    heroes = f"  hcp_segment: {{column: adoption_stage, value: innovator, share: {share}}}"
    build = build_story(story(heroes, SEGMENT_QUERY))
    [hero] = build.attempts[-1].heroes
    assert hero.share >= share and not build.attempts[-1].misses


def test_levers_are_the_named_heroes_and_the_weighted_calendar():
    windowed = SEGMENT_QUERY.replace(
        "GROUP BY 1", "WHERE p.index_date >= DATE '2026-01-01' GROUP BY 1"
    )
    s = story(f"{SEGMENT}\n{PRODUCT}", windowed, TRUTH_QUERY)
    analyses = analyze_story(s)
    assert query_levers(s, s.queries[0], analyses[1]) == {"hcp_segment"}
    assert query_levers(s, s.queries[1], analyses[2]) == set()
    weighted = parse_story(
        HEAD.format(heroes=SEGMENT).replace(
            "retries: 3", "retries: 3\ntemporal: {window_share: 0.5}"
        )
        + windowed
    )
    assert query_levers(weighted, weighted.queries[0], analyze_story(weighted)[1]) == {
        "hcp_segment",
        CALENDAR,
    }


WINDOWED = """\
  - sequence: 3
    complexity: simple
    question: Patients this year?
    expected_sql: |
      SELECT COUNT(*) AS n FROM patient_journeys WHERE index_date >= DATE '2026-01-01'
    expect:
      - above: {column: n, value: 10}
"""


def outcome(sequence: int, passed: bool) -> QueryOutcome:
    reasons = () if passed else ("dull",)
    return QueryOutcome(sequence, "q", "simple", "duckdb", "", passed, reasons, False, 1, "", 0.0)


def hero(kind: str, share: float, target: float) -> HeroResult:
    return HeroResult(kind, "v", target, share, 0.15, 0.001)


@settings(max_examples=60, deadline=None)
@given(
    passed=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    stuck=st.sets(st.sampled_from(["hcp_segment", "product"])),
)
def test_a_retry_raises_only_free_levers_of_failing_queries(passed, stuck):
    head = HEAD.format(heroes=f"{SEGMENT}\n{PRODUCT}")
    s = parse_story(
        head.replace("retries: 3", "temporal: {window_share: 0.5}")
        + SEGMENT_QUERY
        + TRUTH_QUERY
        + WINDOWED
    )
    analyses = analyze_story(s)
    weights = initial_weights(s)
    heroes = [hero(k, 0.1 if k in stuck else 0.2, 0.2) for k in ("hcp_segment", "product")]
    outcomes = [outcome(i + 1, p) for i, p in enumerate(passed)]
    decision = next_weights(s, analyses, weights, outcomes, heroes, None)
    failing = [q for q, p in zip(s.queries, passed, strict=True) if not p]
    free = set().union(*(query_levers(s, q, analyses[q.sequence]) for q in failing)) - stuck
    if not failing:
        assert decision.weights is None and decision.reason == "every golden query passes"
    elif not free:
        assert decision.weights is None and decision.reason.startswith("no retry can help")
    else:
        raised = {k for k, w in decision.weights.items() if w > weights[k]}
        assert raised == free and "product" not in raised  # no failing query names it
