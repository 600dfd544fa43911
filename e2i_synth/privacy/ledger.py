"""The privacy ledger in PostgreSQL: a per-dataset epsilon budget that refuses overspend
under concurrent callers, and an audit log of every sampler query, refused and failed ones
included.

Callers never write either table: two functions of the ledger's owner do (SECURITY
DEFINER, migration 018), so the reader and loader roles can use the sampler while the log
stays append-only and its identity column is the database session's `session_user`, not
anything the caller says. `privacy_release` locks the budget row (SELECT ... FOR UPDATE)
and logs the spend in the transaction that releases the answer, so two callers racing for
the last epsilon are served one after the other and the second is refused, and every
epsilon in the log was taken from the budget. The log holds the query's shape (columns,
filter columns and operators, limit, fraction, aggregate), never filter values or
credentials.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import psycopg
from psycopg import sql

from e2i_synth.errors import E2IError
from e2i_synth.warehouse.migrations import (
    BUDGET_TABLE,
    LEDGER_FUNCTIONS,
    LEDGER_TABLES,
)

REFUSED_SQLSTATE = "E2I01"
"""What `privacy_release` raises for a dataset without budget or an overspend."""
EPSILON_SLACK = 1e-12
"""Float tolerance when comparing a spend with the remaining budget (the migration's
CHECK and `privacy_release` allow the same)."""


class Refused(E2IError):
    """A sampler query refused by policy: bad input, or it would overspend the budget."""


def require(con: psycopg.Connection) -> None:
    """The ledger and its functions must exist before any query: the sampler never
    creates them itself (its callers may not be allowed to)."""
    names = [*LEDGER_TABLES]
    found = con.execute(
        "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL "
        "AND to_regprocedure(%s) IS NOT NULL AND to_regprocedure(%s) IS NOT NULL",
        [*names, *LEDGER_FUNCTIONS],
    ).fetchone()[0]
    if not found:
        raise E2IError(
            "the privacy ledger (budget, audit log and their functions) is not in this "
            "database; its owner runs `e2i-synth db migrate` (or `db init`, which also lets "
            "e2i_reader and e2i_loader use the sampler) once"
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


def release(
    cur: psycopg.Cursor,
    dataset: str,
    kind: str,
    shape: Mapping[str, object],
    epsilon: float,
    rows: int,
) -> None:
    """Take `epsilon` (0 for rows) from the dataset's budget and log the release, inside the
    caller's transaction (the budget row stays locked until it commits); refuse when the
    dataset has no budget or it would overspend."""
    try:
        cur.execute(
            "SELECT privacy_release(%s, %s, %s::jsonb, %s, %s)",
            [dataset, kind, json.dumps(shape, default=str), float(epsilon), rows],
        )
    except psycopg.Error as exc:
        if exc.sqlstate == REFUSED_SQLSTATE:
            raise Refused(exc.diag.message_primary or str(exc)) from None
        raise


def log_unreleased(
    cur: psycopg.Cursor,
    dataset: str,
    kind: str,
    shape: Mapping[str, object],
    outcome: str,
    reason: str,
) -> None:
    """Log a query that released nothing: `refused` by the rules or `failed` in the database."""
    cur.execute(
        "SELECT privacy_refusal(%s, %s, %s::jsonb, %s, %s)",
        [dataset, kind, json.dumps(shape, default=str), outcome, reason],
    )
