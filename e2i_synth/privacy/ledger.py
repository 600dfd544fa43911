"""The privacy ledger in PostgreSQL: a per-dataset epsilon budget that refuses overspend
under concurrent callers, and an audit log of every sampler query, refused ones included.

The budget row is locked (SELECT ... FOR UPDATE) in the same transaction that releases
the answer, so two callers racing for the last epsilon are served one after the other
and the second is refused. The audit log holds the query's shape (columns, filter
columns and operators, limit, fraction, aggregate), never filter values or credentials.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import psycopg
from psycopg import sql

from e2i_synth.errors import E2IError

BUDGET_TABLE = "privacy_budget"
AUDIT_TABLE = "privacy_audit_log"
READER_ROLE = "e2i_reader"
EPSILON_SLACK = 1e-12
"""Float tolerance when comparing a spend with the remaining budget."""

DDL = f"""
CREATE TABLE IF NOT EXISTS {BUDGET_TABLE} (
    dataset text PRIMARY KEY,
    epsilon_total double precision NOT NULL CHECK (epsilon_total >= 0),
    epsilon_spent double precision NOT NULL DEFAULT 0 CHECK (epsilon_spent >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (epsilon_spent <= epsilon_total + {EPSILON_SLACK})
);
CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (
    audit_id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    db_user text NOT NULL DEFAULT session_user,
    requested_by text NOT NULL,
    dataset text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('rows', 'aggregate')),
    query_shape jsonb NOT NULL,
    epsilon_spent double precision NOT NULL DEFAULT 0,
    rows_returned integer NOT NULL DEFAULT 0,
    outcome text NOT NULL CHECK (outcome IN ('released', 'refused')),
    reason text
);
CREATE INDEX IF NOT EXISTS {AUDIT_TABLE}_dataset_at ON {AUDIT_TABLE} (dataset, at);
"""
"""Kept here until the privacy migration (006) can join the schema the specs render."""


class Refused(E2IError):
    """A sampler query refused by policy: bad input, or it would overspend the budget."""


@dataclass(frozen=True)
class Entry:
    requested_by: str
    dataset: str
    kind: str
    shape: Mapping[str, object]
    epsilon_spent: float = 0.0
    rows_returned: int = 0
    outcome: str = "released"
    reason: str | None = None


def install(con: psycopg.Connection) -> None:
    """Create the ledger tables (idempotent); the read-only role may read the audit log."""
    with con.transaction():
        con.execute(DDL)
        reader = con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [READER_ROLE])
        if reader.fetchone():
            con.execute(
                sql.SQL("GRANT SELECT ON {}, {} TO {}").format(
                    sql.Identifier(AUDIT_TABLE),
                    sql.Identifier(BUDGET_TABLE),
                    sql.Identifier(READER_ROLE),
                )
            )


def require(con: psycopg.Connection) -> None:
    """The ledger must exist before any query: the sampler never creates tables itself
    (its callers may not be allowed to)."""
    found = con.execute(
        "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
        [BUDGET_TABLE, AUDIT_TABLE],
    ).fetchone()[0]
    if not found:
        raise E2IError(
            "the privacy ledger (budget and audit log) is not installed in this database; "
            "its owner runs `e2i-synth privacy budget DATASET EPSILON` once"
        )


def set_budget(con: psycopg.Connection, dataset: str, epsilon_total: float) -> None:
    """Set a dataset's total epsilon; what was already spent stays spent."""
    if not epsilon_total >= 0:
        raise E2IError(f"epsilon budget {epsilon_total} must be a non-negative number")
    with con.transaction():
        con.execute(
            sql.SQL(
                "INSERT INTO {} (dataset, epsilon_total) VALUES (%s, %s) ON CONFLICT (dataset) "
                "DO UPDATE SET epsilon_total = EXCLUDED.epsilon_total, updated_at = now()"
            ).format(sql.Identifier(BUDGET_TABLE)),
            [dataset, epsilon_total],
        )


def remaining(con: psycopg.Connection, dataset: str) -> float:
    row = con.execute(
        sql.SQL("SELECT epsilon_total - epsilon_spent FROM {} WHERE dataset = %s").format(
            sql.Identifier(BUDGET_TABLE)
        ),
        [dataset],
    ).fetchone()
    return 0.0 if row is None else float(row[0])


def spend(cur: psycopg.Cursor, dataset: str, epsilon: float) -> None:
    """Take `epsilon` from the dataset's budget inside the caller's transaction, holding
    the budget row's lock until it commits; refuse when it would overspend."""
    row = cur.execute(
        sql.SQL("SELECT epsilon_total, epsilon_spent FROM {} WHERE dataset = %s FOR UPDATE").format(
            sql.Identifier(BUDGET_TABLE)
        ),
        [dataset],
    ).fetchone()
    if row is None:
        raise Refused(
            f"dataset {dataset!r} has no epsilon budget; the data owner sets one with "
            "`e2i-synth privacy budget`"
        )
    total, spent = row
    if spent + epsilon > total + EPSILON_SLACK:
        raise Refused(
            f"epsilon {epsilon:g} would overspend dataset {dataset!r}: {total - spent:g} of "
            f"{total:g} left"
        )
    cur.execute(
        sql.SQL(
            "UPDATE {} SET epsilon_spent = epsilon_spent + %s, updated_at = now() "
            "WHERE dataset = %s"
        ).format(sql.Identifier(BUDGET_TABLE)),
        [epsilon, dataset],
    )


def record(cur: psycopg.Cursor, entry: Entry) -> None:
    cur.execute(
        sql.SQL(
            "INSERT INTO {} (requested_by, dataset, kind, query_shape, epsilon_spent, "
            "rows_returned, outcome, reason) VALUES (%s, %s, %s, %s::jsonb, %s, %s, %s, %s)"
        ).format(sql.Identifier(AUDIT_TABLE)),
        [
            entry.requested_by,
            entry.dataset,
            entry.kind,
            json.dumps(entry.shape, default=str),
            entry.epsilon_spent,
            entry.rows_returned,
            entry.outcome,
            entry.reason,
        ],
    )
