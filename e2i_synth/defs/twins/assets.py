"""The twin tables of one scenario: one multi-asset step downstream of the core tables.

It reads the scenario's stored `hcp_profiles` through the warehouse resource, draws the
intervention layer, trains and registers the HCP twin model (MLflow), simulates every
intervention on the whole twin population and scores it against truth, then replaces the
scenario's twin tables in one warehouse transaction. The checks are declared on the asset
and evaluated before anything is stored (a blocking check that ran after the load would
be too late): a schema, key or deploy-vs-truth failure stores nothing and fails the run;
drift is reported without blocking.
"""

from collections.abc import Iterator

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from e2i_synth.defs.core.assets import column_schema, preview
from e2i_synth.defs.core.checks import check_result
from e2i_synth.defs.partitions import SCENARIO_PARTITIONS
from e2i_synth.defs.resources import GenerationResource, WarehouseResource, warehouse_kind
from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario
from e2i_synth.twins.checks import ALL_SPECS, run_twin_checks
from e2i_synth.twins.pipeline import run_scenario, scenario_tables
from e2i_synth.world import cached_world
from e2i_synth.world.interventions import INTERVENTION_LAYER_VERSION

GROUP = "twins"
DEPS: dict[str, tuple[str, ...]] = {
    "hcp_intervention_history": ("hcp_profiles",),
    "intervention_ground_truth": ("hcp_profiles",),
    "intervention_unit_truth": ("hcp_profiles",),
    "digital_twin_models": ("hcp_intervention_history",),
    "digital_twins": ("digital_twin_models",),
    "twin_populations": ("digital_twin_models",),
    "twin_population_members": ("twin_populations", "digital_twins"),
    "simulation_runs": ("twin_populations", "intervention_ground_truth"),
    "fidelity_tracking": ("digital_twin_models", "hcp_intervention_history"),
    "fidelity_snapshots": ("digital_twin_models", "hcp_intervention_history"),
    "policy_evaluations": ("digital_twin_models", "intervention_unit_truth"),
}
"""Lineage of each twin table: what it is computed from."""
TABLE_DESCRIPTIONS = {
    "hcp_intervention_history": "HCP x quarter: what reps delivered (confounded) and the "
    "relative TRx change that followed",
    "intervention_ground_truth": "exact effect of each intervention, overall and per "
    "subgroup, beside the naive history contrast",
    "intervention_unit_truth": "the per-HCP answer key: each HCP's exact effect of each "
    "intervention at the reference dose, and the dose response's parameters",
    "digital_twin_models": "the HCP twin model: learner, CV metrics, MLflow run and version",
    "digital_twins": "sampled twins: features and baseline behavior",
    "twin_populations": "twin populations: filters, size, exact-copy rate",
    "twin_population_members": "which twin is in which population",
    "simulation_runs": "every intervention on the whole population: simulated ATE, CI and "
    "true ATE side by side, recommendation",
    "fidelity_tracking": "the world's multi-arm randomized experiment (each HCP in one arm): "
    "predicted vs actual per HCP",
    "fidelity_snapshots": "held-out fidelity and each experiment arm's, with drift flags",
    "policy_evaluations": "targeting a tenth of the HCPs by the twins' predicted effect: its "
    "true value beside the oracle's, random's and the naive rule's, regret and Qini",
}
NON_BLOCKING = {"no_drift"}
"""Reported, not blocking: drift is a finding about the world, not a defect of the run."""
DESCRIPTIONS = {
    "schema": "the table matches its Pandera schema (spec types, keys, vocabularies)",
    "keys": "every key to another twin table resolves",
    "deploy_within_ci_of_truth": "no deploy recommendation whose simulated effect is off "
    "the true effect by more than its CI at the run's family-wise level (3.40 SE)",
    "no_drift": "fidelity snapshots raise no drift flag (MAE +20%, correlation < 0.7, "
    "coverage < 90%)",
}

ASSET_SPECS = [
    AssetSpec(
        name,
        deps=deps,
        description=TABLE_DESCRIPTIONS[name],
        group_name=GROUP,
        kinds={warehouse_kind(), "pandas", "mlflow"},
        partitions_def=SCENARIO_PARTITIONS,
        code_version=INTERVENTION_LAYER_VERSION,
        tags={"domain": GROUP},
        metadata={"dagster/column_schema": column_schema(ALL_SPECS[name])},
    )
    for name, deps in DEPS.items()
]
CHECK_SPECS = [
    AssetCheckSpec(
        check, asset=table, description=DESCRIPTIONS[check], blocking=check not in NON_BLOCKING
    )
    for table, check in [
        *((name, "schema") for name in DEPS),
        *((name, "keys") for name in DEPS if ALL_SPECS[name].foreign_keys),
        ("simulation_runs", "deploy_within_ci_of_truth"),
        ("fidelity_snapshots", "no_drift"),
    ]
]


CHECKED = {(spec.asset_key.to_user_string(), spec.name) for spec in CHECK_SPECS}


def targeting_metadata(policies: pd.DataFrame) -> dict[str, MetadataValue]:
    """Each intervention's targeting against truth, and the worst regret."""
    columns = ["intervention_type", "budget", "policy_value", "oracle_value", "random_value"]
    table = policies[[*columns, "naive_value", "regret", "qini"]]
    return {
        "targeting": MetadataValue.md(table.to_markdown(index=False, floatfmt=".3f")),
        "max_regret": MetadataValue.float(float(policies["regret"].max())),
    }


@multi_asset(
    specs=ASSET_SPECS,
    check_specs=CHECK_SPECS,
    partitions_def=SCENARIO_PARTITIONS,
    name="twin_tables",
)
def twin_tables(
    context: AssetExecutionContext,
    generation: GenerationResource,
    warehouse: WarehouseResource,
) -> Iterator[MaterializeResult | AssetCheckResult]:
    scenario = Scenario.from_partition_key(str(context.partition_key))
    settings = generation.settings()
    store = warehouse.get()
    profiles = store.read("hcp_profiles", scenario)
    if profiles.empty:
        raise E2IError(
            f"scenario {scenario.partition_key} has no hcp_profiles in the warehouse; run "
            f"`e2i-synth materialize --brand {scenario.brand} --dgp {scenario.dgp}` first"
        )
    world = cached_world(scenario, settings.n_patients, settings.seed)
    run = run_scenario(world, profiles, tracking=warehouse.settings().tracking)
    frames = scenario_tables(run)
    results = [r for r in run_twin_checks(frames) if (r.table, r.check) in CHECKED]
    blocking = [r for r in results if not r.passed and r.check not in NON_BLOCKING]
    if blocking:
        raise E2IError(
            f"twin tables of {scenario.partition_key} not loaded: "
            + "; ".join(f"{r.name} failed: {r.message}" for r in blocking)
        )
    store.replace_scenario(scenario, frames)
    model = run.generator
    for name, frame in frames.items():
        yield MaterializeResult(
            asset_key=name,
            metadata={
                "dagster/row_count": MetadataValue.int(len(frame)),
                "preview": preview(frame),
                "mlflow_model": MetadataValue.text(
                    f"models:/{model.registered_name}/{model.model_version}"
                ),
                **(targeting_metadata(frame) if name == "policy_evaluations" else {}),
            },
        )
    yield from (check_result(result) for result in results)
