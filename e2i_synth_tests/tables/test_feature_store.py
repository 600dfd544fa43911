"""The feature store: groups and features, values derived from the entity tables, a unique
natural key, freshness, and exactly one planted drift."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from e2i_synth.catalog import BRANDS, FEATURE_GROUPS, FEATURES
from e2i_synth.settings import Scenario
from e2i_synth.tables import build_tables, feature_values
from e2i_synth.world import draw_world
from e2i_synth_tests.conftest import frames_of, world_of

SCENARIO = ("remibrutinib", "selection_bias")


@pytest.fixture(scope="module")
def store() -> dict[str, pd.DataFrame]:
    frames = frames_of(*SCENARIO)
    values = frames["feature_values"].merge(
        frames["features"], on=["feature_id", "brand", "dgp_type"]
    )
    return {**frames, "values": values}


def patient_rows(store, feature: str) -> pd.DataFrame:
    rows = store["values"][store["values"]["feature_name"] == feature]
    patient = rows["entity_values"].str.extract(r'"patient_id": "([^"]+)"', expand=False)
    return rows.assign(patient_id=patient).merge(store["patient_journeys"], on="patient_id")


def test_four_groups_fifteen_features_every_one_with_values(store):
    assert list(store["feature_groups"]["group_name"]) == list(FEATURE_GROUPS)
    assert list(store["features"]["feature_name"]) == [f.name for f in FEATURES]
    assert set(store["values"]["feature_name"]) == {f.name for f in FEATURES}


def test_patient_features_are_the_patients_own(store):
    for feature in ("engagement_score", "disease_severity", "age_at_diagnosis"):
        rows = patient_rows(store, feature)
        assert len(rows) == 3_000
        np.testing.assert_allclose(rows["value"].astype(float), rows[feature].astype(float))
    rows = patient_rows(store, "engagement_score")
    assert (rows["data_split_x"] == rows["data_split_y"]).all()
    assert (rows["event_timestamp"] == rows["index_date"]).all()


def test_natural_key_is_unique_without_dropping_rows(store):
    values = store["feature_values"]
    assert not values.duplicated(list(feature_values.SPEC.unique)).any()
    n_hcps = len(store["hcp_profiles"])
    months = len(BRANDS[SCENARIO[0]].metric_months)  # brand KPIs from the launch month
    volume_months = len(feature_values.volume_months(SCENARIO[0]))  # from the launch month
    expected = 3_000 * 8 + n_hcps * (3 + volume_months) + 4 * months * 3
    assert len(values) == expected


def test_freshness_follows_the_age_of_each_value(store):
    age = (pd.Timestamp(feature_values.AS_OF) - store["feature_values"]["event_timestamp"]).dt.days
    status = store["feature_values"]["freshness_status"]
    assert (status[age <= 30] == "fresh").all() and (status[age > 180] == "expired").all()
    assert (status[(age > 30) & (age <= 180)] == "stale").all()


def test_planted_drift_moves_the_feature_by_the_stated_factor(store):
    signal = store["scenario_signals"].query("signal_type == 'drift'").iloc[0]
    rows = store["values"][store["values"]["feature_name"] == signal["subject"]]
    after = rows["event_timestamp"] >= signal["start_date"]
    ratio = (
        rows.loc[after, "value"].astype(float).mean()
        / rows.loc[~after, "value"].astype(float).mean()
    )
    assert ratio == pytest.approx(signal["magnitude"], rel=0.15)
    shift = feature_values.drift(world_of(*SCENARIO))
    assert signal["subject"] == shift.feature and signal["magnitude"] == shift.factor


def test_full_scale_holds_over_a_million_feature_values():
    world = draw_world(Scenario(*SCENARIO), 30_000, 1)  # not cached: ~300 MB of frames
    one = feature_values.build(world, build_tables(world))
    assert 15 * len(one) >= 1_000_000
