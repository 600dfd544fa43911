"""Feature-store checks catch a duplicated value, an orphan entity and a value that no
longer equals its entity's, and pass on clean data."""

from __future__ import annotations

import pandas as pd

from e2i_synth.validation.feature_store import check_feature_values
from e2i_synth.validation.integrity import check_keys
from e2i_synth.validation.schemas import check_schema
from e2i_synth_tests.conftest import frames_of


def with_values(change) -> dict[str, pd.DataFrame]:
    frames = dict(frames_of("fabhalta", "confounded"))
    frames["feature_values"] = change(frames["feature_values"].copy())
    return frames


def test_clean_feature_values_pass():
    frames = frames_of("fabhalta", "confounded")
    assert check_feature_values(frames).passed
    assert check_keys("feature_values", frames).passed


def test_duplicated_feature_value_is_caught_by_keys_and_schema():
    def duplicate(v):
        copy = v.iloc[[10]].assign(value_id="FAB-CF-V9999999")
        return pd.concat([v, copy], ignore_index=True)

    frames = with_values(duplicate)
    keys = check_keys("feature_values", frames)
    assert not keys.passed and keys.figures["duplicated_natural_keys"] == 1
    assert not check_schema("feature_values", frames["feature_values"]).passed


def test_orphan_entity_and_changed_engagement_score_are_caught():
    def corrupt(v):
        patients = v.index[v["entity_values"].str.contains("patient_id")]
        v.loc[patients[0], "entity_values"] = '{"patient_id": "FAB-CF-P9999999"}'
        engagement = v.index[v["feature_id"] == "FAB-CF-F0000012"]
        v.loc[engagement[1], "value"] = "11.5"
        return v

    result = check_feature_values(with_values(corrupt))
    assert not result.passed and result.figures["orphan_patient_id"] == 1
    assert result.figures["engagement_score_mismatches"] == 1


def test_patient_value_in_another_split_is_caught():
    def move(v):
        row = v.index[v["data_split"] == "train"][0]
        v.loc[row, "data_split"] = "holdout"
        return v

    result = check_feature_values(with_values(move))
    assert not result.passed and result.figures["split_mismatches"] == 1
    assert "another split" in result.message


def test_a_model_score_outside_zero_one_is_caught():
    def overflow(v):
        features = frames_of("fabhalta", "confounded")["features"]
        feature_id = features.loc[features["feature_name"] == "outcome_probability", "feature_id"]
        v.loc[v.index[v["feature_id"] == feature_id.iloc[0]][3], "value"] = "1.2"
        return v

    result = check_feature_values(with_values(overflow))
    assert not result.passed and result.figures["outcome_probability_outside_0_1"] == 1
    assert result.figures["treatment_propensity_outside_0_1"] == 0
