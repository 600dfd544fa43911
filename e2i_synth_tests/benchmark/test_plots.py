"""The leaderboard plot shows each estimator's own runs, in the board's order, and flags
coverage outside the band a nominal estimator would fall in."""

from __future__ import annotations

import numpy as np
import pandas as pd

from e2i_synth.benchmark.run import score, write_report


def results_frame() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = []
    for name, bias, cover in (("good", 0.0, 0.95), ("biased", 0.05, 0.40), ("broken", 0, 0)):
        for run in range(40):
            rows.append(
                {
                    "estimator": name,
                    "variant": f"v{run % 4}",
                    "seed": run,
                    "estimand": "ate",
                    "identified": True,
                    "true_ate": 0.1,
                    "estimate": np.nan if name == "broken" else 0.1 + bias + rng.normal(0, 0.01),
                    "std_error": 0.01,
                    "covered": rng.random() < cover,
                    "pehe": np.nan,
                    "status": "raised ValueError: no" if name == "broken" else "ok",
                    "seconds": 0.1,
                }
            )
    frame = pd.DataFrame(rows)
    frame["error"] = frame["estimate"] - frame["true_ate"]
    return frame


def test_rows_follow_the_board_and_hold_each_estimators_own_errors():
    from e2i_synth.benchmark.plots import leaderboard_figure

    results = results_frame()
    board = score(results)
    figure = leaderboard_figure(results, board)
    errors_axes = figure.axes[0]
    labels = {
        t.get_text(): y
        for t, y in zip(errors_axes.get_yticklabels(), errors_axes.get_yticks(), strict=True)
    }
    assert sorted(labels, key=labels.get, reverse=True) == list(board.index)  # best on top
    assert list(board.index) == ["good", "biased", "broken"]
    points = [c.get_offsets() for c in errors_axes.collections[::2]]
    for name, offsets in zip(board.index, points, strict=False):
        own = results.loc[(results["estimator"] == name) & (results["status"] == "ok"), "error"]
        np.testing.assert_allclose(np.sort(offsets[:, 0]), np.sort(own))
    assert len(points[board.index.get_loc("broken")]) == 0


def test_coverage_outside_the_nominal_band_is_red():
    from matplotlib.colors import to_hex

    from e2i_synth.benchmark.plots import coverage_band, leaderboard_figure

    results = results_frame()
    board = score(results)
    low, high = coverage_band(np.array([40.0]))
    assert low[0] < 0.95 < high[0] and high[0] - low[0] < 0.15
    dots = leaderboard_figure(results, board).axes[1].collections[-1]
    colors = {
        name: to_hex(c)
        for name, c in zip(board.index, dots.get_facecolors(), strict=True)
        if name != "broken"
    }
    assert colors["biased"] == "#d62728"
    assert colors["good"] == ("#2ca02c" if low[0] <= board.loc["good", "coverage"] else "#d62728")


def test_report_embeds_the_plot(tmp_path):
    _, html = write_report(results_frame(), tmp_path, "board")
    text = html.read_text()
    assert text.count("<svg") == 1 and text.index("<svg") < text.index("Leaderboard")
