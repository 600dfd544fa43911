"""Hive-partitioned Parquet: `<root>/<table>/brand=<b>/dgp=<d>/part-<k>.parquet`.

Every part of a table has the table's own schema (its spec's types in Arrow). Each file
is written to a temporary name and renamed, so a reader never sees half a file
and a rerun replaces a part whole. The brand and dgp columns stay in the files as well as in
the paths, so a file read alone is self-describing.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from e2i_synth.settings import Scenario
from e2i_synth.tables import SPECS

ARROW_TYPES = {
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "DOUBLE": pa.float64(),
    "TIMESTAMP": pa.timestamp("us"),
    "VARCHAR": pa.string(),
    "VARCHAR[]": pa.list_(pa.string()),
}
"""The tables' portable SQL types in Arrow: every part of a table has one schema, whatever
its own rows hold (a column that is all null in one scenario is still a string)."""


def arrow_schema(table: str) -> pa.Schema:
    return pa.schema([(c, ARROW_TYPES[t]) for c, t in SPECS[table].columns.items()])


def part_path(root: Path, table: str, scenario: Scenario, part: int) -> Path:
    return (
        root
        / table
        / f"brand={scenario.brand}"
        / f"dgp={scenario.dgp}"
        / f"part-{part:05d}.parquet"
    )


def write_part(
    frames: dict[str, pd.DataFrame], root: Path, scenario: Scenario, part: int = 0
) -> dict[str, int]:
    """Every table of one scenario's part; rows written per table."""
    written = {}
    for table, frame in frames.items():
        path = part_path(root, table, scenario, part)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        arrow = pa.Table.from_pandas(frame, schema=arrow_schema(table), preserve_index=False)
        pq.write_table(arrow, partial)
        partial.replace(path)
        written[table] = len(frame)
    return written


def read_table(root: Path, table: str) -> pd.DataFrame:
    """One table across every part, through DuckDB (as any Parquet engine would read it)."""
    pattern = str(root / table / "**" / "*.parquet")
    with duckdb.connect() as con:
        return con.execute(
            "SELECT * FROM read_parquet(?, hive_partitioning = false)", [pattern]
        ).df()
