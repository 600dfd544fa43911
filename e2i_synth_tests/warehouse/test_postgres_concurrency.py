"""Loads of one scenario into one PostgreSQL database at once take turns: both succeed,
and the scenario's rows are there exactly once; other scenarios still load in parallel."""

from __future__ import annotations

import multiprocessing
import traceback

import psycopg
import pytest

from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario
from e2i_synth.tables import SPECS
from e2i_synth.warehouse.postgres import PostgresWarehouse, scenario_lock_sql
from e2i_synth_tests.conftest import frames_of

pytestmark = pytest.mark.postgres
N_PATIENTS = 2_000
SCENARIO = Scenario("kisqali", "confounded")
LOADS = [SCENARIO, SCENARIO, SCENARIO, Scenario("fabhalta", "confounded")]


def load(url: str, scenario: Scenario, start, errors) -> None:
    """A separate process: build the scenario, then load it at the signal."""
    from e2i_synth.tables import build_tables
    from e2i_synth.world import draw_world

    try:
        frames = build_tables(draw_world(scenario, N_PATIENTS, 7))
        start.wait(timeout=120)
        PostgresWarehouse(url).replace_scenario(scenario, frames)
    except BaseException:
        errors.put(f"{scenario.partition_key}: {traceback.format_exc()}")
        raise


@pytest.mark.e2e
def test_concurrent_loads_of_one_scenario_take_turns(postgres_database):
    PostgresWarehouse(postgres_database).migrate()
    spawn = multiprocessing.get_context("spawn")
    start, errors = spawn.Barrier(len(LOADS)), spawn.Queue()
    processes = [
        spawn.Process(target=load, args=(postgres_database, s, start, errors)) for s in LOADS
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=180)
    reported = [errors.get(timeout=1) for _ in range(errors.qsize())]
    assert [p.exitcode for p in processes] == [0] * len(processes), reported

    store = PostgresWarehouse(postgres_database)
    for scenario in set(LOADS):
        frames = frames_of(scenario.brand, scenario.dgp, N_PATIENTS)
        assert store.row_counts(scenario) == {t: len(f) for t, f in frames.items()}
    with psycopg.connect(postgres_database) as con:
        for table, spec in SPECS.items():
            n, keys = con.execute(
                f"SELECT count(*), count(DISTINCT {spec.primary_key}) FROM {table}"
            ).fetchone()
            assert n == keys > 0, table


def test_a_load_that_waits_too_long_says_another_load_holds_the_scenario(postgres_database):
    store = PostgresWarehouse(postgres_database, lock_timeout=0.5)
    store.migrate()
    with psycopg.connect(postgres_database) as holder, holder.transaction():
        holder.execute(scenario_lock_sql(), [SCENARIO.partition_key])
        with pytest.raises(E2IError) as caught:
            store.replace_scenario(SCENARIO, frames_of("kisqali", "confounded", 300))
    message = str(caught.value)
    assert "another load of kisqali|confounded" in message and "retry" in message
    assert store.row_counts(SCENARIO)["patient_journeys"] == 0
    store.replace_scenario(SCENARIO, frames_of("kisqali", "confounded", 300))  # lock released
    assert store.row_counts(SCENARIO)["patient_journeys"] == 300
