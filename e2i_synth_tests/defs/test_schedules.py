"""The nightly schedule asks for one run per scenario, each keyed to its tick."""

from __future__ import annotations

from datetime import UTC, datetime

from e2i_synth.settings import DEFAULT_REGENERATE_CRON as DEFAULT_CRON


def requests_at(when: datetime) -> list:
    from dagster import build_schedule_context

    from e2i_synth.defs.definitions import defs

    schedule = defs.resolve_schedule_def("regenerate_all_scenarios")
    context = build_schedule_context(
        scheduled_execution_time=when, repository_def=defs.get_repository_def()
    )
    return list(schedule.evaluate_tick(context).run_requests)


def test_schedule_is_nightly_running_and_targets_the_generate_job():
    from dagster import DefaultScheduleStatus

    from e2i_synth.defs.definitions import GENERATE_JOB, defs

    schedule = defs.resolve_schedule_def("regenerate_all_scenarios")
    assert schedule.cron_schedule == DEFAULT_CRON == "0 2 * * *"
    assert schedule.default_status == DefaultScheduleStatus.RUNNING
    assert schedule.job_name == GENERATE_JOB


def test_one_request_per_partition_with_run_keys_unique_per_tick():
    from e2i_synth.defs.partitions import SCENARIO_PARTITIONS

    first = requests_at(datetime(2026, 11, 25, 2, tzinfo=UTC))
    second = requests_at(datetime(2026, 11, 26, 2, tzinfo=UTC))
    keys = sorted(r.partition_key for r in first)
    assert keys == sorted(SCENARIO_PARTITIONS.get_partition_keys()) and len(keys) == 15
    assert len({r.run_key for r in first + second}) == 30
