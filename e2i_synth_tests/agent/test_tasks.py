import duckdb
import numpy as np
import pytest

from e2i_synth.agent.estimates import regression_ate
from e2i_synth.agent.scoring import score_answer
from e2i_synth.agent.suites import build_tasks, parse_suites
from e2i_synth.agent.suites.causal import STANDARD_ERRORS
from e2i_synth.agent.suites.targeting import hcp_gains
from e2i_synth.agent.tasks import Task
from e2i_synth.errors import ConfigError
from e2i_synth_tests.agent.conftest import SCENARIOS
from e2i_synth_tests.conftest import frames_of

CONFOUNDED, HETEROGENEOUS = SCENARIOS


def tasks_of(scenario, seed=42, suites=None) -> dict[str, Task]:
    frames = frames_of(scenario.brand, scenario.dgp)
    return {t.task_id.rsplit("/", 1)[1]: t for t in build_tasks(scenario, frames, seed, suites)}


def test_same_seed_same_tasks_and_another_seed_other_questions():
    first = [t.to_json() for t in tasks_of(CONFOUNDED).values()]
    assert first == [t.to_json() for t in tasks_of(CONFOUNDED).values()]
    others = [
        [t.question for t in tasks_of(CONFOUNDED, seed, ("data",)).values()] for seed in (1, 2, 3)
    ]
    assert any(
        o != [t.question for t in tasks_of(CONFOUNDED, suites=("data",)).values()] for o in others
    )
    assert Task.from_json(first[0]).to_json() == first[0]


def test_every_suite_has_tasks_and_a_public_part_without_the_key():
    tasks = tasks_of(HETEROGENEOUS)
    assert {t.suite for t in tasks.values()} == {"data", "gap", "drift", "causal", "targeting"}
    for task in tasks.values():
        public = task.public()
        assert "key" not in public and "explanation" not in public
        assert task.answer_schema["required"] and task.scoring and task.explanation


def test_data_keys_match_the_same_question_asked_in_sql():
    frames = frames_of(CONFOUNDED.brand, CONFOUNDED.dgp)
    tasks = tasks_of(CONFOUNDED)
    con = duckdb.connect()
    for name in ("patient_journeys", "hcp_profiles", "treatment_events"):
        con.register(name, frames[name])
    region = tasks["initiated_in_region"].question.split("'")[1]
    counted = con.execute(
        "SELECT count(*) FROM patient_journeys WHERE region = ? AND treatment_initiated", [region]
    ).fetchone()[0]
    assert tasks["initiated_in_region"].key == {"count": counted}
    top = tasks["top_specialties"].key["values"]
    by_sql = con.execute(
        "SELECT h.specialty FROM patient_journeys p JOIN hcp_profiles h USING (hcp_id) "
        f"GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT {len(top)}"
    ).fetchall()
    assert top == [r[0] for r in by_sql]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.dgp)
def test_causal_keys_are_the_exact_sample_effects_and_three_standard_errors(scenario):
    frames = frames_of(scenario.brand, scenario.dgp)
    tasks = tasks_of(scenario, suites=("causal",))
    key = tasks["ate"].key
    assert key["true_ate"] == pytest.approx(frames["unit_truth"]["individual_effect"].mean())
    truth = frames["causal_ground_truth"]
    adjustment = list(truth.loc[truth["segment_column"].isna(), "adjustment_columns"].iloc[0])
    estimate, se = regression_ate(frames["patient_journeys"], adjustment)
    assert key["tolerance"] == pytest.approx(max(STANDARD_ERRORS * se, 0.02))
    assert abs(estimate - key["true_ate"]) <= key["tolerance"]  # a competent estimate passes
    assert "engagement_score" in key["traps"] and "journey_stage" in key["traps"]
    assert tasks["trap"].key["colleague_is_right"] is False


def test_regression_ate_agrees_with_least_squares():
    """statsmodels' coefficient cross-checked with numpy's least squares."""
    patients = frames_of(CONFOUNDED.brand, CONFOUNDED.dgp)["patient_journeys"]
    covariates = ["disease_severity", "comorbidity_count", "academic_hcp"]
    estimate, se = regression_ate(patients, covariates)
    frame = patients.dropna(subset=["treatment_initiated"])
    x = np.column_stack(
        [
            np.ones(len(frame)),
            frame["engaged"].astype(float),
            *(frame[c].astype(float) for c in covariates),
        ]
    )
    beta = np.linalg.lstsq(x, frame["treatment_initiated"].astype(float), rcond=None)[0]
    assert estimate == pytest.approx(beta[1])
    assert 0.005 < se < 0.05


def test_a_cate_ranking_task_exists_only_where_effects_differ_by_segment():
    assert "cate_ranking" in tasks_of(HETEROGENEOUS, suites=("causal",))
    assert "cate_ranking" not in tasks_of(CONFOUNDED, suites=("causal",))
    order = tasks_of(HETEROGENEOUS, suites=("causal",))["cate_ranking"].key["order"]
    assert order == ["west", "south", "midwest", "northeast"]  # the planted 0.4 > 0.3 > 0.2 > 0.1


def test_targeting_gains_are_the_patients_expected_effects_per_hcp():
    frames = frames_of(HETEROGENEOUS.brand, HETEROGENEOUS.dgp)
    gains = hcp_gains(frames)
    assert gains.sum() == pytest.approx(frames["unit_truth"]["cate"].sum())
    assert len(gains) == len(frames["hcp_profiles"])
    task = tasks_of(HETEROGENEOUS, suites=("targeting",))["hcps_to_engage"]
    budget = task.key["budget"]
    best = list(gains.sort_values(ascending=False).index[:budget])
    worst = list(gains.sort_values().index[:budget])
    assert score_answer(task, {"hcp_ids": best}).score == 1.0
    assert score_answer(task, {"hcp_ids": worst}).score == 0.0
    rng = np.random.default_rng(0)
    randoms = [
        score_answer(task, {"hcp_ids": list(rng.choice(gains.index, budget, replace=False))}).score
        for _ in range(20)
    ]
    assert np.mean(randoms) < 0.3


def test_unknown_suites_are_refused_with_the_known_ones():
    assert parse_suites("data, causal") == ("data", "causal")
    assert parse_suites(None) == ("data", "gap", "drift", "causal", "targeting")
    with pytest.raises(ConfigError, match=r"unknown suite.*choose from data"):
        parse_suites("data,nope")
