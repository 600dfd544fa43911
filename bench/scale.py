"""Scale-out section of `python -m bench` (also `python -m bench.scale`): one brand's five
small scenarios exported as Parquet in process and on Dagster's celery executor with two
local worker processes (RabbitMQ on this machine), wall time of each run and the ratio.

Each run has its own E2I_HOME and Dagster instance. On 2 cores the two workers compete
with the run's own process for the same cores, so the ratio shows the executor's overhead
more than a cluster's speed-up.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from time import perf_counter

import pandas as pd
from dagster import DagsterInstance, execute_job, reconstructable

from e2i_synth.defs.scale.jobs import PARQUET_FOLDER, celery_job, in_process_job
from e2i_synth.defs.scale.local_workers import local_workers
from e2i_synth.scale.parquet import read_table

BRAND = "kisqali"
WORKERS = 2


def timed_export(job, home: Path, execution: dict | None = None) -> tuple[float, int]:
    """Seconds of one export run and the journeys it wrote."""
    os.environ["E2I_HOME"] = str(home / "e2i")
    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    (home / "dagster").mkdir(parents=True, exist_ok=True)
    config = {"ops": {"plan_scenarios": {"config": {"brand": BRAND}}}}
    if execution:
        config["execution"] = {"config": execution}
    with DagsterInstance.get() as instance:
        started = perf_counter()
        result = execute_job(reconstructable(job), instance=instance, run_config=config)
        seconds = perf_counter() - started
    assert result.success, f"{job.__name__} failed"
    return seconds, len(read_table(home / "e2i" / PARQUET_FOLDER, "patient_journeys"))


def scale_table() -> pd.DataFrame:
    saved = {k: os.environ.get(k) for k in ("E2I_HOME", "DAGSTER_HOME")}
    try:
        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch)
            local, rows = timed_export(in_process_job, root / "in-process")
            (root / "celery").mkdir()
            os.environ["E2I_HOME"] = str(root / "celery" / "e2i")
            os.environ["DAGSTER_HOME"] = str(root / "celery" / "dagster")
            with local_workers(WORKERS, root / "logs") as (queue, _):
                distributed, celery_rows = timed_export(
                    celery_job, root / "celery", {"queue": queue}
                )
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return pd.DataFrame(
        [
            {"executor": "in process", "seconds": f"{local:.1f}", "journeys": rows},
            {
                "executor": f"celery, {WORKERS} worker processes",
                "seconds": f"{distributed:.1f}",
                "journeys": celery_rows,
                "ratio to in process": f"{distributed / local:.2f}",
            },
        ]
    ).set_index("executor")


def print_sections(section) -> None:
    section(
        f"Scale-out: {BRAND}'s 5 small scenarios to Parquet, in process vs celery",
        scale_table().fillna(""),
    )


if __name__ == "__main__":

    def show(title: str, table: pd.DataFrame) -> None:
        print(f"\n{title}\n{'=' * len(title)}\n{table.to_string()}", file=sys.stdout)

    print_sections(show)
