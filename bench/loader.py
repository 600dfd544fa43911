"""The PostgreSQL loader against the practical limit and the naive way, on the same rows.

One full-scale scenario (every table, FK order, one transaction, constraints on), loaded
into an empty schema three ways:

- the loader: `PostgresWarehouse.replace_scenario` (pandas -> CSV -> COPY FROM STDIN);
- its RLS path: the same through a role subject to row-level security (staged COPY then
  INSERT ... SELECT);
- server-side `COPY ... FROM 'file'` of CSV files prepared beforehand (encoding excluded):
  the practical limit;
- batched `executemany` of INSERTs: the naive way.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from time import perf_counter

import pandas as pd
import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from e2i_synth.catalog import SCALES
from e2i_synth.settings import DEFAULT_SEED, Scenario
from e2i_synth.tables import SPECS, TABLE_NAMES, build_tables
from e2i_synth.warehouse.ddl import LOADER_ROLE
from e2i_synth.warehouse.postgres import NULL, PostgresWarehouse, csv_chunks
from e2i_synth.world import draw_world

ADMIN_URL = os.environ.get("E2I_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SCENARIO = Scenario("kisqali", "confounded")
REPEATS = 3
LOADER_GOAL = 0.70
"""The loader's rate as a share of the server-side COPY rate."""


@contextmanager
def bench_database() -> Iterator[str]:
    name = f"e2i_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    url = make_conninfo(**{**conninfo_to_dict(ADMIN_URL), "dbname": name})
    try:
        store = PostgresWarehouse(url)
        store.migrate()
        store.grant_roles()
        yield url
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def loader_login(url: str) -> Iterator[str]:
    """A throwaway login role in e2i_loader: row-level security applies to it."""
    role = f"e2i_bench_loader_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN IN ROLE {LOADER_ROLE}")
    try:
        yield make_conninfo(**{**conninfo_to_dict(url), "user": role})
    finally:
        with psycopg.connect(url, autocommit=True) as con:
            con.execute(f"DROP OWNED BY {role}")
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f"DROP ROLE IF EXISTS {role}")


def empty(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"TRUNCATE {', '.join(TABLE_NAMES)}")


def server_copy(url: str, files: dict[str, Path]) -> None:
    with psycopg.connect(url) as con, con.transaction():
        for name in TABLE_NAMES:
            columns = ", ".join(SPECS[name].columns)
            con.execute(f"COPY {name} ({columns}) FROM '{files[name]}' (FORMAT csv, NULL '{NULL}')")


def python_rows(name: str, frame: pd.DataFrame) -> list[tuple]:
    frame = frame[list(SPECS[name].columns)].astype(object)
    return [
        tuple(None if v is pd.NA or v != v else v for v in row)
        for row in frame.itertuples(index=False)
    ]


def executemany(url: str, frames: dict[str, pd.DataFrame]) -> None:
    with psycopg.connect(url) as con, con.transaction(), con.cursor() as cur:
        for name in TABLE_NAMES:
            columns = list(SPECS[name].columns)
            placeholders = ", ".join(["%s"] * len(columns))
            cur.executemany(
                f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({placeholders})",
                python_rows(name, frames[name]),
            )


def timed(run: Callable[[], None], url: str, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        empty(url)
        started = perf_counter()
        run()
        timings.append(perf_counter() - started)
    return statistics.median(timings)


def loader_table() -> pd.DataFrame:
    frames = build_tables(draw_world(SCENARIO, SCALES["full"], DEFAULT_SEED))
    rows = sum(len(f) for f in frames.values())
    with bench_database() as url, tempfile.TemporaryDirectory(prefix="e2i-copy-") as folder:
        os.chmod(folder, 0o755)  # the server process reads these files
        files = {}
        for name in TABLE_NAMES:
            files[name] = Path(folder) / f"{name}.csv"
            files[name].write_bytes(b"".join(csv_chunks(SPECS[name], frames[name])))
            files[name].chmod(0o644)
        store = PostgresWarehouse(url)
        seconds = {
            "server-side COPY FROM file (limit)": timed(
                lambda: server_copy(url, files), url, REPEATS
            ),
            "loader: COPY FROM STDIN": timed(
                lambda: store.replace_scenario(SCENARIO, frames), url, REPEATS
            ),
        }
        with loader_login(url) as loader_url:
            staged = PostgresWarehouse(loader_url)
            seconds["loader under RLS: staged COPY + INSERT"] = timed(
                lambda: staged.replace_scenario(SCENARIO, frames), url, REPEATS
            )
        seconds["naive: executemany INSERT"] = timed(lambda: executemany(url, frames), url, 1)
    limit = seconds["server-side COPY FROM file (limit)"]
    table = pd.DataFrame(
        [
            {
                "method": method,
                "rows": f"{rows:,}",
                "seconds": f"{s:.2f}",
                "rows/s": f"{rows / s:,.0f}",
                "share of server COPY": f"{limit / s:.0%}",
            }
            for method, s in seconds.items()
        ]
    ).set_index("method")
    share = limit / seconds["loader: COPY FROM STDIN"]
    table["goal"] = ""
    table.loc["loader: COPY FROM STDIN", "goal"] = (
        f">= {LOADER_GOAL:.0%}: {'PASS' if share >= LOADER_GOAL else 'FAIL'}"
    )
    return table


def reachable() -> bool:
    try:
        psycopg.connect(ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


if __name__ == "__main__":
    print(loader_table().to_string())
