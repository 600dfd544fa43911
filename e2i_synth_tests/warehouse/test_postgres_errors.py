"""PostgreSQL failures an operator meets are one line naming the problem and the fix, never
the password, and leave nothing half-applied."""

from __future__ import annotations

import psycopg
import pytest

from e2i_synth.database_url import parse_database_url
from e2i_synth.errors import E2IError
from e2i_synth.warehouse import migrations
from e2i_synth.warehouse.postgres import PostgresWarehouse, database_error, public_tables
from e2i_synth_tests.warehouse.conftest import MARKER, with_user

pytestmark = pytest.mark.postgres


def one_clear_line(caught: pytest.ExceptionInfo) -> str:
    message = str(caught.value)
    assert "\n" not in message and MARKER not in message
    assert "Traceback" not in message and caught.value.__cause__ is None
    return message


def test_migrate_without_create_rights_names_the_grant_and_applies_nothing(
    postgres_database, plain_role
):
    with pytest.raises(E2IError) as caught:
        PostgresWarehouse(plain_role).migrate()
    message = one_clear_line(caught)
    assert "permission denied for schema public" in message
    assert "GRANT CREATE ON SCHEMA public" in message and "nothing was applied" in message
    with psycopg.connect(postgres_database) as con:
        assert public_tables(con) == []


def test_init_as_a_non_owner_says_who_must_run_it_and_changes_nothing(
    postgres_database, plain_role
):
    owner = PostgresWarehouse(postgres_database)
    owner.migrate()
    with pytest.raises(E2IError) as caught:
        PostgresWarehouse(plain_role).grant_roles()
    message = one_clear_line(caught)
    assert "permission denied" in message or "must be owner of" in message
    assert "db init` as the owner of the tables" in message
    with psycopg.connect(postgres_database) as con:
        secured = con.execute("SELECT count(*) FROM pg_class WHERE relrowsecurity").fetchone()
        policies = con.execute("SELECT count(*) FROM pg_policies").fetchone()
    assert secured == (0,) and policies == (0,)


def test_a_migration_meeting_an_existing_table_is_one_line_and_all_or_nothing(
    postgres_database,
):
    with psycopg.connect(postgres_database) as con:
        con.execute("CREATE TABLE hcp_profiles (hcp_id text)")
    with pytest.raises(E2IError) as caught:
        PostgresWarehouse(with_user(postgres_database, "postgres")).migrate()
    message = one_clear_line(caught)
    assert 'relation "hcp_profiles" already exists' in message
    assert migrations.LEDGER in message and "nothing was applied" in message
    with psycopg.connect(postgres_database) as con:
        assert public_tables(con) == ["hcp_profiles"]  # no ledger, no other table


def test_reading_results_before_any_validation_is_a_clear_error(postgres_database):
    store = PostgresWarehouse(postgres_database)
    with pytest.raises(E2IError, match=r"no validation results .* yet; run `e2i-synth"):
        store.read_results(["run-1"])


def test_the_password_never_reaches_the_message_even_if_the_server_echoes_it():
    target = parse_database_url(f"postgresql://loader:{MARKER}@db.example:5432/e2i")
    echoed = psycopg.errors.InsufficientPrivilege(f"password authentication for {MARKER}")
    message = str(database_error(echoed, target, "load kisqali|confounded"))
    assert MARKER not in message and "***" in message
    assert "database 'e2i' at db.example:5432 as 'loader'" in message
