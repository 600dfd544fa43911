"""The data cut: nothing after it in any table; with `censor`, open outcome windows are
right-censored and the truth states the effect the censoring allows (`true_ate_followed`)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from e2i_synth.catalog import CENSOR_MAX_DAYS, DATA_CUT, FOLLOW_UP_DAYS, LAST_INDEX_DATE
from e2i_synth.errors import ConfigError
from e2i_synth.settings import Scenario
from e2i_synth.tables import build_tables
from e2i_synth.validation.suite import structural_checks
from e2i_synth.world import draw_world
from e2i_synth.world.variants import parse_knobs

N = 8_000


def tables(dgp: str, *knobs: str, seed: int = 5) -> dict[str, pd.DataFrame]:
    return build_tables(draw_world(Scenario("kisqali", dgp, parse_knobs(knobs)), N, seed))


@pytest.fixture(scope="module")
def censored() -> dict[str, pd.DataFrame]:
    return tables("confounded", f"censor={CENSOR_MAX_DAYS}")


def followed_units(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """unit_truth beside each patient's index date and whether its window closed by the cut
    (what a user can tell from the analysis tables and the truth row)."""
    truth = frames["causal_ground_truth"].iloc[0]
    journeys = frames["patient_journeys"].set_index("patient_id")[
        ["engaged", "treatment_initiated", "days_to_treatment", "index_date"]
    ]
    units = frames["unit_truth"].set_index("patient_id").join(journeys)
    closes = pd.to_datetime(units["index_date"]) + pd.Timedelta(days=FOLLOW_UP_DAYS + 1)
    return units.assign(followed=closes <= pd.Timestamp(truth["data_cut_date"]))


def test_every_table_ends_at_the_data_cut_and_every_structural_check_passes(censored):
    cut = pd.Timestamp(censored["causal_ground_truth"]["data_cut_date"].iloc[0])
    assert cut == pd.Timestamp(DATA_CUT) - pd.Timedelta(days=CENSOR_MAX_DAYS)
    assert cut > pd.Timestamp(LAST_INDEX_DATE)  # every engagement precedes it
    results = structural_checks(censored)
    assert [r.message for r in results if not r.passed] == []
    assert any(r.check == "data_cut" for r in results)


def test_the_default_cut_is_stated_and_nothing_is_censored():
    frames = tables("confounded")
    truth = frames["causal_ground_truth"].iloc[0]
    assert pd.Timestamp(truth["data_cut_date"]) == pd.Timestamp(DATA_CUT)
    assert np.isnan(truth["true_ate_followed"]) and pd.isna(truth["n_followed"])
    assert frames["patient_journeys"]["treatment_initiated"].notna().all()
    assert "censoring" not in json.loads(truth["identification"])


def test_a_record_past_the_cut_is_moved_into_it_and_the_data_check_catches_it(censored):
    frames = {**censored, "treatment_events": censored["treatment_events"].copy()}
    frames["treatment_events"].loc[0, "event_date"] = pd.Timestamp(DATA_CUT) + pd.Timedelta(days=1)
    failed = {r.check: r.message for r in structural_checks(frames) if not r.passed}
    assert "treatment_events.event_date: 1 values after the data cut" in failed["data_cut"]


def test_outcomes_are_null_exactly_where_the_window_is_open_and_no_initiation_came_first(
    censored,
):
    units = followed_units(censored)
    recorded = units["treatment_initiated"].notna()
    own = np.where(units["engaged"], units["y1"], units["y0"])
    # a recorded outcome is the true one; an open window hides only the not-yet-initiated
    assert (units.loc[recorded, "treatment_initiated"].astype(bool) == own[recorded]).all()
    assert recorded[units["followed"]].all()
    assert (~units["followed"]).mean() > 0.1 and (~recorded).mean() > 0.05
    # a censored patient who initiated before the cut keeps the known outcome and its date
    early = ~units["followed"] & recorded
    assert units.loc[early, "treatment_initiated"].astype(bool).all()
    assert units.loc[early, "days_to_treatment"].notna().all()


def test_truth_states_the_followed_and_the_recorded_effects_as_means_of_unit_truths(censored):
    units = followed_units(censored)
    truth = censored["causal_ground_truth"].iloc[0]
    effect = units["y1"].astype(int) - units["y0"].astype(int)
    assert truth["n_followed"] == units["followed"].sum()
    assert truth["true_ate_followed"] == pytest.approx(effect[units["followed"]].mean(), abs=1e-15)
    arms = [units[f"observed_if_{arm}"].astype(bool) for arm in ("unengaged", "engaged")]
    observed = units["y1"][arms[1]].mean() - units["y0"][arms[0]].mean()
    assert truth["true_ate_observed"] == pytest.approx(observed, abs=1e-15)
    assert truth["n_observed"] == units["treatment_initiated"].notna().sum()
    stated = json.loads(truth["identification"])["censoring"]
    assert stated["estimand"] == "ate_followed"
    assert stated["data_cut_date"] == str(pd.Timestamp(truth["data_cut_date"]).date())


def test_randomized_censoring_leaves_the_followed_effect_and_inflates_complete_cases():
    """Engagement randomized: the followed patients' contrast recovers true_ate_followed
    and the complete cases' contrast true_ate_observed; but complete cases keep the
    censored patients who initiated early and drop those who had not yet, so their
    initiation rate overstates everyone's by many standard errors (a dashboard's trap)."""
    frames = tables("confounded", "confounding=0", f"censor={CENSOR_MAX_DAYS}", seed=9)
    units = followed_units(frames)
    truth = frames["causal_ground_truth"].iloc[0]

    def contrast(rows: pd.DataFrame) -> tuple[float, float]:
        y = rows["treatment_initiated"].astype(float)
        arms = [y[rows["engaged"] == e] for e in (True, False)]
        se = np.sqrt(sum(a.var() / len(a) for a in arms))
        return arms[0].mean() - arms[1].mean(), se

    followed, se = contrast(units[units["followed"]])
    assert abs(followed - truth["true_ate_followed"]) < 4 * se
    complete_cases = units[units["treatment_initiated"].notna()]
    complete, se = contrast(complete_cases)
    assert abs(complete - truth["true_ate_observed"]) < 4 * se
    rate = complete_cases["treatment_initiated"].astype(float)
    everyone = np.where(units["engaged"], units["y1"], units["y0"]).mean()
    assert rate.mean() - everyone > 4 * rate.std() / np.sqrt(len(rate))


def test_the_cut_cannot_pass_the_last_engagement():
    with pytest.raises(ConfigError, match=f"censor takes an integer in \\[0, {CENSOR_MAX_DAYS}\\]"):
        parse_knobs([f"censor={CENSOR_MAX_DAYS + 1}"])
