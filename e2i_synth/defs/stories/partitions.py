"""Stories as Dagster partitions: one dynamic partition per story file, keyed by its stem."""

from dagster import DynamicPartitionsDefinition

STORY_PARTITIONS = DynamicPartitionsDefinition(name="stories")
