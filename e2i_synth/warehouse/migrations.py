"""Versioned schema migrations for PostgreSQL: `e2i_synth/sql/migrations/NNN_name.sql`.

Applied versions are recorded in `e2i_schema_migrations`. The pending files run in one
transaction with their records, under an advisory lock: a failed migration applies none
of them, concurrent migrators wait for each other, and re-running applies only what is
missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from e2i_synth.errors import E2IError

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
"""Schema, migrations and named queries ship inside the package, so any install has them."""
MIGRATIONS_DIR = SQL_DIR / "migrations"
SCHEMA_FILE = SQL_DIR / "schema.sql"
LEDGER = "e2i_schema_migrations"
FILE_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")

BUDGET_TABLE = "privacy_budget"
AUDIT_TABLE = "privacy_audit_log"
LEDGER_TABLES = (BUDGET_TABLE, AUDIT_TABLE)
"""The privacy ledger's tables, created by migration 008 (`008_privacy_ledger.sql`): the
storage's to create and grant (`ddl.role_statements`), the privacy sampler's to use."""
LEDGER_FUNCTIONS = (
    "privacy_release(text, text, jsonb, double precision, integer)",
    "privacy_refusal(text, text, jsonb, text, text)",
)
"""The only writers of the ledger (migration 018); `e2i-synth db init` grants EXECUTE."""


@dataclass(frozen=True)
class Migration:
    version: str
    path: Path

    @property
    def name(self) -> str:
        return self.path.stem


def available(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration file, in version order; a misnamed or duplicate version is an error."""
    if not directory.is_dir():
        raise E2IError(
            f"no migrations folder at {directory}; reinstall e2i_synth (the package ships it)"
        )
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = FILE_NAME.match(path.name)
        if not match:
            raise E2IError(f"migration {path.name} is not named NNN_lowercase_name.sql")
        migrations.append(Migration(match.group(1), path))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise E2IError(f"duplicate migration versions in {directory}")
    return migrations


def applied(con: psycopg.Connection) -> list[str]:
    """Applied versions; none while the ledger does not exist (reading never creates it)."""
    exists = con.execute("SELECT to_regclass(%s) IS NOT NULL", [LEDGER]).fetchone()[0]
    if not exists:
        return []
    return [row[0] for row in con.execute(f"SELECT version FROM {LEDGER} ORDER BY version")]


def ensure_ledger(con: psycopg.Connection) -> None:
    """Create the ledger on first migration; a role that may not create tables (a loader)
    finds it present and never tries."""
    if not con.execute("SELECT to_regclass(%s) IS NOT NULL", [LEDGER]).fetchone()[0]:
        con.execute(
            f"CREATE TABLE {LEDGER} (version text PRIMARY KEY, name text NOT NULL, "
            "applied_at timestamptz NOT NULL DEFAULT now())"
        )


def pending(con: psycopg.Connection) -> list[Migration]:
    done = set(applied(con))
    return [m for m in available() if m.version not in done]


def migrate(con: psycopg.Connection) -> list[Migration]:
    """Apply every pending migration, all or nothing; return those applied."""
    with con.transaction():
        # One migrator at a time: concurrent runs wait here, then find nothing pending.
        con.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [LEDGER])
        ensure_ledger(con)
        todo = pending(con)
        for migration in todo:
            con.execute(migration.path.read_text(encoding="utf-8"))
            con.execute(
                f"INSERT INTO {LEDGER} (version, name) VALUES (%s, %s)",
                [migration.version, migration.name],
            )
    return todo
