"""Scale-out section of `python -m bench` (also `python -m bench.scale`): on Dagster's
in-process executor and on its celery executor with two local worker processes (RabbitMQ
on this machine), wall time of each run and the ratio, for one brand's five small
scenarios exported as Parquet (a step per scenario) and for one scenario of 4 chunks
(`export_chunked`, a step per chunk of 20,000 patients, then the scenario rows and the
checks over the files).

Each run has its own E2I_HOME and Dagster instance. On 2 cores the two workers compete
with the run's own process for the same cores, so the ratio shows the executor's overhead
more than a cluster's speed-up.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from time import perf_counter

import pandas as pd
from dagster import DagsterInstance, execute_job, reconstructable

from e2i_synth.defs.scale.jobs import (
    celery_job,
    chunked_celery_job,
    chunked_in_process_job,
    in_process_job,
)
from e2i_synth.defs.scale.local_workers import local_workers

BRAND = "kisqali"
WORKERS = 2
CHUNKS, CHUNK_SIZE = 4, 20_000
EXPORTS: dict[str, tuple[Callable, Callable, dict]] = {
    f"{BRAND}'s 5 small scenarios, a step each": (
        in_process_job,
        celery_job,
        {"plan_scenarios": {"config": {"brand": BRAND}}},
    ),
    f"{BRAND}|confounded, {CHUNKS} chunks of {CHUNK_SIZE:,}, a step each": (
        chunked_in_process_job,
        chunked_celery_job,
        {
            "plan_chunks": {
                "config": {
                    "brand": BRAND,
                    "dgp": "confounded",
                    "patients": CHUNKS * CHUNK_SIZE,
                    "chunk_size": CHUNK_SIZE,
                }
            }
        },
    ),
}


def timed_run(job: Callable, home: Path, ops: dict, execution: dict | None = None) -> float:
    """Seconds of one run with its own E2I_HOME and Dagster instance."""
    os.environ["E2I_HOME"] = str(home / "e2i")
    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    (home / "dagster").mkdir(parents=True, exist_ok=True)
    config = {"ops": ops} | ({"execution": {"config": execution}} if execution else {})
    with DagsterInstance.get() as instance:
        started = perf_counter()
        result = execute_job(reconstructable(job), instance=instance, run_config=config)
        seconds = perf_counter() - started
    assert result.success, f"{job.__name__} failed"
    return seconds


def scale_table() -> pd.DataFrame:
    saved = {k: os.environ.get(k) for k in ("E2I_HOME", "DAGSTER_HOME")}
    rows = []
    try:
        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch)
            # The workers read E2I_HOME and DAGSTER_HOME (step outputs pass through its
            # storage) from the environment they start in: the celery runs' home.
            os.environ["E2I_HOME"] = str(root / "celery" / "e2i")
            os.environ["DAGSTER_HOME"] = str(root / "celery" / "dagster")
            (root / "celery" / "dagster").mkdir(parents=True)
            with local_workers(WORKERS, root / "logs") as (queue, _):
                for k, (export, (local_job, celery, ops)) in enumerate(EXPORTS.items()):
                    local = timed_run(local_job, root / f"in-process-{k}", ops)
                    distributed = timed_run(celery, root / "celery", ops, {"queue": queue})
                    rows.append(
                        {
                            "export": export,
                            "in process s": f"{local:.1f}",
                            f"celery, {WORKERS} workers s": f"{distributed:.1f}",
                            "celery / in process": f"{distributed / local:.2f}",
                        }
                    )
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return pd.DataFrame(rows).set_index("export")


def print_sections(section) -> None:
    section(
        "Scale-out: Parquet exports in process vs on celery workers",
        scale_table(),
    )


if __name__ == "__main__":

    def show(title: str, table: pd.DataFrame) -> None:
        print(f"\n{title}\n{'=' * len(title)}\n{table.to_string()}", file=sys.stdout)

    print_sections(show)
