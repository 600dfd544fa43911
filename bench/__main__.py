"""`python -m bench`: generation throughput, the per-row baseline, memory, end-to-end goals,
the check suite per scenario, the causal validator's calibration, the PostgreSQL loader,
and whether the causal benchmark's variants separate estimators.

Everything is measured in one run and printed as plain-text tables. Timings are medians of
repeated runs where a run is cheap; the full-scale fresh-process run happens once.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from time import perf_counter

import numpy as np
import pandas as pd
from faker import Faker

from bench import (
    benchmark,
    chunked,
    feedback,
    loader,
    naive,
    orchestration,
    privacy,
    stories,
    twins,
)
from bench import scale as scale_out
from bench.checks import (
    CALIBRATION_SEEDS,
    CALIBRATION_UNITS,
    calibration_table,
    check_suite_table,
    refuter_note,
)
from bench.generation import STEPS, WORLD_STEP, StepTimes, time_all_scenarios
from bench.processes import end_to_end
from e2i_synth.catalog import SCALES
from e2i_synth.settings import DEFAULT_SEED, Scenario, select_scenarios
from e2i_synth.tables import hcp_profiles, patient_journeys
from e2i_synth.tables.hcp_profiles import name_pools
from e2i_synth.world import World, draw_world

REPO_ROOT = Path(__file__).resolve().parent.parent
GENERATION_REPEATS = 3
BASELINE_REPEATS = 3
VECTORIZED_REPEATS = 5
END_TO_END_REPEATS = 3
BASELINE_SCENARIO = Scenario("kisqali", "confounded")
BASELINE_PATIENTS = SCALES["full"]
"""One full-scale scenario: long enough for the per-row loops to time reliably."""

FULL_RUN_GOAL_SECONDS = 60.0
FULL_RUN_GOAL_KIB = 2 * 1024 * 1024
END_TO_END_GOAL_SECONDS = 20.0
"""The 15 small scenarios through Dagster with every check, scenarios in parallel on the
machine's cores (the twins, trained per scenario, came after this goal was set)."""
TOTAL = "total (draw + tables)"


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = perf_counter()
        run()
        timings.append(perf_counter() - started)
    return statistics.median(timings)


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds > 0 else "-"


def median_generation(n_patients: int, repeats: int) -> StepTimes:
    """Per-step median seconds over repeats, plus a total; rows are the same every run."""
    runs = [time_all_scenarios(n_patients, DEFAULT_SEED) for _ in range(repeats)]
    times = {
        step: (runs[0][step][0], statistics.median(run[step][1] for run in runs)) for step in STEPS
    }
    times[TOTAL] = (
        sum(times[step][0] for step in STEPS if step != WORLD_STEP),
        statistics.median(sum(seconds for _, seconds in run.values()) for run in runs),
    )
    return times


def generation_table() -> pd.DataFrame:
    """Rows, seconds and rows/s per step at both scales, side by side."""
    columns = {}
    for scale in ("small", "full"):
        times = median_generation(SCALES[scale], GENERATION_REPEATS)
        columns[f"{scale} rows"] = {step: f"{rows:,}" for step, (rows, _) in times.items()}
        columns[f"{scale} s"] = {step: f"{seconds:.3f}" for step, (_, seconds) in times.items()}
        columns[f"{scale} rows/s"] = {step: rate(*times[step]) for step in times}
    table = pd.DataFrame(columns)
    table.index = [
        f"{WORLD_STEP} (patients)" if step == WORLD_STEP else step for step in table.index
    ]
    table.index.name = "step"
    return table


def baseline_table(world: World) -> pd.DataFrame:
    """Per-row baseline against the real build, on the same world."""
    fake = Faker("en_US")
    fake.seed_instance(0)
    rnd = random.Random(0)
    contenders = {
        "hcp_profiles": (hcp_profiles, lambda: naive.hcp_profiles(world, fake, rnd)),
        "patient_journeys": (patient_journeys, lambda: naive.patient_journeys(world, rnd)),
    }
    records = []
    for name, (module, build_naive) in contenders.items():
        naive_frame = build_naive()
        missing = set(module.SPEC.columns) - set(naive_frame.columns)
        if missing:
            print(f"warning: baseline {name} lacks columns {sorted(missing)}")
        rows = len(naive_frame)
        naive_seconds = median_seconds(build_naive, BASELINE_REPEATS)
        fast_seconds = median_seconds(lambda m=module: m.build(world, {}), VECTORIZED_REPEATS)
        records.append(
            {
                "table": name,
                "rows": f"{rows:,}",
                "naive s": f"{naive_seconds:.3f}",
                "naive rows/s": rate(rows, naive_seconds),
                "vectorized s": f"{fast_seconds:.4f}",
                "vectorized rows/s": rate(rows, fast_seconds),
                "vectorized/naive": f"{naive_seconds / fast_seconds:.0f}x",
            }
        )
    return pd.DataFrame(records).set_index("table")


def full_run() -> tuple[float, dict]:
    """Wall seconds and the self-reported peak RSS of a fresh full-scale generation process."""
    started = perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bench.full_run"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return perf_counter() - started, json.loads(done.stdout.strip().splitlines()[-1])


def verdict(measured: float, goal: float) -> str:
    return "PASS" if measured <= goal else "FAIL"


def goals_table() -> pd.DataFrame:
    """The issue's goals, each run with the CPU it used: CPU / cores is the least wall time
    the same work can take here, so a goal below it needs less work, not more overlap."""
    cores = len(os.sched_getaffinity(0))
    full = end_to_end(scale="full")
    full_wall, generation = full_run()
    small = [end_to_end() for _ in range(END_TO_END_REPEATS)]
    median = sorted(small, key=lambda run: run.seconds)[len(small) // 2]
    serial = end_to_end("--workers", "1")
    warehouse_only = end_to_end("--no-twins")
    rss_kib = generation["max_rss_kib"]
    return pd.DataFrame(
        [
            {
                "measure": "e2i-synth materialize --scale full (15 scenarios through Dagster, "
                "every check, twins included): wall",
                "goal": f"<= {FULL_RUN_GOAL_SECONDS:.0f} s",
                "measured": full.describe(cores),
                "result": verdict(full.seconds, FULL_RUN_GOAL_SECONDS),
            },
            {
                "measure": "the same: largest process's peak RSS",
                "goal": f"<= {FULL_RUN_GOAL_KIB / 1024**2:.0f} GiB",
                "measured": f"{full.peak_kib / 1024:,.0f} MiB",
                "result": verdict(full.peak_kib, FULL_RUN_GOAL_KIB),
            },
            {
                "measure": "full-scale generation only, 15 scenarios, one fresh process: wall",
                "goal": "",
                "measured": f"{full_wall:.1f} s ({generation['generation_seconds']:.1f} s "
                f"generating, {generation['rows']:,} rows)",
                "result": "",
            },
            {
                "measure": "the same: peak RSS",
                "goal": "",
                "measured": f"{rss_kib / 1024:,.0f} MiB",
                "result": "",
            },
            {
                "measure": "e2i-synth materialize --scale small (Dagster + DuckDB + all checks "
                "per scenario): wall",
                "goal": f"<= {END_TO_END_GOAL_SECONDS:.0f} s",
                "measured": f"{median.describe(cores)} (median of "
                + ", ".join(f"{run.seconds:.1f}" for run in small)
                + ")",
                "result": verdict(median.seconds, END_TO_END_GOAL_SECONDS),
            },
            {
                "measure": "the same with --workers 1 (one scenario at a time): wall",
                "goal": "",
                "measured": f"{serial.describe(cores)} (parallel / serial: "
                f"{median.seconds / serial.seconds:.2f})",
                "result": "",
            },
            {
                "measure": "the same in parallel with --no-twins (the warehouse tables and "
                "their checks only): wall",
                "goal": f"<= {END_TO_END_GOAL_SECONDS:.0f} s",
                "measured": warehouse_only.describe(cores),
                "result": verdict(warehouse_only.seconds, END_TO_END_GOAL_SECONDS),
            },
        ]
    ).set_index("measure")


def section(title: str, table: pd.DataFrame) -> None:
    print(f"\n{title}\n{'=' * len(title)}\n{table.to_string()}")


def main() -> None:
    bench_started = perf_counter()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    print(
        f"cores: {os.cpu_count()} (usable: {usable}); python {sys.version.split()[0]}, "
        f"numpy {np.__version__}, pandas {pd.__version__}; seed {DEFAULT_SEED}"
    )
    started = perf_counter()
    name_pools()
    print(f"one-off per process, excluded below: Faker name pool {perf_counter() - started:.3f} s")
    feedback.print_sections(section)
    time_all_scenarios(SCALES["small"], DEFAULT_SEED)  # warm-up: first-call costs

    section(
        f"1. Generation only (world draw + tables, no storage), {len(select_scenarios())} "
        f"scenarios, median of {GENERATION_REPEATS} runs",
        generation_table(),
    )
    world = draw_world(BASELINE_SCENARIO, BASELINE_PATIENTS, DEFAULT_SEED)
    section(
        f"2. Per-row baseline (bench/naive.py) vs vectorized build, "
        f"{BASELINE_SCENARIO.partition_key}, {world.n_patients:,} patients / "
        f"{world.n_hcps:,} HCPs, medians of {BASELINE_REPEATS} / {VECTORIZED_REPEATS} runs",
        baseline_table(world),
    )
    del world
    section("3-4. Goals", goals_table())
    orchestration.print_sections(section)
    section(
        "5. Check suite per scenario at small scale (medians per DGP; " + refuter_note() + ")",
        check_suite_table(),
    )
    section(
        f"6. Causal validator calibration: {len(CALIBRATION_SEEDS)} seeds per DGP at "
        f"{CALIBRATION_UNITS:,} units (95% CI coverage of the sample truth, errors)",
        calibration_table(),
    )
    title = (
        f"7. PostgreSQL loader, {loader.SCENARIO.partition_key} at full scale, one transaction, "
        f"constraints on, median of {loader.REPEATS} (executemany once)"
    )
    if loader.reachable():
        section(title, loader.loader_table())
    else:
        print(f"\n{title}\nskipped: PostgreSQL not reachable at {loader.ADMIN_URL}")
    section(
        f"8. Demo stories: each step against generating the story's scenario, median of "
        f"{stories.REPEATS}",
        stories.stories_table(),
    )
    twins.print_sections(section)
    privacy.print_sections(section)
    benchmark.print_sections(section)
    scale_out.print_sections(section)
    chunked.print_sections(section)
    print(f"\nbench wall time: {perf_counter() - bench_started:.0f} s")


if __name__ == "__main__":
    main()
