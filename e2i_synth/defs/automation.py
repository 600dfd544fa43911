"""What the schedule and sensors read when the code location loads: whether they start
running, and the nightly cron.

They start running only where the shipped deployment says so (`E2I_AUTOMATION=on` in
docker-compose.yml and the Helm values): in a local `dagster dev` they start stopped, so a
newcomer's laptop does not regenerate every scenario at 02:00 (each can be started in the
UI). A bad `E2I_REGENERATE_CRON` must not fail the code location (every asset would vanish from
`dagster dev` behind one traceback): the schedule keeps Dagster's default cron, starts
stopped, says why in its description, and every tick of it fails with the one-line reason.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

from dagster import DefaultScheduleStatus, DefaultSensorStatus
from dagster._utils.schedules import is_valid_cron_string  # the rule Dagster enforces

from e2i_synth.errors import ConfigError
from e2i_synth.settings import DEFAULT_REGENERATE_CRON, regenerate_cron

AUTOMATION_VARIABLE = "E2I_AUTOMATION"


def automation_on() -> bool:
    """True only where the deployment sets E2I_AUTOMATION=on; any other value is off."""
    return (os.environ.get(AUTOMATION_VARIABLE) or "").strip().lower() == "on"


def sensor_status() -> DefaultSensorStatus:
    return DefaultSensorStatus.RUNNING if automation_on() else DefaultSensorStatus.STOPPED


def schedule_status() -> DefaultScheduleStatus:
    """Running in the deployment, unless its cron is one Dagster refuses."""
    running = automation_on() and regeneration_cron().problem is None
    return DefaultScheduleStatus.RUNNING if running else DefaultScheduleStatus.STOPPED


@dataclass(frozen=True)
class RegenerationCron:
    cron: str  # what the schedule and the freshness policy use
    problem: str | None = None  # why E2I_REGENERATE_CRON is not used, if it is not


@cache
def regeneration_cron() -> RegenerationCron:
    """`E2I_REGENERATE_CRON` if Dagster accepts it, else the default and the reason."""
    try:
        cron = regenerate_cron()
    except ConfigError as exc:
        return RegenerationCron(DEFAULT_REGENERATE_CRON, str(exc))
    if not is_valid_cron_string(cron):
        return RegenerationCron(
            DEFAULT_REGENERATE_CRON,
            f"E2I_REGENERATE_CRON {cron!r} is not a valid cron expression; give five fields "
            f"(minute hour day month weekday), e.g. {DEFAULT_REGENERATE_CRON!r} for 02:00 UTC",
        )
    return RegenerationCron(cron)
