"""Every validator of the check registry as a blocking asset check on every scenario.

One `@multi_asset_check` op per scenario reads the stored tables once and evaluates the
registry against what the warehouse actually holds (after the load's own gate), so the
same checks re-run on stored data in the `validate_scenario` job without regenerating.
Results travel one way: into `validation_results` (keyed by run id), from which the
report and the command line read them.
"""

import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    Failure,
    MetadataValue,
    PreviewWarning,
    multi_asset_check,
)

from e2i_synth.defs.partitions import SCENARIO_PARTITIONS
from e2i_synth.defs.resources import WarehouseResource
from e2i_synth.errors import E2IError
from e2i_synth.run_report import write_report
from e2i_synth.settings import Scenario
from e2i_synth.tables import TABLE_NAMES
from e2i_synth.twins.stored_checks import TWIN_TABLE_CHECKS, TWIN_TABLES
from e2i_synth.validation.integrity import Frames
from e2i_synth.validation.records import results_frame
from e2i_synth.validation.result import CheckResult
from e2i_synth.validation.suite import CHECKS, CheckDef, run_checks
from e2i_synth.warehouse import Warehouse

# Partitioned asset checks are a Dagster preview feature, used on purpose: each check is
# evaluated, shown and re-run per scenario partition.
warnings.filterwarnings("ignore", category=PreviewWarning)


def check_specs(checks: Sequence[CheckDef]) -> list[AssetCheckSpec]:
    return [
        AssetCheckSpec(
            check.check,
            asset=check.table,
            description=check.description,
            blocking=True,
            partitions_def=SCENARIO_PARTITIONS,
        )
        for check in checks
    ]


CHECK_SPECS = check_specs(CHECKS)
TWIN_CHECK_SPECS = check_specs(TWIN_TABLE_CHECKS)


def check_metadata(result: CheckResult) -> dict[str, MetadataValue]:
    metadata: dict[str, MetadataValue] = {"message": MetadataValue.text(result.message)}
    for key, value in result.figures.items():
        if isinstance(value, bool):
            metadata[key] = MetadataValue.bool(value)
        elif isinstance(value, int):
            metadata[key] = MetadataValue.int(value)
        elif isinstance(value, float):
            metadata[key] = MetadataValue.float(value)
        elif isinstance(value, str):
            metadata[key] = MetadataValue.text(value)
        else:
            metadata[key] = MetadataValue.json(value)
    return metadata


def check_result(
    result: CheckResult, extra: dict[str, MetadataValue] | None = None
) -> AssetCheckResult:
    """A validator's result as Dagster reports it, its figures as typed metadata."""
    return AssetCheckResult(
        asset_key=result.table,
        check_name=result.check,
        passed=result.passed,
        description=result.message,
        metadata={**check_metadata(result), **(extra or {})},
    )


def run_report_path(warehouse: WarehouseResource, run_id: str) -> Path:
    return warehouse.settings().home / "reports" / f"{run_id}.html"


def run_report(
    context: AssetCheckExecutionContext | AssetExecutionContext, warehouse: WarehouseResource
) -> dict[str, MetadataValue]:
    """Rewrite the run's report from every result it recorded so far (its other check
    steps may come before or after) and link it; nothing when the resource says not to."""
    if not warehouse.run_report:
        return {}
    path = run_report_path(warehouse, context.run.run_id)
    write_report(warehouse.get().read_results([context.run.run_id]), path.parent, path.stem)
    return {"report": MetadataValue.path(str(path))}


def checked_scenario(context: AssetCheckExecutionContext) -> Scenario:
    """The scenario of a partitioned check's run; one sentence when launched without one
    (Dagster's "Execute all" asks for no partition)."""
    if not context.has_partition_key:
        raise Failure(
            "These checks run on one scenario: choose a partition (brand|dgp, e.g. "
            "kisqali|confounded) and launch again.",
            allow_retries=False,
        )
    return Scenario.from_partition_key(str(context.partition_key))


def check_stored(
    context: AssetCheckExecutionContext,
    warehouse: WarehouseResource,
    checks: Sequence[CheckDef],
    frames: Callable[[Warehouse, Scenario], Frames],
) -> Iterator[AssetCheckResult]:
    """The selected `checks` on the scenario's stored `frames`, recorded and reported."""
    scenario = checked_scenario(context)
    store = warehouse.get()
    selected = {
        f"{key.asset_key.to_user_string()}.{key.name}" for key in context.selected_asset_check_keys
    }
    results = run_checks(frames(store, scenario), selected, checks)
    recorded = results_frame(results, context.run.run_id, scenario)
    store.record_results(recorded)
    extra = run_report(context, warehouse)
    yield from (check_result(result, extra) for result in results)


def core_frames(store: Warehouse, scenario: Scenario) -> Frames:
    frames = {name: store.read(name, scenario) for name in TABLE_NAMES}
    if frames["causal_ground_truth"].empty:
        raise E2IError(
            f"scenario {scenario.partition_key} is not in the warehouse; run "
            f"`e2i-synth materialize --brand {scenario.brand} --dgp {scenario.dgp}` first"
        )
    return frames


def twin_frames(store: Warehouse, scenario: Scenario) -> Frames:
    """The scenario's rows of each twin table the warehouse has (one never built is not)."""
    present = set(store.tables())
    return {name: store.read(name, scenario) for name in TWIN_TABLES if name in present}


@multi_asset_check(specs=CHECK_SPECS, can_subset=True, name="scenario_checks")
def scenario_checks(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[AssetCheckResult]:
    yield from check_stored(context, warehouse, CHECKS, core_frames)


@multi_asset_check(specs=TWIN_CHECK_SPECS, can_subset=True, name="twin_table_checks")
def twin_table_checks(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[AssetCheckResult]:
    """The stored twin tables re-checked (`validation.twin_tables`): a separate step, as
    the twin tables are built after the core tables' checks pass."""
    yield from check_stored(context, warehouse, TWIN_TABLE_CHECKS, twin_frames)
