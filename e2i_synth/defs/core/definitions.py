"""The core domain's definitions, merged by `e2i_synth.defs.definitions`."""

from __future__ import annotations

from dagster import Definitions

from e2i_synth.defs.core.assets import core_tables
from e2i_synth.defs.core.checks import scenario_checks, twin_table_checks
from e2i_synth.defs.core.jobs import generate_scenario, validate_scenario
from e2i_synth.defs.core.schedules import regenerate_all_scenarios
from e2i_synth.defs.core.sensors import recheck_changed_scenarios

defs = Definitions(
    assets=[core_tables],
    asset_checks=[scenario_checks, twin_table_checks],
    jobs=[generate_scenario, validate_scenario],
    schedules=[regenerate_all_scenarios],
    sensors=[recheck_changed_scenarios],
)
