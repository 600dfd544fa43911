"""Orchestration goals as ratios on this machine, each beside its floor.

What `materialize` costs beyond its data work is orchestration (imports per process, run
creation, events, the check step). On a 2-core machine wall-time goals sit below the CPU
floor, so the goals are CPU ratios: the command's CPU over the CPU of the same work done
without Dagster in one process (`bench.data_work`). The floor beside each is what a
minimal Dagster run costs on this machine (`bench.minimal_dagster`: a fresh process
importing Dagster and recording one checked partition): no command that records a Dagster
run can go below data work + that. Wall time is printed with CPU ÷ cores, the least wall
time the same CPU can take here.

Run alone as `python -m bench.orchestration` (`--no-twins` leaves out the two rows with
the twins, the longest); `python -m bench` prints it as section 4b.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from bench.feedback import HELP_GOAL_CPU, median_cpu
from bench.processes import EndToEnd, end_to_end, measure
from e2i_synth.settings import select_scenarios

ONE = ("kisqali", "confounded")
ONE_SCENARIO_GOAL = 1.5
ALL_SCENARIOS_GOAL = 2.0
TWINS_SMALL_GOAL_CPU = 60.0
TWINS_FULL_GOAL_CPU = 150.0


@dataclass(frozen=True)
class Row:
    measure: str
    run: EndToEnd | None
    value: float  # the figure the goal is on: a ratio, or CPU seconds
    unit: str  # "x" or "CPU-s"
    goal: float | None
    floor: float | None

    def record(self, cores: int) -> dict[str, str]:
        shown = f"{self.value:.2f}x" if self.unit == "x" else f"{self.value:.1f} CPU-s"
        return {
            "measure": self.measure,
            "CPU s": "" if self.run is None else f"{self.run.cpu_seconds:.1f}",
            "wall s (>= CPU/cores)": ""
            if self.run is None
            else f"{self.run.seconds:.1f} (>= {self.run.floor(cores):.1f})",
            "measured": shown,
            "goal": ""
            if self.goal is None
            else f"<= {self.goal:g}{self.unit}".replace("CPU-s", " CPU-s"),
            "floor": ""
            if self.floor is None
            else (f"{self.floor:.2f}x" if self.unit == "x" else f"{self.floor:.1f} CPU-s"),
            "result": "" if self.goal is None else ("met" if self.value <= self.goal else "MISSED"),
        }


def python_module(module: str, *args: str) -> EndToEnd:
    return measure([sys.executable, "-m", module, *args])


def ratio_row(label: str, run: EndToEnd, data: EndToEnd, minimal: EndToEnd, goal: float) -> Row:
    """`run`'s CPU over the data work's, the floor one minimal Dagster run above it."""
    floor = (data.cpu_seconds + minimal.cpu_seconds) / data.cpu_seconds
    return Row(label, run, run.cpu_seconds / data.cpu_seconds, "x", goal, floor)


def goals_rows(twins: bool = True) -> list[Row]:
    minimal = python_module("bench.minimal_dagster")
    help_cpu = median_cpu([sys.executable, "-m", "e2i_synth.cli", "--help"])
    one_data = python_module("bench.data_work", *ONE)
    all_data = python_module("bench.data_work")
    n = len(select_scenarios())
    one_flags = ("--no-twins", "--brand", ONE[0], "--dgp", ONE[1])
    rows = [
        Row(
            "minimal Dagster run, fresh process (the floor)",
            minimal,
            minimal.cpu_seconds,
            "CPU-s",
            None,
            None,
        ),
        Row("e2i-synth --help", None, help_cpu, "CPU-s", HELP_GOAL_CPU, None),
        Row(
            "data work without Dagster, 1 small scenario",
            one_data,
            one_data.cpu_seconds,
            "CPU-s",
            None,
            None,
        ),
        ratio_row(
            "materialize 1 small scenario --no-twins / its data work",
            end_to_end(*one_flags),
            one_data,
            minimal,
            ONE_SCENARIO_GOAL,
        ),
        Row(
            f"data work without Dagster, {n} small scenarios",
            all_data,
            all_data.cpu_seconds,
            "CPU-s",
            None,
            None,
        ),
        ratio_row(
            f"materialize {n} small scenarios --no-twins / their data work",
            end_to_end("--no-twins"),
            all_data,
            minimal,
            ALL_SCENARIOS_GOAL,
        ),
    ]
    if twins:
        small = end_to_end()
        rows.append(
            Row(
                f"materialize {n} small scenarios with twins",
                small,
                small.cpu_seconds,
                "CPU-s",
                TWINS_SMALL_GOAL_CPU,
                all_data.cpu_seconds + minimal.cpu_seconds,
            )
        )
        full = end_to_end(scale="full")
        rows.append(
            Row(
                f"materialize {n} full-scale scenarios with twins",
                full,
                full.cpu_seconds,
                "CPU-s",
                TWINS_FULL_GOAL_CPU,
                None,
            )
        )
    return rows


def orchestration_table(twins: bool = True) -> pd.DataFrame:
    cores = len(os.sched_getaffinity(0))
    return pd.DataFrame([row.record(cores) for row in goals_rows(twins)]).set_index("measure")


def print_sections(section: Callable[[str, pd.DataFrame], None], twins: bool = True) -> None:
    section(
        "4b. Orchestration goals: CPU ratios to the data work, floors from a minimal Dagster "
        "run (with twins: floor = the tables' data work + one minimal run)",
        orchestration_table(twins),
    )


if __name__ == "__main__":
    print_sections(
        lambda title, table: print(f"{title}\n{table.to_string()}"),
        twins="--no-twins" not in sys.argv[1:],
    )
