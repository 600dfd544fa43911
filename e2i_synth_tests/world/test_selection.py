"""The selection knob: outcomes missing not at random. The analysis tables hold NULL where
a patient's outcome went unrecorded, the answer key holds whether it would be recorded
under either arm, and the truth states the effect for everyone and for the observed
population, so a tool can tell that a complete-case analysis is biased."""

from __future__ import annotations

import json

import numpy as np
import pytest

from e2i_synth.benchmark.suite import load_suite
from e2i_synth.catalog import (
    OUTCOME_COLUMN,
    OUTCOME_OBSERVED,
    REGIONS,
    SELECTION_ENGAGED_SHARE,
    SELECTION_OUTCOME_SHARE,
    TREATMENT_COLUMN,
)
from e2i_synth.errors import ConfigError
from e2i_synth.settings import Scenario
from e2i_synth.tables import build_tables
from e2i_synth.validation.causal import overall_truth, parse_graph
from e2i_synth.validation.suite import structural_checks
from e2i_synth.world import draw_world
from e2i_synth.world.mechanisms.selection import MECHANISM as SELECTION
from e2i_synth.world.variants import parse_knobs
from e2i_synth_tests.world.test_dose import covered_by

K_SE = 4.0


def selection_world(*knobs: str, n: int = 2000, seed: int = 3, dgp: str = "confounded"):
    return draw_world(Scenario("kisqali", dgp, parse_knobs(knobs)), n, seed)


def contrast(y: np.ndarray, t: np.ndarray) -> tuple[float, float]:
    """Difference in means, treated minus untreated, and its SE."""
    y1, y0 = y[t], y[~t]
    return y1.mean() - y0.mean(), np.sqrt(y1.var() / len(y1) + y0.var() / len(y0))


@pytest.mark.parametrize("scenario", load_suite("selection").variants, ids=lambda s: s.label)
def test_selection_truth_is_the_mean_of_the_unit_truths(scenario):
    """For every variant of the selection suite and every truth row: true_ate is the mean
    unit effect over everyone, true_ate_observed the mean Y(1) over the units recorded if
    engaged minus the mean Y(0) over those recorded if not, n_observed the recorded
    outcomes; the analysis table is NULL exactly where the unit's own arm is unrecorded
    and holds the observed outcome elsewhere."""
    frames = build_tables(draw_world(scenario, 1500, 5))
    units = frames["patient_journeys"].merge(frames["unit_truth"], on="patient_id")
    engaged = units[TREATMENT_COLUMN].to_numpy()
    kept = units[["observed_if_unengaged", "observed_if_engaged"]].to_numpy(dtype=bool)
    recorded = np.where(engaged, kept[:, 1], kept[:, 0])
    outcome = units[OUTCOME_COLUMN]
    assert (outcome.notna().to_numpy() == recorded).all() and 0 < recorded.mean() < 1
    observed = np.where(engaged, units["y1"], units["y0"])
    assert (outcome[recorded].astype(bool).to_numpy() == observed[recorded]).all()
    y0, y1 = units["y0"].to_numpy(), units["y1"].to_numpy()
    truth = frames["causal_ground_truth"]
    for _, row in truth.iterrows():
        covered = covered_by(row, units)
        assert row["true_ate"] == pytest.approx(units["individual_effect"][covered].mean())
        stated = y1[covered & kept[:, 1]].mean() - y0[covered & kept[:, 0]].mean()
        assert row["true_ate_observed"] == pytest.approx(stated, abs=1e-12)
        assert row["n_observed"] == (covered & recorded).sum()
        assert row["n_units"] == covered.sum()
    assert len(truth) == (1 + len(REGIONS) if scenario.dgp == "heterogeneous" else 1)


def test_outcomes_go_missing_at_the_stated_rates_not_at_random():
    """Each arm's missing share among initiators and non-initiators is the stated
    s * (1 - 0.8 y) * (1 - 0.5 t) within 4 SE: the record depends on the outcome itself."""
    s = 0.6
    world = selection_world(f"selection={s}", n=20_000, seed=1)
    kept = world.parts.observed_if
    for arm, y in enumerate((world.y0, world.y1)):
        for value in (False, True):
            missing = ~kept[arm][y == value]
            stated = s * (1 - SELECTION_OUTCOME_SHARE * value) * (1 - SELECTION_ENGAGED_SHARE * arm)
            se = np.sqrt(stated * (1 - stated) / len(missing))
            assert abs(missing.mean() - stated) < K_SE * se, (arm, value)
    # one uniform for both arms: recorded unengaged implies recorded engaged, same outcome
    same = world.y0 == world.y1
    assert (kept[1][same] | ~kept[0][same]).all()


def test_complete_cases_miss_the_ate_and_find_the_observed_populations_effect():
    """Randomized engagement (confounding=0), more than half the outcomes missing: the
    complete-case contrast misses the full population's true_ate by more than 4 SE, and
    lands within 4 SE of true_ate_observed, which the truth states beside it."""
    frames = build_tables(selection_world("confounding=0", "selection=0.6", n=20_000, seed=1))
    journeys = frames["patient_journeys"]
    row = overall_truth(frames["causal_ground_truth"])
    complete = journeys[journeys[OUTCOME_COLUMN].notna()]
    estimate, se = contrast(
        complete[OUTCOME_COLUMN].to_numpy(dtype=float), complete[TREATMENT_COLUMN].to_numpy()
    )
    assert abs(estimate - row["true_ate"]) > K_SE * se
    assert abs(estimate - row["true_ate_observed"]) < K_SE * se
    assert row["n_observed"] == len(complete) < 0.6 * len(journeys)
    # the truth names the trap a complete-case analysis falls into, in the graph too
    traps = {t["column"]: t for t in json.loads(row["traps"])}
    assert traps[OUTCOME_OBSERVED]["role"] == "selection_on_outcome"
    graph = parse_graph(row["graph_dot"])
    assert set(graph.predecessors(OUTCOME_OBSERVED)) == {TREATMENT_COLUMN, OUTCOME_COLUMN}
    selection = json.loads(row["identification"])["selection"]
    assert selection["missing_at_random"] is False
    assert selection["complete_case_estimand"] == "ate_observed"


def test_confounded_complete_cases_miss_the_ate_even_when_adjusted():
    """With engagement confounded, regression adjustment on the complete cases still
    misses true_ate by more than 4 SE: adjustment does not undo selection on the outcome."""
    import statsmodels.api as sm

    frames = build_tables(selection_world("selection=0.6", n=20_000, seed=2))
    journeys = frames["patient_journeys"]
    row = overall_truth(frames["causal_ground_truth"])
    complete = journeys[journeys[OUTCOME_COLUMN].notna()]
    x = complete[[TREATMENT_COLUMN, *row["adjustment_columns"]]].astype(float)
    fit = sm.OLS(complete[OUTCOME_COLUMN].astype(float), sm.add_constant(x)).fit(cov_type="HC1")
    assert abs(fit.params[TREATMENT_COLUMN] - row["true_ate"]) > K_SE * fit.bse[TREATMENT_COLUMN]


def test_lost_patients_have_nothing_after_the_index_date_in_any_analysis_table():
    frames = build_tables(selection_world("selection=0.6", n=1500, seed=4))
    journeys = frames["patient_journeys"]
    lost = journeys.loc[journeys[OUTCOME_COLUMN].isna(), "patient_id"]
    assert len(lost) > 100
    assert (
        journeys.loc[journeys["patient_id"].isin(lost), ["days_to_treatment", "journey_stage"]]
        .isna()
        .all()
        .all()
    )
    events = frames["treatment_events"]
    assert set(events.loc[events["patient_id"].isin(lost), "event_type"]) == {"diagnosis"}
    assert events.groupby("patient_id").size()[lost].eq(1).all()
    outcomes = frames["business_outcomes"].set_index("patient_id")["outcome_value"]
    assert outcomes[lost].isna().all() and outcomes.drop(lost).notna().all()
    failed = [r for r in structural_checks(frames) if not r.passed]
    assert not failed, [(r.table, r.check, r.message) for r in failed]


def test_selection_has_its_own_stream_and_changes_no_other_draw(monkeypatch):
    world = selection_world("selection=0.5", n=2000)
    monkeypatch.setitem(SELECTION.streams, "selection", "another-stream")
    other = selection_world("selection=0.5", n=2000)
    assert not np.array_equal(other.parts.observed_if, world.parts.observed_if)
    for name in ("engaged", "y0", "y1", "propensity", "p0", "tau", "split", "index_date"):
        assert np.array_equal(getattr(other, name), getattr(world, name)), name


def test_bad_selection_values_are_one_clear_error():
    for text in ("selection=1", "selection=-0.1", "selection=lots"):
        with pytest.raises(ConfigError) as error:
            parse_knobs([text])
        assert "selection takes a number in [0, 0.9]" in str(error.value)


def test_without_selection_every_outcome_is_recorded():
    frames = build_tables(selection_world("confounding=2", n=300))
    journeys = frames["patient_journeys"]
    assert journeys[OUTCOME_COLUMN].dtype == bool and journeys["journey_stage"].notna().all()
    assert frames["business_outcomes"]["outcome_value"].notna().all()
    assert frames["unit_truth"][["observed_if_unengaged", "observed_if_engaged"]].isna().all().all()
    truth = frames["causal_ground_truth"]
    assert truth[["true_ate_observed", "n_observed"]].isna().all().all()
    assert OUTCOME_OBSERVED not in truth["graph_dot"].iloc[0]
