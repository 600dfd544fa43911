"""The PostgreSQL loader against the practical limit and the naive way, on the same rows.

One full-scale scenario (every table, FK order, one transaction, constraints on), loaded
into an empty schema four ways:

- the loader: `PostgresWarehouse.replace_scenario` (Arrow CSV chunks encoded by a thread
  ahead of `COPY FROM STDIN`);
- its RLS path: the same through a role subject to row-level security (staged COPY then
  INSERT ... SELECT);
- server-side `COPY ... FROM 'file'` of CSV files prepared beforehand by the loader's own
  encoder (encoding excluded): the practical limit;
- batched `executemany` of INSERTs: the naive way.

The machine is shared, so the first three run in rounds (each once per round, in turn)
and the loader's share of the server COPY rate is the median over rounds of the ratio
within a round: slow spells from other work hit both sides of a ratio alike.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from time import perf_counter, process_time

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
REPEATS = 5
LOADER_GOAL = 0.90
"""The loader's rate as a share of the server-side COPY rate (median of per-round ratios)."""
LIMIT = "server-side COPY FROM file (limit)"
LOADER = "loader: COPY FROM STDIN"


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


def timed(run: Callable[[], None], url: str) -> tuple[float, float]:
    """Wall and client CPU seconds (every thread of this process) of one load."""
    empty(url)
    started, cpu = perf_counter(), process_time()
    run()
    return perf_counter() - started, process_time() - cpu


def rounds(runs: dict[str, Callable[[], None]], url: str, repeats: int) -> dict[str, list]:
    """Each run once per round, in turn: the (wall, CPU) seconds of every round."""
    seen: dict[str, list] = {method: [] for method in runs}
    for _ in range(repeats):
        for method, run in runs.items():
            seen[method].append(timed(run, url))
    return seen


def loader_table() -> pd.DataFrame:
    frames = build_tables(draw_world(SCENARIO, SCALES["full"], DEFAULT_SEED))
    rows = sum(len(f) for f in frames.values())
    with (
        bench_database() as url,
        tempfile.TemporaryDirectory(prefix="e2i-copy-") as folder,
        loader_login(url) as loader_url,
    ):
        os.chmod(folder, 0o755)  # the server process reads these files
        files = {}
        for name in TABLE_NAMES:
            files[name] = Path(folder) / f"{name}.csv"
            files[name].write_bytes(b"".join(csv_chunks(SPECS[name], frames[name])))
            files[name].chmod(0o644)
        store, staged = PostgresWarehouse(url), PostgresWarehouse(loader_url)
        seen = rounds(
            {
                LIMIT: lambda: server_copy(url, files),
                LOADER: lambda: store.replace_scenario(SCENARIO, frames),
                "loader under RLS: staged COPY + INSERT": lambda: staged.replace_scenario(
                    SCENARIO, frames
                ),
            },
            url,
            REPEATS,
        )
        seen["naive: executemany INSERT"] = [timed(lambda: executemany(url, frames), url)]
    limit = [wall for wall, _ in seen[LIMIT]]
    table = pd.DataFrame(
        [
            {
                "method": method,
                "rows": f"{rows:,}",
                "seconds": f"{statistics.median(w for w, _ in runs):.2f}",
                "client CPU s": f"{statistics.median(c for _, c in runs):.2f}",
                "rows/s": f"{rows / statistics.median(w for w, _ in runs):,.0f}",
                "share of server COPY": f"{share(limit, runs):.0%}",
            }
            for method, runs in seen.items()
        ]
    ).set_index("method")
    loader_share = share(limit, seen[LOADER])
    table["goal"] = ""
    table.loc[LOADER, "goal"] = (
        f">= {LOADER_GOAL:.0%}: {'PASS' if loader_share >= LOADER_GOAL else 'FAIL'}"
    )
    return table


def share(limit: list[float], runs: list[tuple[float, float]]) -> float:
    """The median over rounds of the server COPY's seconds over this method's (a method
    run once is set against the median server COPY)."""
    if len(runs) != len(limit):
        return statistics.median(limit) / statistics.median(w for w, _ in runs)
    return statistics.median(s / w for s, (w, _) in zip(limit, runs, strict=True))


def reachable() -> bool:
    try:
        psycopg.connect(ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


if __name__ == "__main__":
    print(loader_table().to_string())
