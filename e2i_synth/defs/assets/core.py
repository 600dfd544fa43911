"""The seven core tables and the ground truth: one partitioned asset each.

They are produced by one multi-asset step per scenario: the world is drawn once, every
selected table is projected from it, the scenario is checked for integrity, and all
tables are replaced in one warehouse transaction — so a failure leaves the previous
scenario intact and truth and data never drift apart.
"""

from collections.abc import Iterator

from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, MetadataValue, multi_asset

from e2i_synth.defs.partitions import SCENARIO_PARTITIONS
from e2i_synth.defs.resources import GenerationResource, WarehouseResource
from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario
from e2i_synth.tables import CORE_TABLES, build_tables
from e2i_synth.validation.integrity import scenario_problems
from e2i_synth.world import cached_world

CORE_SPECS = [
    AssetSpec(
        module.SPEC.name,
        deps=sorted(set(module.SPEC.foreign_keys.values())),
        description=(module.__doc__ or "").strip().splitlines()[0],
        group_name="core",
        kinds={"duckdb", "pandas"},
        partitions_def=SCENARIO_PARTITIONS,
    )
    for module in CORE_TABLES
]


@multi_asset(specs=CORE_SPECS, can_subset=True, partitions_def=SCENARIO_PARTITIONS)
def core_tables(
    context: AssetExecutionContext,
    generation: GenerationResource,
    warehouse: WarehouseResource,
) -> Iterator[MaterializeResult]:
    scenario = Scenario.from_partition_key(str(context.partition_key))
    world = cached_world(scenario, generation.n_patients, generation.root_seed)
    frames = build_tables(world)
    problems = scenario_problems(frames)
    if problems:
        raise E2IError(
            f"scenario {scenario.partition_key} failed integrity: " + "; ".join(problems)
        )
    selected = {key.to_user_string() for key in context.selected_asset_keys}
    warehouse.get().replace_scenario(scenario, {k: v for k, v in frames.items() if k in selected})
    truth = frames["causal_ground_truth"]
    overall_ate = float(truth.loc[truth["segment_column"].isna(), "true_ate"].iloc[0])
    for name in (n for n in frames if n in selected):
        metadata = {"rows": MetadataValue.int(len(frames[name])), "seed": generation.root_seed}
        if name == "causal_ground_truth":
            metadata["true_ate"] = MetadataValue.float(overall_ate)
        yield MaterializeResult(asset_key=name, metadata=metadata)
