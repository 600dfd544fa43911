"""Expectations are checked against the query's answer columns and the DGP before any data
is made, each problem with its file, line and query."""

from __future__ import annotations

import pytest

from e2i_synth.stories import parse_story
from e2i_synth.stories.build import analyze_story
from e2i_synth.stories.names import QueryError

STORY = """\
title: Expectations
audience: internal
as_of: 2026-03-16
scenario: {{brand: fabhalta, dgp: {dgp}, scale: 1500, seed: 4}}
queries:
  - sequence: 1
    complexity: simple
    question: Initiation by region?
    expected_sql: |
      SELECT region,
             AVG(CASE WHEN treatment_initiated THEN 1.0 ELSE 0.0 END) AS rate,
             COUNT(*) AS patients
      FROM patient_journeys
      GROUP BY region ORDER BY rate DESC
    expect:
      - {expect}
"""


def problems(expect: str, dgp: str = "confounded") -> str:
    with pytest.raises(QueryError) as info:
        analyze_story(parse_story(STORY.format(dgp=dgp, expect=expect), "e.yaml"))
    return str(info.value)


@pytest.mark.parametrize(
    ("expect", "dgp", "message"),
    [
        (
            "above: {column: share, value: 0.1}",
            "confounded",
            "e.yaml line 16, query 1 ('Initiation by region?'): above: column 'share' is not a "
            "column of the answer (it returns region, rate, patients)",
        ),
        (
            "above: {column: region, value: 0.1}",
            "confounded",
            "e.yaml line 16, query 1 ('Initiation by region?'): above compares numbers, and "
            "'region' is VARCHAR",
        ),
        (
            "truth: {column: rate, effect: cate, by: region, tolerance: 0.1}",
            "confounded",
            "dgp confounded plants one effect for everyone, no CATE: use effect: ate",
        ),
        (
            "truth: {column: rate, effect: cate, by: segment, tolerance: 0.1}",
            "heterogeneous",
            "truth: by 'segment' is not a column of the answer",
        ),
        (
            "top_row: {column: region, truth: largest_cate_region}",
            "simple_linear",
            "largest_cate_region needs a DGP whose effect differs by region; dgp "
            "simple_linear plants one effect",
        ),
    ],
)
def test_an_expectation_the_query_or_dgp_cannot_meet_is_refused(expect, dgp, message):
    assert message in problems(expect, dgp)


@pytest.mark.parametrize(
    "expect",
    [
        "above: {column: PATIENTS, value: 10, rows: all}",
        "truth: {column: rate, effect: cate, by: region, tolerance: 0.5}",
        "top_row: {column: region, truth: largest_cate_region}",
        "trend: {column: rate, direction: up}",
    ],
)
def test_expectations_the_query_and_dgp_can_meet_pass(expect):
    story = parse_story(STORY.format(dgp="heterogeneous", expect=expect))
    assert set(analyze_story(story)) == {1}


def test_every_problem_of_every_query_is_listed_with_its_line():
    text = STORY.format(dgp="confounded", expect="below: {column: nope, value: 1}")
    text += (
        text[text.index("  - sequence: 1") :]
        .replace("sequence: 1", "sequence: 2")
        .replace("FROM patient_journeys", "FROM patient_journey")
    )
    story = parse_story(text, "e.yaml")
    with pytest.raises(QueryError) as info:
        analyze_story(story)
    message = str(info.value)
    assert message.startswith("2 problem(s) in the story's queries:")
    assert "e.yaml line 16, query 1" in message and "'nope' is not a column" in message
    assert "e.yaml line 24, query 2" in message and "patient_journey (did you mean" in message


def test_a_parse_error_points_at_the_line_of_the_file():
    text = STORY.format(dgp="confounded", expect="non_empty: true")
    story = parse_story(text.replace("COUNT(*) AS patients", "COUNT(* AS patients"), "e.yaml")
    with pytest.raises(QueryError, match=r"e.yaml line 12, query 1 .* does not parse at line 3"):
        analyze_story(story)


def test_an_unknown_column_points_at_its_line_of_the_file():
    text = STORY.format(dgp="confounded", expect="non_empty: true")
    story = parse_story(text.replace("GROUP BY region", "GROUP BY regoin"), "e.yaml")
    with pytest.raises(QueryError, match=r"e.yaml line 14, query 1 .* regoin \(did you mean"):
        analyze_story(story)


def test_an_inverted_window_points_at_the_line_of_its_filter():
    text = STORY.format(dgp="confounded", expect="non_empty: true")
    inverted = "WHERE index_date >= DATE '2026-03-01' AND index_date < DATE '2026-02-01'\n"
    story = parse_story(
        text.replace("      GROUP BY region", "      " + inverted + "      GROUP BY region"),
        "e.yaml",
    )
    with pytest.raises(QueryError, match=r"e.yaml line 14, query 1 .* select no day"):
        analyze_story(story)


def test_stated_tables_are_matched_in_any_case():
    text = STORY.format(dgp="confounded", expect="non_empty: true")
    text = text.replace("    expect:", "    tables: [Patient_Journeys]\n    expect:")
    assert analyze_story(parse_story(text))[1].tables == ("patient_journeys",)


@pytest.mark.parametrize(
    ("expect", "sql", "refused"),
    [
        ("top_row: {column: region, equals: west}", "GROUP BY region", True),
        ("trend: {column: rate, direction: up}", "GROUP BY region", True),
        ("top_row: {column: region, equals: west}", "GROUP BY region ORDER BY 2", False),
        ("above: {column: rate, value: 0}", "GROUP BY region", False),
    ],
)
def test_row_order_expectations_need_an_order_by(expect, sql, refused):
    text = STORY.format(dgp="confounded", expect=expect)
    story = parse_story(text.replace("GROUP BY region ORDER BY rate DESC", sql), "e.yaml")
    if not refused:
        assert set(analyze_story(story)) == {1}
        return
    with pytest.raises(QueryError, match=r"the query states none: .* add ORDER BY"):
        analyze_story(story)


def test_one_aggregate_row_needs_no_order():
    sql = "SELECT COUNT(*) AS n, RANK() OVER (ORDER BY COUNT(*)) AS r FROM patient_journeys"
    text = STORY.format(dgp="confounded", expect="top_row: {column: r, equals: '1'}")
    start, end = text.index("      SELECT region,"), text.index("    expect:")
    story = parse_story(text[:start] + f"      {sql}\n" + text[end:])
    assert analyze_story(story)[1].single_row
