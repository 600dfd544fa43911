"""Materialize scenarios through Dagster in this process: one partitioned run per scenario.

Runs are recorded in the Dagster instance at `$DAGSTER_HOME` (or `<E2I_HOME>/dagster`),
so they show up in `dagster dev` started with the same DAGSTER_HOME.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from dagster import DagsterInstance

from e2i_synth.defs.definitions import GENERATE_JOB, defs
from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario, Settings


@dataclass(frozen=True)
class ScenarioRun:
    scenario: Scenario
    run_id: str
    rows: dict[str, int]
    true_ate: float
    seconds: float


def dagster_instance(settings: Settings) -> DagsterInstance:
    home = Path(os.environ.get("DAGSTER_HOME") or settings.home / "dagster")
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n")
    return DagsterInstance.from_config(str(home))


def _failure_message(result) -> str:
    """The innermost error of the first failed step: the user's cause, not Dagster's wrapper."""
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            while error.cause is not None:
                error = error.cause
            head, _, text = error.message.strip().partition(": ")
            return (
                text if error.cls_name and head.endswith(error.cls_name) else error.message.strip()
            )
    return "the run failed without a step failure (see the Dagster event log)"


def run_config(settings: Settings) -> dict:
    return {
        "resources": {
            "generation": {"config": {"scale": str(settings.n_patients), "seed": settings.seed}},
            "warehouse": {"config": {"home": str(settings.home)}},
        },
        "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
    }


def materialize_scenarios(
    settings: Settings,
    scenarios: Iterable[Scenario],
    on_done: Callable[[int, ScenarioRun], None] = lambda i, run: None,
) -> list[ScenarioRun]:
    """Run the generation job once per scenario; stop at the first failure with its cause."""
    job = defs.resolve_job_def(GENERATE_JOB)
    instance = dagster_instance(settings)
    runs = []
    for i, scenario in enumerate(scenarios):
        started = time.perf_counter()
        result = job.execute_in_process(
            run_config=run_config(settings),
            partition_key=scenario.partition_key,
            instance=instance,
            raise_on_error=False,
        )
        if not result.success:
            raise E2IError(f"scenario {scenario.partition_key} failed: {_failure_message(result)}")
        rows, true_ate = {}, float("nan")
        for event in result.get_asset_materialization_events():
            materialization = event.step_materialization_data.materialization
            name = materialization.asset_key.to_user_string()
            rows[name] = materialization.metadata["rows"].value
            if "true_ate" in materialization.metadata:
                true_ate = materialization.metadata["true_ate"].value
        run = ScenarioRun(scenario, result.run_id, rows, true_ate, time.perf_counter() - started)
        runs.append(run)
        on_done(i, run)
    return runs
