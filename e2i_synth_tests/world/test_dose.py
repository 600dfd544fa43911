"""The dose knob: engagement comes at an intensity 0..K drawn from the propensity's
covariates, every unit's potential outcome at every dose is in the answer key, and the
truth's dose-response is the exact mean of those potential outcomes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from e2i_synth.benchmark.suite import load_suite
from e2i_synth.catalog import DOSE_COLUMN, REGIONS
from e2i_synth.errors import ConfigError
from e2i_synth.settings import Scenario
from e2i_synth.tables import build_tables
from e2i_synth.validation.causal import overall_truth
from e2i_synth.world import draw_world
from e2i_synth.world.mechanisms.dose import MECHANISM as DOSE
from e2i_synth.world.mechanisms.dose import dose_response
from e2i_synth.world.variants import parse_knobs

K_SE = 4.0


def dose_world(*knobs: str, n: int = 2000, seed: int = 3, dgp: str = "confounded"):
    return draw_world(Scenario("kisqali", dgp, parse_knobs(knobs)), n, seed)


def covered_by(row: pd.Series, units: pd.DataFrame) -> np.ndarray:
    """The units a truth row covers: all of them (overall) or its segment's."""
    if pd.isna(row["segment_column"]):
        return np.ones(len(units), dtype=bool)
    return (units[row["segment_column"]] == row["segment_value"]).to_numpy()


def potential_outcomes(unit_truth: pd.DataFrame) -> np.ndarray:
    """unit_truth.dose_outcomes as a (units, K+1) array of 0/1."""
    return np.array([json.loads(text) for text in unit_truth["dose_outcomes"]])


@pytest.mark.parametrize("scenario", load_suite("dose").variants, ids=lambda s: s.label)
def test_dose_truth_is_the_mean_of_the_unit_truths(scenario):
    """For every variant of the dose suite and every truth row (overall and each region's):
    the mean outcome at each dose and its effect vs dose 0 are exact means of the units'
    potential outcomes; y0 is Y(0), y1 is Y(the unit's dose if engaged), the observed dose
    is that dose where engaged and 0 elsewhere."""
    frames = build_tables(draw_world(scenario, 1500, 5))
    units = frames["patient_journeys"].merge(frames["unit_truth"], on="patient_id")
    outcomes = potential_outcomes(units)
    levels = int(dict(scenario.knobs)["dose"])
    assert outcomes.shape == (len(units), levels + 1)
    dose_if = units["dose_if_engaged"].to_numpy(dtype=int)
    assert dose_if.min() >= 1 and dose_if.max() <= levels
    assert (outcomes[:, 0] == units["y0"]).all()
    assert (outcomes[np.arange(len(units)), dose_if] == units["y1"]).all()
    engaged = units["engaged"].to_numpy()
    assert (units[DOSE_COLUMN].to_numpy(dtype=int) == np.where(engaged, dose_if, 0)).all()
    truth = frames["causal_ground_truth"]
    for _, row in truth.iterrows():
        covered = covered_by(row, units)
        stated = json.loads(row["dose_response"])
        assert [s["dose"] for s in stated] == list(range(levels + 1))
        mean = outcomes[covered].mean(axis=0)
        assert [s["mean_outcome"] for s in stated] == pytest.approx(mean, abs=1e-12)
        assert [s["effect_vs_0"] for s in stated] == pytest.approx(mean - mean[0], abs=1e-12)
        assert row["true_ate"] == pytest.approx(units["individual_effect"][covered].mean())
        assert row["expected_ate"] == pytest.approx(units["cate"][covered].mean(), abs=1e-12)
    assert len(truth) == (1 + len(REGIONS) if scenario.dgp == "heterogeneous" else 1)


def test_dose_response_is_monotone_and_follows_the_stated_curve():
    """Confounded's effect is 0.25 for every unit at the top dose, so dose k moves the
    outcome of every unit up (common random numbers: never down) and the mean by
    0.25 * g(k), g the catalog's Emax curve, within 4 SE of the sample mean."""
    world = dose_world("dose=4", n=20_000, seed=1)
    outcomes = world.parts.dose_outcomes.astype(int)
    assert (np.diff(outcomes, axis=0) >= 0).all()
    row = overall_truth(build_tables(world)["causal_ground_truth"])
    effect = np.array([s["effect_vs_0"] for s in json.loads(row["dose_response"])])
    assert (np.diff(effect) > 0).all() and effect[0] == 0
    g = dose_response(4)
    assert g[0] == 0 and g[-1] == pytest.approx(1) and g[2] == pytest.approx(0.75)
    assert (np.diff(g, 2) < 0).all()  # concave: each dose adds less than the one before
    gains = outcomes[1:] - outcomes[0]
    se = gains.std(axis=1) / np.sqrt(world.n_patients)
    assert np.abs(effect[1:] - 0.25 * g[1:]).max() < (K_SE * se).min()
    # the unit's CATE of engagement is its effect times the expected g of its dose
    assert world.tau.max() < 0.25 and world.tau.min() > 0.25 * g[1]


def test_dose_is_confounded_like_engagement_and_leaves_the_binary_draw_alone(monkeypatch):
    """The engaged units' dose climbs with the propensity's covariates (severity, in the
    confounded DGP) and is flat in them when engagement is randomized; it comes from its
    own stream, so every other draw of the variant stays as it was."""
    world = dose_world("dose=4", n=20_000, seed=1)
    engaged = world.engaged
    severity = world.covariates.disease_severity[engaged]
    dose = world.parts.dose[engaged]
    assert np.corrcoef(severity, dose)[0, 1] > 0.1
    assert (world.parts.dose[~engaged] == 0).all() and (dose >= 1).all()
    # every dose has some engaged units of every severity tercile (overlap)
    tercile = np.digitize(severity, np.quantile(severity, [1 / 3, 2 / 3]))
    assert len(set(zip(tercile, dose, strict=True))) == 3 * 4
    flat = dose_world("confounding=0", "dose=4", n=20_000, seed=1)
    on = flat.engaged
    r = np.corrcoef(flat.covariates.disease_severity[on], flat.parts.dose[on])[0, 1]
    assert abs(r) < K_SE / np.sqrt(on.sum())
    monkeypatch.setitem(DOSE.streams, "dose", "another-stream")
    other = dose_world("dose=4", n=20_000, seed=1)
    assert not np.array_equal(other.parts.dose_if, world.parts.dose_if)
    for name in ("engaged", "y0", "propensity", "p0", "split", "index_date"):
        assert np.array_equal(getattr(other, name), getattr(world, name)), name


def test_adjusting_for_the_dose_causes_recovers_the_dose_response_where_naive_means_miss():
    """A dose-response estimator scored against the truth: per-dose regression adjustment
    on the truth's adjustment columns lands within 4 SE of every dose's effect vs 0,
    while the naive difference of dose means misses the top dose's by more than 4 SE."""
    import statsmodels.api as sm

    frames = build_tables(dose_world("dose=3", n=20_000, seed=2))
    journeys = frames["patient_journeys"]
    row = overall_truth(frames["causal_ground_truth"])
    effect = [s["effect_vs_0"] for s in json.loads(row["dose_response"])]
    dose = journeys[DOSE_COLUMN].to_numpy(dtype=int)
    y = journeys["treatment_initiated"].to_numpy(dtype=float)
    x = journeys[list(row["adjustment_columns"])].astype(float).to_numpy()
    indicators = (dose[:, None] == np.arange(1, 4)).astype(float)
    fit = sm.OLS(y, sm.add_constant(np.hstack([indicators, x]))).fit(cov_type="HC1")
    for k in (1, 2, 3):
        assert abs(fit.params[k] - effect[k]) < K_SE * fit.bse[k], k
    top, none = y[dose == 3], y[dose == 0]
    naive = top.mean() - none.mean()
    naive_se = np.sqrt(top.var() / len(top) + none.var() / len(none))
    assert abs(naive - effect[3]) > K_SE * naive_se


def test_bad_dose_values_are_one_clear_error():
    for items, message in [
        (["dose=2.5"], "dose takes an integer in [0, 8]"),
        (["dose=9"], "dose takes an integer in [0, 8]"),
        (["dose=-1"], "dose takes an integer in [0, 8]"),
        (["dose=3", "mediator=0.5"], "dose and mediator do not combine"),
    ]:
        with pytest.raises(ConfigError) as error:
            parse_knobs(items)
        assert message in str(error.value)
        assert "\n" not in str(error.value)


def test_without_a_dose_no_dose_column_is_filled():
    frames = build_tables(dose_world("confounding=2", n=300))
    assert frames["patient_journeys"][DOSE_COLUMN].isna().all()
    assert frames["unit_truth"][["dose_if_engaged", "dose_outcomes"]].isna().all().all()
    assert frames["causal_ground_truth"]["dose_response"].isna().all()
