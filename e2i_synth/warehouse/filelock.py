"""An inter-process reader/writer lock on a sibling file, with a bounded wait.

DuckDB admits one process with a write connection and refuses even a read-only open while
it is held, so concurrent runs on one file would fail with "Conflicting lock". Writers
take `flock(LOCK_EX)` on `<warehouse>.lock` and readers `LOCK_SH`: they queue instead of
failing. flock belongs to the open file, so threads of one process queue too, and the
kernel releases it when a process dies, so a crashed run never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from e2i_synth.errors import E2IError

POLL_SECONDS = (0.02, 0.5)
"""First and longest pause between attempts while waiting (doubling in between)."""


def lock_path_of(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def open_lock_file(lock: Path, exclusive: bool) -> int | None:
    """A descriptor of the lock file, created if needed; None for a reader that can neither
    create nor open it (a read-only folder nobody can write to needs no lock)."""
    try:
        return os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError:
        if exclusive:
            raise E2IError(
                f"cannot create the lock file {lock} (permission denied); make its folder "
                "writable by you, or point E2I_HOME at a folder you can write to"
            ) from None
    try:
        return os.open(lock, os.O_RDONLY)
    except OSError:
        return None


def holder_of(lock: Path) -> str:
    """Who holds the lock, as its writer recorded it (readers record nothing)."""
    try:
        text = lock.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        text = ""
    return text or "a reader or another process"


def acquire(fd: int, lock: Path, exclusive: bool, timeout: float, purpose: str) -> None:
    """Take the lock, polling without blocking until `timeout` seconds have passed."""
    mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    deadline = time.monotonic() + timeout
    pause = POLL_SECONDS[0]
    while True:
        try:
            fcntl.flock(fd, mode)
            return
        except BlockingIOError:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(pause, left))
            pause = min(2 * pause, POLL_SECONDS[1])
    kind = "write" if exclusive else "read"
    raise E2IError(
        f"timed out after {timeout:g} s waiting for the {kind} lock {lock} "
        f"(pid {os.getpid()}, {purpose}); it is held by {holder_of(lock)}. Another run is "
        "using this warehouse: wait for it to finish (or stop it) and retry"
    )


@contextmanager
def hold(lock: Path, *, exclusive: bool, timeout: float, purpose: str) -> Iterator[None]:
    """Hold the lock for the block; a writer records who it is in the file while it holds."""
    fd = open_lock_file(lock, exclusive)
    if fd is None:
        yield
        return
    try:
        acquire(fd, lock, exclusive, timeout, purpose)
        if exclusive:
            since = datetime.now(UTC).strftime("%H:%M:%S UTC")
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()} ({purpose} since {since})".encode(), 0)
        try:
            yield
        finally:
            if exclusive:
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the lock
