"""Run scenarios through Dagster in this process: one partitioned run per scenario.

Runs are recorded in the Dagster instance at `$DAGSTER_HOME` (or `<E2I_HOME>/dagster`)
with the code location's repository tag, so they show on the job's pages in `dagster dev`
like runs launched there. Run config holds only non-secret values (home, scale, seed); the
warehouse URL is read from the environment by the resource. A failed scenario does not
stop the others; Ctrl-C or SIGTERM stops them all (the scenario being written rolls back).
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from dagster._core.storage.tags import REPOSITORY_LABEL_TAG

from e2i_synth.defs.definitions import GENERATE_JOB, VALIDATE_JOB, defs
from e2i_synth.defs.instance import dagster_instance
from e2i_synth.errors import Stopped
from e2i_synth.settings import Scenario, Settings
from e2i_synth.validation.suite import CHECKS
from e2i_synth.warehouse import open_warehouse

CODE_LOCATION = "e2i_synth"
REPOSITORY = "__repository__"
RUN_TAGS = {REPOSITORY_LABEL_TAG: f"{REPOSITORY}@{CODE_LOCATION}"}
"""The tag the webserver filters a job's runs by (`<repository>@<code location>`)."""


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


def step_failure_message(event) -> str:
    """The innermost error of a failed step: the user's cause, not Dagster's wrapper."""
    error = event.step_failure_data.error
    while error.cause is not None:
        error = error.cause
    head, _, text = error.message.strip().partition(": ")
    return text if error.cls_name and head.endswith(error.cls_name) else error.message.strip()


def run_config(settings: Settings, generate: bool) -> dict:
    """Only non-secret values: the URL stays in the environment."""
    resources: dict = {"warehouse": {"config": {"home": str(settings.home)}}}
    if generate:
        resources["generation"] = {
            "config": {"scale": str(settings.n_patients), "seed": settings.seed}
        }
    return {"resources": resources, "loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def summarize(settings: Settings, scenario: Scenario, result, seconds: float) -> ScenarioRun:
    """Rows and truth from the materializations; checks from `validation_results`, where
    the check step recorded them; failed steps from the event log."""
    rows, true_ate = {}, float("nan")
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        metadata = materialization.metadata
        rows[materialization.asset_key.to_user_string()] = metadata["dagster/row_count"].value
        true_ate = metadata["true_ate"].value
    results = open_warehouse(settings.home, settings.database_url).read_results([result.run_id])
    order = {c.name: i for i, c in enumerate(CHECKS)}
    results = results.sort_values(
        "check_name", key=lambda _: (results["table_name"] + "." + results["check_name"]).map(order)
    )
    failures = [
        f"{scenario.partition_key}: {r.table_name}.{r.check_name} failed: {r.message}"
        for r in results.itertuples()
        if not r.passed
    ]
    if not failures:
        failures = [
            f"{scenario.partition_key}: {step_failure_message(e)}"
            for e in result.all_events
            if e.is_step_failure
        ]
    if not result.success and not failures:
        failures = [f"{scenario.partition_key}: the run failed (see the Dagster event log)"]
    passed = int(results["passed"].sum()) if len(results) else 0
    return ScenarioRun(
        scenario, result.run_id, seconds, rows, true_ate, failures, passed, len(results) - passed
    )


@contextmanager
def stop_on_signals() -> Iterator[Callable[[], int | None]]:
    """Ctrl-C and SIGTERM raise `Stopped` in this thread, wherever it is: an open
    warehouse transaction rolls back, and no further scenario starts.

    Dagster handles both signals itself while a step runs (as an interrupted step), so the
    signal's number is also read from a wakeup pipe; the context yields a function giving
    the exit code of the signal received so far (130 for SIGINT, 143 for SIGTERM), if any.
    """
    codes = {signal.SIGINT: 130, signal.SIGTERM: 143}

    def stop(signum, _frame):
        raise Stopped(codes[signal.Signals(signum)])

    reader, writer = os.pipe()
    os.set_blocking(reader, False)
    os.set_blocking(writer, False)
    previous_fd = signal.set_wakeup_fd(writer, warn_on_full_buffer=False)

    def received() -> int | None:
        try:
            numbers = os.read(reader, 64)
        except BlockingIOError:
            return None
        known = [codes[signal.Signals(n)] for n in numbers if n in codes]
        return known[-1] if known else None

    # The interrupt may land while the run storage closes a SQLite connection; its pool
    # would log that as a traceback, though nothing is lost.
    pool_log = logging.getLogger("sqlalchemy.pool")
    level = pool_log.level
    pool_log.setLevel(logging.CRITICAL)
    previous = {s: signal.signal(s, stop) for s in codes}
    try:
        yield received
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        signal.set_wakeup_fd(previous_fd)
        os.close(reader)
        os.close(writer)
        pool_log.setLevel(level)


def interrupted(result) -> bool:
    """Dagster turns an interrupt inside a step into a failed step; find it."""
    return any(
        e.is_step_failure
        and "DagsterExecutionInterruptedError" in (e.step_failure_data.error.cls_name or "")
        for e in result.all_events
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
    with stop_on_signals() as received:
        try:
            for i, scenario in enumerate(scenarios):
                started = time.perf_counter()
                result = job.execute_in_process(
                    run_config=run_config(settings, generate),
                    instance=instance,
                    partition_key=scenario.partition_key,
                    tags=RUN_TAGS,
                    raise_on_error=False,
                )
                if received() or interrupted(result):
                    raise KeyboardInterrupt
                run = summarize(settings, scenario, result, time.perf_counter() - started)
                runs.append(run)
                on_done(i, run)
        except KeyboardInterrupt as stop:
            code = received() or getattr(stop, "exit_code", None) or 130
            raise Stopped(code) from None
    return runs
