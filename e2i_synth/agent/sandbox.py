"""The database an agent's SQL runs in: an in-memory DuckDB holding only the readable
tables of the served scenarios, copied in once from the warehouse (DuckDB or PostgreSQL),
then sealed: no external access (files, URLs, ATTACH of other databases, extensions) and
the configuration locked, so no statement can turn access back on. The answer key is not
in it under any name, so no query, however it gets past the guard, can read it.

Each query runs with a row cap (the rows beyond it are counted, not sent) and a statement
timeout (the connection is interrupted)."""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import duckdb
import pandas as pd

from e2i_synth.agent.guard import AgentSqlError, check_sql
from e2i_synth.tables.answer_key import ANSWER_KEY

DEFAULT_ROW_CAP = 50_000
DEFAULT_TIMEOUT_SECONDS = 20.0
SEAL = (
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET enable_external_access = false",
    "SET lock_configuration = true",
)
"""Run in this order once the tables are in: the last one makes the others final."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[list]
    truncated: bool

    def as_dict(self) -> dict:
        return {"columns": self.columns, "rows": self.rows, "truncated": self.truncated}


def json_value(value: object) -> object:
    """A fetched value as JSON: dates and times as ISO text, decimals as floats, NaN as
    None, lists kept."""
    if isinstance(value, date | datetime | time | timedelta):
        return str(value) if isinstance(value, timedelta) else value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


class Sandbox:
    """Sealed in-memory DuckDB over the given frames (none of them a key table)."""

    def __init__(
        self,
        frames: Mapping[str, pd.DataFrame],
        row_cap: int = DEFAULT_ROW_CAP,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        leaked = sorted(set(frames) & ANSWER_KEY)
        if leaked:
            raise ValueError(f"answer-key tables cannot be served: {', '.join(leaked)}")
        self.row_cap = row_cap
        self.timeout = timeout
        self.tables = tuple(frames)
        self.lock = threading.Lock()
        self.con = duckdb.connect(":memory:")
        for name, frame in frames.items():
            self.con.register("incoming", frame)
            self.con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM incoming')
            self.con.unregister("incoming")
        for statement in SEAL:
            self.con.execute(statement)

    def query(self, sql: str) -> QueryResult:
        """One guarded SELECT; at most `row_cap` rows, at most `timeout` seconds."""
        check_sql(sql, self.tables)
        with self.lock:
            timer = threading.Timer(self.timeout, self.con.interrupt)
            timer.start()
            try:
                cursor = self.con.execute(sql)
                columns = [d[0] for d in cursor.description]
                batch = cursor.fetchmany(self.row_cap + 1)
            except duckdb.InterruptException:
                raise AgentSqlError(
                    f"the query ran past the {self.timeout:g} s statement timeout; "
                    "aggregate in SQL or filter to fewer rows"
                ) from None
            except duckdb.Error as exc:
                raise AgentSqlError(f"the query failed: {str(exc).splitlines()[0]}") from None
            finally:
                timer.cancel()
        rows = [[json_value(v) for v in row] for row in batch[: self.row_cap]]
        return QueryResult(columns, rows, len(batch) > self.row_cap)

    def row_counts(self) -> dict[str, int]:
        with self.lock:
            return {
                name: self.con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                for name in self.tables
            }
