"""Every gated view of a scenario gets its own scorecard."""

from __future__ import annotations

from e2i_synth.privacy import copula
from e2i_synth.privacy.scenario import GATED_VIEWS, score_scenario
from e2i_synth_tests.conftest import frames_of


def test_each_gated_view_is_scored_on_its_own_rows():
    frames = frames_of("kisqali", "confounded")
    runs = score_scenario(frames, copula.FAMILY)
    assert tuple(runs) == GATED_VIEWS
    journeys, journey = (runs[v].best.scorecard for v in GATED_VIEWS)
    assert journeys.rows == journey.rows  # one row per patient in both
    assert set(journey.per_column.index) - set(journeys.per_column.index) == {
        "n_prescription",
        "n_refill",
        "n_switch",
        "n_discontinuation",
        "journey_days",
    }
    assert all(len(run.attempts) == 1 for run in runs.values())
