"""The two jobs, both partitioned by scenario: generate (and check) one, or re-check one."""

from __future__ import annotations

from dagster import AssetSelection, PartitionedConfig, define_asset_job

from e2i_synth.defs.core.assets import core_tables
from e2i_synth.defs.core.checks import scenario_checks, twin_table_checks
from e2i_synth.defs.partitions import SCENARIO_PARTITIONS

GENERATE_JOB = "generate_scenario"
VALIDATE_JOB = "validate_scenario"

TWIN_GROUP = "twins"
"""The twin tables of a scenario are rebuilt with it (they are defined in defs/twins)."""

generate_scenario = define_asset_job(
    GENERATE_JOB,
    selection=AssetSelection.assets(core_tables) | AssetSelection.groups(TWIN_GROUP),
    description="Draw one scenario's world, replace its tables and check them; then train, "
    "simulate and score its digital twins against the world's truth.",
)

# A checks-only selection has no asset to take partitions from, and Dagster then drops a
# plain `partitions_def`; a partitioned config (adding no config) keeps the job partitioned,
# so the launchpad asks for a scenario like the asset jobs do.
validate_scenario = define_asset_job(
    VALIDATE_JOB,
    selection=AssetSelection.checks(scenario_checks, twin_table_checks),
    config=PartitionedConfig(
        partitions_def=SCENARIO_PARTITIONS, run_config_for_partition_key_fn=lambda _: {}
    ),
    description="Re-run every check on one stored scenario, its twin tables included, "
    "without regenerating it.",
)
