"""A scenario of any size, written chunk by chunk in bounded memory: one Parquet file per
table and chunk (`<out>/<table>/part-00000.parquet` ..., the scenario-level rows last in
`part-scenario.parquet`), and a DuckDB file (`<out>/warehouse.duckdb`) whose views read
them, so DuckDB or any Parquet reader sees the whole scenario.

Only one chunk's frames are in memory at a time (tables.chunks.generate_chunks); the
scenario-level tables come last from the chunks' exact sums. `check_chunked` then proves in
SQL, on the files, what the in-memory checks prove on frames: keys unique, every foreign
key resolves, every row has its patient's split, split counts exact, and the stored truth
equals the unit truths' sums.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from e2i_synth.catalog import SPLITS
from e2i_synth.settings import Scenario
from e2i_synth.tables import SPECS, TABLE_NAMES
from e2i_synth.tables.chunks import generate_chunks
from e2i_synth.world.draw import SPLIT_BLOCK, split_counts

SCENARIO_PART = "part-scenario.parquet"
CHECK_MEMORY_LIMIT = "1GB"
"""DuckDB spills to disk past this while checking, so the checks are bounded too."""


@dataclass
class ChunkedRun:
    out: Path
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLE_NAMES, 0))
    chunks: int = 0
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def typed_select(name: str) -> str:
    """The frame's columns cast to the table's declared types, so every part of a table
    has one Parquet schema (a chunk's all-NULL column would otherwise have none)."""
    return ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in SPECS[name].columns.items())


def write_part(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    con.register("incoming", frame)
    con.execute(f"COPY (SELECT {typed_select(name)} FROM incoming) TO '{path}' (FORMAT parquet)")
    con.unregister("incoming")


def write_chunked(
    scenario: Scenario,
    n_patients: int,
    seed: int,
    chunk_size: int,
    out: Path,
    on_chunk: Callable[[int, ChunkedRun], None] | None = None,
) -> ChunkedRun:
    """Generate the scenario chunk by chunk into `out` (replaced if it exists)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    run = ChunkedRun(out)
    started = time.perf_counter()
    con = duckdb.connect()
    run.chunks = -(-n_patients // chunk_size)
    for index, frames in enumerate(generate_chunks(scenario, n_patients, seed, chunk_size)):
        part = SCENARIO_PART if index == run.chunks else f"part-{index:05d}.parquet"
        for name, frame in frames.items():
            write_part(con, name, frame, out / name / part)
            run.rows[name] += len(frame)
        run.seconds = time.perf_counter() - started
        if on_chunk and index < run.chunks:
            on_chunk(index, run)
    con.close()
    with duckdb.connect(str(out / "warehouse.duckdb")) as db:
        for name in TABLE_NAMES:
            db.execute(
                f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{out / name}/*.parquet')"
            )
    return run


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    message: str


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchone()[0])


def expected_split_counts(n_patients: int) -> np.ndarray:
    """Exact counts per split: whole blocks of SPLIT_BLOCK, then the last partial block's."""
    whole = n_patients // SPLIT_BLOCK * split_counts(SPLIT_BLOCK)
    return whole + split_counts(n_patients % SPLIT_BLOCK)


def check_chunked(out: Path, n_patients: int) -> list[CheckResult]:
    """Keys, foreign keys, split isolation and counts, and truth, in SQL over the files."""
    results = []
    with duckdb.connect(str(out / "warehouse.duckdb"), read_only=True) as con:
        con.execute(f"SET memory_limit = '{CHECK_MEMORY_LIMIT}'")
        con.execute("SET preserve_insertion_order = false")
        for name in TABLE_NAMES:
            key = SPECS[name].primary_key
            dup = _count(con, f"SELECT count(*) - count(DISTINCT {key}) FROM {name}")
            results.append(CheckResult(f"{name}.{key} unique", dup == 0, f"{dup} duplicated"))
            for column, parent in SPECS[name].foreign_keys.items():
                parent_key = SPECS[parent].primary_key
                orphans = _count(
                    con,
                    f"SELECT count(*) FROM {name} c ANTI JOIN {parent} p "
                    f"ON c.{column} = p.{parent_key} WHERE c.{column} IS NOT NULL",
                )
                results.append(
                    CheckResult(f"{name}.{column} -> {parent}", orphans == 0, f"{orphans} orphans")
                )
            carries_split = {"patient_id", "data_split"} <= set(SPECS[name].columns)
            if carries_split and name != "patient_journeys":
                crossed = _count(
                    con,
                    f"SELECT count(*) FROM {name} c JOIN patient_journeys p USING "
                    "(patient_id) WHERE c.data_split IS DISTINCT FROM p.data_split",
                )
                results.append(
                    CheckResult(f"{name} split isolation", crossed == 0, f"{crossed} rows")
                )
        counts = dict(
            con.execute("SELECT data_split, count(*) FROM patient_journeys GROUP BY 1").fetchall()
        )
        got = [counts.get(s, 0) for s in SPLITS]
        want = expected_split_counts(n_patients).tolist()
        results.append(CheckResult("split counts exact", got == want, f"{got} vs {want}"))
        units, effect, treated, effect_treated = con.execute(
            "SELECT count(*), sum(u.individual_effect), count(*) FILTER (p.engaged), "
            "sum(u.individual_effect) FILTER (p.engaged) "
            "FROM unit_truth u JOIN patient_journeys p USING (patient_id)"
        ).fetchone()
        row = con.execute(
            "SELECT true_ate, true_att, n_units, n_treated FROM causal_ground_truth "
            "WHERE segment_column IS NULL"
        ).fetchone()
        want = (effect / units, effect_treated / treated, n_patients, treated)
        results.append(
            CheckResult("truth = sums of unit truths", row == want, f"stored {row}, units {want}")
        )
    return results
