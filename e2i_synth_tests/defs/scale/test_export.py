"""The Parquet export jobs, in process and on Dagster's celery executor with two worker
processes subscribed to a queue of the test's own (RabbitMQ on this machine): the same
files, written by the workers; a scenario's chunks as celery tasks write the parts
`write_chunked` writes in one process."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from e2i_synth.scale.parquet import read_table
from e2i_synth.settings import DEFAULT_SEED, Scenario, select_scenarios
from e2i_synth.tables import TABLE_NAMES
from e2i_synth.warehouse.chunked import chunked_folder, write_chunked
from e2i_synth_tests.scale.test_parquet import canonical

if TYPE_CHECKING:
    from dagster import DagsterInstance

N_PATIENTS = "300"
BRAND = "remibrutinib"
TABLES = ("patient_journeys", "causal_ground_truth", "feature_values")


@pytest.fixture
def homes(tmp_path, monkeypatch):
    monkeypatch.setenv("E2I_HOME", str(tmp_path / "e2i"))
    monkeypatch.setenv("E2I_SCALE", N_PATIENTS)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    (tmp_path / "dagster").mkdir()
    return tmp_path


def run(job, instance: DagsterInstance, execution: dict | None = None):
    from dagster import execute_job, reconstructable

    config = {"ops": {"plan_scenarios": {"config": {"brand": BRAND}}}}
    if execution is not None:
        config["execution"] = {"config": execution}
    return execute_job(reconstructable(job), instance=instance, run_config=config)


def step_pids(instance: DagsterInstance, run_id: str, step: str = "export_scenario") -> set[int]:
    from dagster import DagsterEventType

    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.STEP_START).records
    return {
        r.event_log_entry.dagster_event.pid
        for r in records
        if r.event_log_entry.step_key.startswith(step)
    }


def test_in_process_export_writes_every_scenario(homes):
    from dagster import DagsterInstance

    from e2i_synth.defs.scale.jobs import PARQUET_FOLDER, in_process_job

    with DagsterInstance.get() as instance:
        result = run(in_process_job, instance)
        assert result.success
    root = homes / "e2i" / PARQUET_FOLDER
    journeys = read_table(root, "patient_journeys")
    assert len(journeys) == 5 * int(N_PATIENTS)
    assert set(journeys["dgp_type"]) == {s.dgp for s in select_scenarios(BRAND)}


@pytest.fixture
def celery_workers(homes):
    """Two worker processes on a fresh queue, deleted afterwards."""
    from e2i_synth.defs.scale.local_workers import local_workers

    with local_workers(2, homes / "logs") as started:
        yield started


@pytest.mark.e2e
def test_celery_workers_execute_the_scenarios_and_write_the_same_files(
    homes, celery_workers, monkeypatch
):
    from dagster import DagsterInstance

    from e2i_synth.defs.scale.jobs import PARQUET_FOLDER, celery_job, in_process_job

    queue, _ = celery_workers
    with DagsterInstance.get() as instance:
        result = run(celery_job, instance, {"queue": queue})
        assert result.success
        pids = step_pids(instance, result.run_id)
    assert len(pids) == 2 and os.getpid() not in pids  # both workers, not this process
    celery_root = homes / "e2i" / PARQUET_FOLDER
    on_celery = {table: read_table(celery_root, table) for table in TABLES}

    monkeypatch.setenv("E2I_HOME", str(homes / "in-process"))
    with DagsterInstance.get() as instance:
        assert run(in_process_job, instance).success
    for table in TABLES:
        in_process = read_table(homes / "in-process" / PARQUET_FOLDER, table)
        assert canonical(on_celery[table], table) == canonical(in_process, table), table


CHUNKED = Scenario(BRAND, "confounded")
CHUNKED_PATIENTS, CHUNK_SIZE = 1_000, 250


def run_chunked(job, instance: DagsterInstance, execution: dict | None = None):
    from dagster import execute_job, reconstructable

    config = {
        "ops": {
            "plan_chunks": {
                "config": {
                    "brand": CHUNKED.brand,
                    "dgp": CHUNKED.dgp,
                    "patients": CHUNKED_PATIENTS,
                    "chunk_size": CHUNK_SIZE,
                }
            }
        }
    }
    if execution is not None:
        config["execution"] = {"config": execution}
    return execute_job(reconstructable(job), instance=instance, run_config=config)


def assert_same_tables(one, two) -> None:
    for table in TABLE_NAMES:
        assert canonical(read_table(one, table), table) == canonical(
            read_table(two, table), table
        ), table


@pytest.mark.e2e
def test_chunks_on_celery_workers_write_the_parts_of_one_process(homes, celery_workers, tmp_path):
    """4 chunks, each a celery task, on 2 workers; then the scenario rows and the checks."""
    from dagster import DagsterInstance

    from e2i_synth.defs.scale.jobs import chunked_celery_job

    queue, _ = celery_workers
    with DagsterInstance.get() as instance:
        result = run_chunked(chunked_celery_job, instance, {"queue": queue})
        assert result.success
        pids = step_pids(instance, result.run_id, "export_chunk")
    assert len(pids) == 2 and os.getpid() not in pids
    out = chunked_folder(homes / "e2i", CHUNKED, CHUNKED_PATIENTS)
    parts = {table: {p.name for p in (out / table).rglob("*.parquet")} for table in TABLE_NAMES}
    assert parts["patient_journeys"] == {f"part-{k:05d}.parquet" for k in range(4)}
    assert parts["causal_ground_truth"] == {"part-00004.parquet"}  # after the last chunk
    serial = tmp_path / "serial"
    write_chunked(CHUNKED, CHUNKED_PATIENTS, DEFAULT_SEED, CHUNK_SIZE, serial)
    assert_same_tables(out, serial)


def test_a_rerun_of_the_chunked_job_replaces_the_scenario(homes):
    """A stray part from an earlier, larger run does not survive the plan step."""
    from dagster import DagsterInstance

    from e2i_synth.defs.scale.jobs import chunked_in_process_job

    out = chunked_folder(homes / "e2i", CHUNKED, CHUNKED_PATIENTS)
    stray = out / "patient_journeys" / "part-09999.parquet"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"old")
    with DagsterInstance.get() as instance:
        assert run_chunked(chunked_in_process_job, instance).success
    assert not stray.exists()
    assert len(read_table(out, "patient_journeys")) == CHUNKED_PATIENTS
