"""One asset per variant partition: draw, check and store the variant in its own DuckDB
file (benchmark.store), so a suite can be generated as a Dagster backfill."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from e2i_synth.benchmark.store import materialize_variant
from e2i_synth.defs.benchmark.partitions import VARIANT_PARTITIONS, variant_from_key
from e2i_synth.defs.resources import GenerationResource, WarehouseResource


@asset(
    group_name="benchmark",
    partitions_def=VARIANT_PARTITIONS,
    kinds={"duckdb"},
    description="A DGP variant of a benchmark suite, with its truth rows, in "
    "$E2I_HOME/variants/<dgp~knobs>/warehouse.duckdb",
)
def benchmark_variant(
    context: AssetExecutionContext, generation: GenerationResource, warehouse: WarehouseResource
) -> MaterializeResult:
    scenario = variant_from_key(context.partition_key)
    settings = generation.settings()
    stored = materialize_variant(
        scenario, settings.n_patients, settings.seed, warehouse.settings().home
    )
    return MaterializeResult(
        metadata={
            "variant": scenario.label,
            "path": MetadataValue.path(str(stored.home)),
            "rows": sum(stored.rows.values()),
            "true_ate": stored.true_ate,
            "patients": settings.n_patients,
            "seed": settings.seed,
        }
    )
