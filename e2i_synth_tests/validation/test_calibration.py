"""Calibration of the causal validator over many draws at 10,000 units per scenario.

The per-estimand 95% intervals must cover the sample truth in 0.88-1.00 of draws with
|mean bias| <= 0.01; the run-wide verdict must pass nearly every correct draw.
"""

from __future__ import annotations

import pytest

from e2i_synth.catalog import DGPS
from e2i_synth.validation.calibration import calibrate
from e2i_synth.validation.causal import estimands_per_scenario
from e2i_synth_tests.conftest import ESTIMATION_UNITS

SEEDS = range(100)


@pytest.mark.integration
@pytest.mark.parametrize("dgp", list(DGPS))
def test_intervals_cover_and_estimates_are_unbiased(dgp):
    table = calibrate(dgp, SEEDS, ESTIMATION_UNITS)
    assert len(table) == estimands_per_scenario(dgp)
    assert (table["draws"] == len(SEEDS)).all()
    for row in table.itertuples():
        assert 0.88 <= row.coverage_95 <= 1.0, f"{row.estimand}: coverage {row.coverage_95:.2f}"
        assert abs(row.mean_bias) <= 0.01, f"{row.estimand}: mean bias {row.mean_bias:+.4f}"
        # The sample truth moves with the outcomes (one uniform for both arms), so an SE
        # built for a fixed effect is conservative against it by the effect's own spread
        # (Neyman): measured 1.45 and 1.38 on simple_linear and time_series; never narrow.
        assert 0.65 <= row.mean_se / row.sd_error <= 1.6, f"{row.estimand}: SE ratio"
    assert table["verdict_pass_rate"].iloc[0] >= 0.95
