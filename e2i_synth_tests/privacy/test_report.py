"""The privacy section's parts: cells coloured by their limits, one plot row per population."""

from __future__ import annotations

from matplotlib.collections import LineCollection

from e2i_synth.privacy import report
from e2i_synth.privacy.twin_scorecard import SOURCES, twin_scorecard
from e2i_synth.validation.records import results_frame
from e2i_synth_tests.privacy.stored_twins import SCENARIO, stored_frames


def rows() -> list[dict]:
    frames = stored_frames()
    result = twin_scorecard({name: frames[name] for name in SOURCES})
    return report.scorecards(results_frame([result], "run-1", SCENARIO))


def test_each_gated_number_is_green_or_red_by_its_limit():
    [row] = rows()
    table = report.scorecard_table([row])
    assert row["label"] == SCENARIO.partition_key
    assert f'<td style="background:{report.RED}">{row["mia_auc"]:.3f} ✗</td>' in table
    assert f'<td style="background:{report.GREEN}">{row["ks_mean"]:.3f} ✓</td>' in table
    assert "HIGH_MIA: training rows are nearer" in table
    assert "mia_auc ≤ 0.6" in table


def test_plots_draw_every_column_and_both_dcr_distributions():
    [row] = rows()
    image = report.distance_figure([row]).axes[0].images[0].get_array()
    assert image.shape == (1, len(row["per_column"]))
    assert image[0].tolist() == [row["per_column"][c] for c in sorted(row["per_column"])]
    lines = [
        c for c in report.dcr_figure([row]).axes[0].collections if isinstance(c, LineCollection)
    ]
    drawn = [segment for c in lines for segment in c.get_segments()]
    assert [s[:, 0].tolist() for s in drawn] == [
        [row[key][1], row[key][19]] for key in ("dcr_twins", "dcr_unseen")
    ]
