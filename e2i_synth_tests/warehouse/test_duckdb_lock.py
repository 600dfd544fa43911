"""DuckDB has one writer: writers in different processes take turns through an exclusive
lock on `<warehouse>.lock`, readers share it, and a wait that runs out is one clear error."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import time
import traceback
from pathlib import Path

import duckdb
import pytest

from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario
from e2i_synth.tables import SPECS
from e2i_synth.warehouse import DuckDBWarehouse, open_warehouse
from e2i_synth.warehouse import duckdb as duckdb_store
from e2i_synth.warehouse.filelock import hold, lock_path_of
from e2i_synth_tests.conftest import frames_of

N_PATIENTS = 300
WRITERS = [
    Scenario("kisqali", "confounded"),
    Scenario("fabhalta", "confounded"),
    Scenario("remibrutinib", "confounded"),
    Scenario("kisqali", "heterogeneous"),
]
READERS = 2


def write_twice(path: str, scenario: Scenario, start, errors) -> None:
    """A separate process: build a small scenario, then replace it twice at the signal."""
    from e2i_synth.tables import build_tables
    from e2i_synth.world import draw_world

    try:
        frames = build_tables(draw_world(scenario, N_PATIENTS, 7))
        store = DuckDBWarehouse(Path(path))
        start.wait(timeout=120)
        for _ in range(2):
            store.replace_scenario(scenario, frames)
    except BaseException:
        errors.put(f"writer {scenario.partition_key}: {traceback.format_exc()}")
        raise


def read_repeatedly(path: str, start, errors) -> None:
    """A separate process: read while the writers write."""
    try:
        store = DuckDBWarehouse(Path(path))
        start.wait(timeout=120)
        for _ in range(15):
            if "hcp_profiles" in store.tables():
                store.read("hcp_profiles")
    except BaseException:
        errors.put(f"reader: {traceback.format_exc()}")
        raise


@pytest.mark.e2e
def test_concurrent_writers_and_readers_in_processes_all_succeed(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    spawn = multiprocessing.get_context("spawn")
    start, errors = spawn.Barrier(len(WRITERS) + READERS), spawn.Queue()
    processes = [
        spawn.Process(target=write_twice, args=(str(path), s, start, errors)) for s in WRITERS
    ]
    processes += [
        spawn.Process(target=read_repeatedly, args=(str(path), start, errors))
        for _ in range(READERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=180)
    reported = [errors.get(timeout=1) for _ in range(errors.qsize())]
    assert [p.exitcode for p in processes] == [0] * len(processes), reported

    store = DuckDBWarehouse(path)
    for scenario in WRITERS:
        expected = {
            t: len(f) for t, f in frames_of(scenario.brand, scenario.dgp, N_PATIENTS).items()
        }
        assert store.row_counts(scenario) == expected
    for table, spec in SPECS.items():
        counts = store.query(
            f"SELECT count(*) AS n, count(DISTINCT {spec.primary_key}) AS keys FROM {table}"
        )
        assert counts.loc[0, "n"] == counts.loc[0, "keys"] > 0, table


def seeded(tmp_path: Path) -> DuckDBWarehouse:
    store = DuckDBWarehouse(tmp_path / "warehouse.duckdb", lock_timeout=0.3)
    store.replace_scenario(WRITERS[0], frames_of("kisqali", "confounded", N_PATIENTS))
    return store


def test_a_writer_that_waits_too_long_gets_one_clear_error(tmp_path):
    store = seeded(tmp_path)
    lock = lock_path_of(store.path)
    with hold(lock, exclusive=True, timeout=1, purpose="replace fabhalta|confounded"):
        started = time.monotonic()
        with pytest.raises(E2IError) as caught:
            store.replace_scenario(WRITERS[0], frames_of("kisqali", "confounded", N_PATIENTS))
        waited = time.monotonic() - started
    message = str(caught.value)
    assert 0.3 <= waited < 3
    assert str(lock) in message and "\n" not in message
    assert "replace kisqali|confounded" in message  # who waits
    assert "replace fabhalta|confounded" in message  # who holds it
    assert "wait for it to finish" in message  # the fix
    assert store.row_counts(WRITERS[0])["patient_journeys"] == N_PATIENTS  # untouched


def test_readers_share_the_lock_but_wait_for_a_writer(tmp_path):
    store = seeded(tmp_path)
    lock = lock_path_of(store.path)
    with hold(lock, exclusive=False, timeout=1, purpose="read"):
        assert store.read("hcp_profiles", WRITERS[0]).shape[0] > 0
        with pytest.raises(E2IError, match="write lock"):
            store.record_results(store.read("hcp_profiles").iloc[:0])
    with (
        hold(lock, exclusive=True, timeout=1, purpose="replace x"),
        pytest.raises(E2IError, match=r"read lock .* held by pid \d+ \(replace x"),
    ):
        store.read("hcp_profiles")


def hold_duckdb_open(path: Path, seconds: float) -> subprocess.Popen:
    """Another program (not e2i) holding the file's write connection for a while."""
    script = (
        "import duckdb, sys, time\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "print('ready', flush=True)\n"
        "time.sleep(float(sys.argv[2]))\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "ready"
    return holder


def test_a_conflicting_lock_from_another_program_is_retried(tmp_path):
    store = seeded(tmp_path)
    holder = hold_duckdb_open(store.path, 1.0)
    try:
        store.replace_scenario(WRITERS[0], frames_of("kisqali", "confounded", N_PATIENTS))
    finally:
        holder.wait(timeout=30)
    assert store.row_counts(WRITERS[0])["patient_journeys"] == N_PATIENTS


def test_a_conflicting_lock_that_stays_is_one_clear_error(tmp_path, monkeypatch):
    store = seeded(tmp_path)
    monkeypatch.setattr(duckdb_store, "CONFLICT_RETRIES", 2)
    holder = hold_duckdb_open(store.path, 20)
    try:
        with pytest.raises(E2IError) as caught:
            store.read("hcp_profiles")
    finally:
        holder.kill()
        holder.wait(timeout=30)
    message = str(caught.value)
    assert str(store.path) in message and "Conflicting lock" in message
    assert "another program" in message and "close" in message
    assert "no warehouse" not in message


def test_a_missing_file_is_the_only_no_warehouse_case(tmp_path, monkeypatch):
    store = seeded(tmp_path)

    def out_of_memory(*args, **kwargs):
        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block")

    monkeypatch.setattr(duckdb_store.duckdb, "connect", out_of_memory)
    with pytest.raises(E2IError) as caught:
        store.read("hcp_profiles")
    assert "Out of Memory Error" in str(caught.value)
    assert "no warehouse" not in str(caught.value)


def test_open_warehouse_passes_the_wait_to_either_backend(tmp_path):
    assert open_warehouse(tmp_path, None, lock_timeout=2.5).lock_timeout == 2.5
    assert open_warehouse(tmp_path, None).lock_timeout == duckdb_store.LOCK_TIMEOUT_SECONDS
    postgres = open_warehouse(tmp_path, "postgresql://loader@db.example/e2i", lock_timeout=3)
    assert postgres.lock_timeout == 3
