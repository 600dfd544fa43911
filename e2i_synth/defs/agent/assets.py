"""One asset per task suite, partitioned by scenario: the suite's tasks built from the
scenario's stored tables (truth included) and written, keys and explanations with them,
as JSON lines under $E2I_HOME/agent/tasks/<suite>/. The warehouse the agents query never
holds them; `e2i-synth agent serve` rebuilds the same tasks from the same seed."""

from dagster import AssetExecutionContext, AssetsDefinition, MaterializeResult, MetadataValue, asset

from e2i_synth.agent.suites import build_tasks, suites
from e2i_synth.agent.tasks import SUITE_VERSION
from e2i_synth.defs.partitions import SCENARIO_PARTITIONS
from e2i_synth.defs.resources import GenerationResource, WarehouseResource
from e2i_synth.settings import Scenario

GROUP = "agent"
TASKS_FOLDER = ("agent", "tasks")


def suite_asset(name: str, reads: tuple[str, ...], description: str) -> AssetsDefinition:
    @asset(
        name=f"agent_tasks_{name}",
        group_name=GROUP,
        partitions_def=SCENARIO_PARTITIONS,
        deps=list(reads),
        code_version=SUITE_VERSION,
        kinds={"json"},
        description=description,
    )
    def suite_tasks(
        context: AssetExecutionContext,
        generation: GenerationResource,
        warehouse: WarehouseResource,
    ) -> MaterializeResult:
        scenario = Scenario.from_partition_key(context.partition_key)
        store = warehouse.get()
        frames = {table: store.read(table, scenario) for table in reads}
        tasks = build_tasks(scenario, frames, generation.settings().seed, (name,))
        folder = warehouse.settings().home.joinpath(*TASKS_FOLDER, name)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{scenario.brand}__{scenario.dgp}.jsonl"
        partial = path.with_suffix(".jsonl.partial")
        partial.write_text("".join(t.to_json() + "\n" for t in tasks))
        partial.replace(path)  # whole or not at all
        return MaterializeResult(
            metadata={
                "tasks": len(tasks),
                "task_ids": MetadataValue.json([t.task_id for t in tasks]),
                "suite_version": SUITE_VERSION,
                "path": MetadataValue.path(str(path)),
            }
        )

    return suite_tasks


SUITE_ASSETS = [
    suite_asset(name, module.READS, (module.__doc__ or "").strip().splitlines()[0])
    for name, module in suites().items()
]
