"""On PostgreSQL: the server copies the readable tables as the e2i_agent role, which has
no rights on the answer key, and the adversarial agent reads nothing of the key there
either (a database of the test's own)."""

from __future__ import annotations

import anyio
import psycopg
import pytest

from e2i_synth.agent.client import ToolFailed, call
from e2i_synth.agent.served import serve_warehouse
from e2i_synth.errors import ConfigError
from e2i_synth.settings import Scenario
from e2i_synth.tables.answer_key import ANSWER_KEY, VISIBLE_TABLES
from e2i_synth.warehouse.ddl import AGENT_ROLE
from e2i_synth.warehouse.postgres import PostgresWarehouse
from e2i_synth_tests.agent.conftest import session_on
from e2i_synth_tests.agent.test_adversarial import attacks, leaked
from e2i_synth_tests.conftest import frames_of

pytestmark = pytest.mark.postgres
SCENARIO = Scenario("kisqali", "confounded")
POSTGRES_ATTACKS = [
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT * FROM pg_ls_dir('.')",
    "SELECT lo_import('/etc/passwd')",
    "SELECT * FROM dblink('dbname=postgres', 'SELECT * FROM unit_truth') AS t(x text)",
    "COPY unit_truth TO PROGRAM 'cat'",
    "SELECT * FROM pg_catalog.pg_tables",
    "SELECT * FROM pg_tables",
    "SELECT current_setting('data_directory')",
]


@pytest.fixture(scope="module")
def loaded():
    from e2i_synth_tests.conftest import fresh_database

    with fresh_database() as url:
        store = PostgresWarehouse(url)
        store.replace_scenario(SCENARIO, frames_of(SCENARIO.brand, SCENARIO.dgp))
        yield url, store


def test_without_the_agent_role_granted_the_server_says_how(loaded):
    _, store = loaded
    with pytest.raises(ConfigError, match="e2i-synth db init"):
        serve_warehouse(store, [SCENARIO], 42, ("data",))


def test_the_agent_role_reads_the_readable_tables_and_no_key(loaded):
    url, store = loaded
    store.grant_roles()
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"SET ROLE {AGENT_ROLE}")
        assert con.execute("SELECT count(*) FROM patient_journeys").fetchone()[0] == 3_000
        present = {r[0] for r in con.execute("SELECT tablename FROM pg_tables").fetchall()}
        for table in sorted(ANSWER_KEY & present):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(f"SELECT * FROM {table} LIMIT 1")
    assert {"unit_truth", "causal_ground_truth", "scenario_signals"} <= present


def test_no_attack_reads_the_key_of_a_postgres_warehouse(loaded):
    _, store = loaded
    store.grant_roles()
    served = serve_warehouse(store, [SCENARIO], 42)
    assert set(served.sandbox.tables) <= set(VISIBLE_TABLES)
    assert {t.suite for t in served.tasks.values()} == {
        "data",
        "gap",
        "drift",
        "causal",
        "targeting",
    }
    outcomes = {}

    async def attack() -> None:
        async with session_on(served) as session:
            for sql in [*attacks("/var/lib/postgresql/data/base"), *POSTGRES_ATTACKS]:
                try:
                    outcomes[sql] = await call(session, "query", sql=sql)
                except ToolFailed as refused:
                    outcomes[sql] = str(refused)

    anyio.run(attack)
    assert len(outcomes) >= 40
    ran = {sql: r for sql, r in outcomes.items() if not isinstance(r, str)}
    assert not ran, ran
    assert not any(leaked(r) for r in outcomes.values())
