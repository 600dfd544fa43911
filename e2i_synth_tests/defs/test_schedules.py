"""The nightly schedule asks for one run per scenario, each keyed to its tick."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from e2i_synth.settings import DEFAULT_REGENERATE_CRON as DEFAULT_CRON

REPO_ROOT = Path(__file__).resolve().parents[2]


def requests_at(when: datetime) -> list:
    from dagster import build_schedule_context

    from e2i_synth.defs.definitions import defs

    schedule = defs.resolve_schedule_def("regenerate_all_scenarios")
    context = build_schedule_context(
        scheduled_execution_time=when, repository_def=defs.get_repository_def()
    )
    return list(schedule.evaluate_tick(context).run_requests)


def test_schedule_is_nightly_and_targets_the_generate_job():
    from e2i_synth.defs.definitions import GENERATE_JOB, defs

    schedule = defs.resolve_schedule_def("regenerate_all_scenarios")
    assert schedule.cron_schedule == DEFAULT_CRON == "0 2 * * *"
    assert schedule.job_name == GENERATE_JOB


STATUS_PROBE = """
from e2i_synth.defs.definitions import defs

repository = defs.get_repository_def()
for automation in [*repository.schedule_defs, *repository.sensor_defs]:
    print(automation.name, automation.default_status.value)
"""


def default_statuses(**env: str) -> dict[str, str]:
    """Each schedule's and sensor's default status in a fresh interpreter (they are fixed
    when the definitions load) with `env` over this one's environment."""
    environment = {k: v for k, v in os.environ.items() if k != "E2I_AUTOMATION"} | env
    probe = subprocess.run(
        [sys.executable, "-c", STATUS_PROBE],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert probe.returncode == 0, probe.stderr
    return dict(line.split() for line in probe.stdout.splitlines())


AUTOMATIONS = {
    "regenerate_all_scenarios",
    "recheck_changed_scenarios",
    "story_files",
    "benchmark_suite_partitions",
}


def test_schedule_and_sensors_run_by_default_in_the_shipped_deployment_only():
    """A local `dagster dev` started them all: a newcomer's laptop regenerated every
    scenario at 02:00. The deployment files set the variable that turns them on."""
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    assert compose["x-e2i-environment"]["E2I_AUTOMATION"] == "on"
    assert default_statuses() == dict.fromkeys(AUTOMATIONS, "STOPPED")
    assert default_statuses(E2I_AUTOMATION="on") == dict.fromkeys(AUTOMATIONS, "RUNNING")


def test_one_request_per_partition_with_run_keys_unique_per_tick():
    from e2i_synth.defs.partitions import SCENARIO_PARTITIONS

    first = requests_at(datetime(2026, 11, 25, 2, tzinfo=UTC))
    second = requests_at(datetime(2026, 11, 26, 2, tzinfo=UTC))
    keys = sorted(r.partition_key for r in first)
    assert keys == sorted(SCENARIO_PARTITIONS.get_partition_keys()) and len(keys) == 15
    assert len({r.run_key for r in first + second}) == 30


BAD_CRON_PROBE = """
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dagster import build_schedule_context

from e2i_synth.defs.definitions import defs

schedule = defs.resolve_schedule_def("regenerate_all_scenarios")
print(len(defs.resolve_all_asset_specs()), schedule.cron_schedule, schedule.default_status.value)
print(schedule.description)
context = build_schedule_context(scheduled_execution_time=datetime(2026, 1, 1, 2, tzinfo=UTC))
try:
    schedule.evaluate_tick(context)
except Exception as exc:
    print(type(exc).__name__, exc, "caused by:", exc.__cause__)
"""


@pytest.mark.parametrize(
    ("cron", "reason"),
    [
        ("every night", "is not a cron expression of five fields"),
        ("0 25 * * *", "is not a valid cron expression"),
    ],
)
def test_a_bad_cron_leaves_the_code_location_loading_and_names_the_variable(cron, reason):
    """It raised on import: `dagster dev` showed a failed code location and no asset."""
    env = {**os.environ, "E2I_REGENERATE_CRON": cron, "E2I_AUTOMATION": "on"}
    probe = subprocess.run(
        [sys.executable, "-c", BAD_CRON_PROBE], env=env, capture_output=True, text=True, timeout=300
    )
    assert probe.returncode == 0, probe.stderr
    loaded, description, tick = probe.stdout.splitlines()[:3]
    assets, fallback = loaded.split(" ", 1)
    assert int(assets) > 20 and fallback == f"{DEFAULT_CRON} STOPPED"
    expected = f"E2I_REGENERATE_CRON {cron!r} {reason}"
    assert (
        description.startswith(f"NOT SCHEDULED: {expected}") and "e.g. '0 2 * * *'" in description
    )
    assert expected in tick
