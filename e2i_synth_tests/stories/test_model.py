from datetime import date

import pytest

from e2i_synth.stories.model import StoryError, load_story, parse_story

VALID = """\
title: A story
audience: internal
as_of: 2026-10-15
scenario: {brand: kisqali, dgp: heterogeneous, scale: 2000, seed: 3}
heroes:
  region: {value: west}
queries:
  - sequence: 1
    complexity: simple
    question: Which region has the most patients?
    expected_sql: SELECT region, COUNT(*) AS n FROM patient_journeys GROUP BY 1 ORDER BY 2 DESC
    expect:
      - top_row: {column: region, equals: south}
"""


def test_valid_story_is_typed():
    story = parse_story(VALID)
    assert story.as_of == date(2026, 10, 15)
    assert story.scenario.n_patients == 2000
    assert story.queries[0].expect[0].kind == "top_row"


def test_as_of_defaults_to_today():
    assert parse_story(VALID.replace("as_of: 2026-10-15\n", "")).as_of == date.today()


@pytest.mark.parametrize(
    ("change", "line", "field"),
    [
        (("complexity: simple", "complexity: hard"), 9, "queries[0].complexity"),
        (("audience: internal", "audience: everyone"), 2, "audience"),
        (("equals: south", "hero: hcp"), 13, "queries[0].expect[0].top_row.hero"),
        (("{value: west}", "{value: westt}"), 6, "heroes.region.value"),
        (("scale: 2000", "scale: huge"), 4, "scenario"),
        (("title: A story\n", "title: A story\ncolour: red\n"), 2, "colour"),
        (("heroes:", "temporal: {window_share: 1.5}\nheroes:"), 5, "temporal.window_share"),
        (
            ("{value: west}", "{value: west}\n  product: {value: Fabhalta 200 mg, share: 0.5}"),
            7,
            "heroes.product.value",
        ),
        (("heroes:", "temporal:\n  seasonality: {jully: 1.2}\nheroes:"), 6, "temporal.seasonality"),
    ],
)
def test_malformed_story_is_one_error_naming_line_and_field(change, line, field):
    with pytest.raises(StoryError) as info:
        parse_story(VALID.replace(*change), "qbr.yaml")
    message = str(info.value)
    assert message.count("qbr.yaml line") == 1
    assert f"qbr.yaml line {line}, {field}" in message


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(StoryError, match=r"s.yaml line 2: not valid YAML"):
        parse_story("title: x\n  audience: internal\n", "s.yaml")


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(StoryError, match="cannot read story"):
        load_story(tmp_path / "absent.yaml")


@pytest.mark.parametrize("as_of", ["2026-02-30", "2026-13-01", "yesterday"])
def test_an_impossible_as_of_date_is_one_line_naming_its_line(as_of):
    text = "title: t\naudience: internal\nas_of: {}\n"
    text += "scenario: {{brand: kisqali, dgp: confounded}}\n"
    with pytest.raises(StoryError) as info:
        parse_story(text.format(as_of) + "queries: []\n", "d.yaml")
    assert "d.yaml line 3, as_of: Input should be a valid date" in str(info.value)
