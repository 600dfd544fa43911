"""A golden query cannot pass on nothing: an answer of zeros or NULLs, a window the data
does not hold, a window in the future and an inverted window all fail, saying why."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from e2i_synth.stories import build_story, parse_story
from e2i_synth.stories.analyzer import QueryError, analyze
from e2i_synth.stories.build import analyze_story
from e2i_synth.stories.golden import shows_nothing
from e2i_synth.stories.windows import Window

AS_OF = date(2026, 3, 16)
STORY = """\
title: Questions over nothing
audience: {audience}
as_of: 2026-03-16
scenario: {{brand: fabhalta, dgp: confounded, scale: 1500, seed: 4}}
retries: 2
queries:
  - sequence: 1
    complexity: simple
    question: How many patients were indexed in the last 90 days?
    expected_sql: |
      SELECT COUNT(*) AS patients FROM patient_journeys
      WHERE index_date >= CURRENT_DATE - INTERVAL '90 days'
  - sequence: 2
    complexity: simple
    question: {question}
    expected_sql: |
{sql}
"""


def story(sql: str, audience: str = "internal", question: str = "What happened then?"):
    body = "\n".join(f"      {line}" for line in sql.strip().splitlines())
    return parse_story(STORY.format(audience=audience, question=question, sql=body))


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT COUNT(*) AS n FROM patient_journeys WHERE EXTRACT(YEAR FROM index_date) = 2019",
        "SELECT COUNT(*) AS n, SUM(outcome_value) AS s FROM business_outcomes "
        "WHERE outcome_date BETWEEN DATE '2019-01-01' AND DATE '2019-12-31'",
        "SELECT 'patients' AS what, COUNT(*) AS n FROM patient_journeys "
        "WHERE index_date < DATE '2020-01-01'",
    ],
)
def test_a_count_over_days_without_data_fails_and_is_not_retried(sql):
    build = build_story(story(sql))
    assert not build.passed and len(build.attempts) == 1
    outcome = {o.sequence: o for o in build.attempts[-1].outcomes}
    assert outcome[1].passed
    reasons = outcome[2].reasons
    assert any("holds no data: the story's data there runs" in r for r in reasons), reasons
    assert any("is 0 or NULL: the query finds nothing" in r for r in reasons), reasons


def test_an_aggregate_over_no_row_is_nothing_even_where_no_window_says_so():
    """A filter the analyzer does not read as a window still cannot pass on nothing."""
    sql = (
        "SELECT AVG(disease_severity) AS severity FROM patient_journeys "
        "WHERE age_at_diagnosis > 200"
    )
    build = build_story(story(sql))
    [outcome] = [o for o in build.attempts[-1].outcomes if o.sequence == 2]
    assert outcome.reasons == ("every value of the answer is NULL: the query finds nothing",)


@pytest.mark.parametrize(
    ("answer", "nothing"),
    [
        (pd.DataFrame({"n": [0]}), True),
        (pd.DataFrame({"region": ["west", "south"], "n": [0, 0]}), True),
        (pd.DataFrame({"n": [Decimal("0")], "rate": [None]}, dtype=object), True),
        (pd.DataFrame({"engaged": [False], "total": [float("nan")]}), True),
        (pd.DataFrame({"first_day": [pd.NaT]}), True),
        (pd.DataFrame({"region": ["west"], "n": [0], "share": [0.2]}), False),
        (pd.DataFrame({"n": [Decimal("3")]}, dtype=object), False),
        (pd.DataFrame({"region": ["west"]}), False),
        (pd.DataFrame({"day": [pd.Timestamp("2026-01-01")], "n": [None]}), False),
    ],
)
def test_an_answer_shows_nothing_when_every_figure_is_zero_or_null(answer, nothing):
    assert (shows_nothing(answer) is not None) == nothing


def test_an_inverted_window_is_refused_before_any_data_is_made():
    sql = (
        "SELECT COUNT(*) FROM patient_journeys "
        "WHERE index_date >= CURRENT_DATE - INTERVAL '30 days' "
        "AND index_date < CURRENT_DATE - INTERVAL '60 days'"
    )
    with pytest.raises(QueryError, match=r"patient_journeys\.index_date select no day"):
        analyze(sql, AS_OF)
    with pytest.raises(QueryError, match=r"query 2 .*select no day"):
        analyze_story(story(sql))


def test_two_selects_may_ask_about_different_years():
    """This year against last year in two CTEs is no inverted window: its window spans both."""
    sql = (
        "WITH cur AS (SELECT COUNT(*) AS n FROM patient_journeys "
        "WHERE index_date >= date_trunc('year', CURRENT_DATE)), "
        "prev AS (SELECT COUNT(*) AS n FROM patient_journeys "
        "WHERE index_date >= date_trunc('year', CURRENT_DATE) - INTERVAL '1 year' "
        "AND index_date < date_trunc('year', CURRENT_DATE)) "
        "SELECT cur.n AS this_year, prev.n AS last_year FROM cur, prev"
    )
    windows = analyze(sql, AS_OF).windows()
    assert windows == {("patient_journeys", "index_date"): Window(date(2025, 1, 1), None)}


@pytest.mark.parametrize(
    ("sql", "audience", "end"),
    [
        (
            "SELECT COUNT(*) AS n FROM patient_journeys "
            "WHERE index_date >= CURRENT_DATE + INTERVAL '30 days'",
            "internal",
            "2026-03-16 (the as-of date)",
        ),
        (
            "SELECT COUNT(*) AS n FROM engagement_events "
            "WHERE engagement_date >= date_trunc('month', CURRENT_DATE)",
            "external",
            "2026-02-28 (the end of the last closed month)",
        ),
    ],
)
def test_a_window_after_the_data_end_is_refused_before_any_data_is_made(sql, audience, end):
    expected = rf"query 2 .*starts after the story's data end {re.escape(end)}"
    with pytest.raises(QueryError, match=expected):
        analyze_story(story(sql, audience))
