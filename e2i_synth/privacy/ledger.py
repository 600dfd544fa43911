"""The privacy ledger in PostgreSQL: a per-dataset epsilon budget that refuses overspend
under concurrent callers, and an audit log of every sampler query, refused ones included.

The budget row is locked (SELECT ... FOR UPDATE) in the same transaction that releases
the answer, so two callers racing for the last epsilon are served one after the other
and the second is refused. The audit log holds the query's shape (columns, filter
columns and operators, limit, fraction, aggregate), never filter values or credentials.
Both tables come with the warehouse's migrations (008); `e2i-synth db init` lets the
read-only role read them.
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
LEDGER_TABLES = (BUDGET_TABLE, AUDIT_TABLE)
"""Created by migration 008 (`e2i_synth/sql/migrations/008_privacy_ledger.sql`)."""
EPSILON_SLACK = 1e-12
"""Float tolerance when comparing a spend with the remaining budget (the migration's
CHECK allows the same)."""


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


def require(con: psycopg.Connection) -> None:
    """The ledger must exist before any query: the sampler never creates tables itself
    (its callers may not be allowed to)."""
    found = con.execute(
        "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
        [BUDGET_TABLE, AUDIT_TABLE],
    ).fetchone()[0]
    if not found:
        raise E2IError(
            "the privacy ledger (budget and audit log) is not in this database; its owner "
            "runs `e2i-synth db migrate` (or `db init`, which also grants e2i_reader) once"
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
