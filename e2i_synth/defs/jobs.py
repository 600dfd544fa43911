"""The two jobs: generate (and check) a scenario, or re-check a stored one."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

from e2i_synth.defs.assets.core import core_tables
from e2i_synth.defs.checks import scenario_checks

GENERATE_JOB = "generate_scenario"
VALIDATE_JOB = "validate_scenario"

generate_scenario = define_asset_job(
    GENERATE_JOB,
    selection=AssetSelection.assets(core_tables),
    description="Draw one scenario's world, replace its tables, then run every check.",
)

validate_scenario = define_asset_job(
    VALIDATE_JOB,
    selection=AssetSelection.checks(scenario_checks),
    description="Re-run every check on one stored scenario, without regenerating it.",
)
