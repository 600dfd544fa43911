"""The privacy section's parts: cells coloured by their verdicts, one plot row per scorecard
in the summaries, and per scorecard its real vs synthetic marginals and DCR histograms
drawn from the stored shares."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from e2i_synth.privacy.views import modeled_frame, split_real
from e2i_synth.validation.records import results_frame
from e2i_synth_tests.privacy.stored_twins import SCENARIO, stored_frames


@cache
def results() -> pd.DataFrame:
    """The stored twins' scorecard (green) and synthetic journeys that copy their training
    rows (red), as a run records them, beside an unrelated check."""
    from e2i_synth.privacy import copula
    from e2i_synth.privacy.failures import diagnose
    from e2i_synth.privacy.results import journey_result
    from e2i_synth.privacy.scorecard import score
    from e2i_synth.privacy.twin_scorecard import SOURCES, twin_scorecard

    frames = stored_frames()
    twins = twin_scorecard({name: frames[name] for name in SOURCES})
    train, holdout = split_real(modeled_frame("journey", frames))
    copies = train.sample(len(train), replace=True, random_state=0)
    card = score("journey", train, holdout, copies)
    params = copula.FAMILY.starting_params(len(train), train.shape[1])
    journeys = journey_result(card, diagnose(card, copula.FAMILY, params))
    recorded = results_frame([twins, journeys], "run-1", SCENARIO)
    return pd.concat([recorded, recorded.iloc[:1].assign(check_name="schema")], ignore_index=True)


def rows() -> list[dict]:
    from e2i_synth.privacy import report

    return report.scorecards(results())


def test_scorecards_are_the_twin_and_journey_results():
    from e2i_synth.privacy import report

    assert report.is_scorecard(results()).tolist() == [True, True, False]
    twins, journeys = rows()
    assert twins["label"] == f"{SCENARIO.partition_key} twins"
    assert journeys["label"] == f"{SCENARIO.partition_key} synthetic journeys"


def test_each_gated_number_is_green_or_red_by_its_verdict():
    from e2i_synth.privacy import report
    from e2i_synth.privacy.scorecard import Z

    twins, journeys = rows()
    table = report.scorecard_table([twins, journeys])
    green = f'<td style="background:{report.GREEN}">'
    red = f'<td style="background:{report.RED}">'
    assert f"{green}{twins['mia_auc']:.3f} ± {twins['mia_auc_se']:.3f} ✓</td>" in table
    assert f"{green}{twins['ks_mean']:.3f} ✓</td>" in table
    assert f"{red}{journeys['mia_auc']:.3f} ± {journeys['mia_auc_se']:.3f} ✗</td>" in table
    assert f"{red}{journeys['duplicate_rate']:.3f} ✗</td>" in table
    assert (
        "<td>HIGH_MIA, HIGH_DUP_RATE</td>" in table
        and "HIGH_MIA: training rows are nearer" in table
    )
    assert f"(AUC - {Z:.3f} SE ≤ 0.6)" in table


def test_summaries_draw_every_column_and_both_dcr_ranges():
    from matplotlib.collections import LineCollection

    from e2i_synth.privacy import report

    [row] = [r for r in rows() if "twins" in r["label"]]
    axes = report.distance_figure([row]).axes[0]
    assert axes.images[0].get_array().shape[:2] == (1, len(row["per_column"]))
    assert [t.get_text() for t in axes.texts] == [
        f"{row['per_column'][c]:.2f}" for c in row["per_column"]
    ]
    lines = [
        c for c in report.dcr_figure([row]).axes[0].collections if isinstance(c, LineCollection)
    ]
    drawn = [segment for c in lines for segment in c.get_segments()]
    assert [s[:, 0].tolist() for s in drawn] == [
        [row[key][1], row[key][19]] for key in ("dcr_synthetic", "dcr_holdout")
    ]


def series(figure, gid: str) -> list[float]:
    """Heights of the bars tagged `<gid>-<i>`, in order."""
    patches = [p for axes in figure.axes for p in axes.patches if p.get_gid()]
    bars = {p.get_gid(): p.get_height() for p in patches}
    return [bars[f"{gid}-{i}"] for i in range(sum(k.startswith(f"{gid}-") for k in bars))]


def test_marginal_figure_draws_each_columns_real_and_synthetic_shares():
    from e2i_synth.privacy import report

    for row in rows():
        figure = report.marginal_figure(row)
        visible = [a for a in figure.axes if a.get_visible()]
        assert len(visible) == len(row["marginals"]) + 1  # the columns, then the DCRs
        for axes, (column, marginal) in zip(visible, row["marginals"].items(), strict=False):
            kind = "KS" if marginal["kind"] == "numeric" else "TV"
            assert axes.get_title() == f"{column}\n{kind} {row['per_column'][column]:.2f}"
            for side in ("real", "synthetic"):
                assert series(figure, f"marginal-{column}-{side}") == marginal[side]
        histogram = row["dcr_histogram"]
        assert series(figure, "dcr-synthetic") == histogram["synthetic"]
        assert series(figure, "dcr-holdout") == histogram["holdout"]


def test_copies_pile_up_at_zero_in_the_dcr_histogram():
    """The plot shows what the numbers say: copied journeys sit at distance 0, unseen
    patients do not; the twins' distances look like the unseen HCPs'."""
    twins, journeys = rows()
    assert journeys["dcr_histogram"]["synthetic"][0] == 1.0
    assert journeys["dcr_histogram"]["holdout"][0] < 0.5
    edges = np.asarray(twins["dcr_histogram"]["edges"])
    centres = (edges[:-1] + edges[1:]) / 2
    means = [np.dot(centres, twins["dcr_histogram"][side]) for side in ("synthetic", "holdout")]
    assert abs(means[0] - means[1]) < 0.1 * means[1]


def cell_colours(row: dict) -> dict[str, tuple[float, ...]]:
    """The heat map's RGBA per column of one scorecard, as drawn."""
    from e2i_synth.privacy import report

    image = report.distance_figure([row]).axes[0].images[0]
    rgba = image.to_rgba(image.get_array())
    return {c: tuple(rgba[0, j]) for j, c in enumerate(row["per_column"])}


def greenish(rgba: tuple[float, ...]) -> bool:
    return rgba[1] > rgba[0]


def test_a_heat_map_cell_is_coloured_by_its_own_scorecards_verdict_and_limit():
    """The heat map coloured every cell against one 0.1 ("limit 0.1"): a column at 0.15 in
    a scorecard whose mean KS passed was red. Each cell now takes the verdict of the gate
    it counts in (mean KS for numeric columns, mean TV for categorical), as recorded with
    its scorecard, against that gate's recorded limit."""
    [twins] = [r for r in rows() if "twins" in r["label"]]
    numeric = next(c for c, m in twins["marginals"].items() if m["kind"] == "numeric")
    categorical = next(c for c, m in twins["marginals"].items() if m["kind"] != "numeric")
    far_but_passed = {
        **twins,
        "per_column": {**twins["per_column"], numeric: 1.5 * twins["limits"]["ks_mean"]},
        "passed": {**twins["passed"], "ks_mean": True, "tv_mean": True},
    }
    assert all(greenish(c) for c in cell_colours(far_but_passed).values())
    near_but_failed = {
        **twins,
        "per_column": {**twins["per_column"], numeric: 0.5 * twins["limits"]["ks_mean"]},
        "passed": {**twins["passed"], "ks_mean": False, "tv_mean": True},
    }
    colours = cell_colours(near_but_failed)
    assert not greenish(colours[numeric]) and greenish(colours[categorical])
    stricter = {**far_but_passed, "limits": {**twins["limits"], "ks_mean": 0.05}}
    deeper, lighter = cell_colours(stricter)[numeric], cell_colours(far_but_passed)[numeric]
    assert sum(deeper[:3]) < sum(lighter[:3])  # the same distance, further over its limit
