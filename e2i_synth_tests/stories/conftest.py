"""Stories built once for this package's tests: building is a pure function of the story
file."""

from __future__ import annotations

from functools import cache

import pytest

from e2i_synth.stories import Story, StoryBuild, build_story, example_files, parse_story
from e2i_synth.stories.build import scenario_frames, scenario_world
from e2i_synth_tests.conftest import clear_frames

EXAMPLES = ("kisqali_qbr.yaml", "prospect_demo.yaml")


@cache
def example(name: str) -> Story:
    [file] = [f for f in example_files() if f.name == name]
    return parse_story(file.read_text(encoding="utf-8"), name)


@cache
def built(name: str) -> StoryBuild:
    return build_story(example(name))


@pytest.fixture(scope="package", autouse=True)
def release_builds():
    """The examples build on 20,000-patient scenarios (~400 MB per build with its frames):
    released after this package's tests, with the builder's own cache of scenarios, so the
    rest of the run does not carry them. The shared cache of small frames (up to ~600 MB)
    is dropped first, so the two do not sit on top of each other (the run's peak)."""
    clear_frames()
    yield
    built.cache_clear()
    scenario_frames.cache_clear()
    scenario_world.cache_clear()
