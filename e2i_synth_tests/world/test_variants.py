"""Knobs make validated variants of a DGP whose truth stays exact and whose graph stays
DoWhy's efficient adjustment set."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from e2i_synth.catalog import DGPS, OUTCOME_COLUMN, TREATMENT_COLUMN
from e2i_synth.errors import ConfigError
from e2i_synth.settings import Scenario
from e2i_synth.tables import TABLES
from e2i_synth.validation.causal import parse_graph
from e2i_synth.world import draw_world
from e2i_synth.world.variants import KNOBS, parse_knobs, variant_label, variant_spec

HARD = ("heterogeneity=0.8", "nonlinear=true", "overlap=0.01", "confounding=2", "noise=0.5")
HARDEST = (*HARD, "dose=4", "selection=0.5")
"""HARD with a dose and outcomes missing not at random."""


def variant(dgp: str, *knobs: str, n: int = 4000, seed: int = 3):
    return draw_world(Scenario("kisqali", dgp, parse_knobs(knobs)), n, seed)


def test_knobs_are_canonical_and_sorted():
    knobs = parse_knobs(["overlap=0.10", "nonlinear=True", "confounding=2.0"])
    assert knobs == (("confounding", "2"), ("nonlinear", "true"), ("overlap", "0.1"))
    assert (
        variant_label("confounded", knobs) == "confounded~confounding=2,nonlinear=true,overlap=0.1"
    )
    assert Scenario("kisqali", "confounded", knobs).label.startswith("kisqali|confounded~")
    assert variant_spec("confounded") is DGPS["confounded"]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["overlapp=0.1"], "unknown knob 'overlapp'; choose among: censor, confounding"),
        (["overlap=0.9"], "overlap takes a number in [0.001, 0.45]"),
        (["overlap=abc"], "overlap takes a number in [0.001, 0.45]"),
        (["nonlinear=yes"], "nonlinear takes true or false"),
        (["overlap"], "is not name=value"),
        (["noise=0.1", "noise=0.2"], "given twice"),
        (["dose=1.5"], "dose takes an integer in [0, 8]"),
        (["selection=0.95"], "selection takes a number in [0, 0.9]"),
    ],
)
def test_bad_knobs_name_the_knob_and_what_is_allowed(items, message):
    with pytest.raises(ConfigError, match=None) as error:
        parse_knobs(items)
    assert message in str(error.value)


def test_every_knob_changes_the_world():
    base = draw_world(Scenario("kisqali", "confounded"), 2000, 3)
    for name, value in [
        ("censor", "60"),
        ("confounding", "2"),
        ("dose", "3"),
        ("effect", "2"),
        ("feedback", "1"),
        ("heterogeneity", "0.5"),
        ("hidden", "0.5"),
        ("instrument", "2"),
        ("mediator", "0.6"),
        ("noise", "0.5"),
        ("nonlinear", "true"),
        ("overlap", "0.2"),
        ("selection", "0.5"),
        ("shift", "1"),
        ("outcome_types", "true"),
    ]:
        world = draw_world(Scenario("kisqali", "confounded", ((name, value),)), 2000, 3)
        changed = [
            not np.array_equal(getattr(world, a), getattr(base, a))
            for a in ("propensity", "p0", "tau", "initiation_date", "outcome_date")
        ]
        # a knob adding outcomes leaves these alone and draws variant parts of its own
        assert any(changed) or (name == "outcome_types" and world.parts.drawn()), name
    assert set(KNOBS) == {"censor", "confounding", "dose", "effect", "feedback", "noise"} | {
        "heterogeneity",
        "nonlinear",
        "hidden",
        "instrument",
        "mediator",
        "overlap",
        "selection",
        "shift",
        "outcome_types",
    }


def test_overlap_and_confounding_shape_the_propensity():
    poor = variant("confounded", "overlap=0.01", "confounding=2")
    assert poor.propensity.min() >= 0.01 and poor.propensity.max() == 0.99
    extreme = (poor.propensity < 0.05) | (poor.propensity > 0.95)
    assert extreme.mean() > 0.5  # most units (almost) always or never engaged
    usual = variant("confounded").propensity
    assert usual.min() == 0.05 and usual.max() == 0.95
    randomized = variant("confounded", "confounding=0")
    assert np.unique(randomized.propensity).size == 1
    assert randomized.spec.treatment_causes == ()


def test_continuous_heterogeneity_harms_some_units_and_truth_stays_exact():
    world = variant("confounded", "heterogeneity=0.8")
    assert (world.tau < 0).any() and (world.tau > 0.5).any()
    assert (world.y1 < world.y0).any()  # harmed units exist in the sample
    p1 = world.p0 + world.tau
    assert p1.min() >= 0 and p1.max() <= 1
    # 0.25 + 0.8 * (severity on [0, 1] - 0.5), cut where p1 would leave [0, 1]
    stated = 0.25 + 0.8 * (world.covariates.disease_severity / 10 - 0.5)
    expected = np.clip(world.p0 + stated, 0, 1) - world.p0
    assert (np.abs(expected - stated) > 1e-12).mean() < 0.2  # cut for a few units only
    assert np.abs(world.tau - expected).max() < 1e-12


@pytest.mark.parametrize("knobs", [HARD, HARDEST], ids=["hard", "hardest"])
@pytest.mark.parametrize("dgp", list(DGPS))
def test_stored_truth_is_the_mean_of_the_unit_truths_for_hard_variants(dgp, knobs):
    world = variant(dgp, *knobs, n=1500)
    units = TABLES["unit_truth"].build(world, {})
    truth = TABLES["causal_ground_truth"].build(world, {})
    overall = truth.loc[truth["segment_column"].isna()].iloc[0]
    assert overall["true_ate"] == units["individual_effect"].mean()
    assert overall["expected_ate"] == pytest.approx(units["cate"].mean(), abs=1e-12)
    engaged = world.engaged
    assert overall["true_att"] == units["individual_effect"][engaged].mean()
    assert f"[variant {world.spec.label}]" in overall["description"]
    assert world.p0.min() >= 0.05 - 1e-12 and world.p0.max() <= 0.55 + 1e-12
    if knobs is HARDEST:  # the dose-response and the observed population's effect too
        outcomes = np.array([json.loads(t) for t in units["dose_outcomes"]])
        stated = [d["mean_outcome"] for d in json.loads(overall["dose_response"])]
        assert stated == pytest.approx(outcomes.mean(axis=0), abs=1e-12)
        y0, y1 = units["y0"].to_numpy(), units["y1"].to_numpy()
        kept0, kept1 = (units[f"observed_if_{a}"].to_numpy(bool) for a in ("unengaged", "engaged"))
        observed = y1[kept1].mean() - y0[kept0].mean()
        assert overall["true_ate_observed"] == pytest.approx(observed, abs=1e-12)


@pytest.mark.parametrize(
    "knobs", [HARD, HARDEST, ("confounding=0",), ("heterogeneity=-0.5", "nonlinear=true")]
)
@pytest.mark.parametrize("dgp", list(DGPS))
def test_variant_adjustment_columns_are_dowhys_efficient_set(dgp, knobs):
    from dowhy import CausalModel

    truth = TABLES["causal_ground_truth"].build(variant(dgp, *knobs, n=300), {})
    row = truth.loc[truth["segment_column"].isna()].iloc[0]
    graph = parse_graph(str(row["graph_dot"]))
    model = CausalModel(
        data=pd.DataFrame(0.0, index=range(3), columns=sorted(set(graph.nodes))),
        treatment=TREATMENT_COLUMN,
        outcome=OUTCOME_COLUMN,
        graph=graph,
    )
    identified = model.identify_effect(method_name="efficient-adjustment")
    assert set(identified.get_backdoor_variables()) == set(row["adjustment_columns"])


@pytest.mark.integration
def test_variants_are_reproducible_and_paired_across_knob_levels():
    """The same seed draws the same variant again, and the same units at another level of
    a knob (draw streams are named by the base DGP); another seed draws other units."""
    a = variant("confounded", "nonlinear=true", n=500)
    assert np.array_equal(a.y0, variant("confounded", "nonlinear=true", n=500).y0)
    b = variant("confounded", "nonlinear=false", n=500)
    assert np.array_equal(a.covariates.disease_severity, b.covariates.disease_severity)
    assert not np.array_equal(a.p0, b.p0)
    c = variant("confounded", "nonlinear=true", n=500, seed=4)
    assert not np.array_equal(a.covariates.disease_severity, c.covariates.disease_severity)


@pytest.mark.parametrize("dgp", list(DGPS))
@pytest.mark.parametrize("knob", sorted(KNOBS))
def test_a_knob_at_its_neutral_value_leaves_the_spec_as_it_is(dgp, knob):
    """Every knob has a neutral value for every named DGP (the world of no knob), and a
    different value changes the spec."""
    neutral = KNOBS[knob].neutral(DGPS[dgp])
    assert neutral is not None
    text = str(neutral).lower() if isinstance(neutral, bool) else f"{neutral:g}"
    spec = variant_spec(dgp, parse_knobs([f"{knob}={text}"]))
    assert dataclasses.replace(spec, variant=None) == DGPS[dgp]
    bounds = (KNOBS[knob].low, KNOBS[knob].high)
    other = (
        not neutral if isinstance(neutral, bool) else max(bounds, key=lambda b: abs(b - neutral))
    )
    moved = KNOBS[knob].apply(DGPS[dgp], other)
    assert moved != DGPS[dgp]
