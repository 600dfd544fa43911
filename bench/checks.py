"""The check suite per scenario at both scales: where its time goes, and its total.

Times, per scenario, the structural checks (Pandera, keys, time order, splits) on the
generated frames, the DoWhy estimates, the refuters as the check runs them (batched refits
judged by DoWhy's test) and, on the first brand of each DGP, DoWhy's own refuters on the
same fits, so their ratio comes from one run on this shared machine. The whole suite is
timed in-process on the frames (every check, as `run_checks` runs them: the goal) and, at
small scale, as the Dagster asset-check run runs it (read back from DuckDB, every check,
results recorded: the suite plus Dagster's run overhead). Cheap parts are medians of
`REPEATS`; one warm-up scenario pays the one-time imports first.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from time import perf_counter

import pandas as pd

from e2i_synth.catalog import DGPS, SCALES
from e2i_synth.settings import DEFAULT_SEED, Scenario, Settings, select_scenarios
from e2i_synth.tables import build_tables
from e2i_synth.validation.calibration import calibrate
from e2i_synth.validation.causal import estimate_scenario
from e2i_synth.validation.refutation import REFUTER_SIMULATIONS, refute, refute_with_dowhy
from e2i_synth.validation.suite import run_checks, structural_checks
from e2i_synth.warehouse import DuckDBWarehouse
from e2i_synth.world import draw_world

CHECK_SUITE_GOAL_SECONDS = 3.0
"""Per-scenario allowance for checks in the end-to-end goal (bench/__main__.py)."""
SUITE_GOALS = {"small": 1.0, "full": 3.0}
"""Issue 15: the whole check suite per scenario, small and full scale."""
REPEATS = 3
CALIBRATION_SEEDS = range(100)
CALIBRATION_UNITS = 10_000
PARTS = ("structural s", "DoWhy estimate s", "refuters s", "DoWhy refuters s")
SUITE = "check suite s"
DAGSTER = "Dagster check run s"
BEFORE = "suite with DoWhy's refuters s"
"""The suite as it was when DoWhy's refuters ran in the check, from the same run."""


def seconds(run) -> tuple[object, float]:
    started = perf_counter()
    value = run()
    return value, perf_counter() - started


def median_seconds(run) -> float:
    return statistics.median(seconds(run)[1] for _ in range(REPEATS))


def time_parts(frames: dict[str, pd.DataFrame], with_dowhy: bool) -> dict[str, float]:
    """Seconds of each part of the suite and of the whole on one scenario's frames (all
    checks must pass); DoWhy's refuters once."""
    failed = [r.message for r in run_checks(frames) if not r.passed]
    if failed:
        raise RuntimeError(f"checks failed on clean data: {failed}")
    journeys, truth = frames["patient_journeys"], frames["causal_ground_truth"]
    (_, fits), _ = seconds(lambda: estimate_scenario(journeys, truth))
    parts = {
        SUITE: median_seconds(lambda: run_checks(frames)),
        "structural s": median_seconds(lambda: structural_checks(frames)),
        "DoWhy estimate s": median_seconds(lambda: estimate_scenario(journeys, truth)),
        "refuters s": median_seconds(lambda: [refute(f, DEFAULT_SEED) for f in fits]),
    }
    if with_dowhy:
        dowhy = seconds(lambda: [refute_with_dowhy(f, DEFAULT_SEED) for f in fits])[1]
        parts["DoWhy refuters s"] = dowhy
        parts[BEFORE] = parts[SUITE] - parts["refuters s"] + dowhy
    return parts


def time_check_op(scenarios: list[Scenario], home: Path) -> dict[Scenario, float]:
    """Wall seconds of the `validate_scenario` Dagster run per stored scenario."""
    from e2i_synth.defs.runner import run_scenarios

    settings = Settings.from_env(home=home)
    runs = run_scenarios(settings, scenarios, generate=False)
    failed = [f for run in runs for f in run.failures]
    if failed:
        raise RuntimeError("checks failed on clean data:\n" + "\n".join(failed))
    return {run.scenario: run.seconds for run in runs}


def small_rows() -> dict[Scenario, dict[str, float]]:
    """Every scenario at small scale, and the Dagster check run of each."""
    scenarios = select_scenarios()
    first = {dgp: next(s for s in scenarios if s.dgp == dgp) for dgp in DGPS}
    with tempfile.TemporaryDirectory(prefix="e2i-bench-checks-") as home:
        store = DuckDBWarehouse(Path(home) / "warehouse.duckdb")
        parts = {}
        for scenario in [scenarios[0], *scenarios]:  # the first time is a warm-up
            frames = build_tables(draw_world(scenario, SCALES["small"], DEFAULT_SEED))
            store.replace_scenario(scenario, frames)
            parts[scenario] = time_parts(frames, scenario in first.values())
        dagster = time_check_op(scenarios, Path(home))
    return {s: {**parts[s], DAGSTER: dagster[s]} for s in scenarios}


def full_rows() -> dict[Scenario, dict[str, float]]:
    """One scenario per DGP at full scale."""
    rows = {}
    for dgp in DGPS:
        scenario = next(s for s in select_scenarios() if s.dgp == dgp)
        frames = build_tables(draw_world(scenario, SCALES["full"], DEFAULT_SEED))
        rows[scenario] = time_parts(frames, with_dowhy=True)
    return rows


def summarise(scale: str, rows: dict[Scenario, dict[str, float]]) -> pd.DataFrame:
    """Medians per DGP and over all scenarios, with the refuter speed-up and the goal."""
    groups = {dgp: [r for s, r in rows.items() if s.dgp == dgp] for dgp in DGPS}
    groups["all (median)"] = list(rows.values())
    records = []
    for name, group in groups.items():
        record = {"scale": scale, "dgp": name, "scenarios": len(group)}
        for column in (*PARTS, BEFORE, SUITE, DAGSTER):
            values = [r[column] for r in group if column in r]
            record[column] = statistics.median(values) if values else float("nan")
        record["refuter speed-up"] = f"{record['DoWhy refuters s'] / record['refuters s']:.0f}x"
        record["goal"] = f"<= {SUITE_GOALS[scale]:.0f} s"
        record["result"] = "PASS" if record[SUITE] <= SUITE_GOALS[scale] else "FAIL"
        records.append(record)
    return pd.DataFrame(records).set_index(["scale", "dgp"])


def check_suite_table() -> pd.DataFrame:
    table = pd.concat([summarise("small", small_rows()), summarise("full", full_rows())])
    for column in (*PARTS, BEFORE, SUITE, DAGSTER):
        table[column] = table[column].map("{:.2f}".format).replace("nan", "-")
    return table


def calibration_table() -> pd.DataFrame:
    table = pd.concat(
        [calibrate(dgp, CALIBRATION_SEEDS, CALIBRATION_UNITS) for dgp in DGPS], ignore_index=True
    )
    return table.set_index(["dgp", "estimand"]).round(4)


def refuter_note() -> str:
    counts = ", ".join(f"{name} {k}" for name, k in REFUTER_SIMULATIONS.items())
    return (
        f"refuter simulations per DoWhy fit: {counts}; DoWhy's own refuters timed on the "
        f"first brand of each DGP; goal on the whole suite in-process"
    )


if __name__ == "__main__":
    print(refuter_note())
    print(check_suite_table().to_string())
