"""Split checks catch a leaked patient and skewed shares, and pass on clean data."""

from __future__ import annotations

import pandas as pd

from e2i_synth.validation.splits import check_split_isolation, check_split_proportions
from e2i_synth_tests.conftest import frames_of


def clean() -> dict[str, pd.DataFrame]:
    return {name: frame.copy() for name, frame in frames_of("kisqali", "confounded").items()}


def test_clean_splits_pass():
    isolation, proportions = check_split_isolation(clean()), check_split_proportions(clean())
    assert isolation.passed and isolation.figures["patients_in_several_splits"] == 0
    assert proportions.passed and proportions.figures["share_train"] == 0.6


def test_patient_in_two_splits_is_caught_with_the_table():
    frames = clean()
    events = frames["treatment_events"]
    patient = events.loc[0, "patient_id"]
    own = frames["patient_journeys"].set_index("patient_id").loc[patient, "data_split"]
    events.loc[0, "data_split"] = "holdout" if own != "holdout" else "train"
    result = check_split_isolation(frames)
    assert not result.passed and result.figures["patients_in_several_splits"] == 1
    assert patient in result.message and "treatment_events" in result.message


def test_skewed_split_proportions_are_caught():
    frames = clean()
    journeys = frames["patient_journeys"]
    journeys.loc[journeys.index[:200], "data_split"] = "holdout"
    result = check_split_proportions(frames)
    assert not result.passed and result.message.startswith("split train")
    assert "split holdout" in result.message
