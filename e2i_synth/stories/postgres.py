"""Golden queries on PostgreSQL: the story's tables loaded as session-temporary tables
(so nothing in the warehouse changes and the audience's brand alias needs no schema
change), then each query run as PostgreSQL would run it in the customer's database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pandas as pd

from e2i_synth.database_url import PostgresTarget
from e2i_synth.stories.build import Engine
from e2i_synth.tables import SPECS
from e2i_synth.warehouse.ddl import POSTGRES_TYPES
from e2i_synth.warehouse.postgres import NULL, PostgresWarehouse, csv_chunks

Frames = dict[str, pd.DataFrame]


def temp_table_sql(name: str) -> str:
    columns = ", ".join(f"{c} {POSTGRES_TYPES[t]}" for c, t in SPECS[name].columns.items())
    return f"CREATE TEMP TABLE {name} ({columns})"


def postgres_engine(database: PostgresTarget | str) -> Engine:
    """An engine for `build_story`: loads the frames into temp tables of one session."""

    @contextmanager
    def open_engine(frames: Frames) -> Iterator[Callable[[str], pd.DataFrame]]:
        with PostgresWarehouse(database).connect() as con:
            with con.transaction(), con.cursor() as cur:
                for name, frame in frames.items():
                    cur.execute(temp_table_sql(name))
                    statement = f"COPY {name} FROM STDIN (FORMAT csv, NULL '{NULL}')"
                    with cur.copy(statement) as copy:
                        for chunk in csv_chunks(SPECS[name], frame):
                            copy.write(chunk)
            con.autocommit = True  # a failed query must not abort the ones after it

            def execute(sql: str) -> pd.DataFrame:
                with con.cursor() as cur:
                    cur.execute(sql)
                    return pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description])

            yield execute

    return open_engine
