"""`export_parquet`: scenarios fanned out as steps that each draw one scenario and write
its tables as Parquet parts (e2i_synth.scale.parquet), then one step that counts them.

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
    graph,
    in_process_executor,
    op,
)
from dagster import Field as ConfigField
from dagster_celery import celery_executor
from pydantic import Field

from e2i_synth.defs.resources import GenerationResource
from e2i_synth.scale.parquet import write_part
from e2i_synth.settings import Scenario, celery_broker_url, select_scenarios
from e2i_synth.tables import build_tables
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


@op
def count_rows(
    context: OpExecutionContext, generation: GenerationResource, parts: list[dict[str, int]]
) -> dict[str, int]:
    """Rows per table over every exported scenario."""
    totals: dict[str, int] = {}
    for part in parts:
        for table, rows in part.items():
            totals[table] = totals.get(table, 0) + rows
    root: Path = generation.settings().home / PARQUET_FOLDER
    context.log.info(f"{sum(totals.values()):,} rows in {len(parts)} scenario(s) under {root}")
    return totals


@graph
def export_graph():
    count_rows(plan_scenarios().map(export_scenario).collect())


def _celery_config(config: dict) -> dict:
    """The broker from the environment at run time; the queue from run config."""
    return {
        "broker": celery_broker_url(),
        "backend": "rpc://",
        "include": ["e2i_synth.defs.scale.jobs"],
        "config_source": {"task_default_queue": config["queue"]},
    }


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
        executor_def=celery_executor.configured(
            _celery_config,
            config_schema={
                "queue": ConfigField(str, default_value=QUEUE, description="celery queue"),
            },
        ),
        description="export_parquet with every scenario a celery task (workers: "
        "`celery -A e2i_synth.defs.scale.worker worker -Q e2i_synth`).",
    )


export_parquet = in_process_job()
export_parquet_celery = celery_job()
