"""The truth's adjustment sets are what DoWhy identifies on the stored graph: the efficient
set is `adjustment_columns` and every set `valid_adjustment_sets` names passes DoWhy's
backdoor criterion, for every default scenario and every variant of the shipped suites;
where the graph has an unobserved confounder, DoWhy finds no set and the truth lists none."""

from __future__ import annotations

import json

import pytest

from e2i_synth.benchmark.suite import load_suite
from e2i_synth.catalog import BRANDS, DGPS, OUTCOME_COLUMN, TREATMENT_COLUMN
from e2i_synth.settings import Scenario
from e2i_synth.tables import TABLES
from e2i_synth.validation.causal import overall_truth, parse_graph, quiet
from e2i_synth.world import draw_world
from e2i_synth_tests.conftest import frames_of


def observed(graph) -> list[str]:
    return [n for n, a in graph.nodes(data=True) if a.get("observed", "").strip('"') != "no"]


def dowhy_set(graph_dot: str, method: str) -> set[str]:
    """The backdoor set DoWhy's identifier picks with `method` on the stored DOT."""
    from dowhy.causal_identifier import AutoIdentifier, BackdoorAdjustment, EstimandType

    graph = parse_graph(graph_dot)
    identifier = AutoIdentifier(EstimandType.NONPARAMETRIC_ATE, BackdoorAdjustment(method))
    with quiet():
        identified = identifier.identify_effect(
            graph, [TREATMENT_COLUMN], [OUTCOME_COLUMN], observed(graph)
        )
    return set(identified.get_backdoor_variables())


def assert_sets_are_dowhys(row) -> None:
    from dowhy.causal_identifier.efficient_backdoor import EXCEPTION_NO_ADJ
    from dowhy.graph import check_valid_backdoor_set

    sets = json.loads(row["valid_adjustment_sets"])
    if len(observed(parse_graph(row["graph_dot"]))) < len(parse_graph(row["graph_dot"])):
        assert sets == [] and not json.loads(row["identification"])["backdoor_valid"]
        with pytest.raises(ValueError, match=EXCEPTION_NO_ADJ):
            dowhy_set(row["graph_dot"], "efficient-adjustment")
        return
    assert sets[0] == {"name": "efficient", "columns": list(row["adjustment_columns"])}
    assert dowhy_set(row["graph_dot"], "efficient-adjustment") == set(row["adjustment_columns"])
    minimal = dowhy_set(row["graph_dot"], "efficient-minimal-adjustment")
    assert minimal in [set(s["columns"]) for s in sets]  # named, or equal to a set named first
    assert len({frozenset(s["columns"]) for s in sets}) == len(sets)
    graph = parse_graph(row["graph_dot"])
    for s in sets:
        assert check_valid_backdoor_set(graph, [TREATMENT_COLUMN], [OUTCOME_COLUMN], s["columns"])


@pytest.mark.parametrize("brand", list(BRANDS))
@pytest.mark.parametrize("dgp", list(DGPS))
def test_default_scenarios_state_dowhys_adjustment_sets(brand, dgp):
    assert_sets_are_dowhys(overall_truth(frames_of(brand, dgp)["causal_ground_truth"]))


@pytest.mark.parametrize(
    "suite",
    [
        "smoke",
        pytest.param("standard", marks=pytest.mark.integration),  # 128 variants
        "unobserved",
        "dose",
        "selection",
    ],
)
def test_every_suite_variant_states_dowhys_adjustment_sets(suite):
    for scenario in load_suite(suite).variants:
        truth = TABLES["causal_ground_truth"].build(draw_world(scenario, 200, 5), {})
        assert_sets_are_dowhys(overall_truth(truth))


def test_alternatives_are_named_where_there_are_several():
    """Heterogeneous: severity alone confounds; comorbidity and region only move the
    outcome, so the efficient set adds them and the minimal set does not."""
    row = overall_truth(frames_of("kisqali", "heterogeneous")["causal_ground_truth"])
    assert json.loads(row["valid_adjustment_sets"]) == [
        {"name": "efficient", "columns": ["disease_severity", "comorbidity_count", "region"]},
        {"name": "minimal", "columns": ["disease_severity"]},
    ]
    randomized = draw_world(Scenario("kisqali", "confounded", (("confounding", "0"),)), 200, 5)
    row = overall_truth(TABLES["causal_ground_truth"].build(randomized, {}))
    assert [s["columns"] for s in json.loads(row["valid_adjustment_sets"])][1] == []
