"""The one Definitions object: `dagster dev` and `dagster asset materialize` load this."""

from __future__ import annotations

import os

from dagster import Definitions, in_process_executor

from e2i_synth.defs.assets.core import core_tables
from e2i_synth.defs.checks import scenario_checks
from e2i_synth.defs.jobs import GENERATE_JOB, VALIDATE_JOB, generate_scenario, validate_scenario
from e2i_synth.defs.resources import GenerationResource, WarehouseResource
from e2i_synth.defs.schedules import regenerate_all_scenarios
from e2i_synth.settings import DEFAULT_HOME, DEFAULT_SCALE, DEFAULT_SEED

# Steps are vectorized and short; a subprocess per step would cost more than the work.
defs = Definitions(
    assets=[core_tables],
    asset_checks=[scenario_checks],
    jobs=[generate_scenario, validate_scenario],
    schedules=[regenerate_all_scenarios],
    resources={
        "generation": GenerationResource(
            scale=os.environ.get("E2I_SCALE", DEFAULT_SCALE),
            seed=int(os.environ.get("E2I_SEED", DEFAULT_SEED)),
        ),
        "warehouse": WarehouseResource(
            home=os.environ.get("E2I_HOME", DEFAULT_HOME),
            database_url=os.environ.get("E2I_DATABASE_URL", ""),
        ),
    },
    executor=in_process_executor,
)

__all__ = ["GENERATE_JOB", "VALIDATE_JOB", "defs"]
