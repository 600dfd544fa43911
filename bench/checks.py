"""The check suite per scenario at small scale: where its time goes, and its total.

Times, for every scenario, the structural checks (Pandera, keys, time order, splits) on
the generated frames, the DoWhy estimates, the three refuters, and the whole suite as the
Dagster asset-check op runs it (read back from DuckDB, every check, results recorded),
after one warm-up scenario that pays the one-time imports.
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
from e2i_synth.validation.refutation import REFUTER_SIMULATIONS, refute
from e2i_synth.validation.suite import structural_checks
from e2i_synth.warehouse import DuckDBWarehouse
from e2i_synth.world import draw_world

CHECK_SUITE_GOAL_SECONDS = 3.0
CALIBRATION_SEEDS = range(100)
CALIBRATION_UNITS = 10_000
PARTS = ("structural s", "DoWhy estimate s", "refuters s")


def seconds(run) -> tuple[object, float]:
    started = perf_counter()
    value = run()
    return value, perf_counter() - started


def time_scenario(scenario: Scenario, store: DuckDBWarehouse) -> dict[str, float]:
    frames = build_tables(draw_world(scenario, SCALES["small"], DEFAULT_SEED))
    store.replace_scenario(scenario, frames)
    _, structural = seconds(lambda: structural_checks(frames))
    (_, fits), estimate = seconds(
        lambda: estimate_scenario(frames["patient_journeys"], frames["causal_ground_truth"])
    )
    _, refuters = seconds(lambda: [refute(f, DEFAULT_SEED) for f in fits])
    return {
        "structural s": structural,
        "DoWhy fits": len(fits),
        "DoWhy estimate s": estimate,
        "refuters s": refuters,
    }


def time_check_op(scenarios: list[Scenario], home: Path) -> dict[Scenario, float]:
    """Wall seconds of the `validate_scenario` Dagster run per stored scenario."""
    from e2i_synth.defs.runner import run_scenarios

    settings = Settings.from_env(home=home)
    runs = run_scenarios(settings, scenarios, generate=False)
    failed = [f for run in runs for f in run.failures]
    if failed:
        raise RuntimeError("checks failed on clean data:\n" + "\n".join(failed))
    return {run.scenario: run.seconds for run in runs}


def check_suite_table() -> pd.DataFrame:
    scenarios = select_scenarios()
    with tempfile.TemporaryDirectory(prefix="e2i-bench-checks-") as home:
        store = DuckDBWarehouse(Path(home) / "warehouse.duckdb")
        time_scenario(scenarios[0], store)  # warm-up: imports and first-call costs
        parts = {s: time_scenario(s, store) for s in scenarios}
        dagster = time_check_op(scenarios, Path(home))
    rows = []
    for dgp in DGPS:
        mine = [s for s in scenarios if s.dgp == dgp]
        row = {"dgp": dgp, "scenarios": len(mine), "DoWhy fits": parts[mine[0]]["DoWhy fits"]}
        for part in PARTS:
            row[part] = statistics.median(parts[s][part] for s in mine)
        row["Dagster check run s"] = statistics.median(dagster[s] for s in mine)
        rows.append(row)
    table = pd.DataFrame(rows).set_index("dgp")
    overall = statistics.median(dagster.values())
    table.loc["all (median)"] = [
        len(scenarios),
        "",
        *(
            statistics.median(p[k] for p in parts.values())
            for k in ("structural s", "DoWhy estimate s", "refuters s")
        ),
        overall,
    ]
    table["goal"] = f"<= {CHECK_SUITE_GOAL_SECONDS:.0f} s"
    table["result"] = [
        "PASS" if v <= CHECK_SUITE_GOAL_SECONDS else "FAIL" for v in table["Dagster check run s"]
    ]
    for column in (*PARTS, "Dagster check run s"):
        table[column] = table[column].map("{:.2f}".format)
    return table


def calibration_table() -> pd.DataFrame:
    table = pd.concat(
        [calibrate(dgp, CALIBRATION_SEEDS, CALIBRATION_UNITS) for dgp in DGPS], ignore_index=True
    )
    return table.set_index(["dgp", "estimand"]).round(4)


def refuter_note() -> str:
    counts = ", ".join(f"{name} {k}" for name, k in REFUTER_SIMULATIONS.items())
    return f"refuter simulations per DoWhy fit: {counts}"


if __name__ == "__main__":
    print(refuter_note())
    print(check_suite_table().to_string())
