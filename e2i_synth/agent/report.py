"""Eval runs stored as the estimator benchmark stores its runs: one CSV per run (every
task's score) and one HTML page under $E2I_HOME/reports, the page holding the leaderboard
of every agent eval stored there, this run's suite accuracies and its tasks."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from e2i_synth.agent.scoring import suite_accuracy

REPORT_KIND = "agent-eval"


def leaderboard(folder: Path) -> pd.DataFrame:
    """Every stored run: agent, suite version, tasks, passed, and accuracy per suite."""
    runs = [pd.read_csv(p) for p in sorted(folder.glob(f"{REPORT_KIND}-*.csv"))]
    if not runs:
        return pd.DataFrame()
    frame = pd.concat(runs, ignore_index=True)
    per_suite = frame.pivot_table(
        index=["run_id", "agent", "suite_version"], columns="suite", values="passed", aggfunc="mean"
    )
    totals = frame.groupby(["run_id", "agent", "suite_version"]).agg(
        tasks=("task_id", "size"), passed=("passed", "sum")
    )
    board = totals.join(per_suite).reset_index()
    board["accuracy"] = board["passed"] / board["tasks"]
    return board.sort_values("accuracy", ascending=False)


def write_report(scores: pd.DataFrame, folder: Path, stem: str) -> tuple[Path, Path]:
    """This run's scores as CSV, then the HTML page with the leaderboard of all runs."""
    folder.mkdir(parents=True, exist_ok=True)
    csv, html = folder / f"{stem}.csv", folder / f"{stem}.html"
    scores.to_csv(csv, index=False)
    sections = [
        ("Leaderboard (every stored run)", leaderboard(folder)),
        ("This run: accuracy by suite (Wilson 95% interval)", suite_accuracy(scores)),
        ("This run: every task", scores.drop(columns=["run_id", "suite_version"])),
    ]
    body = "".join(
        f"<h2>{escape(title)}</h2>{table.to_html(float_format=lambda v: f'{v:.4f}')}"
        for title, table in sections
        if len(table)
    )
    agent = escape(str(scores["agent"].iloc[0])) if len(scores) else ""
    html.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{stem}</title></head>"
        f"<body><h1>Agent eval: {agent}</h1>{body}</body></html>"
    )
    return csv, html
