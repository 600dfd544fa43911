"""Variants whose effect no observed adjustment set identifies: a hidden confounder is
drawn from its own stream, moves the propensity and the baseline, stays out of every
analysis table, is named unobserved in the truth, and biases backdoor estimators while
the truth stays the exact mean of the unit effects."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from e2i_synth.benchmark.data import variant_data
from e2i_synth.benchmark.estimators import BASELINES, PublicTruth
from e2i_synth.catalog import (
    HIDDEN_CONFOUNDER,
    INSTRUMENT_COLUMN,
    OUTCOME_COLUMN,
    TREATMENT_COLUMN,
)
from e2i_synth.settings import Scenario
from e2i_synth.tables import build_tables
from e2i_synth.validation.causal import overall_truth, parse_graph
from e2i_synth.world import draw, draw_world
from e2i_synth.world.variants import parse_knobs

K_SE = 3.0
"""A backdoor estimate counts as biased when it misses the truth by more than 3 SE; at
hidden = 0.5 and 10,000 units the bias measured about 5 SE (seed 1)."""


def scenario(dgp: str, *knobs: str) -> Scenario:
    return Scenario("kisqali", dgp, parse_knobs(knobs))


def test_hidden_confounder_has_its_own_stream_and_moves_propensity_and_baseline(monkeypatch):
    base = draw_world(scenario("confounded"), 2000, 3)
    hidden = draw_world(scenario("confounded", "hidden=0.5"), 2000, 3)
    u = hidden.parts.hidden
    assert base.parts.hidden is None and u.min() >= 0 and u.max() <= 1
    # p0 = (1 - 0.5) * observed signal + 0.5 * U, so the baseline climbs with U ...
    assert np.corrcoef(u, hidden.p0)[0, 1] > 0.5
    # ... and so does the propensity (logit + 0.5 * 8 * (U - 1/2))
    assert np.corrcoef(u, hidden.propensity)[0, 1] > 0.2
    assert "variant_parts" not in [f.name for f in dataclasses.fields(base)]
    # another stream for U changes U (and what it drives), and no other draw
    monkeypatch.setitem(draw.LATENT_STREAMS, "hidden", "another-stream")
    other = draw_world(scenario("confounded", "hidden=0.5"), 2000, 3)
    assert not np.array_equal(other.parts.hidden, u)
    for name in ("disease_severity", "comorbidity_count", "age_at_diagnosis"):
        assert np.array_equal(getattr(other.covariates, name), getattr(hidden.covariates, name))
    for name in ("patient_hcp", "journey_start", "index_date", "split"):
        assert np.array_equal(getattr(other, name), getattr(hidden, name)), name


def test_hidden_confounder_is_in_unit_truth_only_and_named_unobserved():
    frames = build_tables(draw_world(scenario("heterogeneous", "hidden=0.5"), 1500, 3))
    units = frames["unit_truth"]
    assert units[HIDDEN_CONFOUNDER].between(0, 1).all()
    for name, frame in frames.items():
        if name != "unit_truth":
            assert HIDDEN_CONFOUNDER not in frame.columns, name
    truth = frames["causal_ground_truth"]
    assert (truth["valid_adjustment_sets"] == "[]").all()
    identification = json.loads(overall_truth(truth)["identification"])
    assert identification == {
        "unobserved": [HIDDEN_CONFOUNDER],
        "backdoor_valid": False,
        "routes": [],
    }
    graph = parse_graph(overall_truth(truth)["graph_dot"])
    assert graph.nodes[HIDDEN_CONFOUNDER]["observed"].strip('"') == "no"
    assert set(graph.successors(HIDDEN_CONFOUNDER)) == {TREATMENT_COLUMN, OUTCOME_COLUMN}
    # a named DGP states its backdoor route and leaves the column NULL
    plain = build_tables(draw_world(scenario("heterogeneous"), 300, 3))
    assert plain["unit_truth"][HIDDEN_CONFOUNDER].isna().all()
    route = json.loads(overall_truth(plain["causal_ground_truth"])["identification"])
    assert route["backdoor_valid"] and route["routes"][0]["route"] == "backdoor"


def test_dowhy_finds_no_backdoor_set_among_observed_columns():
    from dowhy.causal_identifier import AutoIdentifier, BackdoorAdjustment, EstimandType
    from dowhy.causal_identifier.efficient_backdoor import EXCEPTION_NO_ADJ

    truth = build_tables(draw_world(scenario("confounded", "hidden=0.5"), 300, 3))
    graph = parse_graph(overall_truth(truth["causal_ground_truth"])["graph_dot"])
    observed = [n for n in graph.nodes if n != HIDDEN_CONFOUNDER]
    identifier = AutoIdentifier(
        EstimandType.NONPARAMETRIC_ATE, BackdoorAdjustment.BACKDOOR_EFFICIENT
    )
    with pytest.raises(ValueError, match=EXCEPTION_NO_ADJ):
        identifier.identify_effect(graph, [TREATMENT_COLUMN], [OUTCOME_COLUMN], observed)


def _with_hidden_column(data) -> tuple[dict[str, pd.DataFrame], PublicTruth]:
    """The analysis tables with the hidden confounder joined in, as an oracle would have."""
    world = draw_world(data.scenario, len(data.true_cate), data.seed)
    journeys = data.tables["patient_journeys"].assign(**{HIDDEN_CONFOUNDER: world.parts.hidden})
    columns = (*data.truth.adjustment_columns, HIDDEN_CONFOUNDER)
    return {**data.tables, "patient_journeys": journeys}, dataclasses.replace(
        data.truth, adjustment_columns=columns
    )


@pytest.mark.parametrize("name", ["ols", "aipw"])
def test_backdoor_estimators_are_biased_by_the_hidden_confounder(name):
    data = variant_data(scenario("confounded", "hidden=0.5"), 10_000, 1)
    world = draw_world(data.scenario, 10_000, 1)
    assert data.true_ate == np.mean(world.y1.astype(int) - world.y0.astype(int))
    estimator = BASELINES[name]
    biased = estimator(data.tables, data.truth)
    assert biased.value - data.true_ate > K_SE * biased.std_error  # pushed up, as U is
    # the same estimator recovers the truth once it may adjust for the hidden confounder
    oracle = estimator(*_with_hidden_column(data))
    assert abs(oracle.value - data.true_ate) < K_SE * oracle.std_error


IV = ("hidden=0.5", "instrument=2")


def test_instrument_is_randomized_monotone_and_stored_where_an_analyst_sees_it():
    world = draw_world(scenario("confounded", *IV), 4000, 3)
    z, (off, on) = world.parts.instrument, world.parts.engaged_if
    assert 0.45 < z.mean() < 0.55
    assert (on >= off).all() and (on & ~off).any()  # monotone, with compliers
    assert np.array_equal(world.engaged, np.where(z, on, off))  # the draw is z's arm
    assert np.corrcoef(z, world.parts.hidden)[0, 1] < 0.05  # independent of the confounder
    frames = build_tables(world)
    journeys, units = frames["patient_journeys"], frames["unit_truth"]
    assert journeys[INSTRUMENT_COLUMN].to_numpy(bool).tolist() == z.tolist()
    assert units["engaged_if_assigned"].to_numpy(bool).tolist() == on.tolist()
    # an instrument excluded from the outcome: no edge to it, one to the treatment only
    row = overall_truth(frames["causal_ground_truth"])
    graph = parse_graph(row["graph_dot"])
    assert set(graph.successors(INSTRUMENT_COLUMN)) == {TREATMENT_COLUMN}
    plain = build_tables(draw_world(scenario("confounded"), 300, 3))
    assert plain["patient_journeys"][INSTRUMENT_COLUMN].isna().all()
    assert plain["causal_ground_truth"]["true_late"].isna().all()


@pytest.mark.parametrize("knobs", [IV, (*IV, "heterogeneity=0.8"), ("instrument=2",)])
def test_truth_states_the_late_exactly_from_the_potential_treatments(knobs):
    world = draw_world(scenario("heterogeneous", *knobs), 3000, 4)
    frames = build_tables(world)
    units, truth = frames["unit_truth"], frames["causal_ground_truth"]
    compliers = units["engaged_if_assigned"] & ~units["engaged_if_unassigned"]
    regions = frames["patient_journeys"]["region"]
    for _, row in truth.iterrows():
        rows = compliers & (regions == row["segment_value"] if row["segment_value"] else True)
        assert row["n_compliers"] == rows.sum()
        assert row["true_late"] == pytest.approx(units["individual_effect"][rows].mean(), abs=1e-12)
    routes = json.loads(overall_truth(truth)["identification"])["routes"]
    assert routes[-1] == {"route": "instrument", "columns": [INSTRUMENT_COLUMN], "estimand": "late"}
    assert [r["route"] for r in routes] == (
        ["instrument"] if "hidden=0.5" in knobs else ["backdoor", "instrument"]
    )


def test_dowhy_identifies_the_instrument_route_on_the_stored_graph():
    from dowhy.causal_identifier import AutoIdentifier, EstimandType

    truth = build_tables(draw_world(scenario("confounded", *IV), 300, 3))["causal_ground_truth"]
    graph = parse_graph(overall_truth(truth)["graph_dot"])
    observed = [n for n in graph.nodes if n != HIDDEN_CONFOUNDER]
    identified = AutoIdentifier(EstimandType.NONPARAMETRIC_ATE).identify_effect(
        graph, [TREATMENT_COLUMN], [OUTCOME_COLUMN], observed
    )
    assert identified.get_instrumental_variables() == [INSTRUMENT_COLUMN]
    assert not identified.get_backdoor_variables()
