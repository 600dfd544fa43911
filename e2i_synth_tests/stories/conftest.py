"""Stories built once per session: building is a pure function of the story file."""

from __future__ import annotations

from functools import cache

from e2i_synth.stories import Story, StoryBuild, build_story, example_files, parse_story

EXAMPLES = ("kisqali_qbr.yaml", "prospect_demo.yaml")


@cache
def example(name: str) -> Story:
    [file] = [f for f in example_files() if f.name == name]
    return parse_story(file.read_text(encoding="utf-8"), name)


@cache
def built(name: str) -> StoryBuild:
    return build_story(example(name))
