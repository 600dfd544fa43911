"""The modeled views keep only observable columns and respect the patient splits."""

from __future__ import annotations

import pytest

from e2i_synth.errors import E2IError
from e2i_synth.privacy.views import VIEWS, modeled_frame, split_real
from e2i_synth_tests.conftest import frames_of


@pytest.mark.parametrize("name", list(VIEWS))
def test_views_model_no_keys_or_answer_key(name):
    rows = modeled_frame(name, frames_of("kisqali", "confounded"))
    assert list(rows.columns) == [*VIEWS[name].columns, "data_split"]
    hidden = {"patient_id", "propensity_score", "potential_outcome_treated"}
    assert not hidden & set(rows.columns)


def test_journey_view_has_one_row_per_patient_with_its_event_counts():
    frames = frames_of("kisqali", "confounded")
    rows = modeled_frame("journey", frames)
    events = frames["treatment_events"]
    assert len(rows) == len(frames["patient_journeys"])
    assert rows["n_refill"].sum() == (events["event_type"] == "refill").sum()
    initiated = frames["patient_journeys"]["treatment_initiated"].to_numpy()
    assert (rows["n_prescription"].to_numpy() >= initiated).all()


def test_split_real_keeps_train_and_holdout_apart():
    rows = modeled_frame("patient_journeys", frames_of("kisqali", "confounded"))
    train, holdout = split_real(rows)
    assert len(train) == (rows["data_split"] == "train").sum()
    assert len(holdout) == (rows["data_split"] == "holdout").sum()
    with pytest.raises(E2IError, match="holdout"):
        split_real(rows[rows["data_split"] != "holdout"])


def test_unknown_view_is_one_clear_error():
    with pytest.raises(E2IError, match="choose one of"):
        modeled_frame("nope", {})
