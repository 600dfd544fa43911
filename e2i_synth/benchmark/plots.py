"""The leaderboard as a picture: where each estimator's errors fall, and whether its
confidence intervals cover the truth as often as they claim."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

NOMINAL = 0.95


def coverage_band(n: np.ndarray, level: float = NOMINAL) -> tuple[np.ndarray, np.ndarray]:
    """The range a nominal-coverage estimator's observed coverage falls in 95% of the time
    over n runs (normal approximation to the binomial)."""
    half = 1.96 * np.sqrt(level * (1 - level) / np.maximum(n, 1))
    return np.clip(level - half, 0, 1), np.clip(level + half, 0, 1)


def leaderboard_figure(results: pd.DataFrame, board: pd.DataFrame) -> Figure:
    """Left: every successful run's error (estimate - true ATE), one row per estimator in
    `board`'s order (best RMSE on top), with its bias marked. Right: observed 95% CI
    coverage against the band a nominal estimator would fall in over as many runs."""
    ok = results[results["status"] == "ok"]
    names = list(board.index)
    y = np.arange(len(names))[::-1]
    figure = Figure(figsize=(10, 0.45 * len(names) + 1.8))
    errors_axes, coverage_axes = figure.subplots(
        1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 1]}
    )
    jitter = np.random.default_rng(0)
    for row, name in zip(y, names, strict=True):
        errors = ok.loc[ok["estimator"] == name, "error"].to_numpy(float)
        offsets = row + jitter.uniform(-0.2, 0.2, len(errors))
        errors_axes.scatter(errors, offsets, s=6, alpha=0.45, color="#1f77b4", linewidths=0)
        if len(errors):
            errors_axes.scatter(board.loc[name, "bias"], row, marker="|", s=300, color="black")
        else:
            errors_axes.annotate(
                f"all {int(board.loc[name, 'runs'])} runs failed",
                (0.5, row),
                xycoords=("axes fraction", "data"),
                ha="center",
                va="center",
                color="#d62728",
            )
    errors_axes.axvline(0, color="grey", linewidth=0.8)
    errors_axes.set_yticks(y, names)
    errors_axes.set_ylim(-0.6, len(names) - 0.4)
    errors_axes.set_xlabel("estimate - true ATE per run (bar: bias)")
    errors_axes.set_title("Error of every run", fontsize=9)

    runs = (board["runs"] - board["failed"]).to_numpy(float)
    low, high = coverage_band(runs)
    coverage = board["coverage"].to_numpy(float)
    inside = (coverage >= low) & (coverage <= high)
    scored = runs > 0
    coverage_axes.hlines(y[scored], low[scored], high[scored], color="lightgrey", linewidth=6)
    coverage_axes.scatter(coverage, y, color=np.where(inside, "#2ca02c", "#d62728"), zorder=3, s=25)
    coverage_axes.axvline(NOMINAL, color="grey", linewidth=0.8)
    coverage_axes.set_xlim(0, 1.02)
    coverage_axes.set_xlabel("CI coverage (grey: nominal band)")
    coverage_axes.set_title("Coverage of truth", fontsize=9)
    figure.tight_layout()
    return figure
