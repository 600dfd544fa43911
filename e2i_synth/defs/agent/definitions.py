"""The agent domain's definitions, merged by `e2i_synth.defs.definitions`."""

from dagster import AssetSelection, Definitions, define_asset_job

from e2i_synth.defs.agent.assets import SUITE_ASSETS

build_task_suites = define_asset_job(
    "build_task_suites",
    selection=AssetSelection.assets(*SUITE_ASSETS),
    description="Build every agent task suite of a scenario from its stored truth.",
)

defs = Definitions(assets=SUITE_ASSETS, jobs=[build_task_suites])
