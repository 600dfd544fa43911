"""Run scenarios through Dagster in this process: one partitioned run per scenario.

Runs are recorded in the Dagster instance at `$DAGSTER_HOME` (or `<E2I_HOME>/dagster`)
with the code location's repository tag, so they show on the job's pages in `dagster dev`
like runs launched there. Run config holds only non-secret values (home, scale, seed); the
warehouse URL is read from the environment by the resource. A failed scenario does not
stop the others; Ctrl-C or SIGTERM stops them all within a couple of seconds: no scenario
starts after it, the scenarios being written roll back, and the runs end FAILED or
CANCELED. Runs left unfinished by a process killed outright are failed by the next command.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from multiprocessing.synchronize import Event

from dagster import AssetKey, DagsterInstance
from dagster._core.storage.tags import REPOSITORY_LABEL_TAG

from e2i_synth.defs.definitions import GENERATE_JOB, VALIDATE_JOB, defs
from e2i_synth.defs.instance import (
    COMMAND_TAG,
    cancel_unfinished_runs,
    dagster_instance,
    fail_orphaned_runs,
    process_tags,
)
from e2i_synth.errors import E2IError, Stopped
from e2i_synth.memory import release_freed_memory
from e2i_synth.settings import Scenario, Settings
from e2i_synth.tables import TABLE_NAMES
from e2i_synth.twins.pipeline import supports_scale
from e2i_synth.twins.stored_checks import STORED_CHECKS
from e2i_synth.warehouse import open_warehouse
from e2i_synth.warehouse.base import WarehouseError

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


def user_error(event):
    """The error of a failed step that the user can act on: the outermost of our own errors
    (`E2IError`: it names the problem and its fix, and may wrap a library's raw error as
    its cause), else the innermost error, not Dagster's wrapper."""
    error = event.step_failure_data.error
    chain = [error]
    while chain[-1].cause is not None:
        chain.append(chain[-1].cause)
    ours = [e for e in chain if e.cls_name in user_error_names()]
    return ours[0] if ours else chain[-1]


def user_error_names() -> set[str]:
    """Class names of `E2IError` and every subclass (a step's error arrives serialized)."""
    names, pending = set(), [E2IError]
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return names


def step_failure_message(event) -> str:
    """The user's cause of a failed step (`user_error`), without its class name."""
    error = user_error(event)
    head, _, text = error.message.strip().partition(": ")
    return text if error.cls_name and head.endswith(error.cls_name) else error.message.strip()


def raise_storage_failure(result) -> None:
    """A step that failed on the warehouse itself (a file held open by another program,
    damaged, unreadable) stops the command with that one line and its fix, as the same
    failure does outside a run: every later step and scenario would meet it too."""
    for event in result.all_events:
        if event.is_step_failure and user_error(event).cls_name == WarehouseError.__name__:
            raise WarehouseError(step_failure_message(event))


def run_config(settings: Settings, generate: bool) -> dict:
    """Only non-secret values: the URL stays in the environment. No report per run: the
    command writes one over all its runs."""
    resources: dict = {"warehouse": {"config": {"home": str(settings.home), "run_report": False}}}
    if generate:
        resources["generation"] = {
            "config": {"scale": str(settings.n_patients), "seed": settings.seed}
        }
    return {"resources": resources, "loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def summarize(settings: Settings, scenario: Scenario, result, seconds: float) -> ScenarioRun:
    """Rows and truth from the materializations; checks from `validation_results`, where
    the check step recorded them; failed steps from the event log."""
    if not result.success:
        raise_storage_failure(result)
    rows, true_ate = {}, float("nan")
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        metadata = materialization.metadata
        name = materialization.asset_key.to_user_string()
        rows[name] = metadata["dagster/row_count"].value
        if name == "causal_ground_truth":
            true_ate = metadata["true_ate"].value
    results = open_warehouse(settings.home, settings.database).read_results([result.run_id])
    order = {c.name: i for i, c in enumerate(STORED_CHECKS)}
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


SQLALCHEMY_POOL = "sqlalchemy.pool"


STOP_GRACE_SECONDS = 1.0
"""How long a stopped worker is given to end its run itself (roll back, record the run
failed) before it is killed; its run is then canceled by the command."""

PR_SET_PDEATHSIG = 1
"""prctl(2): the signal a process receives when its parent dies."""

RESEND_SECONDS = 0.3
"""How often a stop signal is sent again until the command stops (`stop_on_signals`)."""

SIGNAL_NAMES = {130: "SIGINT (Ctrl-C)", 143: "SIGTERM"}

stopping: Event | None = None
"""In a worker process: set by the command once it stops, after which the worker takes no
further scenario."""


def start_worker(stop: Event) -> None:
    """Worker processes leave Ctrl-C to the command, which stops them (`stop_workers`).
        Each leads a process group of its own, out of the terminal's: Ctrl-C there reached every
        worker and the helpers Dagster starts to mirror a step's output, which printed a
        traceback each, as did a SQLite pool (Dagster's, MLflow's) interrupted while closing a
        connection. On Linux a worker also dies with the command, killed outright or not, rather
        than finish a scenario nobody waits for (its parent is the fork server, which ends with
    the command)."""
    global stopping
    stopping = stop
    os.setpgrp()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.getLogger(SQLALCHEMY_POOL).setLevel(logging.CRITICAL)
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def worker_stopped() -> bool:
    return stopping is not None and stopping.is_set()


def run_in_worker(
    settings: Settings, scenario: Scenario, generate: bool, twins: bool, tags: dict[str, str]
) -> ScenarioRun:
    """`run_one` in a worker process, which exits once the command stops rather than take
    the next scenario queued for it (the pool hands out scenarios ahead of need)."""
    if worker_stopped():
        os._exit(1)
    try:
        return run_one(settings, scenario, generate, twins=twins, tags=tags)
    finally:
        if worker_stopped():
            os._exit(1)  # the interrupted run has rolled back and recorded its failure


def ignore_stop_signals() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)


@contextmanager
def stop_on_signals() -> Iterator[Callable[[], int | None]]:
    """Ctrl-C and SIGTERM raise `Stopped` in this thread, wherever it is: an open
    warehouse transaction rolls back, and no further scenario starts.

    Dagster handles both signals itself while a run goes on (as an interrupted step), so
    the signal's number is also read from a wakeup pipe; the context yields a function
    giving the exit code of the signal received so far (130 for SIGINT, 143 for SIGTERM),
    if any. Dagster drops a signal that lands in some of its own bookkeeping (its run then
    went on to its end, 11 s after the signal), so a thread sends it again every
    `RESEND_SECONDS` until the command is stopping.

    The helpers Dagster starts to mirror a step's output (`tail`, `watch_orphans.py`) share
    the terminal's process group, so Ctrl-C reached them too and each printed a traceback.
    SIGINT is blocked in this thread while the context lasts, and a blocked signal stays
    blocked in the programs it starts; the resending thread, started before the block,
    takes the signal, and Python runs its handler here all the same.
    """
    codes = {signal.SIGINT: 130, signal.SIGTERM: 143}

    def stop(signum, _frame):
        ignore_stop_signals()  # the command is stopping: a second signal cuts nothing short
        raise Stopped(codes[signal.Signals(signum)])

    reader, writer = os.pipe()
    os.set_blocking(reader, False)
    os.set_blocking(writer, False)
    previous_fd = signal.set_wakeup_fd(writer, warn_on_full_buffer=False)

    seen: list[signal.Signals] = []

    def read_pipe() -> None:
        with suppress(BlockingIOError):
            seen.extend(signal.Signals(n) for n in os.read(reader, 64) if n in codes)

    def received() -> int | None:
        read_pipe()
        return codes[seen[-1]] if seen else None

    closing = threading.Event()

    def resend() -> None:
        while not closing.wait(RESEND_SECONDS):
            read_pipe()
            if seen and signal.getsignal(seen[-1]) is not signal.SIG_IGN:  # not yet stopping
                os.kill(os.getpid(), seen[-1])

    # The interrupt may land while the run storage closes a SQLite connection; its pool
    # would log that as a traceback, though nothing is lost.
    pool_log = logging.getLogger(SQLALCHEMY_POOL)
    level = pool_log.level
    pool_log.setLevel(logging.CRITICAL)
    previous = {s: signal.signal(s, stop) for s in codes}
    resender = threading.Thread(target=resend, name="resend-stop-signal", daemon=True)
    resender.start()
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield received
    finally:
        closing.set()
        resender.join()
        for s, handler in previous.items():
            signal.signal(s, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        signal.set_wakeup_fd(previous_fd)
        os.close(reader)
        os.close(writer)
        pool_log.setLevel(level)


@contextmanager
def stop_once_done() -> Iterator[None]:
    """Ctrl-C and SIGTERM are held until the block ends and stop the command then: around
    the runs (which answer a signal at once, `stop_on_signals`) and the report of the
    scenarios they stored, so a signal once the last scenario is replaced still leaves its
    report written rather than the scenarios stored and no report."""
    codes = {signal.SIGINT: 130, signal.SIGTERM: 143}
    held: list[int] = []
    previous = {s: signal.signal(s, lambda signum, _frame: held.append(signum)) for s in codes}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if held:
        raise Stopped(codes[signal.Signals(held[-1])])


def interrupted(result) -> bool:
    """Dagster turns an interrupt inside a step into a failed step; find it."""
    return any(
        e.is_step_failure
        and "DagsterExecutionInterruptedError" in (e.step_failure_data.error.cls_name or "")
        for e in result.all_events
    )


def selection(job, settings: Settings, twins: bool = True) -> list[AssetKey]:
    """Every asset of the generate job; without the twins when not asked for or where the
    scale is too small for their training (the command says so)."""
    keys = job.asset_layer.executable_asset_keys
    if twins and supports_scale(settings.n_patients):
        return sorted(keys)
    return sorted(k for k in keys if k.to_user_string() in TABLE_NAMES)


def run_one(
    settings: Settings,
    scenario: Scenario,
    generate: bool,
    instance: DagsterInstance | None = None,
    twins: bool = True,
    tags: dict[str, str] | None = None,
) -> ScenarioRun:
    """One scenario's Dagster run, in this process or in a worker process, tagged with
    the process running it and `tags`. The run's freed memory is handed back after it:
    glibc keeps what each thread's arena freed (DuckDB, numpy and pandas allocate from
    several), so a worker running full-scale scenarios one after another grew by some
    300 MiB per scenario without this."""
    job = defs.resolve_job_def(GENERATE_JOB if generate else VALIDATE_JOB)
    started = time.perf_counter()
    result = job.execute_in_process(
        run_config=run_config(settings, generate),
        instance=instance or dagster_instance(settings),
        partition_key=scenario.partition_key,
        tags={**RUN_TAGS, **(tags or {}), **process_tags()},
        raise_on_error=False,
        asset_selection=selection(job, settings, twins) if generate else None,
    )
    if interrupted(result):
        raise KeyboardInterrupt
    run = summarize(settings, scenario, result, time.perf_counter() - started)
    release_freed_memory()
    return run


def run_scenarios(
    settings: Settings,
    scenarios: Iterable[Scenario],
    generate: bool = True,
    on_done: Callable[[int, ScenarioRun], None] = lambda i, run: None,
    workers: int = 1,
    twins: bool = True,
) -> list[ScenarioRun]:
    """Generate (and check) or only re-check each scenario, one Dagster run each, in
    scenario order; `workers` > 1 runs that many at once in worker processes (scenarios are
    independent and seeded by name, so the tables are the same bytes as a serial run).
    `twins=False` leaves the twin tables out of the generate runs."""
    scenarios = list(scenarios)
    instance = dagster_instance(settings)  # created once, before any worker opens it
    fail_orphaned_runs(instance)
    tags = {COMMAND_TAG: uuid.uuid4().hex}
    with stop_on_signals() as received:
        try:
            if workers > 1 and len(scenarios) > 1:
                return run_in_workers(settings, scenarios, generate, on_done, workers, twins, tags)
            runs = []
            for i, scenario in enumerate(scenarios):
                try:
                    run = run_one(settings, scenario, generate, instance, twins, tags)
                except Exception:
                    if received():  # an interrupt Dagster reported as some other failure
                        raise KeyboardInterrupt from None
                    raise
                if received():
                    raise KeyboardInterrupt
                runs.append(run)
                on_done(i, run)
            return runs
        except KeyboardInterrupt as stop:
            ignore_stop_signals()
            code = received() or getattr(stop, "exit_code", None) or 130
            why = f"the command was stopped by {SIGNAL_NAMES.get(code, 'a signal')}"
            cancel_unfinished_runs(instance, tags[COMMAND_TAG], why)
            raise Stopped(code) from None


WORKER_PRELOAD = [__name__]
"""What a worker needs imported (Dagster, the definitions, the generators): loaded once
per command by the fork server, so each worker starts as a fork of it rather than
importing everything anew."""


def worker_context() -> multiprocessing.context.BaseContext:
    """Workers forked from a server that imported `WORKER_PRELOAD` once per command (a
    fresh interpreter per worker cost about 4 CPU-s of imports each). Not forks of the
    command itself: by then it holds threads and open run-history connections. Where there
    is no fork server (not POSIX), a fresh interpreter each."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_PRELOAD)
    return context


def end_fork_server() -> None:
    """Kill the fork server once the workers are gone: it holds the command's output open
    until it ends, and ending on its own (tearing down every module it preloaded) kept a
    stopped command's output open about 2 s after the command had exited. It holds no
    state, only the modules to fork from. (No public way to stop it.)"""
    server = multiprocessing.forkserver._forkserver
    if server._forkserver_pid is None:
        return
    with suppress(ProcessLookupError):
        os.kill(server._forkserver_pid, signal.SIGKILL)
    server._stop()  # reaps it, closes its pipe, removes its socket


def run_in_workers(
    settings: Settings,
    scenarios: list[Scenario],
    generate: bool,
    on_done: Callable[[int, ScenarioRun], None],
    workers: int,
    twins: bool,
    tags: dict[str, str],
) -> list[ScenarioRun]:
    """Scenarios spread over worker processes; progress is reported as each finishes. On a
    stop no worker takes another scenario, and every worker is stopped (`stop_workers`)."""
    context = worker_context()
    stop = context.Event()
    runs: list[ScenarioRun | None] = [None] * len(scenarios)
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(scenarios)),
        mp_context=context,
        initializer=start_worker,
        initargs=(stop,),
    )
    try:
        futures = {
            pool.submit(run_in_worker, settings, scenario, generate, twins, tags): i
            for i, scenario in enumerate(scenarios)
        }
        for done, future in enumerate(as_completed(futures)):
            run = future.result()
            runs[futures[future]] = run
            on_done(done, run)
    except BaseException:
        stop.set()
        stop_workers(pool)
        raise
    finally:
        pool.shutdown()
        end_fork_server()
    return [run for run in runs if run is not None]


def stop_workers(pool: ProcessPoolExecutor, grace: float = STOP_GRACE_SECONDS) -> None:
    """SIGTERM to every worker: one inside a run has Dagster interrupt its step, which
    rolls the scenario's transaction back and records the run failed, and then exits; one
    between runs ends at once. After `grace` seconds each worker's process group goes: the
    worker if still there (its database connection closing rolls the transaction back just
    the same) and the helpers Dagster starts to mirror a step's output, which would
    otherwise outlive it by a second."""
    processes = list(pool._processes.values())  # no public way to stop a worker
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # each worker leads a group (start_worker)
        process.join()
    pool.shutdown(wait=True, cancel_futures=True)
