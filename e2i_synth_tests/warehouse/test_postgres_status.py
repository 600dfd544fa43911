"""`db status` only reads: it runs in a READ ONLY transaction, creates no ledger, and
works for a role that may not create anything."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from e2i_synth.errors import E2IError
from e2i_synth.warehouse import migrations
from e2i_synth.warehouse.postgres import PostgresWarehouse, public_tables

pytestmark = pytest.mark.postgres


def test_status_without_create_rights_reads_and_writes_nothing(postgres_database, plain_role):
    applied, pending, counts = PostgresWarehouse(plain_role).status()
    assert applied == [] and counts == {}
    assert pending == [m.name for m in migrations.available()]
    with psycopg.connect(postgres_database) as con:
        assert public_tables(con) == []


def test_status_on_a_migrated_database_lists_applied_and_counts(postgres_database, plain_role):
    PostgresWarehouse(postgres_database).migrate()
    with psycopg.connect(postgres_database, autocommit=True) as con:
        con.execute(
            f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {conninfo_to_dict(plain_role)['user']}"
        )
    applied, pending, counts = PostgresWarehouse(plain_role).status()
    assert applied == [m.name for m in migrations.available()] and pending == []
    assert counts["hcp_profiles"] == 0 and "validation_results" in counts


def test_status_runs_in_a_read_only_transaction(postgres_database, monkeypatch):
    def write_the_ledger(con):
        con.execute(f"CREATE TABLE {migrations.LEDGER} (version text)")
        return []

    monkeypatch.setattr(migrations, "applied", write_the_ledger)
    with pytest.raises(E2IError, match="read-only transaction"):
        PostgresWarehouse(postgres_database).status()
