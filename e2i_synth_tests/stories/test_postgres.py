import pytest

from e2i_synth.stories.build import build_story
from e2i_synth.stories.model import Heroes
from e2i_synth.stories.postgres import postgres_engine
from e2i_synth_tests.stories.conftest import EXAMPLES, example


@pytest.mark.integration  # two whole 20,000-patient builds, loaded into PostgreSQL
@pytest.mark.postgres
def test_shipped_stories_pass_on_postgres_too(postgres_database):
    for name in EXAMPLES:
        build = build_story(example(name), engines={"postgres": postgres_engine(postgres_database)})
        on_postgres = [o for o in build.attempts[-1].outcomes if o.engine == "postgres"]
        assert len(on_postgres) == len(build.story.queries)
        assert all(o.passed for o in on_postgres), [o.describe() for o in on_postgres]


@pytest.mark.postgres
def test_sql_postgres_rejects_is_reported_not_retried(postgres_database):
    story = example("kisqali_qbr.yaml")
    bad = story.queries[0].model_copy(
        update={
            "expected_sql": "SELECT CAST(engaged AS DOUBLE) AS x FROM patient_journeys",
            "expect": [],
        }
    )
    small = story.scenario.model_copy(update={"scale": 300})
    story = story.model_copy(update={"queries": [bad], "scenario": small, "heroes": Heroes()})
    build = build_story(story, engines={"postgres": postgres_engine(postgres_database)})
    assert len(build.attempts) == 1
    [duck, pg] = build.attempts[0].outcomes
    assert duck.passed and not pg.passed and pg.errored
    assert "cannot cast type boolean to double precision" in pg.reasons[0]
