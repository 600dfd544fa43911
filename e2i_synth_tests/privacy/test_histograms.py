"""Marginals and DCRs as shares per bin: what the report draws, checked against counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from e2i_synth_tests.privacy.conftest import mixed_table


def test_each_column_has_real_and_synthetic_shares_on_common_bins():
    from e2i_synth.privacy import histograms
    from e2i_synth.tabular.encoding import as_model_frame, column_kinds

    real, synthetic = mixed_table(600, seed=1), mixed_table(400, seed=2)
    columns = column_kinds(real)
    marginals = histograms.marginal_histograms(
        as_model_frame(real, columns), as_model_frame(synthetic, columns), columns
    )
    assert list(marginals) == list(columns.all)
    x = marginals["x"]
    assert x["kind"] == "numeric" and len(x["edges"]) == histograms.BINS + 1
    inside = (real["x"] >= x["edges"][0]) & (real["x"] < x["edges"][1])
    assert x["real"][0] == pytest.approx(inside.mean(), abs=1e-4)
    for side in ("real", "synthetic"):
        assert sum(x[side]) == pytest.approx(1.0, abs=1e-3)
    count = marginals["count"]  # integers over a short range: one bin per value
    assert np.diff(count["edges"]).tolist() == [1.0] * (len(count["edges"]) - 1)
    region = marginals["region"]
    assert region["kind"] == "categorical" and region["categories"][0] == "north"
    assert region["synthetic"][0] == pytest.approx((synthetic["region"] == "north").mean())


def test_rare_categories_are_summed_as_other():
    from e2i_synth.privacy import histograms

    real = pd.Series([f"c{i:02d}" for i in range(20)] * 5 + ["c00"] * 50)
    synthetic = pd.Series(["c00"] * 10 + ["new"] * 10)
    shares = histograms.categorical_histogram(real, synthetic)
    assert len(shares["categories"]) == histograms.MAX_CATEGORIES + 1
    assert shares["categories"][0] == "c00" and shares["categories"][-1] == histograms.OTHER
    assert shares["real"][0] == pytest.approx(55 / 150, abs=1e-4)
    assert shares["synthetic"][-1] == pytest.approx(0.5)  # "new" lands in the rest
    assert sum(shares["real"]) == pytest.approx(1.0, abs=1e-3)


def test_distance_histogram_shows_copies_at_zero():
    from e2i_synth.privacy import histograms

    rng = np.random.default_rng(0)
    holdout = rng.gamma(4.0, 0.1, 300)
    copies = np.zeros(500)
    histogram = histograms.distance_histogram(copies, holdout)
    assert histogram["edges"][0] == 0.0 and len(histogram["edges"]) == histograms.BINS + 1
    assert histogram["synthetic"][0] == 1.0
    assert sum(histogram["holdout"]) == pytest.approx(1.0, abs=1e-3)
    assert histogram["holdout"][0] < 0.2
