"""The shared warehouse: PostgreSQL through psycopg 3, loaded with COPY.

A scenario replace is one transaction: delete the scenario's rows children first, then
COPY every table parents first, with the database's own keys and checks enforced. Readers
see the old scenario or the new one; any failure leaves the old rows in place. A thread
encodes the next chunks (Arrow CSV) while the server ingests the current one, so the
load costs about what a server-side COPY of prepared files costs.

PostgreSQL refuses `COPY FROM` into a table with row-level security for roles it applies
to. Such tables are loaded through a temporary staging table (COPY there, then one
set-based `INSERT ... SELECT`, which the table's policies check), so RLS stays on.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from itertools import chain
from typing import TypeVar

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv

from e2i_synth.database_url import PostgresTarget, as_target, scrub
from e2i_synth.settings import Scenario
from e2i_synth.tables import STORED_SPECS, TABLE_NAMES
from e2i_synth.tables.results import RESULTS_SPEC
from e2i_synth.tables.spec import TableSpec
from e2i_synth.warehouse import migrations
from e2i_synth.warehouse.base import WarehouseError, innermost, load_order, outdated_by
from e2i_synth.warehouse.ddl import ALL_SPECS, comment_statements, role_statements

COPY_CHUNK_ROWS = 50_000
COPY_AHEAD_CHUNKS = 8
"""How many encoded chunks may wait for the server (bounds the loader's extra memory)."""
NULL = ""
"""COPY's NULL: an unquoted empty field. Every text value is written quoted, so an empty
string ("") stays an empty string and a text value spelled like a marker stays text."""
LOCK_TIMEOUT_SECONDS = 600.0
"""How long a load waits for another load of the same scenario."""


OWNER_FIX = (
    "run `e2i-synth db init` as the owner of the tables (the role that ran `db migrate`) "
    "or a superuser; nothing was changed"
)


def fix_for(exc: psycopg.Error) -> str:
    """What to do about a database error, by its SQLSTATE and message."""
    message, state = str(exc), exc.sqlstate or ""
    if state == "42501":
        if "permission denied for schema" in message:
            return (
                "this role may not create tables there: run `e2i-synth db migrate` as the "
                "database owner, or GRANT CREATE ON SCHEMA public TO it; nothing was applied"
            )
        if "must be owner of" in message:
            return OWNER_FIX
        if "permission denied to create role" in message:
            return "`db init` creates roles: run it as a role with CREATEROLE or a superuser"
        return (
            "grant this role e2i_loader (to load) or e2i_reader (to read) with "
            "`e2i-synth db init` as the owner"
        )
    if state == "42P07":
        return (
            "a table this migration creates already exists but is not recorded in "
            f"{migrations.LEDGER} (made by hand or from schema.sql?): migrate an empty "
            "database, or drop the stray tables; nothing was applied"
        )
    if state == "42P01":
        return "the schema is missing: run `e2i-synth db migrate` first"
    if state.startswith("23"):
        return "the rows break a database constraint; nothing was loaded, the old rows stay"
    if state.startswith("53"):
        return "the server is out of resources (disk, memory, connections): free some, retry"
    return "nothing was changed by this failed step; fix the cause and retry"


def database_error(
    exc: psycopg.Error, target: PostgresTarget, doing: str, fix: str | None = None
) -> WarehouseError:
    """One line naming the target, the innermost cause (password scrubbed) and the fix."""
    primary, detail = exc.diag.message_primary, exc.diag.message_detail or ""
    if primary:  # the server's own sentence, plus which key when it says so
        cause = " ".join(f"{primary}. {detail}".split()) if detail.startswith("Key ") else primary
    else:
        cause = innermost(exc)
    return WarehouseError(
        f"{doing} failed on PostgreSQL {target}: {scrub(cause, target)}; {fix or fix_for(exc)}"
    )


def scenario_lock_sql() -> str:
    """Serializes loads of one scenario (a transaction-level lock keyed by its name)."""
    return "SELECT pg_advisory_xact_lock(hashtext('e2i_synth.scenario'), hashtext(%s))"


def array_literal(values) -> str:
    """A Python sequence of strings as a PostgreSQL text[] literal."""
    quoted = ('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "{" + ",".join(quoted) + "}"


WRITABLE = (
    pa.types.is_boolean,
    pa.types.is_integer,
    pa.types.is_floating,
    pa.types.is_string,
    pa.types.is_large_string,
    pa.types.is_timestamp,
    pa.types.is_date,
    pa.types.is_null,
)
"""Arrow types whose CSV text PostgreSQL reads back as the same value."""
CSV_OPTIONS = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
"""No header; strings quoted (so never taken for NULL), numbers, booleans, times bare."""
ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)


def arrow_column(column: pd.Series, sql_type: str) -> pa.Array:
    """A column as Arrow with the values its old text form had: NaN and NaT as NULL,
    timestamps to the microsecond (floored, like strftime's %f) and as wall time; text
    columns and anything Arrow cannot write as CSV by each value's str()."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        column = column.dt.tz_localize(None)
    if column.dtype == "datetime64[ns]":
        column = column.astype("datetime64[us]")  # floors, as %f did
    try:
        array = pa.array(column, from_pandas=True)
        kind = array.type
    except ARROW_ERRORS:
        kind = None
    textual = kind is not None and (pa.types.is_string(kind) or pa.types.is_large_string(kind))
    if (
        kind is None
        or not any(ok(kind) for ok in WRITABLE)
        or (sql_type == "VARCHAR" and not textual and not pa.types.is_null(kind))
    ):
        array = pa.array(column.map(str, na_action="ignore"), type=pa.string(), from_pandas=True)
    return array


def csv_chunks(spec: TableSpec, frame: pd.DataFrame) -> Iterator[bytes]:
    """The frame as COPY CSV (NULL as an unquoted empty field, arrays as literals), in
    chunks of COPY_CHUNK_ROWS rows, written by Arrow's CSV writer (outside the GIL, about
    four times pandas' to_csv)."""
    frame = frame[list(spec.columns)]
    arrays = [c for c, t in spec.columns.items() if t.endswith("[]")]
    if arrays:
        frame = frame.assign(**{c: frame[c].map(array_literal) for c in arrays})
    for start in range(0, len(frame), COPY_CHUNK_ROWS):
        part = frame.iloc[start : start + COPY_CHUNK_ROWS]
        table = pa.Table.from_arrays(
            [arrow_column(part[c], t) for c, t in spec.columns.items()], names=list(spec.columns)
        )
        sink = pa.BufferOutputStream()
        pa_csv.write_csv(table, sink, CSV_OPTIONS)
        yield sink.getvalue().to_pybytes()


Item = TypeVar("Item")


@contextmanager
def produced_ahead(items: Iterator[Item], depth: int) -> Iterator[Iterator[Item]]:
    """The items, produced by a background thread up to `depth` ahead of the consumer:
    the next chunks are encoded while the server ingests this one. An error in the
    producer is raised in the consumer; leaving the block stops the producer."""
    slots: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for item in items:
                slots.put((item, None))
                if stop.is_set():
                    return
            slots.put((done, None))
        except BaseException as exc:  # handed to the consumer, raised there
            slots.put((done, exc))

    def consume() -> Iterator[Item]:
        while True:
            item, error = slots.get()
            if error is not None:
                raise error
            if item is done:
                return
            yield item

    producer = threading.Thread(target=produce, name="e2i-copy-encoder", daemon=True)
    producer.start()
    try:
        yield consume()
    finally:
        stop.set()
        with suppress(queue.Empty):  # free the slots: the producer adds at most one more
            while True:
                slots.get_nowait()
        producer.join()


def public_tables(con: psycopg.Connection) -> list[str]:
    """Every table in schema public, readable by this role or not (information_schema lists
    only the readable ones, so a login without grants would see an empty warehouse instead
    of being refused with the grant it lacks)."""
    rows = con.execute(
        "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'public'"
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
            frame[name] = column.astype("boolean" if name in spec.nullable else bool)
        elif sql_type == "VARCHAR" and name not in spec.nullable:
            frame[name] = column.astype("str")
    return frame


class PostgresWarehouse:
    """Loads of one scenario take turns (an advisory lock keyed by the scenario, waiting
    up to `lock_timeout` seconds); loads of different scenarios run in parallel."""

    def __init__(
        self,
        database: PostgresTarget | str,
        lock_timeout: float = LOCK_TIMEOUT_SECONDS,
        role: str | None = None,
    ) -> None:
        """`role`: every connection runs as this role (SET ROLE), e.g. the agents' role,
        which may read only the tables outside the answer key."""
        self.target = as_target(database)
        self.lock_timeout = lock_timeout
        self.role = role

    @contextmanager
    def connect(self, doing: str = "query") -> Iterator[psycopg.Connection]:
        """A connection; any database error inside becomes one scrubbed WarehouseError."""
        try:
            connection = psycopg.connect(self.target.conninfo(), connect_timeout=5)
        except psycopg.Error as exc:
            reason = scrub(" ".join(str(exc).split()), self.target)
            raise WarehouseError(
                f"cannot connect to PostgreSQL {self.target}: {reason} "
                "(check E2I_DATABASE_URL and that the server is running)"
            ) from None
        try:
            if self.role:
                connection.execute(f"SET ROLE {self.role}")
            yield connection
        except psycopg.Error as exc:
            raise database_error(exc, self.target, doing) from None
        finally:
            connection.close()

    def ping(self) -> None:
        """Fail fast, with the reason, when the database cannot be reached."""
        with self.connect("ping") as con:
            con.execute("SELECT 1")

    def migrate(self) -> list[migrations.Migration]:
        with self.connect("migrate") as con:
            return migrations.migrate(con)

    def grant_roles(self) -> None:
        """Roles, grants, policies and column comments in one transaction; only the tables'
        owner may."""
        doing = "grant roles and row-level security"
        with self.connect(doing) as con:
            try:
                with con.transaction():
                    for statement in [*role_statements(migrations.LEDGER), *comment_statements()]:
                        con.execute(statement)
            except psycopg.errors.InsufficientPrivilege as exc:
                raise database_error(exc, self.target, doing, OWNER_FIX) from None

    def status(self) -> tuple[list[str], list[str], dict[str, int]]:
        """Applied and pending migration names, and rows per existing table: in a READ ONLY
        transaction, so pointing it at any database changes nothing there."""
        with self.connect("status") as con:
            con.read_only = True
            con.execute("SELECT 1")  # opens the (read-only) transaction the reads share
            done = set(migrations.applied(con))
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
        key = scenario.partition_key
        with self.connect(f"load {key}") as con:
            migrations.migrate(con)
            with con.transaction(), con.cursor() as cur:
                self.lock_scenario(cur, key)
                for name in [*reversed(outdated_by(frames)), *reversed(ordered)]:
                    cur.execute(
                        f"DELETE FROM {name} WHERE brand = %s AND dgp_type = %s",
                        [scenario.brand, scenario.dgp],
                    )
                # every table's chunks, each table's ending in None, encoded ahead
                chunks = (
                    chunk
                    for name in ordered
                    for chunk in chain(csv_chunks(STORED_SPECS[name], frames[name]), [None])
                )
                with produced_ahead(chunks, COPY_AHEAD_CHUNKS) as ready:
                    for name in ordered:
                        self.copy_chunks(cur, STORED_SPECS[name], iter(ready.__next__, None))

    def lock_scenario(self, cur: psycopg.Cursor, key: str) -> None:
        """Wait (bounded) until no other transaction loads this scenario."""
        cur.execute(f"SET LOCAL lock_timeout = '{round(self.lock_timeout * 1000)}ms'")
        try:
            cur.execute(scenario_lock_sql(), [key])
        except psycopg.errors.LockNotAvailable:
            raise WarehouseError(
                f"another load of {key} into PostgreSQL {self.target} has held the "
                f"scenario for over {self.lock_timeout:g} s; wait for it to finish and retry"
            ) from None

    @classmethod
    def copy(cls, cur: psycopg.Cursor, spec: TableSpec, frame: pd.DataFrame) -> None:
        """COPY the frame into its table."""
        cls.copy_chunks(cur, spec, csv_chunks(spec, frame))

    @staticmethod
    def copy_chunks(cur: psycopg.Cursor, spec: TableSpec, chunks: Iterable[bytes]) -> None:
        """COPY CSV chunks into the table, through a staging table when RLS applies to us."""
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
            for chunk in chunks:
                copy.write(chunk)
        if target != spec.name:
            cur.execute(f"INSERT INTO {spec.name} ({columns}) SELECT {columns} FROM {target}")
            cur.execute(f"TRUNCATE {target}")

    def record_results(self, frame: pd.DataFrame) -> None:
        with self.connect("record validation results") as con:
            migrations.migrate(con)
            with con.transaction(), con.cursor() as cur:
                cur.execute(
                    f"DELETE FROM {RESULTS_SPEC.name} WHERE {RESULTS_SPEC.primary_key} = ANY(%s)",
                    [frame[RESULTS_SPEC.primary_key].tolist()],
                )
                self.copy(cur, RESULTS_SPEC, frame)

    def select(self, spec: TableSpec, where: str = "", params: Sequence = ()) -> pd.DataFrame:
        with self.connect(f"read {spec.name}") as con, con.cursor() as cur:
            cur.execute(
                f"SELECT {', '.join(spec.columns)} FROM {spec.name} {where} "
                f"ORDER BY {spec.primary_key}",
                list(params),
            )
            rows = cur.fetchall()
        return typed(spec, pd.DataFrame(rows, columns=list(spec.columns)))

    def read(self, table: str, scenario: Scenario | None = None) -> pd.DataFrame:
        if scenario is None:
            return self.select(STORED_SPECS[table])
        where = "WHERE brand = %s AND dgp_type = %s"
        return self.select(STORED_SPECS[table], where, [scenario.brand, scenario.dgp])

    def read_results(self, run_ids: Sequence[str]) -> pd.DataFrame:
        if RESULTS_SPEC.name not in self.tables():
            raise WarehouseError(
                f"no validation results in PostgreSQL {self.target} yet; run "
                "`e2i-synth materialize` or `e2i-synth validate` first"
            )
        return self.select(RESULTS_SPEC, "WHERE run_id = ANY(%s)", [list(run_ids)])

    def query(self, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
        with self.connect("query") as con, con.cursor() as cur:
            cur.execute(sql, dict(params or {}))
            return pd.DataFrame(cur.fetchall(), columns=[c.name for c in cur.description])

    def tables(self) -> list[str]:
        with self.connect("list tables") as con:
            return public_tables(con)

    def row_counts(self, scenario: Scenario) -> dict[str, int]:
        with self.connect("count rows") as con:
            return {
                name: con.execute(
                    f"SELECT count(*) FROM {name} WHERE brand = %s AND dgp_type = %s",
                    [scenario.brand, scenario.dgp],
                ).fetchone()[0]
                for name in TABLE_NAMES
            }
