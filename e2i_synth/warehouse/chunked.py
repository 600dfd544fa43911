"""A scenario of any size, written chunk by chunk in bounded memory: one Parquet part per
table and chunk in the hive layout of `scale.parquet` (`<out>/<table>/brand=<b>/dgp=<d>/
part-<chunk>.parquet`, the scenario-level rows in the part after the last chunk), and a
DuckDB file (`<out>/warehouse.duckdb`) whose views read them in part order, so DuckDB or
any Parquet reader sees the whole scenario.

Each chunk is an independent task (`write_chunk`: its parts and its exact sums, in
`_sums/`), run one after the other or in worker processes, one chunk's frames in memory
per process; the scenario-level tables come last, from the sum of the chunks' sums
(`write_scenario_rows`). A cluster can run the same tasks, one per chunk.

`check_chunked` then proves in SQL, on the files, what the in-memory checks prove on
frames: keys unique, every foreign key resolves, every row has its patient's split, split
counts exact, the stored truth equals the unit truths' sums, and nothing is dated after
the data cut.
"""

from __future__ import annotations

import multiprocessing
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np

from e2i_synth.catalog import SPLITS
from e2i_synth.scale.parquet import write_part
from e2i_synth.settings import Scenario
from e2i_synth.tables import SPECS, TABLE_NAMES
from e2i_synth.tables.chunks import (
    ChunkSums,
    chunk_bounds,
    chunk_sums,
    chunk_tables,
    scenario_tables,
)
from e2i_synth.warehouse.base import WarehouseError
from e2i_synth.world import draw_world
from e2i_synth.world.draw import SPLIT_BLOCK, split_counts

SUMS = "_sums"
"""Each chunk's sums, beside its parts: what the scenario-level rows are built from."""
CHECK_MEMORY_LIMIT = "200MB"
"""DuckDB spills to disk past this while checking, so the checks are bounded too: over a
10 M-patient scenario they peaked at 499 MiB in 132 s with this cap, 716 MiB in 113 s at
400 MB (and 1.2 GB at 1 GB), below the generation's own peak, so the whole command's
memory is the generation's at any size."""
BUCKET_ROWS = 5_000_000
"""Rows per hash bucket of a key check: a distinct count or an anti join holds one bucket's
keys at a time (a 10 M-patient scenario's 100 M+ feature values in 20+ passes), so the
checks' memory is flat in size like the generation's."""


@dataclass
class ChunkedRun:
    out: Path
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLE_NAMES, 0))
    chunks: int = 0
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


@dataclass(frozen=True)
class ChunkJob:
    """One scenario to write into `out` in chunks of `chunk_size` patients: each chunk is an
    independent task (any process, any order, any number of times: the same files)."""

    scenario: Scenario
    n_patients: int
    seed: int
    chunk_size: int
    out: Path

    @property
    def chunks(self) -> int:
        return -(-self.n_patients // self.chunk_size)


def chunked_folder(home: Path, scenario: Scenario, n_patients: int) -> Path:
    """Where a chunked scenario goes by default: `$E2I_HOME/chunked/<brand>-<dgp>-<n>`."""
    return home / "chunked" / f"{scenario.brand}-{scenario.dgp}-{n_patients}"


def start_chunked(job: ChunkJob) -> None:
    """An empty `out` (a rerun replaces the scenario whole, never mixes old parts in)."""
    if job.out.exists():
        shutil.rmtree(job.out)
    job.out.mkdir(parents=True)


def write_chunk(job: ChunkJob, index: int) -> dict[str, int]:
    """Chunk `index`: one Parquet part per table, and its sums (`_sums/part-<index>.json`)
    for the scenario-level rows; returns the rows written per table."""
    start, stop = chunk_bounds(job.n_patients, job.chunk_size, index)
    world = draw_world(job.scenario, job.n_patients, job.seed, start, stop)
    frames = chunk_tables(world)
    rows = write_part(frames, job.out, job.scenario, index)
    sums = job.out / SUMS / f"part-{index:05d}.json"
    sums.parent.mkdir(parents=True, exist_ok=True)
    sums.write_text(chunk_sums(world, frames).to_json())
    return rows


def write_scenario_rows(job: ChunkJob) -> dict[str, int]:
    """The scenario-level rows from every chunk's sums (refused while one is missing), and
    the DuckDB file whose views read all parts."""
    files = sorted((job.out / SUMS).glob("part-*.json"))
    if len(files) != job.chunks:
        raise WarehouseError(f"{len(files)} of {job.chunks} chunks written in {job.out}")
    total = sum(
        (ChunkSums.from_json(f.read_text()) for f in files[1:]),
        ChunkSums.from_json(files[0].read_text()),
    )
    frames = scenario_tables(draw_world(job.scenario, job.n_patients, job.seed, 0, 0), total)
    rows = write_part(frames, job.out, job.scenario, job.chunks)
    with duckdb.connect(str(job.out / "warehouse.duckdb")) as db:
        for name in TABLE_NAMES:
            parts = str(job.out / name / "**" / "*.parquet")
            # a view takes no bound parameter: DuckDB writes the scan, quoting the path itself
            scan = db.read_parquet(parts, hive_partitioning=False).sql_query()
            db.execute(f"CREATE OR REPLACE VIEW {name} AS {scan}")
    return rows


def write_chunked(
    scenario: Scenario,
    n_patients: int,
    seed: int,
    chunk_size: int,
    out: Path,
    on_chunk: Callable[[int, ChunkedRun], None] | None = None,
    workers: int = 1,
) -> ChunkedRun:
    """Generate the scenario into `out` (replaced if it exists), chunk by chunk in this
    process or `workers` chunks at a time in worker processes (one chunk in memory each),
    then its scenario-level rows. `on_chunk(i, run)` follows progress in completion order."""
    job = ChunkJob(scenario, n_patients, seed, chunk_size, out)
    start_chunked(job)
    run = ChunkedRun(out, chunks=job.chunks)
    started = time.perf_counter()

    def done(i: int, rows: dict[str, int]) -> None:
        for name, count in rows.items():
            run.rows[name] += count
        run.seconds = time.perf_counter() - started
        if on_chunk:
            on_chunk(i, run)

    if workers == 1:
        for index in range(job.chunks):
            done(index, write_chunk(job, index))
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(min(workers, job.chunks), mp_context=context) as pool:
            futures = {pool.submit(write_chunk, job, i): i for i in range(job.chunks)}
            for future in as_completed(futures):
                done(futures[future], future.result())
    for name, count in write_scenario_rows(job).items():
        run.rows[name] += count
    run.seconds = time.perf_counter() - started
    return run


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    message: str


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchone()[0])


def _bucketed(con: duckdb.DuckDBPyConnection, sql: str, keys: list[tuple[str, str]]) -> int:
    """`sql`'s count summed over hash buckets of its key columns (`keys`: (column, its
    table) in the order of the `{}` filters in `sql`), as many buckets as the largest table
    has `BUCKET_ROWS`: a key and its matches fall in the same bucket, so the sum is the
    one-pass count."""
    rows = max(_count(con, f"SELECT count(*) FROM {t}") for _, t in keys)
    buckets = max(1, -(-rows // BUCKET_ROWS))
    return sum(
        _count(con, sql.format(*(f"hash({k}) % {buckets} = {b}" for k, _ in keys)))
        for b in range(buckets)
    )


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
            unique = f"SELECT count(*) - count(DISTINCT {key}) FROM {name} WHERE {{}}"
            dup = _bucketed(con, unique, [(key, name)])
            results.append(CheckResult(f"{name}.{key} unique", dup == 0, f"{dup} duplicated"))
            for column, parent in SPECS[name].foreign_keys.items():
                parent_key = SPECS[parent].primary_key
                orphans = _bucketed(
                    con,
                    f"SELECT count(*) FROM (SELECT * FROM {name} WHERE {{}}) c ANTI JOIN "
                    f"(SELECT {parent_key} FROM {parent} WHERE {{}}) p "
                    f"ON c.{column} = p.{parent_key} WHERE c.{column} IS NOT NULL",
                    [(column, name), (parent_key, parent)],
                )
                results.append(
                    CheckResult(f"{name}.{column} -> {parent}", orphans == 0, f"{orphans} orphans")
                )
            carries_split = {"patient_id", "data_split"} <= set(SPECS[name].columns)
            if carries_split and name != "patient_journeys":
                crossed = _bucketed(
                    con,
                    f"SELECT count(*) FROM (SELECT * FROM {name} WHERE {{}}) c JOIN "
                    "(SELECT patient_id, data_split FROM patient_journeys WHERE {}) p "
                    "USING (patient_id) WHERE c.data_split IS DISTINCT FROM p.data_split",
                    [("patient_id", name), ("patient_id", "patient_journeys")],
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
        results.append(_data_cut_check(con))
    return results


def _data_cut_check(con: duckdb.DuckDBPyConnection) -> CheckResult:
    """No date or timestamp of any table after the truth's data cut (one column scan each)."""
    [cut] = con.execute("SELECT max(data_cut_date) FROM causal_ground_truth").fetchone()
    after = 0
    for name in TABLE_NAMES:
        for column, sql_type in SPECS[name].columns.items():
            if sql_type in ("DATE", "TIMESTAMP") and cut is not None:
                after += con.execute(
                    f"SELECT count(*) FROM {name} WHERE {column} >= CAST(? AS DATE) + 1", [cut]
                ).fetchone()[0]
    ok = cut is not None and after == 0
    return CheckResult("nothing after the data cut", ok, f"{after} dates after {cut}")
