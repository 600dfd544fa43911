"""What the schedule and sensors read when the code location loads: the nightly cron.

A bad `E2I_REGENERATE_CRON` must not fail the code location (every asset would vanish from
`dagster dev` behind one traceback): the schedule keeps Dagster's default cron, starts
stopped, says why in its description, and every tick of it fails with the one-line reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from dagster._utils.schedules import is_valid_cron_string  # the rule Dagster enforces

from e2i_synth.errors import ConfigError
from e2i_synth.settings import DEFAULT_REGENERATE_CRON, regenerate_cron


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
