"""A story's tables as files a warehouse loads without complaint: Parquet and CSV with one
format per type (timestamps `YYYY-MM-DD HH:MM:SS`, ISO dates, integers without NaN,
booleans `true`/`false`), a BigQuery schema JSON beside each, and a read-back with DuckDB
against the declared types before anyone loads them."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from e2i_synth.errors import E2IError
from e2i_synth.tables import SPECS
from e2i_synth.tables.spec import TableSpec

Frames = dict[str, pd.DataFrame]
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"
ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int64(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
    "VARCHAR[]": pa.list_(pa.string()),
}
BIGQUERY_TYPES = {
    "VARCHAR": "STRING",
    "INTEGER": "INT64",
    "BIGINT": "INT64",
    "DOUBLE": "FLOAT64",
    "BOOLEAN": "BOOL",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP",
    "VARCHAR[]": "STRING",
}
DUCKDB_TYPES = {**{k: k for k in ARROW_TYPES}, "INTEGER": "BIGINT"}
CSV_READER = (
    "read_csv(?, header = true, columns = ?, timestampformat = ?, dateformat = ?, "
    "auto_detect = false)"
)
"""Strict: every value converted with the declared type and the one format (no sniffing)."""


class ExportError(E2IError):
    """An exported file does not read back as its declared schema."""


def bigquery_schema(spec: TableSpec) -> list[dict[str, str]]:
    """Fields for `bq load --schema`: arrays REPEATED, nullable columns NULLABLE."""
    return [
        {
            "name": name,
            "type": BIGQUERY_TYPES[kind],
            "mode": "REPEATED"
            if kind.endswith("[]")
            else ("NULLABLE" if name in spec.nullable else "REQUIRED"),
        }
        for name, kind in spec.columns.items()
    ]


def arrow_table(spec: TableSpec, frame: pd.DataFrame) -> pa.Table:
    schema = pa.schema(
        [pa.field(n, ARROW_TYPES[k], nullable=n in spec.nullable) for n, k in spec.columns.items()]
    )
    columns = {}
    for name, kind in spec.columns.items():
        column = frame[name]
        if kind in ("DATE", "TIMESTAMP"):
            column = pd.to_datetime(column).dt.floor("s")
            column = column.dt.date if kind == "DATE" else column
        columns[name] = pa.array(column, type=ARROW_TYPES[kind], from_pandas=True)
    return pa.Table.from_pydict(columns, schema=schema)


def csv_frame(spec: TableSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """Every value as the text a warehouse loader parses one way only."""
    out = {}
    for name, kind in spec.columns.items():
        column = frame[name]
        if kind == "TIMESTAMP":
            text = pd.to_datetime(column).dt.strftime(TIMESTAMP_FORMAT)
        elif kind == "DATE":
            text = pd.to_datetime(column).dt.strftime(DATE_FORMAT)
        elif kind == "BOOLEAN":
            text = column.map({True: "true", False: "false"})
        elif kind in ("INTEGER", "BIGINT"):
            text = column.astype("Int64").astype("string")
        elif kind == "VARCHAR[]":
            text = column.map(lambda v: json.dumps(list(v)) if v is not None else None)
        else:
            text = column
        out[name] = text
    return pd.DataFrame(out)


@dataclass(frozen=True)
class ExportedTable:
    table: str
    rows: int
    filled: tuple[int, ...]  # non-null values per column, as written
    parquet: Path
    csv: Path
    schema: Path


LOAD_SCRIPT = "bigquery_load.sh"


def bigquery_load_script(tables: list[ExportedTable], dataset: str) -> str:
    """`bq load` of every Parquet file into `dataset` (the story's, which its queries may
    name as `dataset.table`), each table with its schema file."""
    lines = ["#!/bin/sh", "# Loads this story's tables into BigQuery dataset " + dataset, "set -e"]
    lines += [
        f"bq load --replace --source_format=PARQUET --parquet_enable_list_inference "
        f"{shlex.quote(f'{dataset}.{t.table}')} {shlex.quote(t.parquet.name)} "
        f"{shlex.quote(t.schema.name)}"
        for t in tables
    ]
    return "\n".join(lines) + "\n"


def export_frames(frames: Frames, folder: Path, dataset: str | None = None) -> list[ExportedTable]:
    """Write every table as Parquet, CSV and BigQuery schema JSON, then read each back;
    with the story's `dataset`, a script loading them into it."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table, frame in frames.items():
        spec = SPECS[table]
        paths = [folder / f"{table}.{ext}" for ext in ("parquet", "csv", "schema.json")]
        pq.write_table(arrow_table(spec, frame), paths[0])
        csv_frame(spec, frame).to_csv(paths[1], index=False, na_rep="", lineterminator="\n")
        paths[2].write_text(json.dumps(bigquery_schema(spec), indent=2) + "\n", encoding="utf-8")
        filled = tuple(int(n) for n in frame[list(spec.columns)].notna().sum())
        written.append(ExportedTable(table, len(frame), filled, *paths))
    verify_export(written)
    if dataset:
        (folder / LOAD_SCRIPT).write_text(bigquery_load_script(written, dataset), encoding="utf-8")
    return written


def verify_export(tables: list[ExportedTable]) -> None:
    """Each file read by DuckDB with the declared types: Parquet types as declared, CSV
    converted strictly with the one timestamp and date format; both give back every row
    and every non-null value (an empty CSV field is NULL, so nothing may turn into one)."""
    con = duckdb.connect()
    for t in tables:
        spec = SPECS[t.table]
        declared = {n: DUCKDB_TYPES[k] for n, k in spec.columns.items()}
        parquet = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(t.parquet)]).fetchall()
        got = {row[0]: row[1] for row in parquet}
        wrong = [
            f"{n} is {got.get(n)}, declared {k}" for n, k in declared.items() if got.get(n) != k
        ]
        if wrong:
            raise ExportError(f"{t.parquet.name}: {'; '.join(wrong)}")
        csv_types = {n: ("VARCHAR" if k.endswith("[]") else k) for n, k in declared.items()}
        for path, source in ((t.parquet, "read_parquet(?)"), (t.csv, CSV_READER)):
            params = [str(path)] + (
                [csv_types, TIMESTAMP_FORMAT, DATE_FORMAT] if path == t.csv else []
            )
            try:
                counts = con.execute(
                    f"SELECT COUNT(*), COUNT(COLUMNS(*)) FROM {source}", params
                ).fetchone()
            except duckdb.Error as exc:
                raise ExportError(
                    f"{path.name} does not read as its declared schema: {str(exc).splitlines()[0]}"
                ) from None
            if counts[0] != t.rows or tuple(counts[1:]) != t.filled:
                raise ExportError(
                    f"{path.name}: {counts[0]} rows and {list(counts[1:])} values per column "
                    f"read back; {t.rows} rows and {list(t.filled)} written"
                )
    con.close()
