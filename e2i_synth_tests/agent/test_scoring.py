import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binomtest

from e2i_synth.agent.scoring import RULES, Score, score_answer, suite_accuracy
from e2i_synth.agent.tasks import INTEGER, NUMBER, STRING, STRINGS, Task, object_schema

ORDER = ["west", "south", "midwest", "northeast"]


def task(kind: str, schema: dict, key: dict) -> Task:
    return Task(f"s|d/x/{kind}", "x", "s|d", kind, "?", schema, "rule", key, "why")


COUNT = task("exact_count", object_schema(count=INTEGER), {"count": 7})
RANKING = task("ranking", object_schema(order=STRINGS), {"order": ORDER})
GAP = task(
    "gap",
    object_schema(region=STRING, start_month=STRING, achievement_rate=NUMBER),
    {
        "region": "midwest",
        "start_month": "2024-07",
        "achievement_rate": 0.8,
        "month_tolerance": 1,
        "rate_tolerance": 0.05,
    },
)
ATE = task(
    "ate",
    object_schema(ate=NUMBER, adjusted_for=STRINGS),
    {"true_ate": 0.25, "tolerance": 0.06, "traps": ["engagement_score", "journey_stage"]},
)


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ({"cnt": 7}, "'count' is a required property"),
        ({"count": "7"}, "'7' is not of type 'integer'"),
        ({"count": 7, "why": "x"}, "Additional properties"),
        ([7], "is not of type 'object'"),
        (None, "is not of type 'object'"),
    ],
)
def test_a_malformed_answer_scores_zero_with_one_clear_error(answer, problem):
    score = score_answer(COUNT, answer)
    assert (score.score, score.passed) == (0.0, False)
    assert problem in score.error and "must match" in score.error


def test_exact_and_tolerance_rules():
    assert score_answer(COUNT, {"count": 7}).passed
    assert not score_answer(COUNT, {"count": 8}).passed
    good = {"ate": 0.29, "adjusted_for": ["disease_severity"]}
    assert score_answer(ATE, good).passed
    assert not score_answer(ATE, {**good, "ate": 0.32}).passed
    trapped = score_answer(ATE, {**good, "adjusted_for": ["Engagement_Score"]})
    assert not trapped.passed and "engagement_score" in trapped.explanation
    gap = score_answer(
        GAP, {"region": "Midwest", "start_month": "2024-08", "achievement_rate": 0.83}
    )
    assert gap.passed and gap.score == 1.0
    late = score_answer(
        GAP, {"region": "midwest", "start_month": "2024-10", "achievement_rate": 0.8}
    )
    assert late.score == pytest.approx(2 / 3) and not late.passed


@given(st.permutations(ORDER))
def test_ranking_score_is_the_share_of_pairs_in_the_true_order(order):
    score = score_answer(RANKING, {"order": order})
    assert 0 <= score.score <= 1
    swaps = sum(
        order.index(a) > order.index(b) for i, a in enumerate(ORDER) for b in ORDER[i + 1 :]
    )
    assert score.score == pytest.approx(1 - swaps / 6)
    assert score.passed == (swaps <= 1)


def test_a_ranking_must_name_each_value_once():
    score = score_answer(RANKING, {"order": ["west", "west", "south", "midwest"]})
    assert not score.passed and "each of" in score.error


def test_every_kind_has_a_rule():
    assert {
        "exact_count",
        "exact_list",
        "exact_value",
        "gap",
        "drift",
        "ate",
        "trap",
        "ranking",
        "targeting",
    } == set(RULES)


def test_suite_accuracy_has_the_wilson_interval():
    scores = [Score(f"t{i}", "causal", float(i < 7), i < 7, None, "") for i in range(10)]
    scores += [Score("d", "data", 0.0, False, "bad", "")]
    table = suite_accuracy(scores)
    causal = table.loc["causal"]
    wilson = binomtest(7, 10).proportion_ci(0.95, method="wilson")
    assert causal["accuracy"] == 0.7
    assert (causal["ci_lower"], causal["ci_upper"]) == pytest.approx((wilson.low, wilson.high))
    assert table.loc["data", "errors"] == 1
    assert isinstance(suite_accuracy(pd.DataFrame(s.as_dict() for s in scores)), pd.DataFrame)
