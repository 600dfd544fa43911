"""Scheduled regeneration: one run of `generate_scenario` per scenario partition.

A static x static multi-partition cannot use `build_schedule_from_partitioned_job`, so the
schedule yields one `RunRequest` per key itself. Nightly at 02:00 UTC unless
`E2I_REGENERATE_CRON` says otherwise (a value Dagster refuses leaves the schedule stopped,
saying why: defs.automation); the run key ties each request to its tick, so a tick
re-evaluated by the daemon never launches a scenario twice.
"""

from __future__ import annotations

from collections.abc import Iterator

from dagster import RunRequest, ScheduleEvaluationContext, schedule

from e2i_synth.defs.automation import regeneration_cron, schedule_status
from e2i_synth.defs.core.jobs import generate_scenario
from e2i_synth.defs.partitions import SCENARIO_PARTITIONS
from e2i_synth.errors import ConfigError

DESCRIPTION = "Regenerate and re-check every scenario (one run per brand x dgp)."


@schedule(
    job=generate_scenario,
    cron_schedule=regeneration_cron().cron,
    execution_timezone="UTC",
    default_status=schedule_status(),
    description=(
        f"NOT SCHEDULED: {regeneration_cron().problem}. {DESCRIPTION}"
        if regeneration_cron().problem
        else DESCRIPTION
    ),
)
def regenerate_all_scenarios(context: ScheduleEvaluationContext) -> Iterator[RunRequest]:
    problem = regeneration_cron().problem
    if problem:
        raise ConfigError(problem)
    tick = context.scheduled_execution_time.isoformat()
    for key in SCENARIO_PARTITIONS.get_partition_keys():
        yield RunRequest(run_key=f"{key}@{tick}", partition_key=key)
