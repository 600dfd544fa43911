"""Each integrity check catches its corruption and passes on clean data."""

from __future__ import annotations

import pandas as pd

from e2i_synth.validation import integrity
from e2i_synth_tests.conftest import frames_of


def clean() -> dict[str, pd.DataFrame]:
    return {name: frame.copy() for name, frame in frames_of("kisqali", "confounded").items()}


def test_clean_scenario_has_no_problems():
    assert integrity.scenario_problems(clean()) == []


def test_duplicated_key_is_caught():
    frames = clean()
    frames["treatment_events"].loc[1, "event_id"] = frames["treatment_events"].loc[0, "event_id"]
    [problem] = integrity.duplicate_keys(frames)
    assert "treatment_events.event_id" in problem and "1 duplicated" in problem


def test_orphan_foreign_key_is_caught():
    frames = clean()
    frames["triggers"].loc[0, "prediction_id"] = "KIS-CF-M9999999"
    [problem] = integrity.orphan_foreign_keys(frames)
    assert "triggers.prediction_id" in problem and "KIS-CF-M9999999" in problem


def test_reversed_dates_are_caught():
    frames = clean()
    outcomes = frames["business_outcomes"]
    outcomes.loc[0, "outcome_date"] = outcomes.loc[0, "outcome_date"] - pd.Timedelta(days=400)
    problems = integrity.time_order(frames)
    assert any("business_outcomes.outcome_date" in p for p in problems)


def test_trigger_before_its_prediction_is_caught():
    frames = clean()
    triggers = frames["triggers"]
    triggers.loc[0, "created_at"] = triggers.loc[0, "created_at"] - pd.Timedelta(days=30)
    assert any("triggers.created_at" in p for p in integrity.time_order(frames))


def test_patient_in_two_splits_is_caught():
    frames = clean()
    events = frames["treatment_events"]
    patient = events.loc[0, "patient_id"]
    own = frames["patient_journeys"].set_index("patient_id").loc[patient, "data_split"]
    events.loc[0, "data_split"] = "holdout" if own != "holdout" else "train"
    [problem] = integrity.split_isolation(frames)
    assert "1 patients" in problem and patient in problem


def test_skewed_split_proportions_are_caught():
    frames = clean()
    journeys = frames["patient_journeys"]
    journeys.loc[journeys.index[:200], "data_split"] = "holdout"
    problems = integrity.split_proportions(frames)
    assert any(p.startswith("split holdout") for p in problems)
