"""Names a golden query uses, resolved the way the warehouse would: tables (any case, a
dataset qualifier only when it is the story's), columns through CTEs, subqueries, `SELECT *`,
derived column lists, table functions and DuckDB's lateral aliases (sqlglot's `qualify`
does the resolution), and the answer's columns and types, which DuckDB binds on empty
tables of the warehouse's schema without running anything."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import cache

import duckdb
from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, traverse_scope

from e2i_synth.errors import E2IError
from e2i_synth.tables import SPECS

Schema = dict[str, dict[str, str]]
NUMERIC_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
)
OUTPUT_CLAUSES = (exp.Order, exp.Group, exp.Having, exp.Qualify)
"""Where a column may name an output alias of its own SELECT."""


class QueryError(E2IError):
    """A golden query that does not parse or names what the warehouse does not have;
    `sql_line` is the line of its SQL where the problem is, when known."""

    def __init__(self, message: str, sql_line: int | None = None) -> None:
        super().__init__(message)
        self.sql_line = sql_line


def nearest(name: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.5)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def line_of(node: exp.Expression) -> int | None:
    """The line of the SQL a name was read from (sqlglot keeps it on identifiers)."""
    identifier = node if isinstance(node, exp.Identifier) else node.find(exp.Identifier)
    return identifier.meta.get("line") if identifier is not None else None


def is_numeric(duckdb_type: str) -> bool:
    return duckdb_type.split("(")[0].upper() in NUMERIC_TYPES


def resolve_tables(
    tree: exp.Expression, schema: Schema, dataset: str | None, dialect: str
) -> exp.Expression:
    """A copy with every warehouse table named as the warehouse names it: lower case, its
    dataset qualifier dropped when it is the story's `dataset`; one error naming every
    unknown table and every qualifier that is not the story's, with the fix."""
    tree = tree.copy()
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    unknown, foreign, lines = [], [], []
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):  # a table function: range(...), ...
            continue
        name = table.name.lower()
        qualifier = ".".join(p for p in (table.catalog, table.db) if p)
        if name in ctes and not qualifier:
            continue
        if name not in schema:
            unknown.append(f"{table.sql(dialect=dialect)}{nearest(name, schema)}")
            lines.append(line_of(table))
            continue
        if qualifier and qualifier.lower() != (dataset or "").lower():
            foreign.append(f"{qualifier}.{table.name}")
            lines.append(line_of(table))
            continue
        table.set("this", exp.to_identifier(name))
        table.set("db", None)
        table.set("catalog", None)
    if unknown:
        raise QueryError(
            f"unknown table(s): {'; '.join(dict.fromkeys(unknown))}. "
            f"Known tables: {', '.join(schema)}",
            lines[0],
        )
    if foreign:
        fix = (
            f"the story's tables live in dataset {dataset!r}: write {dataset}.<table> or the "
            "bare table name"
            if dataset
            else "write the bare table name, or state the dataset the tables are loaded "
            f"into as `dataset: {foreign[0].rsplit('.', 1)[0]}` in the story"
        )
        raise QueryError(f"{', '.join(dict.fromkeys(foreign))}: {fix}", lines[0])
    return tree


def qualified(tree: exp.Expression, schema: Schema, dialect: str) -> exp.Expression:
    """Every column tied to its source, `*` expanded, derived column lists and lateral
    aliases applied; then one error naming every unknown and every ambiguous column."""
    options = {"schema": schema, "dialect": dialect, "identify": False}
    try:
        resolved = qualify(tree.copy(), validate_qualify_columns=False, **options)
    except OptimizeError as exc:
        # sqlglot stops at the first column it cannot place: name them all from the
        # tables alone, or its own message when that finds none
        check_columns(qualify(tree.copy(), qualify_columns=False, **options), schema)
        known = {c for columns in schema.values() for c in columns}
        name = str(exc).rsplit(":", 1)[-1].strip()
        raise QueryError(f"{exc}{nearest(name, known)}") from None
    check_columns(resolved, schema)
    return resolved


def source_columns(node: exp.Expression, source: object, schema: Schema) -> set[str] | None:
    """The columns a FROM source offers (`node` names it in the FROM, `source` is what it
    reads), None when they cannot be known (a table function without a column list, a `*`
    not expanded)."""
    alias = node.args.get("alias") if isinstance(node, exp.Expression) else None
    if alias is not None and alias.columns:  # a derived column list renames them
        return {c.name for c in alias.columns}
    if isinstance(source, exp.Table) and source.name in schema:
        return set(schema[source.name])
    read = source.expression if isinstance(source, Scope) else source
    query = read if isinstance(read, exp.Query) else read.find(exp.Query)
    if query is None or any(s.is_star for s in query.selects):
        return None
    return set(query.named_selects)


def offered_columns(scope: Scope, schema: Schema) -> dict[str, set[str] | None]:
    """Each FROM alias of the scope -> the columns it offers."""
    return {a: source_columns(n, s, schema) for a, (n, s) in scope.selected_sources.items()}


def check_columns(tree: exp.Expression, schema: Schema) -> None:
    """One error naming every unknown and every ambiguous column of a qualified query."""
    problems: list[str] = []
    ambiguous: list[str] = []
    lines: list[int | None] = []
    for scope in traverse_scope(tree):
        offered = offered_columns(scope, schema)
        outer_names: set[str] = set()
        parent = scope.parent
        while parent is not None:  # a subquery may name its enclosing query's columns
            for columns in offered_columns(parent, schema).values():
                outer_names |= columns or set()
            parent = parent.parent
        aliases = set(scope.expression.named_selects)
        for column in scope.columns:
            if column.find_ancestor(exp.Select) is not scope.expression:
                continue
            if column.table:
                columns = offered.get(column.table)
                if columns is not None and column.name not in columns:
                    source = scope.sources[column.table]
                    label = source.name if isinstance(source, exp.Table) else column.table
                    problems.append(f"{label}.{column.name}{nearest(column.name, columns)}")
                    lines.append(line_of(column))
                continue
            holders = [a for a, cols in offered.items() if cols and column.name in cols]
            opaque = any(cols is None for cols in offered.values())
            by_alias = column.name in aliases and column.find_ancestor(*OUTPUT_CLAUSES)
            if len(holders) > 1:
                choices = " or ".join(f"{a}.{column.name}" for a in holders)
                ambiguous.append(f"{column.name} (write {choices})")
                lines.append(line_of(column))
            elif not (holders or opaque or by_alias or column.name in outer_names):
                visible = {c for cols in offered.values() for c in cols or ()}
                problems.append(f"{column.name}{nearest(column.name, visible)}")
                lines.append(line_of(column))
    found = [
        f"{what} column(s): {'; '.join(dict.fromkeys(names))}"
        for what, names in (("unknown", problems), ("ambiguous", ambiguous))
        if names
    ]
    if found:
        raise QueryError("; ".join(found), min(filter(None, lines), default=None))


@cache
def _empty_warehouse() -> duckdb.DuckDBPyConnection:
    """The warehouse's tables, empty, in memory: DuckDB binds a query on them (names,
    types, ambiguity) without data."""
    con = duckdb.connect()
    for name, spec in SPECS.items():
        columns = ", ".join(f'"{c}" {t}' for c, t in spec.columns.items())
        con.execute(f'CREATE TABLE "{name}" ({columns})')
    return con


def output_columns(duckdb_sql: str) -> tuple[tuple[str, str], ...]:
    """(name, DuckDB type) of each column of the answer, as DuckDB binds the query."""
    con = _empty_warehouse().cursor()
    try:
        rows = con.execute(f"DESCRIBE {duckdb_sql}").fetchall()
    except duckdb.Error as exc:
        lines = str(exc).splitlines()
        hint = [f" ({line})" for line in lines[1:2] if line.startswith("Candidate bindings")]
        raise QueryError(f"DuckDB cannot run it: {lines[0]}{''.join(hint)}") from None
    finally:
        con.close()
    return tuple((str(r[0]), str(r[1])) for r in rows)
