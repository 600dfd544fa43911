"""Chunked generation at scale: one scenario of 1 M and of 10 M patients, each written chunk by
chunk to Parquet (e2i_synth.warehouse.chunked) and then checked over the files, as
`e2i-synth chunked` does, in a fresh process that reports its own peak RSS. Goal: memory
flat in size (the larger run's peak within 25% of the smaller's). Then the scale plan from
the largest run: a chunk's cost (seconds, rows, Parquet bytes, one worker's peak memory) and
the time 1 B rows take on N workers, each chunk an independent task
(`export_chunked_celery`), assuming one worker per core and storage that keeps up (the bytes
are printed to check that against a cluster's disks or object store).

`python -m bench.chunked` prints the section alone (`python -m bench.chunked 200000
1000000` for other sizes); `python -m bench.chunked --child N` is the measured process.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from time import perf_counter

import pandas as pd

from e2i_synth.memory import release_freed_memory
from e2i_synth.settings import DEFAULT_SEED, Scenario
from e2i_synth.warehouse.chunked import check_chunked, write_chunked

SCENARIO = Scenario("kisqali", "confounded")
SIZES = (1_000_000, 10_000_000)
CHUNK_SIZE = 20_000
FLAT_GOAL = 1.25
"""The largest size's peak RSS over the smallest's."""
PLAN_ROWS = 1_000_000_000
PLAN_WORKERS = (1, 2, 16, 64, 256)
REPO_ROOT = Path(__file__).resolve().parent.parent


def child(n_patients: int) -> None:
    """Write one scenario into a temporary folder and check it over the files, as
    `e2i-synth chunked` does; print rows, seconds of each part and the peak RSS."""
    with tempfile.TemporaryDirectory(prefix="e2i-chunked-") as out:
        started = perf_counter()
        run = write_chunked(SCENARIO, n_patients, DEFAULT_SEED, CHUNK_SIZE, Path(out) / "s")
        seconds = perf_counter() - started
        written = sum(p.stat().st_size for p in Path(out).rglob("*.parquet"))
        release_freed_memory()
        started = perf_counter()
        checks = check_chunked(Path(out) / "s", n_patients)
        check_seconds = perf_counter() - started
    report = {
        "rows": run.total_rows,
        "bytes": written,
        "chunks": run.chunks,
        "seconds": seconds,
        "checks": f"{sum(c.passed for c in checks)}/{len(checks)}",
        "check_seconds": check_seconds,
        "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    print(json.dumps(report))


def measure(n_patients: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.chunked", "--child", str(n_patients)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def chunked_table(runs: dict[int, dict]) -> pd.DataFrame:
    smallest = runs[min(runs)]["max_rss_kib"]
    return pd.DataFrame(
        [
            {
                "patients": f"{n:,}",
                "chunks": r["chunks"],
                "rows": f"{r['rows']:,}",
                "seconds": f"{r['seconds']:.1f}",
                "rows/s": f"{r['rows'] / r['seconds']:,.0f}",
                "checks": f"{r['checks']} in {r['check_seconds']:.0f} s",
                "peak RSS": f"{r['max_rss_kib'] / 1024:,.0f} MiB",
                "RSS / smallest": f"{r['max_rss_kib'] / smallest:.2f}",
                "flat (<= 1.25)": "PASS" if r["max_rss_kib"] <= FLAT_GOAL * smallest else "FAIL",
            }
            for n, r in runs.items()
        ]
    ).set_index("patients")


def plan_table(run: dict) -> pd.DataFrame:
    """Per-chunk cost of a measured run, and 1 B rows extrapolated over N workers."""
    per_chunk = run["seconds"] / run["chunks"]
    rows_per_chunk = run["rows"] / run["chunks"]
    chunks = -(-PLAN_ROWS // int(rows_per_chunk))
    facts = {
        "chunk": f"{CHUNK_SIZE:,} patients, {rows_per_chunk:,.0f} rows, "
        f"{run['bytes'] / run['chunks'] / 2**20:,.1f} MiB of Parquet",
        "seconds per chunk (one core)": f"{per_chunk:.2f}",
        "peak memory per worker": f"{run['max_rss_kib'] / 1024:,.0f} MiB",
        f"{PLAN_ROWS:,} rows": f"{chunks:,} chunks, "
        f"{chunks * run['bytes'] / run['chunks'] / 2**30:,.0f} GiB of Parquet",
    }
    for workers in PLAN_WORKERS:
        minutes = -(-chunks // workers) * per_chunk / 60
        facts[f"1 B rows on {workers} worker(s)"] = f"{minutes:,.1f} min"
    return pd.DataFrame({"value": facts})


def print_sections(section: Callable[[str, pd.DataFrame], None], sizes=SIZES) -> None:
    runs = {n: measure(n) for n in sizes}
    section(
        f"Chunked generation to Parquet, {SCENARIO.partition_key}, chunks of {CHUNK_SIZE:,} "
        "patients, fresh process each (goal: peak memory flat in size)",
        chunked_table(runs),
    )
    section(
        f"Scale plan from the {max(sizes):,}-patient run (each chunk an independent task)",
        plan_table(runs[max(sizes)]),
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]))
    else:
        sizes = tuple(int(a) for a in sys.argv[1:]) or SIZES

        def show(title: str, table: pd.DataFrame) -> None:
            print(f"\n{title}\n{'=' * len(title)}\n{table.to_string()}")

        print_sections(show, sizes)
