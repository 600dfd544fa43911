"""The stories domain's definitions, merged by `e2i_synth.defs.definitions`."""

from dagster import Definitions

from e2i_synth.defs.stories.assets import story_dataset
from e2i_synth.defs.stories.jobs import build_stories
from e2i_synth.defs.stories.sensors import story_files

defs = Definitions(assets=[story_dataset], jobs=[build_stories], sensors=[story_files])
