"""Key and time-order checks catch their corruption, name it, and pass on clean data."""

from __future__ import annotations

import pandas as pd
import pytest

from e2i_synth.tables import TABLE_NAMES
from e2i_synth.validation.integrity import TIME_RULES, check_keys, check_time_order
from e2i_synth_tests.conftest import frames_of


def clean() -> dict[str, pd.DataFrame]:
    return {name: frame.copy() for name, frame in frames_of("kisqali", "confounded").items()}


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_keys_pass_on_clean_data(table):
    result = check_keys(table, clean())
    assert result.passed, result.message
    assert result.figures["duplicated_keys"] == 0 and result.figures["problems"] == 0


@pytest.mark.parametrize("table", list(TIME_RULES))
def test_time_order_passes_on_clean_data(table):
    result = check_time_order(table, clean())
    assert result.passed, result.message
    assert all(v == 0 for k, v in result.figures.items())


def test_duplicated_key_is_caught():
    frames = clean()
    frames["treatment_events"].loc[1, "event_id"] = frames["treatment_events"].loc[0, "event_id"]
    result = check_keys("treatment_events", frames)
    assert not result.passed and result.figures["duplicated_keys"] == 1
    assert "treatment_events.event_id: 1 duplicated" in result.message


def test_orphan_foreign_key_is_caught():
    frames = clean()
    frames["triggers"].loc[0, "prediction_id"] = "KIS-CF-M9999999"
    result = check_keys("triggers", frames)
    assert not result.passed and result.figures["orphan_prediction_id"] == 1
    assert "triggers.prediction_id" in result.message and "KIS-CF-M9999999" in result.message
    assert check_keys("ml_predictions", frames).passed  # the parent is not to blame


def test_reversed_dates_are_caught():
    frames = clean()
    outcomes = frames["business_outcomes"]
    outcomes.loc[0, "outcome_date"] = outcomes.loc[0, "outcome_date"] - pd.Timedelta(days=400)
    patient = outcomes.loc[0, "patient_id"]
    result = check_time_order("treatment_events", frames)
    assert not result.passed
    assert "business_outcomes.outcome_date" in result.message and patient in result.message


def test_trigger_before_its_prediction_is_caught():
    frames = clean()
    triggers = frames["triggers"]
    triggers.loc[0, "created_at"] = triggers.loc[0, "created_at"] - pd.Timedelta(days=30)
    result = check_time_order("triggers", frames)
    assert not result.passed and "1 rows break" in result.message


def test_engagement_before_journey_start_is_caught():
    frames = clean()
    events = frames["engagement_events"]
    row = events["patient_id"].first_valid_index()
    events.loc[row, "engagement_date"] = pd.Timestamp("2000-01-01")
    result = check_time_order("engagement_events", frames)
    assert not result.passed and "journey_start_date" in result.message
