"""schema.sql is what the specs render, and the migrations build exactly its catalog, plus
the privacy ledger, which no spec renders (migration 008 alone defines it)."""

from __future__ import annotations

import psycopg
import pytest

from e2i_synth.errors import E2IError
from e2i_synth.privacy import ledger
from e2i_synth.warehouse import migrations
from e2i_synth.warehouse.ddl import render_schema

NOT_IN_SCHEMA_FILE = (migrations.LEDGER, *migrations.LEDGER_TABLES)
"""Tables the migrations make that schema.sql does not: the migration ledger, and the
privacy ledger (serial key, jsonb, defaults and two-column CHECKs: no table spec renders
it). `test_privacy_ledger_comes_from_its_migration` checks the latter on its own."""

CATALOG_QUERIES = {
    # Column order, not attribute numbers: a dropped column leaves a gap in the latter.
    "columns": """
        SELECT table_name, column_name,
               row_number() OVER (PARTITION BY table_name ORDER BY ordinal_position),
               data_type, udt_name, is_nullable, column_default
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> ALL(%s)
        ORDER BY table_name, ordinal_position""",
    "constraints": """
        SELECT rel.relname, con.conname, con.contype, pg_get_constraintdef(con.oid)
        FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
        JOIN pg_namespace ns ON ns.oid = rel.relnamespace
        WHERE ns.nspname = 'public' AND rel.relname <> ALL(%s) ORDER BY 1, 2""",
    "indexes": """
        SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename <> ALL(%s) ORDER BY 1, 2""",
}


def catalog(url: str) -> dict[str, list[tuple]]:
    with psycopg.connect(url) as con:
        return {
            name: con.execute(query, [list(NOT_IN_SCHEMA_FILE)]).fetchall()
            for name, query in CATALOG_QUERIES.items()
        }


def test_schema_file_is_what_the_specs_render():
    assert migrations.SCHEMA_FILE.read_text(encoding="utf-8") == render_schema()


def test_migration_files_are_numbered_in_order():
    versions = [m.version for m in migrations.available()]
    assert versions == [f"{i:03d}" for i in range(1, len(versions) + 1)]


@pytest.mark.postgres
def test_migrations_and_schema_file_build_identical_catalogs(
    postgres_database, second_postgres_database
):
    with psycopg.connect(postgres_database) as con:
        applied = migrations.migrate(con)
    assert [m.version for m in applied] == [m.version for m in migrations.available()]
    with psycopg.connect(second_postgres_database) as con:
        con.execute(migrations.SCHEMA_FILE.read_text(encoding="utf-8"))
    from_migrations, from_schema = catalog(postgres_database), catalog(second_postgres_database)
    assert len(from_schema["constraints"]) > 50 and len(from_schema["indexes"]) > 15
    assert from_migrations == from_schema


@pytest.mark.postgres
def test_privacy_ledger_comes_from_its_migration(postgres_database):
    """Absent before the migrations (the sampler refuses, naming the fix), present after,
    with the budget's overspend CHECK at the ledger's own slack; schema.sql leaves it out."""
    with psycopg.connect(postgres_database) as con:
        with pytest.raises(E2IError, match="db migrate"):
            ledger.require(con)
        migrations.migrate(con)
        ledger.require(con)
        ledger.set_budget(con, "journeys", 1.0)
        con.execute(
            "UPDATE privacy_budget SET epsilon_spent = %s", [1.0 + ledger.EPSILON_SLACK / 2]
        )
        with pytest.raises(psycopg.errors.CheckViolation), con.transaction():
            con.execute("UPDATE privacy_budget SET epsilon_spent = 1.0 + 1e-9")
        columns = con.execute(
            "SELECT table_name, count(*) FROM information_schema.columns "
            "WHERE table_name = ANY(%s) GROUP BY 1 ORDER BY 1",
            [list(migrations.LEDGER_TABLES)],
        ).fetchall()
    assert columns == [("privacy_audit_log", 11), ("privacy_budget", 4)]
    schema = migrations.SCHEMA_FILE.read_text(encoding="utf-8")
    assert not any(table in schema for table in migrations.LEDGER_TABLES)


@pytest.mark.postgres
def test_migrate_is_idempotent_and_recorded(postgres_database):
    with psycopg.connect(postgres_database) as con:
        first = migrations.migrate(con)
        second = migrations.migrate(con)
        recorded = con.execute(f"SELECT version FROM {migrations.LEDGER} ORDER BY 1").fetchall()
    assert first and second == []
    assert [r[0] for r in recorded] == [m.version for m in first]


def test_misnamed_or_missing_migrations_are_clear_errors(tmp_path):
    with pytest.raises(E2IError, match="no migrations folder"):
        migrations.available(tmp_path / "nowhere")
    (tmp_path / "1_first.sql").write_text("SELECT 1;")
    with pytest.raises(E2IError, match=r"1_first\.sql is not named NNN_lowercase_name\.sql"):
        migrations.available(tmp_path)
