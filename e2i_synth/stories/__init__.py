"""Demo stories: YAML files naming golden questions, a dataset built so that every one of
them returns a meaningful answer, and checks that prove it against the DGP's truth."""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable

from e2i_synth.stories.build import StoryBuild, build_story
from e2i_synth.stories.model import Story, load_story, parse_story

STORIES_FOLDER = "stories"
"""Story files (*.yaml) inside E2I_HOME: the Dagster sensor adds one partition per file."""
EXPORTS_FOLDER = "story_exports"
"""Exported story datasets inside E2I_HOME, one folder per story."""


def example_files() -> list[Traversable]:
    """The stories shipped with the package (kisqali QBR, external prospect demo)."""
    folder = resources.files(__name__) / "examples"
    return sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)


__all__ = [
    "EXPORTS_FOLDER",
    "STORIES_FOLDER",
    "Story",
    "StoryBuild",
    "build_story",
    "example_files",
    "load_story",
    "parse_story",
]
