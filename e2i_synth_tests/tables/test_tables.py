"""Every table is a valid projection of its world: keys, FKs, time order, splits, truth."""

from __future__ import annotations

import hashlib
import json
import re

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from e2i_synth.catalog import (
    BRANDS,
    CHANNELS,
    DGPS,
    INTERVENTION_TYPES,
    JOURNEY_STAGES,
    REGIONS,
    SPLIT_SHARES,
    SPLITS,
    TREATMENT_EVENT_TYPES,
    TRIGGER_STATUSES,
    TRIGGER_TYPES,
)
from e2i_synth.settings import Scenario
from e2i_synth.tables import REGISTRY, SPECS, TABLE_NAMES, build_tables
from e2i_synth.tables.unit_truth import ANSWER_COLUMNS
from e2i_synth.validation.causal import parse_graph
from e2i_synth.validation.splits import check_split_isolation
from e2i_synth.validation.suite import structural_checks
from e2i_synth.world import draw_world
from e2i_synth_tests.conftest import frames_of

SCENARIOS = [(b, d) for b in BRANDS for d in DGPS]


def frame_digest(frame: pd.DataFrame) -> str:
    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()


@pytest.mark.parametrize(("brand", "dgp"), SCENARIOS)
def test_scenario_is_internally_consistent(brand, dgp):
    failed = [r.message for r in structural_checks(frames_of(brand, dgp)) if not r.passed]
    assert failed == []


# In reverse: the scenarios the test above left in the frame cache come first.
@pytest.mark.parametrize(("brand", "dgp"), SCENARIOS[::-1])
def test_tables_have_declared_columns_scenario_and_no_unexpected_nulls(brand, dgp):
    for name, frame in frames_of(brand, dgp).items():
        spec = SPECS[name]
        assert list(frame.columns) == list(spec.columns), name
        assert (frame["brand"] == brand).all() and (frame["dgp_type"] == dgp).all()
        required = [c for c in spec.columns if c not in spec.nullable]
        assert not frame[required].isna().any().any(), name
        assert len(frame) > 0, name


def test_keys_unique_across_all_scenarios():
    keys: dict[str, list[pd.Series]] = {name: [] for name in TABLE_NAMES}
    for b, d in SCENARIOS:  # each scenario's frames once (the cache holds ten at a time)
        frames = frames_of(b, d)
        for name, parts in keys.items():
            parts.append(frames[name][SPECS[name].primary_key])
    for name, parts in keys.items():
        assert pd.concat(parts).is_unique, name


def test_enumerations_come_from_the_catalog():
    frames = frames_of("kisqali", "confounded")
    hcps = frames["hcp_profiles"]
    assert set(hcps["specialty"]) <= set(BRANDS["kisqali"].specialties)
    assert set(hcps["region"]) <= set(REGIONS)
    assert set(hcps["preferred_channel"]) <= set(CHANNELS)
    assert hcps["decile"].between(1, 10).all() and hcps["priority_tier"].between(1, 4).all()
    assert set(frames["patient_journeys"]["journey_stage"]) <= set(JOURNEY_STAGES)
    assert set(frames["treatment_events"]["event_type"]) <= set(TREATMENT_EVENT_TYPES)
    assert set(frames["engagement_events"]["intervention_type"]) <= set(INTERVENTION_TYPES)
    assert set(frames["engagement_events"]["channel"]) <= set(CHANNELS)
    assert set(frames["triggers"]["trigger_type"]) <= set(TRIGGER_TYPES)
    assert set(frames["triggers"]["status"]) <= set(TRIGGER_STATUSES)


@pytest.mark.parametrize("dgp", list(DGPS))
def test_every_stored_truth_is_the_mean_of_its_unit_truths(dgp):
    """ATE, ATT and ATC of every row (overall and each segment's CATE) are exact means of
    unit_truth over the units the row covers; expected_ate is the mean of their CATEs."""
    frames = frames_of("fabhalta", dgp)
    units = frames["patient_journeys"].merge(frames["unit_truth"], on="patient_id")
    assert len(units) == len(frames["patient_journeys"]) == len(frames["unit_truth"])
    assert (units["individual_effect"] == units["y1"].astype(int) - units["y0"].astype(int)).all()
    observed = np.where(units["engaged"], units["y1"], units["y0"])
    assert (observed == units["treatment_initiated"]).all()
    truth = frames["causal_ground_truth"]
    assert len(truth) == (1 + len(REGIONS) if DGPS[dgp].segment_column else 1)
    for _, row in truth.iterrows():
        covered = (
            units
            if pd.isna(row["segment_column"])
            else units[units[row["segment_column"]] == row["segment_value"]]
        )
        treated = covered["engaged"]
        effect = covered["individual_effect"]
        assert row["true_ate"] == pytest.approx(effect.mean(), abs=1e-12)
        assert row["true_att"] == pytest.approx(effect[treated].mean(), abs=1e-12)
        assert row["true_atc"] == pytest.approx(effect[~treated].mean(), abs=1e-12)
        assert row["expected_ate"] == pytest.approx(covered["cate"].mean(), abs=1e-12)
        assert (row["n_units"], row["n_treated"]) == (len(covered), treated.sum())


def test_no_analysis_table_holds_the_answer_key():
    """Potential outcomes, propensities, unit effects and hidden confounders live only in
    the truth tables, in the named DGPs, in a variant that draws a hidden confounder, an
    instrument, a dose and selection, in one with a front-door mediator and in one with
    outcome types (the instrument, the dose, the mediator and the outcomes themselves are
    observed: patient_journeys holds them; their potential values are not)."""
    answer = re.compile(
        r"potential_outcome|propensity|individual_effect|^cate$|^y[01]$|hidden|engaged_if"
        r"|^dose_|observed_if|enrolled_if|_if_(un)?engaged$"
    )
    truth_tables = {t.name for t in REGISTRY if t.group == "truth"}
    assert {"unit_truth", "causal_ground_truth"} <= truth_tables
    assert set(ANSWER_COLUMNS) == {c for c in SPECS["unit_truth"].columns if answer.search(c)}
    knobs = (("dose", "3"), ("hidden", "0.5"), ("instrument", "2"), ("selection", "0.5"))
    hidden = build_tables(draw_world(Scenario("kisqali", "confounded", knobs), 300, 7))
    drawn = ["hidden_confounder", "engaged_if_assigned", "dose_if_engaged", "dose_outcomes"]
    drawn += ["observed_if_unengaged", "observed_if_engaged"]
    assert hidden["unit_truth"][drawn].notna().all().all()
    front_door = (("hidden", "0.5"), ("mediator", "0.6"))  # a dose and a mediator never combine
    enrolled = build_tables(draw_world(Scenario("kisqali", "confounded", front_door), 300, 7))
    drawn = ["enrolled_if_unengaged", "enrolled_if_engaged"]
    assert enrolled["unit_truth"][drawn].notna().all().all()
    assert hidden["unit_truth"][drawn].isna().all().all()
    types = build_tables(
        draw_world(Scenario("kisqali", "confounded", (("outcome_types", "true"),)), 300, 7)
    )
    drawn = [
        f"{o}_if_{arm}"
        for o in ("days_to_initiation", "refill_count", "days_covered")
        for arm in ("unengaged", "engaged")
    ]
    assert types["unit_truth"][drawn].notna().all().all()
    for name, spec in SPECS.items():
        if name not in truth_tables:
            assert not [c for c in spec.columns if answer.search(c)], name
            for frames in (frames_of("kisqali", "confounded"), hidden, enrolled):
                assert not set(ANSWER_COLUMNS) & set(frames[name]), name


@pytest.mark.parametrize("dgp", list(DGPS))
def test_traps_are_named_in_the_graph_as_descendants_of_treatment_or_outcome(dgp):
    frames = frames_of("remibrutinib", dgp)
    row = frames["causal_ground_truth"].iloc[0]
    traps = json.loads(row["traps"])
    expected = {"engagement_score", "journey_stage", "outcome_probability"}
    assert {t["column"] for t in traps} >= expected
    assert all(t["role"] and t["why"] for t in traps)
    graph = parse_graph(row["graph_dot"])
    for trap in traps:
        table = trap.get("table", row["treatment_table"])
        # the feature store holds a trap as a feature, the treatment table as a column
        held = frames["features"]["feature_name"] if table == "feature_values" else frames[table]
        assert trap["column"] in set(held) and trap["column"] in graph
        assert trap["column"] in nx.descendants(graph, row["treatment_column"])
        assert trap["column"] not in row["adjustment_columns"]
    roles = {t["column"]: t["role"] for t in traps}
    assert set(graph.predecessors("engagement_score")) == {row["treatment_column"]}
    assert roles["engagement_score"] == "treatment_proxy"
    assert set(graph.predecessors("journey_stage")) == {row["outcome_column"]}
    assert roles["journey_stage"] == "outcome_descendant"
    assert set(graph.predecessors("outcome_probability")) == {row["treatment_column"]}
    assert roles["outcome_probability"] == "treatment_descendant"


@pytest.mark.parametrize("dgp", list(DGPS))
def test_truth_is_self_describing(dgp):
    truth = frames_of("kisqali", dgp)["causal_ground_truth"]
    overall = truth[truth["segment_column"].isna()]
    assert len(overall) == 1 and overall["segment_value"].isna().all()
    row = overall.iloc[0]
    table = frames_of("kisqali", dgp)[row["treatment_table"]]
    named = [row["treatment_column"], row["outcome_column"], *row["adjustment_columns"]]
    assert set(named) <= set(table.columns)
    for column in named:
        assert column in row["graph_dot"]
    assert f"{row['treatment_column']} -> {row['outcome_column']}" in row["graph_dot"]
    assert row["lag_days"] == DGPS[dgp].lag_days
    if DGPS[dgp].true_ate is not None:
        assert row["expected_ate"] == pytest.approx(DGPS[dgp].true_ate)


def test_outcome_table_carries_the_causal_outcome():
    frames = frames_of("remibrutinib", "confounded")
    merged = frames["business_outcomes"].merge(frames["patient_journeys"], on="patient_id")
    assert (merged["outcome_value"] == merged["treatment_initiated"].astype(float)).all()


def test_engaged_patients_have_exactly_one_linked_engagement_on_the_index_date():
    frames = frames_of("kisqali", "time_series")
    journeys = frames["patient_journeys"]
    linked = frames["engagement_events"].dropna(subset=["patient_id"])
    assert linked["patient_id"].is_unique
    assert set(linked["patient_id"]) == set(journeys.loc[journeys["engaged"], "patient_id"])
    merged = linked.merge(journeys, on="patient_id")
    assert (merged["engagement_date"] == merged["index_date"]).all()


def test_prescriptions_match_initiation():
    frames = frames_of("fabhalta", "simple_linear")
    journeys = frames["patient_journeys"]
    rx = frames["treatment_events"].query("event_type == 'prescription'")
    assert set(rx["patient_id"]) == set(journeys.loc[journeys["treatment_initiated"], "patient_id"])
    merged = rx.merge(journeys, on="patient_id")
    days = (merged["event_date"] - merged["journey_start_date"]).dt.days
    assert (days == merged["days_to_treatment"]).all()


@pytest.mark.parametrize("brand", list(BRANDS))
def test_every_event_after_diagnosis_names_the_one_product_its_patient_is_on(brand):
    events = frames_of(brand, "confounded")["treatment_events"]
    diagnosis = events["event_type"] == "diagnosis"
    assert events.loc[diagnosis, "product"].isna().all()
    on_therapy = events[~diagnosis]
    assert on_therapy["product"].notna().all()
    assert set(on_therapy["product"]) <= set(BRANDS[brand].products)
    assert (on_therapy.groupby("patient_id")["product"].nunique() == 1).all()
    first = on_therapy.drop_duplicates("patient_id")["product"]
    shares = first.value_counts(normalize=True).reindex(BRANDS[brand].products, fill_value=0)
    expected = np.array(BRANDS[brand].product_shares)
    se = np.sqrt(expected * (1 - expected) / len(first))
    assert (np.abs(shares.to_numpy() - expected) <= 4 * se + 1e-12).all(), shares


def test_hcp_target_volume_counts_scenario_patients():
    frames = frames_of("kisqali", "heterogeneous")
    counts = frames["patient_journeys"]["hcp_id"].value_counts()
    hcps = frames["hcp_profiles"].set_index("hcp_id")
    assert (hcps["target_patient_volume"] == counts.reindex(hcps.index, fill_value=0)).all()
    assert (hcps["total_patient_volume"] >= hcps["target_patient_volume"]).all()


@settings(max_examples=10, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(100, 1_500),
    scenario=st.sampled_from(SCENARIOS),
)
def test_same_seed_gives_byte_identical_tables(seed, n, scenario):
    first = build_tables(draw_world(Scenario(*scenario), n, seed))
    second = build_tables(draw_world(Scenario(*scenario), n, seed))
    for name in TABLE_NAMES:
        assert frame_digest(first[name]) == frame_digest(second[name]), name


@settings(max_examples=10, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1), n=st.integers(100, 1_500), scenario=st.sampled_from(SCENARIOS)
)
def test_splits_are_exact_and_isolated_for_any_size(seed, n, scenario):
    frames = build_tables(draw_world(Scenario(*scenario), n, seed))
    assert check_split_isolation(frames).passed
    counts = frames["patient_journeys"]["data_split"].value_counts()
    for split, share in zip(SPLITS, SPLIT_SHARES, strict=True):
        assert abs(counts.get(split, 0) - share * n) < 1
    failed = [r.message for r in structural_checks(frames) if not r.passed]
    assert failed == []
