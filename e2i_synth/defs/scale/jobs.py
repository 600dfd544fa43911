"""`export_parquet`: scenarios fanned out as steps that each draw one scenario and write
its tables as Parquet parts (e2i_synth.scale.parquet), then one step that counts them.
`export_chunked`: one scenario of any size fanned out as one step per chunk of patients
(e2i_synth.warehouse.chunked), then a step that writes the scenario-level rows from the
chunks' sums and checks keys, foreign keys, splits and truth over the files.

The same graph runs in process (`export_parquet`) or on Dagster's celery executor
(`export_parquet_celery`): every scenario step becomes a celery task that any worker
subscribed to the queue picks up (`celery -A e2i_synth.defs.scale.worker worker -Q
e2i_synth`), on this machine or any other that sees `E2I_HOME` and the broker. The broker
URL (which may hold a password) comes from `E2I_CELERY_BROKER` in the run's and the
workers' environment, never from run config.
"""

from pathlib import Path

from dagster import (
    Config,
    DynamicOut,
    DynamicOutput,
    JobDefinition,
    OpExecutionContext,
    Out,
    Output,
    graph,
    in_process_executor,
    op,
)
from dagster import Field as ConfigField
from dagster_celery import celery_executor
from pydantic import Field

from e2i_synth.defs.resources import GenerationResource
from e2i_synth.scale.parquet import write_part
from e2i_synth.settings import (
    Scenario,
    celery_broker_url,
    parse_brand,
    parse_dgp,
    select_scenarios,
)
from e2i_synth.tables import build_tables
from e2i_synth.warehouse.base import WarehouseError
from e2i_synth.warehouse.chunked import (
    ChunkJob,
    check_chunked,
    chunked_folder,
    start_chunked,
    write_chunk,
    write_scenario_rows,
)
from e2i_synth.world import draw_world

QUEUE = "e2i_synth"
RESOURCES = {"generation": GenerationResource()}
PARQUET_FOLDER = "parquet"


class ExportConfig(Config):
    brand: str | None = Field(default=None, description="one brand (default: all)")
    dgp: str | None = Field(default=None, description="one dgp (default: all)")


@op(out=DynamicOut(str))
def plan_scenarios(config: ExportConfig):
    """One step per selected scenario."""
    for scenario in select_scenarios(config.brand, config.dgp):
        key = scenario.partition_key
        yield DynamicOutput(key, mapping_key=key.replace("|", "__"))


@op
def export_scenario(
    context: OpExecutionContext, generation: GenerationResource, scenario_key: str
) -> dict[str, int]:
    """Draw the scenario and write every table as part 0 under $E2I_HOME/parquet."""
    settings = generation.settings()
    scenario = Scenario.from_partition_key(scenario_key)
    frames = build_tables(draw_world(scenario, settings.n_patients, settings.seed))
    written = write_part(frames, settings.home / PARQUET_FOLDER, scenario)
    context.log.info(f"{scenario_key}: {sum(written.values()):,} rows")
    return written


def rows_per_table(parts: list[dict[str, int]]) -> dict[str, int]:
    """The parts' row counts summed per table."""
    totals: dict[str, int] = {}
    for part in parts:
        for table, rows in part.items():
            totals[table] = totals.get(table, 0) + rows
    return totals


@op
def count_rows(
    context: OpExecutionContext, generation: GenerationResource, parts: list[dict[str, int]]
) -> dict[str, int]:
    """Rows per table over every exported scenario."""
    totals = rows_per_table(parts)
    root: Path = generation.settings().home / PARQUET_FOLDER
    context.log.info(f"{sum(totals.values()):,} rows in {len(parts)} scenario(s) under {root}")
    return totals


@graph
def export_graph():
    count_rows(plan_scenarios().map(export_scenario).collect())


class ChunkedConfig(Config):
    brand: str = Field(description="the scenario's brand")
    dgp: str = Field(description="the scenario's dgp")
    patients: int = Field(ge=1, description="patients in the scenario (any size)")
    chunk_size: int = Field(
        default=20_000, ge=1, description="patients per chunk: one step, one chunk in memory"
    )


@op(out={"job": Out(ChunkJob), "chunks": DynamicOut(int)})
def plan_chunks(context: OpExecutionContext, generation: GenerationResource, config: ChunkedConfig):
    """An empty folder for the scenario, then one step per chunk."""
    scenario = Scenario(parse_brand(config.brand), parse_dgp(config.dgp))
    home = generation.settings().home
    job = ChunkJob(
        scenario,
        config.patients,
        generation.settings().seed,
        config.chunk_size,
        chunked_folder(home, scenario, config.patients),
    )
    start_chunked(job)
    context.log.info(f"{scenario.partition_key}: {job.chunks} chunk(s) -> {job.out}")
    yield Output(job, "job")
    for index in range(job.chunks):
        yield DynamicOutput(index, output_name="chunks", mapping_key=f"chunk_{index:05d}")


@op
def export_chunk(context: OpExecutionContext, job: ChunkJob, index: int) -> dict[str, int]:
    """One chunk's parts and exact sums (the same files whichever worker, however often)."""
    rows = write_chunk(job, index)
    context.log.info(f"chunk {index + 1} of {job.chunks}: {sum(rows.values()):,} rows")
    return rows


@op
def finish_chunked(
    context: OpExecutionContext, job: ChunkJob, chunks: list[dict[str, int]]
) -> dict[str, int]:
    """The scenario-level rows from every chunk's sums, then the checks over the files; a
    failed check fails the step, naming it."""
    totals = rows_per_table([*chunks, write_scenario_rows(job)])
    results = check_chunked(job.out, job.n_patients)
    failed = [r for r in results if not r.passed]
    if failed:
        raise WarehouseError("; ".join(f"{r.name}: {r.message}" for r in failed))
    context.log.info(
        f"{sum(totals.values()):,} rows in {job.chunks} chunk(s), checks "
        f"{len(results)}/{len(results)} passed; views in {job.out / 'warehouse.duckdb'}"
    )
    return totals


@graph
def chunked_graph():
    job, chunks = plan_chunks()
    finish_chunked(job, chunks.map(lambda index: export_chunk(job, index)).collect())


def _celery_config(config: dict) -> dict:
    """The broker from the environment at run time; the queue from run config."""
    return {
        "broker": celery_broker_url(),
        "backend": "rpc://",
        "include": ["e2i_synth.defs.scale.jobs"],
        "config_source": {"task_default_queue": config["queue"]},
    }


CELERY = celery_executor.configured(
    _celery_config,
    config_schema={"queue": ConfigField(str, default_value=QUEUE, description="celery queue")},
)
WORKERS = "workers: `celery -A e2i_synth.defs.scale.worker worker -Q e2i_synth`"


def in_process_job() -> JobDefinition:
    """A module-level factory, so a run can be reconstructed in another process."""
    return export_graph.to_job(
        name="export_parquet",
        executor_def=in_process_executor,
        resource_defs=RESOURCES,
        description="Write scenarios' tables as hive-partitioned Parquet under $E2I_HOME/parquet.",
    )


def celery_job() -> JobDefinition:
    """`export_parquet` with every scenario a celery task."""
    return export_graph.to_job(
        name="export_parquet_celery",
        resource_defs=RESOURCES,
        executor_def=CELERY,
        description=f"export_parquet with every scenario a celery task ({WORKERS}).",
    )


def chunked_in_process_job() -> JobDefinition:
    return chunked_graph.to_job(
        name="export_chunked",
        executor_def=in_process_executor,
        resource_defs=RESOURCES,
        description="One scenario of any size, chunk by chunk, as Parquet parts under "
        "$E2I_HOME/chunked/<brand>-<dgp>-<patients>, then checked over the files.",
    )


def chunked_celery_job() -> JobDefinition:
    """`export_chunked` with every chunk a celery task."""
    return chunked_graph.to_job(
        name="export_chunked_celery",
        resource_defs=RESOURCES,
        executor_def=CELERY,
        description=f"export_chunked with every chunk a celery task ({WORKERS}).",
    )


export_parquet = in_process_job()
export_parquet_celery = celery_job()
export_chunked = chunked_in_process_job()
export_chunked_celery = chunked_celery_job()
