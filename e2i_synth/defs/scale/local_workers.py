"""Celery workers as local processes: a one-machine cluster for the bench and the tests,
started exactly as on other machines (`celery -A e2i_synth.defs.scale.worker worker`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kombu import Connection

from e2i_synth.settings import celery_broker_url

STARTUP_SECONDS = 5.0
"""Time for every worker to subscribe before steps are queued."""


@contextmanager
def local_workers(n: int, logs: Path) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """`n` single-process workers on a fresh queue (yielded with them); on exit they are
    stopped and the queue is deleted from the broker."""
    queue = f"e2i_{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, "-m", "celery", "-A", "e2i_synth.defs.scale.worker", "worker"]
    logs.mkdir(parents=True, exist_ok=True)
    workers = [
        subprocess.Popen(
            [*command, "-Q", queue, "-c", "1", "-n", f"{queue}-{k}@%h", "--loglevel=WARNING"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(logs / f"worker-{k}.log").open("w"),
        )
        for k in range(n)
    ]
    try:
        time.sleep(STARTUP_SECONDS)
        exited = [k for k, w in enumerate(workers) if w.poll() is not None]
        if exited:
            raise RuntimeError(
                f"celery worker(s) {exited} exited at start; see {logs}/worker-*.log "
                f"(is the broker at E2I_CELERY_BROKER reachable?)"
            )
        yield queue, workers
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
        with Connection(celery_broker_url()) as connection:
            connection.default_channel.queue_delete(queue)
