"""Scenarios as Dagster partitions: brand x dgp, keyed 'brand|dgp' (alphabetical dimensions)."""

from dagster import MultiPartitionsDefinition, StaticPartitionsDefinition

from e2i_synth.catalog import BRANDS, DGPS

SCENARIO_PARTITIONS = MultiPartitionsDefinition(
    {
        "brand": StaticPartitionsDefinition(list(BRANDS)),
        "dgp": StaticPartitionsDefinition(list(DGPS)),
    }
)
