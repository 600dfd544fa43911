"""The seven core tables and the ground truth: one partitioned asset each.

They are produced by one multi-asset step per scenario: the world is drawn once, every
table is projected from it, the structural checks (schemas, keys, time order, splits) gate
the load, and the selected tables are replaced in one warehouse transaction — so bad rows
never land, a failure leaves the previous scenario intact, and truth and data never drift
apart. The asset checks (`checks.py`) then re-run the whole suite on what was stored.
"""

from collections.abc import Iterator

from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, MetadataValue, multi_asset

from e2i_synth.defs.partitions import SCENARIO_PARTITIONS
from e2i_synth.defs.resources import GenerationResource, WarehouseResource
from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario
from e2i_synth.tables import CORE_TABLES, build_tables
from e2i_synth.validation.records import results_frame
from e2i_synth.validation.suite import structural_checks
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
    store = warehouse.get()
    failed = [r for r in structural_checks(frames) if not r.passed]
    if failed:
        store.record_results(results_frame(failed, context.run.run_id, scenario))
        raise E2IError(
            f"scenario {scenario.partition_key} not loaded: "
            + "; ".join(f"{r.name} failed: {r.message}" for r in failed)
        )
    selected = {key.to_user_string() for key in context.selected_asset_keys}
    store.replace_scenario(scenario, {k: v for k, v in frames.items() if k in selected})
    truth = frames["causal_ground_truth"]
    overall_ate = float(truth.loc[truth["segment_column"].isna(), "true_ate"].iloc[0])
    for name in (n for n in frames if n in selected):
        metadata = {"rows": MetadataValue.int(len(frames[name])), "seed": generation.root_seed}
        if name == "causal_ground_truth":
            metadata["true_ate"] = MetadataValue.float(overall_ate)
        yield MaterializeResult(asset_key=name, metadata=metadata)
