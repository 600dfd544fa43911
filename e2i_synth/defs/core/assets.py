"""The core tables and the ground truth: one partitioned asset each, from the table registry.

They are produced by one multi-asset step per scenario: the world is drawn once, every
table is projected from it, every blocking check (the causal ones too) gates the load, and
the selected tables (with every table whose foreign keys lead to them) are replaced in one
warehouse transaction — so a scenario that fails a check never becomes the current data, a
failure leaves the previous scenario intact, and truth and data never drift apart. The
asset checks (`checks.py`) then re-run the whole suite on what was stored.
"""

from collections.abc import Iterator
from datetime import timedelta

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetSpec,
    FreshnessPolicy,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableColumnConstraints,
    TableRecord,
    TableSchema,
    multi_asset,
)
from dagster._utils.schedules import get_smallest_cron_interval  # the rule Dagster enforces

from e2i_synth.catalog import GENERATOR_VERSION
from e2i_synth.defs.automation import regeneration_cron
from e2i_synth.defs.core.checks import run_report_path
from e2i_synth.defs.partitions import SCENARIO_PARTITIONS
from e2i_synth.defs.resources import GenerationResource, WarehouseResource, warehouse_kind
from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario
from e2i_synth.tables import REGISTRY, SPECS, Table, build_tables, descendants
from e2i_synth.tables.spec import TableSpec
from e2i_synth.validation.causal import naive_difference
from e2i_synth.validation.records import results_frame
from e2i_synth.validation.suite import run_checks
from e2i_synth.world import cached_world

OWNERS = ["team:e2i-synth"]
PREVIEW_ROWS = 5


def freshness() -> FreshnessPolicy:
    """At each tick of the regeneration schedule the asset must have been materialized
    since the previous tick (at most a day back): a missed nightly run shows as stale."""
    cron = regeneration_cron().cron
    window = min(timedelta(days=1), get_smallest_cron_interval(cron, "UTC"))
    return FreshnessPolicy.cron(deadline_cron=cron, lower_bound_delta=window, timezone="UTC")


def column_role(spec: TableSpec, name: str, references: dict[str, str]) -> str | None:
    """A column's part in the table's keys, as the UI's column schema describes it."""
    if name == spec.primary_key:
        return "primary key"
    if name in references:
        return references[name]
    return "part of the natural key" if name in spec.unique else None


def column_description(spec: TableSpec, name: str, references: dict[str, str]) -> str:
    """The spec's description of the column, its part in the keys after it."""
    role = column_role(spec, name, references)
    return spec.describe(name) + (f" ({role})" if role else "")


def column_schema(spec: TableSpec) -> TableSchema:
    """`dagster/column_schema` from the table spec: types, descriptions, keys, nullability."""
    references = {column: f"references {parent}" for column, parent in spec.foreign_keys.items()}
    return TableSchema(
        columns=[
            TableColumn(
                name,
                sql_type,
                description=column_description(spec, name, references),
                constraints=TableColumnConstraints(
                    nullable=name in spec.nullable,
                    unique=name == spec.primary_key,
                    other=[references[name]] if name in references else [],
                ),
            )
            for name, sql_type in spec.columns.items()
        ]
    )


def asset_spec(table: Table) -> AssetSpec:
    return AssetSpec(
        table.name,
        deps=table.deps,
        description=table.description,
        group_name=table.group,
        kinds={warehouse_kind(), "pandas"},
        partitions_def=SCENARIO_PARTITIONS,
        code_version=GENERATOR_VERSION,
        owners=OWNERS,
        tags={"domain": table.group},
        metadata={"dagster/column_schema": column_schema(table.spec)},
        freshness_policy=freshness(),
    )


CORE_SPECS = [asset_spec(table) for table in REGISTRY]


def preview(frame: pd.DataFrame) -> MetadataValue:
    head = frame.head(PREVIEW_ROWS).astype(object).where(frame.head(PREVIEW_ROWS).notna(), None)
    return MetadataValue.table(
        [
            TableRecord({k: None if v is None else str(v) for k, v in row.items()})
            for row in head.to_dict("records")
        ],
        schema=TableSchema(columns=[TableColumn(c, "string") for c in frame.columns]),
    )


def scenario_metadata(frames: dict[str, pd.DataFrame], settings) -> dict[str, object]:
    """Scale, seed, the true ATE and the naive contrast it must be told apart from."""
    truth = frames["causal_ground_truth"]
    overall = truth.loc[truth["segment_column"].isna()].iloc[0]
    journeys = frames["patient_journeys"]
    return {
        "scale": MetadataValue.text(str(settings.n_patients)),
        "seed": MetadataValue.int(settings.seed),
        "n_patients": MetadataValue.int(len(journeys)),
        "true_ate": MetadataValue.float(round(float(overall["true_ate"]), 4)),
        "naive_estimate": MetadataValue.float(
            round(naive_difference(journeys, str(overall["outcome_column"])), 4)
        ),
    }


@multi_asset(specs=CORE_SPECS, can_subset=True, partitions_def=SCENARIO_PARTITIONS)
def core_tables(
    context: AssetExecutionContext,
    generation: GenerationResource,
    warehouse: WarehouseResource,
) -> Iterator[MaterializeResult]:
    scenario = Scenario.from_partition_key(str(context.partition_key))
    settings = generation.settings()
    world = cached_world(scenario, settings.n_patients, settings.seed)
    frames = build_tables(world)
    store = warehouse.get()
    failed = [r for r in run_checks(frames) if not r.passed]
    if failed:
        store.record_results(results_frame(failed, context.run.run_id, scenario))
        raise E2IError(
            f"scenario {scenario.partition_key} not loaded: "
            + "; ".join(f"{r.name} failed: {r.message}" for r in failed)
        )
    selected = {key.to_user_string() for key in context.selected_asset_keys}
    written = descendants(selected)
    store.replace_scenario(scenario, {k: v for k, v in frames.items() if k in written})
    common = scenario_metadata(frames, settings)
    path = run_report_path(warehouse, context.run.run_id)  # the check step writes it
    report = {"validation_report": MetadataValue.path(str(path))} if warehouse.run_report else {}
    for name in (n for n in frames if n in selected):
        frame = frames[name]
        metadata = {
            "dagster/row_count": MetadataValue.int(len(frame)),
            "dagster/column_schema": column_schema(SPECS[name]),
            "preview": preview(frame),
            **report,
            **common,
        }
        children = sorted(descendants({name}) - selected - {name})
        if children:
            metadata["also_replaced"] = MetadataValue.text(
                ", ".join(children) + " (their foreign keys lead here)"
            )
        yield MaterializeResult(asset_key=name, metadata=metadata)
