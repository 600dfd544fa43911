"""The shared warehouse: PostgreSQL through psycopg 3, loaded with COPY.

A scenario replace is one transaction: delete the scenario's rows children first, then
COPY every table parents first, with the database's own keys and checks enforced. Readers
see the old scenario or the new one; any failure leaves the old rows in place.

PostgreSQL refuses `COPY FROM` into a table with row-level security for roles it applies
to. Such tables are loaded through a temporary staging table (COPY there, then one
set-based `INSERT ... SELECT`, which the table's policies check), so RLS stays on.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress

import numpy as np
import pandas as pd
import psycopg
from psycopg.conninfo import conninfo_to_dict

from e2i_synth.errors import E2IError
from e2i_synth.settings import Scenario
from e2i_synth.tables import SPECS, TABLE_NAMES
from e2i_synth.tables.spec import TableSpec
from e2i_synth.validation.records import RESULTS_SPEC
from e2i_synth.warehouse import migrations
from e2i_synth.warehouse.base import load_order
from e2i_synth.warehouse.ddl import ALL_SPECS, role_statements

COPY_CHUNK_ROWS = 50_000
NULL = r"\N"


def describe(url: str) -> str:
    """host:port/database as user, never the password."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the database in E2I_DATABASE_URL (unparsable URL)"
    host = info.get("host") or "localhost"
    return (
        f"database {info.get('dbname', '?')!r} at {host}:{info.get('port') or 5432} "
        f"as {info.get('user') or 'the current user'!r}"
    )


def scrub(message: str, url: str) -> str:
    password = ""
    with suppress(psycopg.ProgrammingError):
        password = conninfo_to_dict(url).get("password") or ""
    return message.replace(password, "***") if password else message


def array_literal(values) -> str:
    """A Python sequence of strings as a PostgreSQL text[] literal."""
    quoted = ('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "{" + ",".join(quoted) + "}"


def csv_chunks(spec: TableSpec, frame: pd.DataFrame) -> Iterator[bytes]:
    """The frame as COPY CSV, in chunks: NULL as \\N, arrays as literals, dates unambiguous."""
    frame = frame[list(spec.columns)]
    arrays = [c for c, t in spec.columns.items() if t.endswith("[]")]
    if arrays:
        frame = frame.assign(**{c: frame[c].map(array_literal) for c in arrays})
    for start in range(0, len(frame), COPY_CHUNK_ROWS):
        buffer = io.StringIO()
        frame.iloc[start : start + COPY_CHUNK_ROWS].to_csv(
            buffer, header=False, index=False, na_rep=NULL, date_format="%Y-%m-%d %H:%M:%S.%f"
        )
        yield buffer.getvalue().encode()


def public_tables(con: psycopg.Connection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    ).fetchall()
    return sorted(r[0] for r in rows)


def row_security_applies(cur: psycopg.Cursor, table: str) -> bool:
    """RLS is on for the table and the current role is subject to it."""
    cur.execute("SELECT row_security_active(%s::regclass)", [table])
    return bool(cur.fetchone()[0])


def typed(spec: TableSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows read back with the same pandas types the generators produce."""
    for name, sql_type in spec.columns.items():
        column = frame[name]
        if sql_type in ("DATE", "TIMESTAMP"):
            frame[name] = pd.to_datetime(column)
        elif sql_type in ("INTEGER", "BIGINT"):
            frame[name] = column.astype("Int64" if name in spec.nullable else np.int64)
        elif sql_type == "DOUBLE":
            frame[name] = column.astype(float)
        elif sql_type == "BOOLEAN":
            frame[name] = column.astype(bool)
        elif sql_type == "VARCHAR":
            frame[name] = column.astype("str")
    return frame


class PostgresWarehouse:
    def __init__(self, url: str) -> None:
        self.url = url

    @contextmanager
    def connect(self) -> Iterator[psycopg.Connection]:
        try:
            connection = psycopg.connect(self.url, connect_timeout=5)
        except psycopg.Error as exc:
            reason = scrub(" ".join(str(exc).split()), self.url)
            raise E2IError(
                f"cannot connect to PostgreSQL {describe(self.url)}: {reason} "
                "(check E2I_DATABASE_URL and that the server is running)"
            ) from None
        try:
            yield connection
        finally:
            connection.close()

    def ping(self) -> None:
        """Fail fast, with the reason, when the database cannot be reached."""
        with self.connect() as con:
            con.execute("SELECT 1")

    def migrate(self) -> list[migrations.Migration]:
        with self.connect() as con:
            return migrations.migrate(con)

    def grant_roles(self) -> None:
        with self.connect() as con, con.transaction():
            for statement in role_statements(migrations.LEDGER):
                con.execute(statement)

    def status(self) -> tuple[list[str], list[str], dict[str, int]]:
        """Applied and pending migration names, and rows per existing table."""
        with self.connect() as con:
            done = set(migrations.applied(con))
            con.commit()
            names = {m.version: m.name for m in migrations.available()}
            applied = [names.get(v, v) for v in sorted(done)]
            waiting = [m.name for m in migrations.available() if m.version not in done]
            present = set(public_tables(con))
            counts = {
                spec.name: con.execute(f"SELECT count(*) FROM {spec.name}").fetchone()[0]
                for spec in ALL_SPECS
                if spec.name in present
            }
        return applied, waiting, counts

    def replace_scenario(self, scenario: Scenario, frames: dict[str, pd.DataFrame]) -> None:
        ordered = load_order(frames)
        with self.connect() as con:
            migrations.migrate(con)
            with con.transaction(), con.cursor() as cur:
                for name in reversed(ordered):
                    cur.execute(
                        f"DELETE FROM {name} WHERE brand = %s AND dgp_type = %s",
                        [scenario.brand, scenario.dgp],
                    )
                for name in ordered:
                    self.copy(cur, SPECS[name], frames[name])

    @staticmethod
    def copy(cur: psycopg.Cursor, spec: TableSpec, frame: pd.DataFrame) -> None:
        """COPY the frame into its table, through a staging table when RLS applies to us."""
        columns = ", ".join(spec.columns)
        target = spec.name
        if row_security_applies(cur, spec.name):
            target = f"e2i_stage_{spec.name}"
            cur.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {target} "
                f"(LIKE {spec.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
            )
        statement = f"COPY {target} ({columns}) FROM STDIN (FORMAT csv, NULL '{NULL}')"
        with cur.copy(statement) as copy:
            for chunk in csv_chunks(spec, frame):
                copy.write(chunk)
        if target != spec.name:
            cur.execute(f"INSERT INTO {spec.name} ({columns}) SELECT {columns} FROM {target}")
            cur.execute(f"TRUNCATE {target}")

    def record_results(self, frame: pd.DataFrame) -> None:
        with self.connect() as con:
            migrations.migrate(con)
            with con.transaction(), con.cursor() as cur:
                cur.execute(
                    f"DELETE FROM {RESULTS_SPEC.name} WHERE {RESULTS_SPEC.primary_key} = ANY(%s)",
                    [frame[RESULTS_SPEC.primary_key].tolist()],
                )
                self.copy(cur, RESULTS_SPEC, frame)

    def select(self, spec: TableSpec, where: str = "", params: Sequence = ()) -> pd.DataFrame:
        with self.connect() as con, con.cursor() as cur:
            cur.execute(
                f"SELECT {', '.join(spec.columns)} FROM {spec.name} {where} "
                f"ORDER BY {spec.primary_key}",
                list(params),
            )
            rows = cur.fetchall()
        return typed(spec, pd.DataFrame(rows, columns=list(spec.columns)))

    def read(self, table: str, scenario: Scenario | None = None) -> pd.DataFrame:
        if scenario is None:
            return self.select(SPECS[table])
        where = "WHERE brand = %s AND dgp_type = %s"
        return self.select(SPECS[table], where, [scenario.brand, scenario.dgp])

    def read_results(self, run_ids: Sequence[str]) -> pd.DataFrame:
        return self.select(RESULTS_SPEC, "WHERE run_id = ANY(%s)", [list(run_ids)])

    def query(self, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
        with self.connect() as con, con.cursor() as cur:
            cur.execute(sql, dict(params or {}))
            return pd.DataFrame(cur.fetchall(), columns=[c.name for c in cur.description])

    def tables(self) -> list[str]:
        with self.connect() as con:
            return public_tables(con)

    def row_counts(self, scenario: Scenario) -> dict[str, int]:
        with self.connect() as con:
            return {
                name: con.execute(
                    f"SELECT count(*) FROM {name} WHERE brand = %s AND dgp_type = %s",
                    [scenario.brand, scenario.dgp],
                ).fetchone()[0]
                for name in TABLE_NAMES
            }
