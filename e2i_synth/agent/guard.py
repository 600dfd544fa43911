"""The statement guard: an agent's SQL runs only as one SELECT over the tables it may read.

It parses the text with sqlglot (a real SQL parser, not a pattern) and refuses, with one
clear reason, anything else: several statements, a statement that is not a query
(ATTACH, COPY, PRAGMA, SET, INSTALL, LOAD, DDL, DML), a table outside the readable ones
(the answer key, a catalog such as information_schema, a schema- or database-qualified
name, a file path), a table function, or a function that reads files, the environment,
the settings or the catalog. The sandbox it guards holds no key table and no file access
either: the guard is the first wall, not the only one."""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from e2i_synth.errors import E2IError

FORBIDDEN_FUNCTION = re.compile(
    r"^(read_|pg_|duckdb_|sniff_|parquet_|sqlite_|postgres_|mysql_|iceberg_|delta_|lo_|"
    r"dblink|glob|query|getenv|current_setting|set_config|which_secret|load|install|"
    r"checkpoint|force_checkpoint|summarize|file|json_execute_serialized_sql|"
    r"inet_server|inet_client|version$|current_database|current_schema|has_.*privilege)",
    re.IGNORECASE,
)
"""Functions that reach past the tables: files, globbing, the catalog, settings, the
environment, other databases, extension loading, or SQL text run as a query."""


class AgentSqlError(E2IError):
    """An agent's statement refused before it runs (or failed as it ran)."""


def function_name(node: exp.Func) -> str:
    return node.name if isinstance(node, exp.Anonymous) else node.sql_name()


def check_sql(sql: str, readable: Iterable[str], dialect: str = "duckdb") -> str:
    """The statement, unchanged, if it is one query over `readable` tables; else an
    AgentSqlError naming what is refused and what is allowed."""
    allowed = {name.lower() for name in readable}
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except ParseError as exc:
        raise AgentSqlError(f"the statement does not parse: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1:
        raise AgentSqlError(
            f"send exactly one SELECT statement, not {len(statements)}; run them one by one"
        )
    (tree,) = statements
    if not isinstance(tree, exp.Query) or tree.find(exp.Into):
        raise AgentSqlError(
            f"only SELECT queries run here, not {tree.key.upper()}; the warehouse is read-only"
        )
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise AgentSqlError(
                f"{table.this.sql(dialect)} is not a table: read tables by name "
                "(list_tables lists them); table functions and files are not available"
            )
        if table.args.get("db") or table.args.get("catalog"):
            raise AgentSqlError(
                f"{table.sql(dialect)}: name tables without a schema or database "
                "(catalogs such as information_schema are not available; use list_tables "
                "and describe_table)"
            )
        if table.name.lower() not in allowed | ctes:
            raise AgentSqlError(
                f"{table.name} is not a table you can read; list_tables lists those you can"
            )
    for function in tree.find_all(exp.Func):
        name = function_name(function)
        if FORBIDDEN_FUNCTION.match(name) or type(function).__name__.startswith("Read"):
            raise AgentSqlError(
                f"function {name} is not available: it reaches files, settings or the "
                "catalog; query the tables listed by list_tables"
            )
    return sql
