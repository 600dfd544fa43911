"""PostgreSQL DDL rendered from the table specs and the catalog's vocabulary.

`e2i_synth/sql/schema.sql` is this output, checked in for DBAs and reviewed like code (each
column after a comment holding its spec's description); a test keeps the file and the specs
identical, and another proves the migrations build the same
catalog. Constraint and index names are explicit so two databases can be compared.
"""

from __future__ import annotations

from e2i_synth.catalog import COLUMN_VOCABULARY
from e2i_synth.tables import STORED_SPECS
from e2i_synth.tables.answer_key import VISIBLE_TABLES
from e2i_synth.tables.results import RESULTS_SPEC
from e2i_synth.tables.spec import TableSpec
from e2i_synth.warehouse.migrations import LEDGER_FUNCTIONS, LEDGER_TABLES

POSTGRES_TYPES = {
    "VARCHAR": "text",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "DOUBLE": "double precision",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp without time zone",
    "VARCHAR[]": "text[]",
}
ALL_SPECS: tuple[TableSpec, ...] = (*STORED_SPECS.values(), RESULTS_SPEC)
"""Every warehouse table, parents before children."""
SCENARIO_COLUMNS = ("brand", "dgp_type")


def quote_values(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def create_table(spec: TableSpec) -> str:
    """The table's CREATE TABLE, each column after a comment holding its description."""
    lines = [
        f"    -- {spec.describe(name)}\n"
        f"    {name} {POSTGRES_TYPES[sql_type]}{'' if name in spec.nullable else ' NOT NULL'}"
        for name, sql_type in spec.columns.items()
    ]
    lines.append(f"    CONSTRAINT {spec.name}_pkey PRIMARY KEY ({spec.primary_key})")
    if spec.unique:
        lines.append(f"    CONSTRAINT {spec.name}_natural_key UNIQUE ({', '.join(spec.unique)})")
    for column, parent in spec.foreign_keys.items():
        lines.append(
            f"    CONSTRAINT {spec.name}_{column}_fkey FOREIGN KEY ({column}) "
            f"REFERENCES {parent} ({STORED_SPECS[parent].primary_key})"
        )
    for column in spec.columns:
        if column in COLUMN_VOCABULARY:
            lines.append(
                f"    CONSTRAINT {spec.name}_{column}_check CHECK "
                f"({column} IN ({quote_values(COLUMN_VOCABULARY[column])}))"
            )
    return f"CREATE TABLE {spec.name} (\n" + ",\n".join(lines) + "\n);"


def create_indexes(spec: TableSpec) -> list[str]:
    statements = []
    if set(SCENARIO_COLUMNS) <= set(spec.columns):
        statements.append(
            f"CREATE INDEX {spec.name}_scenario_idx ON {spec.name} ({', '.join(SCENARIO_COLUMNS)});"
        )
    statements += [
        f"CREATE INDEX {spec.name}_{column}_idx ON {spec.name} ({column});"
        for column in spec.foreign_keys
    ]
    return statements


LOADER_ROLE = "e2i_loader"
READER_ROLE = "e2i_reader"
AGENT_ROLE = "e2i_agent"
"""Agents' reads (e2i-synth agent serve): the tables outside the answer key, nothing else."""


def role_statements(ledger: str) -> list[str]:
    """Idempotent grants: the loader writes, the reader only reads, the agents' role reads
    only the tables outside the answer key, and row-level security is on for every table,
    with a policy per role (so nobody needs it disabled to load)."""
    statements = [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
        f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$"
        for role in (LOADER_ROLE, READER_ROLE, AGENT_ROLE)
    ]
    statements += [
        f"GRANT USAGE ON SCHEMA public TO {LOADER_ROLE}, {READER_ROLE}",
        f"GRANT SELECT ON {ledger} TO {LOADER_ROLE}, {READER_ROLE}",
        # The privacy ledger (migrations 008, 018): both roles may read it and use the
        # secure sampler, whose owner-run functions are the only way to write it.
        f"GRANT SELECT ON {', '.join(LEDGER_TABLES)} TO {LOADER_ROLE}, {READER_ROLE}",
        *(
            f"GRANT EXECUTE ON FUNCTION {function} TO {LOADER_ROLE}, {READER_ROLE}"
            for function in LEDGER_FUNCTIONS
        ),
    ]
    statements.append(f"GRANT USAGE ON SCHEMA public TO {AGENT_ROLE}")
    for spec in ALL_SPECS:
        table = spec.name
        statements += (
            [
                f"GRANT SELECT ON {table} TO {AGENT_ROLE}",
                f"DROP POLICY IF EXISTS {table}_agent ON {table}",
                f"CREATE POLICY {table}_agent ON {table} FOR SELECT TO {AGENT_ROLE} USING (true)",
            ]
            if table in VISIBLE_TABLES
            else [f"REVOKE ALL ON {table} FROM {AGENT_ROLE}"]
        )
        statements += [
            f"GRANT SELECT, INSERT, DELETE ON {table} TO {LOADER_ROLE}",
            f"GRANT SELECT ON {table} TO {READER_ROLE}",
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS {table}_loader ON {table}",
            f"CREATE POLICY {table}_loader ON {table} FOR ALL TO {LOADER_ROLE} "
            "USING (true) WITH CHECK (true)",
            f"DROP POLICY IF EXISTS {table}_reader ON {table}",
            f"CREATE POLICY {table}_reader ON {table} FOR SELECT TO {READER_ROLE} USING (true)",
        ]
    return statements


def comment_statements() -> list[str]:
    """Every column's description as a PostgreSQL comment (psql's \\d+ and database tools
    show it); `db init` sets them, so they follow the specs without a migration."""
    return [
        f"COMMENT ON COLUMN {spec.name}.{column} IS {quote_values((spec.describe(column),))}"
        for spec in ALL_SPECS
        for column in spec.columns
    ]


def render_schema() -> str:
    """The whole schema, in FK order, as one SQL script."""
    parts = ["-- e2i_synth warehouse schema (PostgreSQL). Generated from the table specs:", ""]
    parts[0] += "\n-- python -m e2i_synth.warehouse.ddl > e2i_synth/sql/schema.sql"
    for spec in ALL_SPECS:
        parts += [create_table(spec), *create_indexes(spec), ""]
    return "\n".join(parts)


if __name__ == "__main__":
    print(render_schema(), end="")
