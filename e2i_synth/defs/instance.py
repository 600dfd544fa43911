"""The local Dagster instance the command line records its runs in.

`$DAGSTER_HOME`, or `<E2I_HOME>/dagster`, configured by the package's `dagster.yaml`.
Creating a fresh SQLite instance migrates its schema; two commands doing that at once can
leave two migration heads, after which every run fails. So the first creation happens
under an exclusive file lock, and an instance that cannot be opened is reported in one
sentence with the fix.

Each run is tagged with the process that runs it and the command that started it, so a
stopped command can end the runs it leaves. A run executes in the command's process (or a
worker of it), so a process killed outright (kill -9, out of memory, power cut) leaves its
run STARTED for ever: nothing else is left to end it. So each command first fails the
unfinished runs of this host whose process is gone.
"""

from __future__ import annotations

import os
import socket
from importlib import resources
from pathlib import Path

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

from e2i_synth.errors import E2IError
from e2i_synth.locks import exclusive
from e2i_synth.settings import Settings

INSTANCE_CONFIG = resources.files(__package__).joinpath("dagster.yaml")
"""The local instance's config (the repository root's dagster.yaml links to it): copied
into a home that has none when the instance is first created there."""


def instance_home(settings: Settings) -> Path:
    return Path(os.environ.get("DAGSTER_HOME") or settings.home / "dagster")


def dagster_instance(settings: Settings) -> DagsterInstance:
    home = instance_home(settings)
    try:
        home.mkdir(parents=True, exist_ok=True)
        with exclusive(home / ".instance.lock"):
            config = home / "dagster.yaml"
            if not config.exists():
                config.write_text(INSTANCE_CONFIG.read_text(encoding="utf-8"))
            instance = DagsterInstance.from_config(str(home))
            instance.get_runs(limit=1)  # opens (and on first use migrates) run storage now
            return instance
    except OSError as exc:
        raise E2IError(
            f"cannot create the Dagster instance in {home}: {exc.strerror or exc}; point "
            "DAGSTER_HOME (or E2I_HOME) at a folder you can write to"
        ) from None
    except Exception as exc:
        cause = " ".join(str(exc).split())[:300]
        raise E2IError(
            f"the Dagster instance in {home} cannot be opened ({type(exc).__name__}: {cause}); "
            f"run `dagster instance migrate` with DAGSTER_HOME={home}, or move that folder "
            "away to start a fresh run history"
        ) from None


PID_TAG = "e2i/pid"
HOST_TAG = "e2i/host"
PROCESS_START_TAG = "e2i/process_start"
COMMAND_TAG = "e2i/command"
"""Run tags: the process running the run (its id, host and kernel start time, which a
process reusing the id does not share) and the command that started it."""

UNFINISHED = [
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]


def process_state(pid: int) -> tuple[str, str] | None:
    """The process's state letter and start time (clock ticks after boot) from /proc, or
    None where there is no such file (another system, or no such process)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # the name before it may hold spaces
    return fields[0], fields[19]


def process_tags() -> dict[str, str]:
    """The tags naming this process as the one running a run."""
    pid = os.getpid()
    tags = {PID_TAG: str(pid), HOST_TAG: socket.gethostname()}
    state = process_state(pid)
    if state is not None:
        tags[PROCESS_START_TAG] = state[1]
    return tags


def process_alive(pid: int, start: str | None) -> bool:
    """Whether the process is still running: a zombie, or a new process that was given the
    same id, is not the one that started the run."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    state = process_state(pid)
    if state is None:
        return True
    return state[0] != "Z" and (start is None or state[1] == start)


def fail_orphaned_runs(instance: DagsterInstance) -> list[str]:
    """Fail, saying why, the unfinished runs of this host whose process is gone; their ids.
    The run is read again after the process is found gone: a process that ended normally
    wrote its run's end before exiting, and that end stands."""
    host = socket.gethostname()
    failed = []
    records = instance.get_run_records(RunsFilter(statuses=UNFINISHED, tags={HOST_TAG: host}))
    for record in records:
        tags = record.dagster_run.tags
        pid = int(tags.get(PID_TAG, "0"))
        if not pid or process_alive(pid, tags.get(PROCESS_START_TAG)):
            continue
        run = instance.get_run_by_id(record.dagster_run.run_id)
        if run is None or run.status not in UNFINISHED:
            continue
        instance.report_run_failed(
            run,
            f"the process running this run (pid {pid} on {host}) ended before the run did "
            "(killed or crashed); its scenario holds what was last committed, old or new",
        )
        failed.append(run.run_id)
    return failed


def cancel_unfinished_runs(instance: DagsterInstance, command: str, why: str) -> None:
    """End as CANCELED the runs a stopped command started and did not finish (a worker
    killed inside its run could not end it itself)."""
    for record in instance.get_run_records(
        RunsFilter(statuses=UNFINISHED, tags={COMMAND_TAG: command})
    ):
        instance.report_run_canceled(record.dagster_run, f"canceled: {why}")
