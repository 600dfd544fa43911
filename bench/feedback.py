"""Fast-feedback section of `python -m bench`: the CPU a developer pays before any work —
`e2i-synth --help` (and each command group's), a flag typo, and pytest collecting the whole
suite — against their goals, with the floor beside them: the interpreter starting and
importing nothing of ours.

CPU (user + system of the child process and its children), not wall time: the machine is
shared and has two cores, so CPU is what a change moves. Medians of `REPEATS` runs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
REPEATS = 5
HELP_GOAL_CPU = 0.5
COLLECT_GOAL_CPU = 8.0
COMMAND_GROUPS = ("materialize", "validate", "db", "twins", "privacy", "story", "benchmark")


def cpu_seconds(argv: Sequence[str]) -> float:
    """User + system CPU of one run of `argv` and everything it started."""
    before = os.times()
    subprocess.run(
        argv, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    after = os.times()
    return (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


def median_cpu(argv: Sequence[str], repeats: int = REPEATS) -> float:
    return statistics.median(cpu_seconds(argv) for _ in range(repeats))


def feedback_table() -> pd.DataFrame:
    cli = [sys.executable, "-m", "e2i_synth.cli"]
    floor = median_cpu([sys.executable, "-c", "pass"])
    rows = [("python -c pass (the floor)", floor, None)]
    rows.append(("e2i-synth --help", median_cpu([*cli, "--help"]), HELP_GOAL_CPU))
    groups = [median_cpu([*cli, group, "--help"], 3) for group in COMMAND_GROUPS]
    rows.append((f"slowest of {len(groups)} command --help", max(groups), HELP_GOAL_CPU))
    rows.append(
        (
            "e2i-synth materialize --sed 3 (a typo)",
            median_cpu([*cli, "materialize", "--sed", "3"]),
            HELP_GOAL_CPU,
        )
    )
    collect = [
        sys.executable,
        "-m",
        "pytest",
        "--collect-only",
        "-q",
        "-n",
        "0",
        "-p",
        "no:cacheprovider",
    ]
    rows.append(
        ("pytest --collect-only (the whole suite)", median_cpu(collect, 3), COLLECT_GOAL_CPU)
    )
    return pd.DataFrame(
        [
            {
                "measure": name,
                "CPU s": f"{cpu:.2f}",
                "x floor": f"{cpu / floor:.1f}",
                "goal": "" if goal is None else f"<= {goal:g} CPU-s",
                "result": "" if goal is None else ("met" if cpu <= goal else "MISSED"),
            }
            for name, cpu, goal in rows
        ]
    ).set_index("measure")


def print_sections(section: Callable[[str, pd.DataFrame], None]) -> None:
    section(
        f"0. Fast feedback: CPU before any work, medians of {REPEATS} (3 for groups and "
        "collection)",
        feedback_table(),
    )


if __name__ == "__main__":
    print_sections(lambda title, table: print(f"{title}\n{table.to_string()}"))
