"""Run scenarios through Dagster in this process: one partitioned run per scenario.

Runs are recorded in the Dagster instance at `$DAGSTER_HOME` (or `<E2I_HOME>/dagster`),
so they show up in `dagster dev` started with the same DAGSTER_HOME. A failed scenario
does not stop the others; each run says what failed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dagster import DagsterInstance

from e2i_synth.defs.definitions import GENERATE_JOB, VALIDATE_JOB, defs
from e2i_synth.settings import Scenario, Settings

PARTITION_TAG = "dagster/partition"


@dataclass(frozen=True)
class ScenarioRun:
    scenario: Scenario
    run_id: str
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)
    true_ate: float = float("nan")
    failures: list[str] = field(default_factory=list)
    checks_passed: int = 0
    checks_failed: int = 0

    @property
    def success(self) -> bool:
        return not self.failures


def dagster_instance(settings: Settings) -> DagsterInstance:
    home = Path(os.environ.get("DAGSTER_HOME") or settings.home / "dagster")
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n")
    return DagsterInstance.from_config(str(home))


def step_failure_message(event) -> str:
    """The innermost error of a failed step: the user's cause, not Dagster's wrapper."""
    error = event.step_failure_data.error
    while error.cause is not None:
        error = error.cause
    head, _, text = error.message.strip().partition(": ")
    return text if error.cls_name and head.endswith(error.cls_name) else error.message.strip()


def run_config(settings: Settings, generate: bool) -> dict:
    warehouse = {"home": str(settings.home), "database_url": settings.database_url or ""}
    resources = {"warehouse": {"config": warehouse}}
    if generate:
        resources["generation"] = {
            "config": {"scale": str(settings.n_patients), "seed": settings.seed}
        }
    return {"resources": resources, "loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def summarize(scenario: Scenario, result, seconds: float) -> ScenarioRun:
    """Rows, truth, and every failure of one run: failed checks first, then failed steps."""
    rows, true_ate = {}, float("nan")
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        rows[materialization.asset_key.to_user_string()] = materialization.metadata["rows"].value
        if "true_ate" in materialization.metadata:
            true_ate = materialization.metadata["true_ate"].value
    evaluations = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    failures = [
        f"{scenario.partition_key}: {ev.asset_key.to_user_string()}.{ev.check_name} failed: "
        f"{ev.description}"
        for ev in evaluations
        if not ev.passed
    ]
    if not failures:
        failures = [
            f"{scenario.partition_key}: {step_failure_message(e)}"
            for e in result.all_events
            if e.is_step_failure
        ]
    if not result.success and not failures:
        failures = [f"{scenario.partition_key}: the run failed (see the Dagster event log)"]
    passed = sum(ev.passed for ev in evaluations)
    return ScenarioRun(
        scenario,
        result.run_id,
        seconds,
        rows,
        true_ate,
        failures,
        passed,
        len(evaluations) - passed,
    )


def run_scenarios(
    settings: Settings,
    scenarios: Iterable[Scenario],
    generate: bool = True,
    on_done: Callable[[int, ScenarioRun], None] = lambda i, run: None,
) -> list[ScenarioRun]:
    """Generate (and check) or only re-check each scenario, one Dagster run each."""
    job = defs.resolve_job_def(GENERATE_JOB if generate else VALIDATE_JOB)
    instance = dagster_instance(settings)
    runs = []
    for i, scenario in enumerate(scenarios):
        started = time.perf_counter()
        # A checks-only job has no asset to derive its partitions from: tag the run instead.
        partition = (
            {"partition_key": scenario.partition_key}
            if generate
            else {"tags": {PARTITION_TAG: scenario.partition_key}}
        )
        result = job.execute_in_process(
            run_config=run_config(settings, generate),
            instance=instance,
            raise_on_error=False,
            **partition,
        )
        run = summarize(scenario, result, time.perf_counter() - started)
        runs.append(run)
        on_done(i, run)
    return runs
