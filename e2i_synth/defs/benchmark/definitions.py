"""The benchmark domain's definitions, merged by `e2i_synth.defs.definitions`."""

from dagster import AssetSelection, Definitions, define_asset_job

from e2i_synth.defs.benchmark.assets import benchmark_variant
from e2i_synth.defs.benchmark.sensors import benchmark_suite_partitions

generate_variants = define_asset_job(
    "generate_variants",
    selection=AssetSelection.assets(benchmark_variant),
    description="Generate benchmark suite variants, one partition each.",
)

defs = Definitions(
    assets=[benchmark_variant], jobs=[generate_variants], sensors=[benchmark_suite_partitions]
)
